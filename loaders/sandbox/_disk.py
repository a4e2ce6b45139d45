"""Disk: only what a task's files need (b24restdocs ``api-reference/disk/``).

* ``disk.storage.getlist`` (storage/disk-storage-get-list.md): storages shaped like
  ``disk.storage.getForApp``'s example (``ID``, ``NAME``, ``CODE``, ``MODULE_ID``,
  ``ENTITY_TYPE``, ``ENTITY_ID``, ``ROOT_OBJECT_ID``; strings); the calling user's own storage
  (``ENTITY_TYPE`` ``user``) exists from the first call; ``filter`` by those fields, 50 a page.
  (``getForApp`` is refused to a webhook: "Access denied! Application context required".)
* ``disk.folder.uploadfile`` (folder/disk-folder-upload-file.md): ``id`` of the folder,
  ``data.NAME`` (missing: ``DISK_BASE_SERVICE_22001``), ``fileContent`` ``[name, base64]``;
  a name already in the folder is ``DISK_OBJ_22000`` "A file with this name already exists"
  (disk-file-move-to.md's error table) unless ``generateUniqueName`` (then ``name (1).ext``);
  a missing folder is ``ERROR_NOT_FOUND`` "Could not find entity with id `X`". The reply is the
  file: ``ID`` (the Drive object id ``UF_TASK_WEBDAV_FILES`` takes as ``n<ID>``), ``FILE_ID``
  (an internal id: not that), ``SIZE`` as a string, ``DOWNLOAD_URL``, ``DETAIL_URL``…
* ``disk.folder.getchildren`` (folder/disk-folder-get-children.md): a folder's objects in the
  same shape, ``filter`` by ``NAME``/``TYPE``, 50 a page.
* ``disk.file.get`` / ``disk.file.delete`` (file/disk-file-get.md, disk-file-delete.md): the
  file; ``delete`` answers ``true`` and drops the file from every task it was attached to.
* ``disk.attachedObject.get`` (attached-object/disk-attached-object-get.md): an attachment
  (``ID``, ``OBJECT_ID``, ``MODULE_ID`` ``tasks``, ``ENTITY_TYPE`` ``tasks_task``,
  ``ENTITY_ID``, ``CREATE_TIME``, ``CREATED_BY``, ``DOWNLOAD_URL``, ``NAME``, ``SIZE``; every
  value a string as in the example); the portal's link is
  ``…/bitrix/tools/disk/uf.php?attachedId=495&auth[auth]=…&action=download&ncc=1``: the
  sandbox gives the same path without ``auth`` and serves it (:func:`attached_download`).

Tasks attach files through ``UF_TASK_WEBDAV_FILES: ["n<object id>"]``
(tutorials/tasks/how-to-create-task-with-file.md) and read back attachment ids, not object
ids; an unknown object is not attached ("the file will either not be attached…", same page).
The bytes live under kind ``file`` like every other file of the sandbox.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from loaders.sandbox._context import ORIGIN, Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError
from loaders.sandbox._files import download, file_ids
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes

__all__ = ["attach", "attached_download", "detach"]

_PAGE = 50


def _not_found(value: Any) -> RestError:
    return RestError(400, "ERROR_NOT_FOUND", f"Could not find entity with id `{value}`")


def _own_storage(ctx: Ctx) -> tuple[int, dict[str, Any]]:
    """The calling user's storage, made with its root folder on first use."""
    for sid, rec in ctx.store.table("disk_storage").items():
        if rec["ENTITY_TYPE"] == "user" and rec["ENTITY_ID"] == ctx.user_id:
            return sid, rec
    sid = ctx.store.next_id("disk_storage")
    root = ctx.store.insert("disk_object", {"NAME": f"user {ctx.user_id}", "TYPE": "folder",
                                            "STORAGE_ID": sid, "PARENT_ID": None,
                                            "CREATED_BY": ctx.user_id,
                                            "CREATE_TIME": format_dt(ctx.now)})  # fmt: skip
    record = {"NAME": f"user {ctx.user_id}", "CODE": None, "MODULE_ID": "disk",
              "ENTITY_TYPE": "user", "ENTITY_ID": ctx.user_id, "ROOT_OBJECT_ID": root}  # fmt: skip
    ctx.store.put("disk_storage", sid, record)
    return sid, record


def _storage_row(sid: int, rec: dict[str, Any]) -> dict[str, Any]:
    return {"ID": str(sid), "NAME": rec["NAME"], "CODE": rec["CODE"],
            "MODULE_ID": rec["MODULE_ID"], "ENTITY_TYPE": rec["ENTITY_TYPE"],
            "ENTITY_ID": str(rec["ENTITY_ID"]),
            "ROOT_OBJECT_ID": str(rec["ROOT_OBJECT_ID"])}  # fmt: skip


def _object_row(ctx: Ctx, oid: int, rec: dict[str, Any]) -> dict[str, Any]:
    """A file or folder as disk.folder.uploadfile answers it (its response example)."""
    is_file = rec["TYPE"] == "file"
    size = (ctx.store.get("file", rec["FILE_ID"]) or {}).get("SIZE", 0) if is_file else None
    row: dict[str, Any] = {
        "ID": oid, "NAME": rec["NAME"], "CODE": None, "STORAGE_ID": str(rec["STORAGE_ID"]),
        "TYPE": rec["TYPE"],
        "PARENT_ID": None if rec["PARENT_ID"] is None else str(rec["PARENT_ID"]),
        "DELETED_TYPE": 0, "GLOBAL_CONTENT_VERSION": 1,
    }  # fmt: skip
    if is_file:
        row.update(FILE_ID=rec["FILE_ID"], SIZE=str(size))
    row.update(CREATE_TIME=rec["CREATE_TIME"], UPDATE_TIME=rec["CREATE_TIME"], DELETE_TIME=None,
               CREATED_BY=str(rec["CREATED_BY"]), UPDATED_BY=str(rec["CREATED_BY"]),
               DELETED_BY=None)  # fmt: skip
    if is_file:
        row["DOWNLOAD_URL"] = (f"{ORIGIN.get()}/disk/downloadFile/{rec['FILE_ID']}/"
                               f"?&ncc=1&filename={rec['NAME']}")  # fmt: skip
    row["DETAIL_URL"] = f"{ORIGIN.get()}/company/personal/user/{rec['CREATED_BY']}/disk/" + (
        f"file/{rec['NAME']}" if is_file else "path/"
    )
    return row


def _matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    return all(str(row.get(str(k).upper())) == str(v) for k, v in where.items())


def _page(rows: list[dict[str, Any]], params: dict[str, Any], ctx: Ctx) -> Reply:
    start = max(as_int(params.get("start", params.get("START"))) or 0, 0)
    page = rows[start : start + _PAGE]
    ctx.touch(max(len(page), 1))
    nxt = start + _PAGE if start + _PAGE < len(rows) else None
    return Reply(page, len(rows), nxt)


@method("disk.storage.getlist")
def storage_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _own_storage(ctx)
    where = as_dict(params.get("filter") or {}, "filter")
    rows = [_storage_row(sid, rec) for sid, rec in ctx.store.table("disk_storage").items()]
    return _page([r for r in rows if _matches(r, where)], params, ctx)


@method("disk.storage.getforapp")
def storage_for_app(ctx: Ctx, params: dict[str, Any]) -> Reply:
    if ctx.credential != "app":
        raise RestError(400, "ACCESS_DENIED", "Access denied! Application context required")
    raise RestError(400, "ERROR_NOT_FOUND", "Could not find application by app_id")


def _folder(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    raw = params.get("id")
    if raw is None or raw == "":
        raise RestError(400, "ERROR_ARGUMENT", "Invalid value of parameter {Parameter #0}")
    _own_storage(ctx)
    fid = as_int(raw)
    rec = ctx.store.get("disk_object", fid) if fid is not None else None
    if fid is None or rec is None or rec["TYPE"] != "folder":
        raise _not_found(raw)
    return fid, rec


def _children(ctx: Ctx, folder: int) -> list[tuple[int, dict[str, Any]]]:
    return [(oid, rec) for oid, rec in ctx.store.table("disk_object").items()
            if rec["PARENT_ID"] == folder]  # fmt: skip


@method("disk.folder.getchildren")
def folder_children(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fid, _ = _folder(ctx, params)
    where = as_dict(params.get("filter") or {}, "filter")
    rows = [_object_row(ctx, oid, rec) for oid, rec in _children(ctx, fid)]
    return _page([r for r in rows if _matches(r, where)], params, ctx)


@method("disk.folder.uploadfile")
def folder_upload(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fid, folder = _folder(ctx, params)
    name = str(as_dict(params.get("data") or {}, "data").get("NAME") or "").strip()
    if not name:
        raise RestError(400, "DISK_BASE_SERVICE_22001",
                        "Error: required parameter NAME (DISK_BASE_SERVICE_22001)")  # fmt: skip
    content = params.get("fileContent")
    if not content:  # the two-step upload through uploadUrl is not kept by the sandbox
        raise RestError(400, "ERROR_ARGUMENT", "fileContent is required by the sandbox")
    taken = {rec["NAME"].lower() for _, rec in _children(ctx, fid)}
    if name.lower() in taken:
        if not is_yes(params.get("generateUniqueName")) and params.get(
                "generateUniqueName") is not True:  # fmt: skip
            raise RestError(400, "DISK_OBJ_22000", "A file with this name already exists")
        path = PurePosixPath(name)
        n = 1
        while (name := f"{path.stem} ({n}){path.suffix}").lower() in taken:
            n += 1
    (stored,) = file_ids(ctx, [as_list(content)], wrapped=False)
    record = {"NAME": name, "TYPE": "file", "STORAGE_ID": folder["STORAGE_ID"], "PARENT_ID": fid,
              "FILE_ID": stored, "CREATED_BY": ctx.user_id,
              "CREATE_TIME": format_dt(ctx.now)}  # fmt: skip
    oid = ctx.store.insert("disk_object", record)
    return Reply(_object_row(ctx, oid, record))


def _file(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    raw = params.get("id")
    if raw is None or raw == "":
        raise RestError(400, "ERROR_ARGUMENT", "Invalid value of parameter {Parameter #0}")
    oid = as_int(raw)
    rec = ctx.store.get("disk_object", oid) if oid is not None else None
    if oid is None or rec is None or rec["TYPE"] != "file":
        raise _not_found(raw)
    return oid, rec


@method("disk.file.get")
def file_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    oid, rec = _file(ctx, params)
    ctx.touch()
    return Reply(_object_row(ctx, oid, rec))


@method("disk.file.delete")
def file_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    oid, rec = _file(ctx, params)
    for aid, att in list(ctx.store.table("disk_attached").items()):
        if att["OBJECT_ID"] == oid:
            detach(ctx, [aid])
            task = ctx.store.get("task", att["ENTITY_ID"])
            if task is not None:
                kept = [a for a in task.get("UF_TASK_WEBDAV_FILES") or [] if a != aid]
                ctx.store.put("task", att["ENTITY_ID"], {**task, "UF_TASK_WEBDAV_FILES": kept})
    ctx.store.delete("disk_object", oid)
    if ctx.store.get("file", rec["FILE_ID"]) is not None:
        ctx.store.delete("file", rec["FILE_ID"])
    ctx.touch()
    return Reply(True)


@method("disk.attachedobject.get")
def attached_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    raw = params.get("id")
    aid = as_int(raw)
    att = ctx.store.get("disk_attached", aid) if aid is not None else None
    if aid is None or att is None:
        raise _not_found(raw)
    obj = ctx.store.get("disk_object", att["OBJECT_ID"]) or {}
    size = (ctx.store.get("file", obj.get("FILE_ID") or 0) or {}).get("SIZE", 0)
    ctx.touch()
    return Reply({
        "ID": str(aid), "OBJECT_ID": str(att["OBJECT_ID"]), "MODULE_ID": "tasks",
        "ENTITY_TYPE": "tasks_task", "ENTITY_ID": str(att["ENTITY_ID"]),
        "CREATE_TIME": att["CREATE_TIME"], "CREATED_BY": str(att["CREATED_BY"]),
        "DOWNLOAD_URL": f"{ORIGIN.get()}/bitrix/tools/disk/uf.php?attachedId={aid}"
                        "&action=download&ncc=1",
        "NAME": obj.get("NAME", ""), "SIZE": str(size),
    })  # fmt: skip


def attach(ctx: Ctx, task_id: int, values: Any) -> list[int]:
    """Attach ``n<object id>`` values to a task; their attachment ids (unknown objects are not
    attached, as the portal drops them). A plain number is an attachment the task keeps."""
    out: list[int] = []
    for value in as_list(values):
        text = str(value)
        if not text.startswith("n"):
            kept = as_int(text)
            att = ctx.store.get("disk_attached", kept) if kept is not None else None
            if kept is not None and att is not None and att["ENTITY_ID"] == task_id:
                out.append(kept)
            continue
        oid = as_int(text[1:])
        obj = ctx.store.get("disk_object", oid) if oid is not None else None
        if oid is None or obj is None or obj["TYPE"] != "file":
            continue
        out.append(ctx.store.insert("disk_attached", {
            "OBJECT_ID": oid, "ENTITY_ID": task_id, "CREATED_BY": ctx.user_id,
            "CREATE_TIME": format_dt(ctx.now)}))  # fmt: skip
    return out


def detach(ctx: Ctx, ids: Any) -> None:
    """Drop attachments (the Drive files stay, as a deleted task leaves them on Drive)."""
    for aid in as_list(ids):
        if ctx.store.get("disk_attached", int(aid)) is not None:
            ctx.store.delete("disk_attached", int(aid))


def attached_download(store: Any, attached: int) -> tuple[str, bytes] | None:
    """The name and bytes behind an attachment's ``DOWNLOAD_URL`` (``None``: none)."""
    att = store.get("disk_attached", attached)
    obj = store.get("disk_object", att["OBJECT_ID"]) if att else None
    return download(store, obj["FILE_ID"]) if obj else None
