"""Files attached through REST as base64: stored on the portal's drive, shown back as the portal
shows them.

A timeline comment takes ``FILES`` as ``[[name, base64], …]`` (crm-timeline-comment-add.md),
an activity as ``[{"fileData": [name, base64]}, …]`` (crm-activity-add.md). A comment's
``FILES`` reads back as an object keyed by the file id, each ``{id, date, type, name, size,
authorId, authorName, urlShow, urlDownload, …}`` (crm-timeline-comment-get.md; a comment without
files: ``{}``); an activity's as a list of ``{id, url}`` (crm-activity-get.md). The sandbox
keeps the bytes (base64) and their SHA-256 under kind ``file`` and serves them at
``/disk/downloadFile/<id>/`` like the portal's ``urlDownload``; a comment's and an
activity's links are absolute, at the address the call came to (its ``Host``), as the
portal's are; file fields' links stay relative.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from loaders.sandbox._context import ORIGIN, Ctx, format_dt
from loaders.sandbox._errors import RestError
from loaders.sandbox._params import as_list

__all__ = [
    "activity_files",
    "comment_files",
    "download",
    "drop_files",
    "file_ids",
    "item_file",
    "legacy_file",
]

_BAD_FILE = RestError(400, "INVALID_ARG_VALUE", "Invalid file data.")


def file_ids(ctx: Ctx, raw: Any, *, wrapped: bool) -> list[int]:
    """Store every ``[name, base64]`` of ``raw`` (``{"fileData": …}`` items when ``wrapped``)
    and return the new file ids; a malformed entry refuses the whole call."""
    ids = []
    for item in as_list(raw):
        pair = item.get("fileData") if wrapped and isinstance(item, dict) else item
        pair = as_list(pair)
        if len(pair) != 2 or not str(pair[0] or "").strip():
            raise _BAD_FILE
        try:
            data = base64.b64decode(str(pair[1]), validate=True)
        except (binascii.Error, ValueError):
            raise _BAD_FILE from None
        record = {
            "NAME": str(pair[0]).strip(),
            "SIZE": len(data),
            "SHA256": hashlib.sha256(data).hexdigest(),
            "DATA": base64.b64encode(data).decode("ascii"),
            "CREATED": format_dt(ctx.now),
            "AUTHOR_ID": ctx.user_id,
        }
        ids.append(ctx.store.insert("file", record))
        ctx.touch()
    return ids


def drop_files(ctx: Ctx, ids: Any) -> None:
    """Delete the files of a deleted comment, activity or record (a reading: files attached
    through REST live in the owner's storage and go with it)."""
    for fid in as_list(ids):
        if ctx.store.get("file", int(fid)) is not None:
            ctx.store.delete("file", int(fid))


def comment_files(ctx: Ctx, ids: Any) -> dict[str, Any]:
    """A comment's ``FILES`` as the portal lists them: by id, ``{}`` when there are none."""
    out: dict[str, Any] = {}
    for fid in as_list(ids):
        rec = ctx.store.get("file", int(fid))
        if rec is None:
            continue
        out[str(fid)] = {
            "id": int(fid),
            "date": rec["CREATED"],
            "type": "file",
            "name": rec["NAME"],
            "size": rec["SIZE"],
            "authorId": rec["AUTHOR_ID"],
            "authorName": "",
            "urlShow": ORIGIN.get() + _url(int(fid), rec["NAME"]),
            "urlDownload": ORIGIN.get() + _url(int(fid), rec["NAME"]),
        }
    return out


def activity_files(ctx: Ctx, ids: Any) -> list[dict[str, Any]]:
    """An activity's ``FILES`` as crm.activity.get answers them: ``[{id, url}]``."""
    out = []
    for fid in as_list(ids):
        rec = ctx.store.get("file", int(fid))
        if rec is not None:
            # absolute, as crm-activity-list.md's example ("http://xxx.bitrix24.com/…")
            out.append({"id": int(fid), "url": ORIGIN.get() + _url(int(fid), rec["NAME"])})
    return out


def legacy_file(value: Any) -> Any:
    """A file user field in a legacy read: ``{"id", "showUrl", "downloadUrl"}`` per file (a
    reading: the legacy pages show no file field; this is what portals answer)."""
    if isinstance(value, list):
        return [legacy_file(v) for v in value]
    url = _url(int(value), "")
    return {"id": int(value), "showUrl": url, "downloadUrl": url}


def item_file(value: Any) -> Any:
    """A file user field in a crm.item read: ``{"id", "url", "urlMachine"}`` per file
    (how-to-upload-files.md, "Response Content")."""
    if isinstance(value, list):
        return [item_file(v) for v in value]
    url = _url(int(value), "")
    return {"id": int(value), "url": url, "urlMachine": url}


def download(store: Any, file_id: int) -> tuple[str, bytes] | None:
    """A stored file's name and bytes (``None``: no such file)."""
    rec = store.get("file", file_id)
    if rec is None:
        return None
    return str(rec["NAME"]), base64.b64decode(rec["DATA"])


def _url(file_id: int, name: str) -> str:
    """The file's path; comments and activities put the portal's address before it
    (``https://my.bitrix24.com/disk/downloadFile/930/?&ncc=1&filename=1.gif``,
    crm-timeline-comment-get.md), file fields show it as it is (a reading)."""
    return f"/disk/downloadFile/{file_id}/?&ncc=1&filename={name}"
