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
* ``delete`` takes ``taskId`` and answers ``{"task": true}`` (tasks-task-delete.md); a missing
  task is ``ERROR_CORE`` "Task not found or not accessible" (an assumption: the page lists no
  error for it).
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
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
    record.update(CREATED_DATE=format_dt(ctx.now), CHANGED_DATE=format_dt(ctx.now),
                  CREATED_BY=as_int(fields.get("CREATED_BY"))
                  or ctx.user_id)  # fmt: skip
    ctx.touch()
    rid = ctx.store.insert("task", record)
    return Reply({"task": _row(ctx.store.get("task", rid) or {}, rid, ())})


@method("tasks.task.update")
def task_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = _task(ctx, params)
    fields = as_dict(params.get("fields"), "fields")
    changed = _checked(ctx, fields, record)
    ctx.store.put("task", rid, {**record, **changed, "CHANGED_DATE": format_dt(ctx.now)})
    ctx.touch()
    return Reply({"task": _row(ctx.store.get("task", rid) or {}, rid, ())})


@method("tasks.task.get")
def task_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = _task(ctx, params)
    return Reply({"task": _row(record, rid, _select(params))})


@method("tasks.task.delete")
def task_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, _ = _task(ctx, params)
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
    return Reply({"tasks": [_row(rec, rid, select) for rid, rec in page]}, len(rows), nxt)


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


_CAMEL = {"ID": "id", "TITLE": "title", "DESCRIPTION": "description", "STATUS": "status",
          "RESPONSIBLE_ID": "responsibleId", "CREATED_BY": "createdBy",
          "CREATED_DATE": "createdDate", "CHANGED_DATE": "changedDate", "DEADLINE": "deadline",
          "XML_ID": "xmlId", "PRIORITY": "priority", "CLOSED_DATE": "closedDate",
          "GROUP_ID": "groupId"}  # fmt: skip
_UF = ("UF_CRM_TASK", "UF_TASK_WEBDAV_FILES", "UF_MAIL_MESSAGE")


def _row(rec: dict[str, Any], rid: int, select: tuple[str, ...]) -> dict[str, Any]:
    """A task as the tasks methods answer it: lowerCamel keys, values as strings, ``null`` for
    unset fields; the CRM bindings (``ufCrmTask``) only when one of the system UFs is selected."""
    row: dict[str, Any] = {}
    for upper, camel in _CAMEL.items():
        value = rid if upper == "ID" else rec.get(upper)
        row[camel] = None if value is None else str(value)
    row["priority"] = row["priority"] or "1"
    row["tags"] = list(rec.get("TAGS") or [])
    if any(name in select for name in _UF):
        row["ufCrmTask"] = list(rec.get("UF_CRM_TASK") or [])
    wanted = {_CAMEL.get(s, s) for s in select if s != "*"} - {"ufCrmTask"}
    if wanted and "*" not in select:
        row = {k: v for k, v in row.items() if k in wanted or k in ("id", "ufCrmTask")}
    return row
