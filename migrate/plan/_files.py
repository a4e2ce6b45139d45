"""Attachments: the files a row names, found, measured and hashed at plan time.

A mapping's ``FILES`` field (history) or a file user field of a record (``crm.*.fields`` type
``file``) reads a column holding one or more paths (separated by ``;`` or line breaks). A
relative path is taken from the folder of the row's source file (an export beside its
``files/`` folder), an absolute one as it is; an ``http(s)://`` link is downloaded into the
workspace's files cache (:mod:`migrate.plan._downloads`). Each file is checked before any
write: a file that is missing, a link that cannot be fetched or a file whose base64 would not
fit in one REST request (``load.max_file_mb``) becomes a warning row of ``plan.xlsx`` naming
the source file, row, field and path — the record loads without it. A found file goes into
the ledger as a hint (path, name, size, SHA-256); the load reads it then, checks it is the file
the plan saw, and sends it with the record's create only, so a resumed load never uploads it
twice.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.entities import ATTACHMENTS, FIELD_FILES

__all__ = [
    "FILES_HINT",
    "UF_FILES",
    "Attachment",
    "Attachments",
    "FileProblem",
    "base64_size",
    "scan_attachments",
    "split_paths",
]

FILES_HINT = ATTACHMENTS
"""The ledger hint of a record's attachments: ``[{"path", "name", "size", "sha256"}, …]``."""
UF_FILES = FIELD_FILES
"""The ledger hint of a record's file user fields: ``{field: {"multiple", "files": […]}}``."""

_SPLIT = re.compile(r"[;\n\r]+")
_URL = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://")
_TEXT = {
    "file.missing": (
        "файл «{value}» не найден — запись загрузится без него",
        "file “{value}” not found; the record loads without it",
    ),
    "file.url": (
        "«{value}» — ссылка, которую план не скачивает (только http и https): скачайте файл в "
        "папку выгрузки и укажите его имя — запись загрузится без него",
        "“{value}” is a link the plan does not download (http and https only): download it "
        "into the export's folder and name the file; the record loads without it",
    ),
    "file.url_failed": (
        "файл по ссылке «{value}» не скачан ({detail}) — запись загрузится без него; "
        "проверьте ссылку и выполните `b24migrate plan` снова",
        "the file at “{value}” could not be downloaded ({detail}); the record loads without "
        "it: check the link and run `b24migrate plan` again",
    ),
    "file.url_page": (
        "по ссылке «{value}» открывается веб-страница ({detail}), а не файл (вход или "
        "просмотр на файловом сервисе?) — нужна прямая ссылка на файл; запись загрузится без "
        "него",
        "“{value}” opens a web page ({detail}), not a file (a sign-in or preview page of a "
        "file host?): a direct link to the file is needed; the record loads without it",
    ),
    "file.too_large": (
        "файл «{value}» ({size}) больше допустимого для одного запроса ({limit}) — запись "
        "загрузится без него",
        "file “{value}” ({size}) is larger than one request may carry ({limit}); the record "
        "loads without it",
    ),
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file found for a row: where it is, its name, size in bytes and SHA-256."""

    path: str
    name: str
    size: int
    sha256: str

    def hint(self) -> dict[str, Any]:
        """The ledger hint of this file (JSON)."""
        return {"path": self.path, "name": self.name, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file named by a row that will not be sent, and why (``rule``: ``file.*``)."""

    rule: str
    value: str
    size: int = 0
    limit: int = 0
    detail: str = ""

    def message(self, language: str = "ru") -> str:
        ru, en = _TEXT[self.rule]
        return (en if language == "en" else ru).format(
            value=self.value, size=_mb(self.size), limit=_mb(self.limit), detail=self.detail
        )


class Attachments:
    """What the plan knows of every attachment the sources name, by source file and path."""

    def __init__(self, found: Mapping[tuple[str, str], Attachment | FileProblem]) -> None:
        self._found = dict(found)

    def lookup(self, source: str, raw: str) -> Attachment | FileProblem:
        """The file ``raw`` named in a row of ``source`` (a file name of the sources)."""
        return self._found.get((source, raw)) or FileProblem("file.missing", raw)


def split_paths(cell: Any) -> list[str]:
    """The paths of one ``FILES`` cell: ``"a.pdf; b.txt"`` → ``["a.pdf", "b.txt"]``."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    items = cell if isinstance(cell, list | tuple) else [cell]
    return [p.strip() for item in items for p in _SPLIT.split(str(item)) if p.strip()]


def base64_size(size: int) -> int:
    """Bytes of the base64 text of ``size`` bytes (what a REST request carries)."""
    return 4 * ((size + 2) // 3)


Fetch = Callable[[str], "Attachment | FileProblem"]
"""Downloads a link into the files cache (:class:`~migrate.plan._downloads.UrlFetcher`)."""


def scan_attachments(
    cells: Iterable[tuple[str, Any]],
    folders: Mapping[str, Path],
    max_bytes: int,
    fetch: Fetch | None = None,
) -> Attachments:
    """Find, measure and hash every file named in ``cells`` (``(source file name, FILES
    cell)``); ``folders`` maps a source file name to its folder; ``fetch`` downloads links
    (``None``: a link is a warning); a file whose base64 is larger than ``max_bytes`` is
    refused (module docstring)."""
    found: dict[tuple[str, str], Attachment | FileProblem] = {}
    for source, cell in cells:
        for raw in split_paths(cell):
            if (source, raw) not in found:
                found[(source, raw)] = _examine(raw, folders.get(source), max_bytes, fetch)
    return Attachments(found)


def _examine(
    raw: str, folder: Path | None, max_bytes: int, fetch: Fetch | None
) -> Attachment | FileProblem:
    if _URL.match(raw):
        return FileProblem("file.url", raw) if fetch is None else fetch(raw)
    path = Path(raw).expanduser()
    if not path.is_absolute():
        if folder is None:
            return FileProblem("file.missing", raw)
        path = folder / path
    if not path.is_file():
        return FileProblem("file.missing", raw)
    size = path.stat().st_size
    if base64_size(size) > max_bytes:
        return FileProblem("file.too_large", raw, size, max_bytes * 3 // 4)
    return Attachment(str(path.resolve()), path.name, size, _sha256(path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
