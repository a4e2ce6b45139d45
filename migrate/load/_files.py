"""Attachments at load time: the files the plan found (history attachments and file user
fields), read and checked just before their record's create is built.

The plan keeps each file's path, size and SHA-256 (:data:`loaders.entities.ATTACHMENTS`); here
the file is read again and must be the same file, else the record is refused with the reason
(it changed or went away since the plan: run `plan` again) instead of sending something the
client did not review. Only a create carries files, so a record written once — found again by
reconciliation after a crash — never uploads them twice.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from loaders.entities import ATTACHMENTS, FIELD_FILES, FILE_DATA, FILE_FIELDS_SET

__all__ = ["BATCH_FILE_BYTES", "file_bytes", "with_file_data"]

BATCH_FILE_BYTES = 48 * 1024 * 1024
"""Base64 bytes of attachments one batch carries at most (a record larger than that goes
alone): a request must also finish within the cloud's 60 s (how-to-upload-files.md)."""


def with_file_data(fields: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    """``fields`` with the planned attachments as ``[[name, base64], …]`` (a create only).

    Raises:
        ValueError: a file is missing or differs from the one the plan measured.
    """
    out = dict(fields)
    planned = out.pop(ATTACHMENTS, None) or []
    if creating and planned:
        out[FILE_DATA] = [_encoded(item) for item in planned]
    for name, field in (out.pop(FIELD_FILES, None) or {}).items():
        if creating:
            values = [{"fileData": _encoded(item)} for item in field["files"]]
            out[name] = values if field["multiple"] else values[0]
    if FILE_FIELDS_SET in out:  # files added after the record's load: their own set
        out[FILE_FIELDS_SET] = {
            name: {**field, "data": [_encoded(item) for item in field["files"]]}
            for name, field in out[FILE_FIELDS_SET].items()
        }
    return out


def _encoded(item: Mapping[str, Any]) -> list[str]:
    path = Path(str(item["path"]))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"attachment `{path}` cannot be read ({exc.strerror}): "
                         "run `b24migrate plan` again") from None  # fmt: skip
    if len(data) != item["size"] or hashlib.sha256(data).hexdigest() != item["sha256"]:
        raise ValueError(f"attachment `{path}` changed since the plan: run `b24migrate plan` again")
    return [str(item["name"]), base64.b64encode(data).decode("ascii")]


def file_bytes(fields: Mapping[str, Any]) -> int:
    """Base64 bytes of the attachments a record's create (or its added files' set) carries."""
    planned = list(fields.get(ATTACHMENTS) or [])
    planned += [f for field in (fields.get(FIELD_FILES) or {}).values() for f in field["files"]]
    planned += [f for field in (fields.get(FILE_FIELDS_SET) or {}).values()
                for f in field["files"]]  # fmt: skip
    return sum(4 * ((int(item["size"]) + 2) // 3) for item in planned)
