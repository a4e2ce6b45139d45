"""Bounds on a workbook, checked before any reader expands it.

A workbook is a zip of XML, and a hostile (or broken) one is small on disk: a 400 KB file can
hold sheet XML that decompresses to gigabytes, and a single cell written at `XFD1048576` makes
a reader that fills the rectangle from `A1` allocate seventeen billion cells (calamine aborts
the process). :func:`check_workbook` reads only the zip directory and streams each worksheet's
XML once, in chunks, looking for its last row and column; it refuses the file with one clear
line before calamine or openpyxl touch it.

Not covered: `.xls` (an OLE file, not a zip: its size on disk is its size) and the repeated
rows of `.ods` (calamine reads those without filling them in).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from migrate.errors import SourceReadError
from migrate.sources._xlsx_xml import sheet_parts

__all__ = ["MAX_CELLS", "MAX_RATIO", "MAX_UNZIPPED", "check_workbook"]

MAX_UNZIPPED = 4 << 30
"""Bytes all members of a workbook may decompress to (a million-row, 30-column sheet: ~2 GB)."""
MAX_RATIO = 100
"""How many times a large member may be bigger than its compressed size (real sheets: 5–20)."""
MAX_CELLS = 50_000_000
"""Cells of the rectangle from A1 to a sheet's last row and column (1,000,000 rows × 50)."""
_LARGE = 64 << 20  # the ratio is judged for members that decompress beyond this
_CHUNK = 1 << 22
# ` r="…"` is a row's number (digits) or a cell's reference (letters, digits) in sheet XML
_ROW = re.compile(rb' r="(\d+)"')
_WIDE = re.compile(rb' r="([A-Z]{2,4})\d')  # columns past Z: rare, so cheap to look for
_FAR = re.compile(rb' r="[A-Z]{0,4}(\d{7,})"')  # rows past 999,999
_NARROW = MAX_CELLS // 1_000_000  # up to this many columns, rows below 1,000,000 always fit
_NEXT = "save the sheet as CSV (File → Save as → CSV UTF-8), or delete the empty rows and " \
    "columns past the data, and re-run"  # fmt: skip


def check_workbook(path: Path) -> None:
    """Refuse a zip workbook that would decompress beyond the bounds above.

    Raises:
        SourceReadError: too large when decompressed, compressed beyond any real workbook,
            or a sheet whose last cell makes the A1 rectangle larger than :data:`MAX_CELLS`.
    """
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            _check_members(path, archive)
            names = {part: name for name, part in sheet_parts(archive).items()}
            for part in _worksheets(archive):
                _check_cells(path, archive, part, names.get(part, part.rsplit("/", 1)[-1]))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceReadError(
            f"the workbook is damaged ({type(exc).__name__}: {str(exc)[:80]})",
            source=str(path),
            next_step="open it in Excel or LibreOffice, save it again, and re-run",
        ) from None


def _check_members(path: Path, archive: zipfile.ZipFile) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _LARGE and ratio > MAX_RATIO:
            raise SourceReadError(
                f"`{info.filename}` inside the workbook decompresses {ratio:,.0f} times "
                f"({info.file_size:,} bytes from {info.compress_size:,}): no real workbook "
                "does; it would exhaust memory",
                source=str(path),
                next_step=_NEXT,
            )
    if total > MAX_UNZIPPED:
        raise SourceReadError(
            f"the workbook decompresses to {total:,} bytes, more than the {MAX_UNZIPPED:,} "
            "this tool reads",
            source=str(path),
            next_step=_NEXT,
        )


def _worksheets(archive: zipfile.ZipFile) -> list[str]:
    names = archive.namelist()
    return [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]


def _check_cells(path: Path, archive: zipfile.ZipFile, part: str, name: str) -> None:
    """The A1 rectangle of the sheet: columns past Z and rows past 999,999 are rare and cheap to
    find; the exact last row is only needed (a second pass) for a sheet wider than _NARROW."""
    rows, columns = 999_999, 26  # the bounds when nothing is found beyond them
    for chunk in _chunks(archive, part):
        rows = max([rows, *map(int, _FAR.findall(chunk))])
        columns = max([columns, *map(_column_number, set(_WIDE.findall(chunk)))])
    if rows == 999_999 and columns > _NARROW:
        rows = max(max(map(int, _ROW.findall(c)), default=0) for c in _chunks(archive, part))
    if rows * columns > MAX_CELLS:
        raise SourceReadError(
            f"the sheet `{name}` reaches row {rows:,} and column "
            f"{columns:,}: {rows * columns:,} cells from A1, more than the {MAX_CELLS:,} this "
            "tool reads",
            source=str(path),
            next_step=_NEXT,
        )


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The member's bytes in chunks that overlap by a little (no tag is cut in two)."""
    tail = b""
    with archive.open(part) as handle:
        while block := handle.read(_CHUNK):
            data = tail + block
            yield data
            tail = data[-256:]


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number
