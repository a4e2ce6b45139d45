"""The source's history: activities (calls, e-mails, meetings), tasks bound to CRM, and files.

Shapes read (bitrix24/b24restdocs):

* ``crm.activity.list`` (api-reference/crm/timeline/activities/activity-base/
  crm-activity-list.md): ``OWNER_TYPE_ID``/``OWNER_ID`` (1 lead, 2 deal, 3 contact, 4 company),
  ``TYPE_ID`` (1 meeting, 2 call, 4 e-mail; crm-activity-type-list.md), ``DIRECTION``
  (1 incoming, 2 outgoing), ``START_TIME``/``END_TIME``, ``COMPLETED``, ``RESPONSIBLE_ID``,
  ``AUTHOR_ID``, ``CREATED``, ``LAST_UPDATED``; ``COMMUNICATIONS`` and ``FILES`` only when
  named in ``select``; ``FILES`` is ``[{"id", "url"}]`` where ``url`` is
  ``…/bitrix/tools/crm_show_file.php?fileId=…&ownerTypeId=6&ownerId=…&auth=`` («Retrieving
  Attachments»).
* ``tasks.task.list`` (api-reference/tasks/tasks-task-list.md): ``{"tasks": [...]}`` with
  lowerCamel keys, 50 a page, ``>ID`` in the filter (so read like the other lists:
  :mod:`loaders._pagination`); the CRM bindings ``ufCrmTask`` (``["D_5", "CO_3"]``,
  fields.md) only when ``UF_CRM_TASK`` is selected; ``changedDate`` is the modification date.
  ``ufTaskWebdavFiles`` holds attachment ids (``[423]``), each read with
  ``disk.attachedObject.get`` (attached-object/disk-attached-object-get.md: ``NAME``,
  ``SIZE``, ``DOWNLOAD_URL`` …; tutorials/tasks/how-to-create-task-with-file.md) and its
  ``DOWNLOAD_URL`` downloaded like an activity's files.

An activity of another kind (a to-do, an open-lines chat, a provider's own) is read with its
``PROVIDER_ID`` as its type: the activity mapping has no such type, so the plan refuses that
row by name (``activity.type``) rather than loading it as something else. A task bound to no
company, contact, deal or lead is not a CRM task and is not read; one bound to several takes
its first binding (``UF_CRM_TASK`` order), the others are listed in ``BINDINGS``.

Files are downloaded through the read-only client into ``source_portal/files/<table>/<id>/``
beside the snapshots (``files/<table>/<record id>/<file id>/<name>``: the name as the portal
gives it); the row's ``FILES`` cell names them relative to the snapshot's folder, as an export
names the files beside it, so `plan` measures and hashes them like any export's attachments. A
file already downloaded is not downloaded again (a portal gives a changed file a new id).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrate.portal.source._values import text, user_of

if TYPE_CHECKING:
    from migrate.portal.source._read import TableReader

__all__ = ["ACTIVITY_COLUMNS", "FILES_DIR", "TASK_COLUMNS", "download_files", "read_activities",
           "read_tasks"]  # fmt: skip

FILES_DIR = "files"
OWNER_TYPES = {"1": "lead", "2": "deal", "3": "contact", "4": "company"}
_BINDINGS = {"L": "lead", "D": "deal", "C": "contact", "CO": "company"}
_KINDS = {("2", "1"): "call_in", ("2", "2"): "call_out", ("4", "1"): "email_in",
          ("4", "2"): "email_out"}  # fmt: skip
ACTIVITY_COLUMNS = ("ID", "ENTITY_TYPE", "ENTITY_ID", "TYPE", "SUBJECT", "DESCRIPTION",
                    "START_TIME", "END_TIME", "COMPLETED", "PRIORITY", "RESPONSIBLE_ID",
                    "COMMUNICATION", "CREATED", "AUTHOR_ID", "LAST_UPDATED", "FILES")  # fmt: skip
TASK_COLUMNS = ("ID", "ENTITY_TYPE", "ENTITY_ID", "BINDINGS", "TITLE", "DESCRIPTION", "STATUS",
                "PRIORITY", "DEADLINE", "RESPONSIBLE_ID", "CREATED_BY", "CREATED",
                "CHANGED_DATE", "FILES")  # fmt: skip
_TASK_SELECT = ["ID", "TITLE", "DESCRIPTION", "STATUS", "PRIORITY", "DEADLINE", "RESPONSIBLE_ID",
                "CREATED_BY", "CREATED_DATE", "CHANGED_DATE", "UF_CRM_TASK",
                "UF_TASK_WEBDAV_FILES"]  # fmt: skip
_UNSAFE = re.compile(r'[\\/:;*?"<>|\x00-\x1f]+')  # `;` separates paths in a FILES cell


async def read_activities(reader: TableReader, since: str | None) -> list[dict[str, str]]:
    """Calls, e-mails and meetings of companies, contacts, deals and leads (changed at or after
    ``since`` when given), their files downloaded."""
    where: dict[str, Any] = {"@OWNER_TYPE_ID": [int(k) for k in OWNER_TYPES]}
    if since:
        where[">=LAST_UPDATED"] = since
    select = ["*", "COMMUNICATIONS", "FILES"]
    records = await reader.client.list_all("crm.activity.list", where, select, chained=True)
    rows = [_activity_row(reader, record) for record in records]
    # files at once: the client's connection slots bound how many go together
    paths = await asyncio.gather(*(download_files(reader, "activity", row["ID"], r.get("FILES"))
                                   for row, r in zip(rows, records, strict=True)))  # fmt: skip
    for row, found in zip(rows, paths, strict=True):
        row["FILES"] = found
    return rows


async def read_tasks(reader: TableReader, since: str | None) -> list[dict[str, str]]:
    """Tasks bound to a company, contact, deal or lead (changed at or after ``since``), paged
    50 pages to a batch like every other list (``>ID`` chained; tasks-task-list.md)."""
    where: dict[str, Any] = {">=CHANGED_DATE": since} if since else {}
    found = await reader.client.list_all("tasks.task.list", where, _TASK_SELECT, chained=True)
    pairs = [(r, t) for t in found if (r := _task_row(reader, t)) is not None]
    # a task's files: attachment ids (``ufTaskWebdavFiles``), each described by
    # disk.attachedObject.get (50 to a batch) with the link its bytes come from
    attached = [text(a) for _, t in pairs for a in t.get("ufTaskWebdavFiles") or [] if text(a)]
    described = await reader.per_record("disk.attachedObject.get", attached) if attached else {}
    links = [[{"id": text(a), "url": _attached_url(described[text(a)], text(a))}
              for a in t.get("ufTaskWebdavFiles") or [] if text(a)] for _, t in pairs]  # fmt: skip
    fetching = (download_files(reader, "task", row["ID"], files)
                for (row, _), files in zip(pairs, links, strict=True))  # fmt: skip
    paths = await asyncio.gather(*fetching)
    for (row, _), got in zip(pairs, paths, strict=True):
        row["FILES"] = got
    return [row for row, _ in pairs]


def _attached_url(described: Any, attached: str) -> str:
    """An attachment's ``DOWNLOAD_URL`` (disk-attached-object-get.md); none: the read stops
    with the attachment named rather than a task losing a file unseen."""
    url = text(described.get("DOWNLOAD_URL")) if isinstance(described, Mapping) else ""
    if not url:
        raise ValueError(f"disk.attachedObject.get {attached}: no DOWNLOAD_URL in the reply")
    return url


def _activity_row(reader: TableReader, record: Mapping[str, Any]) -> dict[str, str]:
    type_id, direction = text(record.get("TYPE_ID")), text(record.get("DIRECTION"))
    kind = "meeting" if type_id == "1" else _KINDS.get((type_id, direction))
    if kind is None:  # not a call, e-mail or meeting: the plan refuses it by this name
        kind = text(record.get("PROVIDER_ID")).lower() or f"type_{type_id}"
    users = reader.meta.users
    comms = [c for c in record.get("COMMUNICATIONS") or [] if isinstance(c, Mapping)]
    return {
        "ID": text(record.get("ID")),
        "ENTITY_TYPE": OWNER_TYPES.get(text(record.get("OWNER_TYPE_ID")), ""),
        "ENTITY_ID": text(record.get("OWNER_ID")),
        "TYPE": kind,
        "SUBJECT": text(record.get("SUBJECT")),
        "DESCRIPTION": text(record.get("DESCRIPTION")),
        "START_TIME": text(record.get("START_TIME")),
        "END_TIME": text(record.get("END_TIME")),
        "COMPLETED": text(record.get("COMPLETED")),
        "PRIORITY": text(record.get("PRIORITY")),
        "RESPONSIBLE_ID": user_of(users, record.get("RESPONSIBLE_ID")),
        "COMMUNICATION": text(comms[0].get("VALUE")) if comms else "",
        "CREATED": text(record.get("CREATED")),
        "AUTHOR_ID": user_of(users, record.get("AUTHOR_ID")),
        "LAST_UPDATED": text(record.get("LAST_UPDATED")),
    }


def _task_row(reader: TableReader, task: Mapping[str, Any]) -> dict[str, str] | None:
    bindings = [b for b in (_binding(v) for v in task.get("ufCrmTask") or []) if b]
    if not bindings:
        return None
    users = reader.meta.users
    return {
        "ID": text(task.get("id")),
        "ENTITY_TYPE": bindings[0][0],
        "ENTITY_ID": bindings[0][1],
        "BINDINGS": ", ".join(f"{k} {i}" for k, i in bindings),
        "TITLE": text(task.get("title")),
        "DESCRIPTION": text(task.get("description")),
        "STATUS": text(task.get("status")),
        "PRIORITY": text(task.get("priority")),
        "DEADLINE": text(task.get("deadline")),
        "RESPONSIBLE_ID": user_of(users, task.get("responsibleId")),
        "CREATED_BY": user_of(users, task.get("createdBy")),
        "CREATED": text(task.get("createdDate")),
        "CHANGED_DATE": text(task.get("changedDate")),
    }


def _binding(value: Any) -> tuple[str, str] | None:
    """``D_5`` → ``("deal", "5")``; a smart process's ``T…_`` binding is not a CRM table here."""
    prefix, _, rid = text(value).partition("_")
    kind = _BINDINGS.get(prefix)
    return (kind, rid) if kind and rid.isdigit() else None


async def download_files(reader: TableReader, table: str, rid: str, files: Any) -> str:
    """Fetch a record's files (``[{"id", "url"}]``) into the snapshot's folder; their paths
    relative to it, ``;``-joined."""
    if reader.files is None or not files:
        return ""
    folder = reader.files / table / _safe(rid)
    paths: list[Path] = []
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, Mapping) or not text(item.get("url")):
            continue
        place = folder / _safe(text(item.get("id")) or str(len(paths) + 1))
        known = sorted(p for p in place.iterdir() if p.suffix != ".part") if place.is_dir() else []
        if known:  # a portal never changes a stored file in place: another file has another id
            paths.append(known[0])
            continue
        data, name = await reader.client.download(text(item.get("url")))
        path = place / _safe(name or _query_name(item["url"]) or "file")
        place.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".part")
        temp.write_bytes(data)
        temp.replace(path)
        paths.append(path)
    root = reader.files.parent
    return "; ".join(p.relative_to(root).as_posix() for p in paths)


def _query_name(url: Any) -> str:
    found = re.search(r"[?&]filename=([^&]+)", str(url))
    return found.group(1) if found else ""


def _safe(name: str) -> str:
    """A file or folder name any file system takes (no separators, no control characters)."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:150] or "file"
