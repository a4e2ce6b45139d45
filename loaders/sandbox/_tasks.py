"""Tasks: ``tasks.task.add/update/get/list/delete`` (b24restdocs ``api-reference/tasks/``).

What the sandbox keeps from the docs:

* ``add`` takes UPPER_CASE ``fields`` and answers ``{"task": {…}}`` with lowerCamel keys and
  string values (``"id": "3711"``, ``"status": "2"``, ``"xmlId": null``; tasks-task-add.md,
  response example); ``TITLE`` and ``RESPONSIBLE_ID`` are required (``ERROR_CORE`` "Task title
  not specified<br>", "Assignee not specified<br>"), an unknown assignee is "User specified in
  the \\"Assignee\\" field not found<br>", ``STATUS`` outside 2–6 is "Invalid status<br>";
  ``createdDate`` is the time of the call (no back-dating);
* ``UF_CRM_TASK`` holds bindings like ``["CO_5", "D_10"]`` (fields.md: ``L_``, ``D_``, ``C_``,
  ``CO_``) and comes back as ``ufCrmTask`` only when selected (fields.md note);
* ``list`` answers ``{"tasks": [...]}``, 50 per page, filter ``ID``, ``RESPONSIBLE_ID``,
  ``REAL_STATUS``, ``TAG`` and ``UF_CRM_TASK`` (tasks-task-list.md);
* ``UF_TASK_WEBDAV_FILES`` takes Drive object ids as ``["n6687"]`` and reads back the ids of
  the attachments made (``[423]``; tutorials/tasks/how-to-create-task-with-file.md), which
  ``disk.attachedObject.get`` describes (:mod:`loaders.sandbox._disk`); a deleted task's
  attachments go, its Drive files stay;
* ``delete`` takes ``taskId`` and answers ``{"task": true}`` (tasks-task-delete.md); a missing
  task is ``ERROR_CORE`` "Task not found or not accessible" (an assumption: the page lists no
  error for it).
"""

from __future__ import annotations

import uuid
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._disk import attach, detach
from loaders.sandbox._errors import RestError
from loaders.sandbox._lists import Condition
from loaders.sandbox._params import as_dict, as_int, as_list

__all__: list[str] = []

_STATUSES = range(2, 7)
_BINDING_PREFIXES = ("L_", "D_", "C_", "CO_")
_KINDS = {"L_": "lead", "D_": "deal", "C_": "contact", "CO_": "company"}
_OPERATORS = (">=", "<=", "!=", ">", "<", "!")
_MISSING = RestError(400, "ERROR_CORE", "Task not found or not accessible")


def _core(text: str) -> RestError:
    return RestError(400, "ERROR_CORE", f"{text}<br>")


@method("tasks.task.add")
def task_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = as_dict(params.get("fields"), "fields")
    if not fields:
        raise RestError(400, "100", "Could not find value for parameter {fields}")
    record = _checked(ctx, fields, {})
    now, creator = format_dt(ctx.now), as_int(fields.get("CREATED_BY")) or ctx.user_id
    # a new task was changed, had its status set and was active at its creation, by its
    # creator (tasks-task-add.md: changedDate = statusChangedDate = activityDate = createdDate)
    record.update(CREATED_DATE=now, CREATED_BY=creator, CHANGED_DATE=now, CHANGED_BY=creator,
                  STATUS_CHANGED_DATE=now, GUID=f"{{{uuid.uuid4()}}}")  # fmt: skip
    ctx.touch()
    files = record.pop("UF_TASK_WEBDAV_FILES", None)
    rid = ctx.store.insert("task", record)
    if files is not None:
        record["UF_TASK_WEBDAV_FILES"] = attach(ctx, rid, files)
        ctx.store.put("task", rid, record)
    return Reply({"task": _row(ctx, ctx.store.get("task", rid) or {}, rid, ())})


@method("tasks.task.update")
def task_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = _task(ctx, params)
    fields = as_dict(params.get("fields"), "fields")
    changed = _checked(ctx, fields, record)
    now = format_dt(ctx.now)
    changed.update(CHANGED_DATE=now, CHANGED_BY=ctx.user_id)
    if "UF_TASK_WEBDAV_FILES" in changed:  # the new list replaces the old: dropped ones go
        kept = attach(ctx, rid, changed["UF_TASK_WEBDAV_FILES"])
        detach(ctx, [a for a in record.get("UF_TASK_WEBDAV_FILES") or [] if a not in kept])
        changed["UF_TASK_WEBDAV_FILES"] = kept
    if changed["STATUS"] != record.get("STATUS"):
        changed.update(STATUS_CHANGED_DATE=now)
        changed.update(CLOSED_DATE=now if changed["STATUS"] == 5 else None)
    ctx.store.put("task", rid, {**record, **changed})
    ctx.touch()
    return Reply({"task": _row(ctx, ctx.store.get("task", rid) or {}, rid, ())})


@method("tasks.task.get")
def task_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    raw = params.get("taskId", params.get("TASKID", params.get("id")))
    if raw is None or raw == "":
        raise RestError(400, "100", "CTaskItem All parameters in the constructor must have real "
                        "class type (internal error)")  # fmt: skip
    rid = as_int(raw)
    if rid is None:
        raise RestError(400, "0", "wrong task id")
    record = ctx.store.get("task", rid)
    if record is None:
        return Reply([])  # "an empty array if the task does not exist" (tasks-task-get.md)
    return Reply({"task": _row(ctx, record, rid or 0, _select(params), single=True)})


@method("tasks.task.delete")
def task_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = _task(ctx, params)
    detach(ctx, record.get("UF_TASK_WEBDAV_FILES"))
    ctx.store.delete("task", rid)
    ctx.touch()
    return Reply({"task": True})


@method("tasks.task.list")
def task_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    conds = as_dict(params.get("filter") or {}, "filter")
    rows = [(rid, rec) for rid, rec in ctx.store.table("task").items() if _matches(rid, rec, conds)]
    start = max(as_int(params.get("start")) or 0, 0)
    page = rows[start : start + 50]
    ctx.touch(max(len(page), 1))
    select = _select(params)
    nxt = start + 50 if start + 50 < len(rows) else None
    return Reply({"tasks": [_row(ctx, rec, rid, select) for rid, rec in page]}, len(rows), nxt)


def _task(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rid = as_int(params.get("taskId", params.get("TASKID", params.get("id"))))
    record = ctx.store.get("task", rid) if rid is not None else None
    if rid is None or record is None:
        raise _MISSING
    return rid, record


def _checked(ctx: Ctx, fields: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of an add (``old`` empty) or an update, checked as the portal does."""
    title = str(fields.get("TITLE", old.get("TITLE")) or "").strip()
    if not title:
        raise _core("Task title not specified")
    responsible = as_int(fields.get("RESPONSIBLE_ID", old.get("RESPONSIBLE_ID")))
    if responsible is None:
        raise _core("Assignee not specified")
    if ctx.store.get("user", responsible) is None:
        raise _core('User specified in the "Assignee" field not found')
    status = as_int(fields.get("STATUS", old.get("STATUS", 2)))
    if status not in _STATUSES:
        raise _core("Invalid status")
    out = {str(k).upper(): v for k, v in fields.items()}
    out.update(TITLE=title, RESPONSIBLE_ID=responsible, STATUS=status)
    if "UF_CRM_TASK" in out:
        out["UF_CRM_TASK"] = [_binding(ctx, b) for b in as_list(out["UF_CRM_TASK"])]
    if "TAGS" in out:
        out["TAGS"] = [str(t) for t in as_list(out["TAGS"])]
    return out


def _binding(ctx: Ctx, value: Any) -> str:
    """``CO_5``: a binding to a record that exists (the portal drops others; here an error)."""
    text = str(value)
    prefix = next((p for p in sorted(_BINDING_PREFIXES, key=len, reverse=True)
                   if text.startswith(p)), None)  # fmt: skip
    rid = as_int(text[len(prefix) :]) if prefix else None
    if prefix is None or rid is None or ctx.store.get(_KINDS[prefix], rid) is None:
        raise _core(f"CRM binding {text} not found")
    return text


def _matches(rid: int, rec: dict[str, Any], conds: dict[str, Any]) -> bool:
    for key, wanted in conds.items():
        name = str(key).upper()
        op = next((p for p in _OPERATORS if name.startswith(p)), "")
        if op:  # ``>=CHANGED_DATE``, ``>ID`` (tasks-task-list.md: the filter takes prefixes)
            field = name[len(op) :]
            actual = rid if field == "ID" else rec.get(field)
            if not Condition(op, field, wanted).matches(actual):
                return False
            continue
        values = {str(v) for v in as_list(wanted)} if isinstance(wanted, list | dict) else {
            str(wanted)}  # fmt: skip
        if name == "ID":
            have = {str(rid)}
        elif name == "REAL_STATUS":
            have = {str(rec.get("STATUS"))}
        elif name == "TAG":
            have = {str(t) for t in rec.get("TAGS") or ()}
        elif name == "UF_CRM_TASK":
            have = {str(b) for b in rec.get("UF_CRM_TASK") or ()}
        else:
            have = {str(rec.get(name))}
        if not values & have:
            return False
    return True


def _select(params: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(s).upper() for s in as_list(params.get("select") or []))


# Every key of a task in the order ``tasks.task.add`` answers it (tasks-task-add.md, response
# example), with where its value comes from: a stored UPPER_CASE field, or a fixed value the
# portal shows for a task made through REST (a new task nobody has opened, counted or pinned).
_FULL: tuple[tuple[str, str | None, Any], ...] = (
    ("id", "ID", None), ("parentId", "PARENT_ID", None), ("title", "TITLE", None),
    ("description", "DESCRIPTION", ""), ("mark", "MARK", None), ("priority", "PRIORITY", "1"),
    ("multitask", None, "N"), ("notViewed", None, "N"), ("replicate", None, "N"),
    ("stageId", None, "0"), ("createdBy", "CREATED_BY", None),
    ("createdDate", "CREATED_DATE", None), ("responsibleId", "RESPONSIBLE_ID", None),
    ("changedBy", "CHANGED_BY", None), ("changedDate", "CHANGED_DATE", None),
    ("statusChangedBy", None, None), ("closedBy", "CLOSED_BY", None),
    ("closedDate", "CLOSED_DATE", None), ("activityDate", "CHANGED_DATE", None),
    ("dateStart", None, None), ("deadline", "DEADLINE", None),
    ("startDatePlan", "START_DATE_PLAN", None), ("endDatePlan", "END_DATE_PLAN", None),
    ("guid", "GUID", None), ("xmlId", "XML_ID", None), ("commentsCount", None, None),
    ("serviceCommentsCount", None, None), ("allowChangeDeadline", None, "N"),
    ("allowTimeTracking", None, "N"), ("taskControl", None, "N"), ("addInReport", None, "N"),
    ("forkedByTemplateId", None, None), ("timeEstimate", None, "0"),
    ("timeSpentInLogs", None, None), ("matchWorkTime", None, "N"), ("forumTopicId", None, None),
    ("forumId", None, None), ("siteId", None, "s1"), ("subordinate", None, "Y"),
    ("exchangeModified", None, None), ("exchangeId", None, None),
    ("outlookVersion", None, "1"), ("viewedDate", None, None), ("sorting", None, None),
    ("durationFact", None, None), ("isMuted", None, "N"), ("isPinned", None, "N"),
    ("isPinnedInGroup", None, "N"), ("flowId", None, None), ("descriptionInBbcode", None, "Y"),
    ("status", "STATUS", None), ("statusChangedDate", "STATUS_CHANGED_DATE", None),
    ("durationPlan", None, None), ("durationType", None, "days"), ("favorite", None, "N"),
    ("groupId", "GROUP_ID", "0"),
)  # fmt: skip
_BY_UPPER = {upper: camel for camel, upper, _ in _FULL if upper} | {"ACTIVITY_DATE": "activityDate"}
# The three system user fields come together when any one is selected (b24-rest-docs issue
# #244, 2026-02, "returned all when any of them is specified in SELECT"; tasks-task-get.md's
# example shows all three for a select naming two).
_UF = {"UF_CRM_TASK": "ufCrmTask", "UF_TASK_WEBDAV_FILES": "ufTaskWebdavFiles",
       "UF_MAIL_MESSAGE": "ufMailMessage"}  # fmt: skip
_NO_PHOTO = "/bitrix/images/tasks/default_avatar.png"


def _value(rec: dict[str, Any], rid: int, upper: str | None, default: Any) -> Any:
    value = rid if upper == "ID" else rec.get(upper) if upper else None
    if value is None or value == "":
        return default
    return str(value)


def _member(ctx: Ctx, user_id: Any) -> dict[str, Any]:
    """``creator``/``responsible`` as the task replies show a user (tasks-task-get.md)."""
    user = ctx.store.get("user", as_int(user_id) or 0) or {}
    name = " ".join(str(user.get(k) or "") for k in ("NAME", "LAST_NAME")).strip()
    return {"id": str(user_id), "name": name, "link": f"/company/personal/user/{user_id}/",
            "icon": _NO_PHOTO, "workPosition": str(user.get("WORK_POSITION") or "")}  # fmt: skip


def _action(ctx: Ctx, rec: dict[str, Any]) -> dict[str, bool]:
    """What the calling user may do with the task (tasks-task-get.md, an open task seen by its
    creator who is an administrator: complete/start/edit…, not accept/approve/pause)."""
    open_ = int(rec.get("STATUS") or 2) not in (5, 6)
    names = ("accept", "decline", "complete", "approve", "disapprove", "start", "pause",
             "delegate", "remove", "edit", "defer", "renew", "create", "changeDeadline",
             "checklistAddItems", "addFavorite", "deleteFavorite", "rate", "take",
             "edit.originator", "checklist.reorder", "elapsedtime.add", "dayplan.timer.toggle",
             "edit.plan", "checklist.add", "favorite.add", "favorite.delete")  # fmt: skip
    allowed = {"delegate", "remove", "edit", "create", "changeDeadline", "checklistAddItems",
               "addFavorite", "rate", "checklist.reorder", "elapsedtime.add", "edit.plan",
               "checklist.add", "favorite.add"}  # fmt: skip
    if open_:
        allowed |= {"complete", "start", "defer"}
    else:
        allowed |= {"renew"}
    return {name: name in allowed for name in names}


def _uf(rec: dict[str, Any]) -> dict[str, Any]:
    files = rec.get("UF_TASK_WEBDAV_FILES")
    return {"ufCrmTask": list(rec.get("UF_CRM_TASK") or []),
            "ufTaskWebdavFiles": list(files) if files else [],
            "ufMailMessage": rec.get("UF_MAIL_MESSAGE")}  # fmt: skip


def _row(ctx: Ctx, rec: dict[str, Any], rid: int, select: tuple[str, ...], *,
         single: bool = False) -> dict[str, Any]:  # fmt: skip
    """A task as the tasks methods answer it: lowerCamel keys, values as strings, ``null`` for
    unset fields.

    Without a ``select`` (or with ``*``): every field of the add reply (tasks-task-add.md).
    With one: the fields named, plus what the portal adds to them (tasks-task-get.md and
    tasks-task-list.md examples): ``descriptionInBbcode`` beside ``description``, ``creator``
    and ``responsible`` beside their ids, ``group`` always, and for ``tasks.task.get``
    (``single``) ``favorite`` and ``action``; the system user fields only when selected."""
    full = not select or "*" in select
    row: dict[str, Any] = {}
    for camel, upper, default in _FULL:
        if full or upper in select or (camel == "descriptionInBbcode" and "DESCRIPTION" in select):
            row[camel] = _value(rec, rid, upper, default)
        elif camel == "favorite" and single:
            row[camel] = "N"
    if full:
        row.update(auditors=[], accomplices=[], checklist=[])
    row["group"] = []
    if full or "CREATED_BY" in select:
        row["creator"] = _member(ctx, rec.get("CREATED_BY"))
    if full or "RESPONSIBLE_ID" in select:
        row["responsible"] = _member(ctx, rec.get("RESPONSIBLE_ID"))
    if full:
        row.update(accomplicesData=[], auditorsData=[], newCommentsCount=0)
    if full or single:
        row["action"] = _action(ctx, rec)
    if full:
        row.update(checkListTree=_empty_checklist(ctx), checkListCanAdd=True)
    if "TAGS" in select:
        row["tags"] = _tags(rec)
    if any(name in select for name in _UF):
        row.update(_uf(rec))
    if "id" not in row:
        row = {"id": str(rid), **row}
    return row


def _empty_checklist(ctx: Ctx) -> dict[str, Any]:
    """A task without a checklist (tasks-task-add.md, response example)."""
    fields: dict[str, Any] = {"id": None, "copiedId": None, "entityId": None, "userId": ctx.user_id,
              "createdBy": None, "parentId": None, "title": "", "sortIndex": None,
              "displaySortIndex": "", "isComplete": False, "isImportant": False,
              "completedCount": 0, "members": [], "attachments": []}  # fmt: skip
    return {"nodeId": 0, "fields": fields, "action": [], "descendants": []}


def _tags(rec: dict[str, Any]) -> Any:
    """Tags keyed by the tag's id, each ``{id, title}`` (tasks-task-list.md); none: ``[]``
    (PHP's empty array). The sandbox numbers a task's tags from 1."""
    tags = [str(t) for t in rec.get("TAGS") or ()]
    return {str(n): {"id": n, "title": t} for n, t in enumerate(tags, 1)} if tags else []
