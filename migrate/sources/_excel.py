"""Workbooks (xlsx, xlsm, xlsb, xls, ods) through python-calamine, every cell as text.

Cell values become text the way a person reads them, with one documented choice for dates:

* numbers: whole numbers without ``.0`` (``79161234567``), others with up to 15 significant
  digits (``1234.56``) — the number format of the cell is not applied;
* dates and date-times: ISO 8601, ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` (seconds always
  shown, no time zone); times ``HH:MM:SS``; durations ``[h]:MM:SS``;
* booleans ``TRUE``/``FALSE``; formulas: their cached value (a formula never calculated by a
  spreadsheet program reads as empty);
* merged cells: a merge over several rows of data gives every cell its value (a company
  merged over its contacts); other merges keep the value in the top-left cell only.

The default sheet is the first visible worksheet that holds a table (a header of two or more
columns with rows below it); hidden sheets, chart sheets and sheets of only formatting or
a note are passed over. A two-row header (group names over column names) is read as one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    WorksheetNotFound,
)

from migrate.errors import SourceReadError, shorten
from migrate.sources._header import HEADER_SCAN_ROWS, detect_header_row, join_two_row_header
from migrate.sources._limits import check_workbook
from migrate.sources._table import RawTable, table_from_grid
from migrate.sources._xlsx_xml import apply_errors, apply_formats, scan_sheet

__all__ = ["cell_text", "list_sheets", "read_workbook"]

_REPAIR = "open it in Excel or LibreOffice and save it again as .xlsx, then re-run"


def cell_text(value: object) -> str:
    """Text of one calamine cell value (see the module docstring for the rules)."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return "" if value is None else str(value)


def _open(path: Path, *, by_content: bool = False) -> CalamineWorkbook:
    """Open a workbook; ``by_content`` when its name does not say its format (a .xls that
    is really an .xlsx, a .csv that is a workbook)."""
    check_workbook(path)  # before calamine expands it
    try:
        if by_content:
            with path.open("rb") as fh:
                return CalamineWorkbook.from_filelike(fh)
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise SourceReadError(
            "the workbook is protected with a password (encrypted), so it cannot be read",
            source=str(path),
            next_step="open it in Excel, remove the password (File → Info → Protect Workbook → "
            "Encrypt with Password → clear the field), save, and re-run",
        ) from None
    except CalamineError as exc:
        raise SourceReadError(
            f"cannot open the workbook: it is damaged, encrypted or not really a "
            f"{path.suffix or 'workbook'} file ({exc})",
            source=str(path),
            next_step=_REPAIR,
        ) from None


@contextmanager
def _damage_guard(path: Path, sheet: str | None = None) -> Iterator[None]:
    """Turn what a damaged file makes the readers raise into one SourceReadError.

    calamine can panic on a corrupt file; the panic reaches Python as ``PanicException``,
    which derives from ``BaseException``, not ``Exception``.
    """
    try:
        yield
    except SourceReadError:
        raise
    except (CalamineError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise _damaged(path, sheet, exc) from None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise _damaged(path, sheet, exc) from None


def _damaged(path: Path, sheet: str | None, exc: BaseException) -> SourceReadError:
    return SourceReadError(
        f"the workbook is damaged ({shorten(exc, 80)})",
        source=str(path),
        sheet=sheet,
        next_step=_REPAIR,
    )


def list_sheets(path: Path, *, by_content: bool = False) -> list[str]:
    """Sheet names of a workbook, in order."""
    with _damage_guard(path):
        return list(_open(path, by_content=by_content).sheet_names)


def _pick_sheet(
    book: CalamineWorkbook, path: Path, sheet: str | int | None
) -> tuple[str, CalamineSheet | None]:
    names = list(book.sheet_names)
    listed = ", ".join(f"`{n}`" for n in names)
    if isinstance(sheet, int) and str(sheet) in names:
        return str(sheet), None  # a sheet called `2024` wins over the 2025th sheet
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet], None
        raise SourceReadError(
            f"there is no sheet number {sheet} (0-based); the workbook has {len(names)}: {listed}",
            source=str(path),
            next_step="pass one of these names with `--sheet`",
        )
    if sheet is not None:
        if sheet in names:
            return sheet, None
        folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0], None
        raise SourceReadError(
            f"there is no sheet `{sheet}`; the sheets are: {listed}",
            source=str(path),
            next_step="pass one of these names with `--sheet`",
        )
    first_filled: tuple[str, CalamineSheet] | None = None
    for name in _default_order(book):
        try:
            loaded = book.get_sheet_by_name(name)
        except CalamineError:
            continue
        if not loaded.height:
            continue
        first_filled = first_filled or (name, loaded)
        if _holds_a_table(loaded):
            return name, loaded
    if first_filled is not None:
        return first_filled
    raise SourceReadError(
        f"every sheet is empty ({listed})",
        source=str(path),
        next_step="check that this is the exported file and not an empty template",
    )


def _default_order(book: CalamineWorkbook) -> list[str]:
    """Worksheets to try for the default: visible ones first, then hidden; no chart sheets."""
    try:
        meta = list(book.sheets_metadata)
    except CalamineError:  # pragma: no cover - metadata comes with the workbook
        return list(book.sheet_names)
    sheets = [m for m in meta if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]
    return visible + [m.name for m in sheets if m.visible != SheetVisibleEnum.Visible]


def _holds_a_table(sheet: CalamineSheet) -> bool:
    """A header of two or more columns with at least one filled row under it."""
    rows = [
        [cell_text(v).strip() for v in row]
        for row in itertools.islice(sheet.iter_rows(), HEADER_SCAN_ROWS + 1)
    ]
    index = detect_header_row(rows)
    if index is None or sum(1 for c in rows[index] if c) < 2:
        return False
    return any(any(row) for row in rows[index + 1 :])


def read_workbook(
    path: Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    by_content: bool = False,
) -> RawTable:
    """Read one sheet (default: the first that holds a table) into a RawTable."""
    with _damage_guard(path, sheet if isinstance(sheet, str) else None):
        return _read_workbook(path, sheet, header_row, by_content)


def _read_workbook(
    path: Path, sheet: str | int | None, header_row: int | None, by_content: bool
) -> RawTable:
    book = _open(path, by_content=by_content)
    name, loaded = _pick_sheet(book, path, sheet)
    try:
        loaded = loaded or book.get_sheet_by_name(name)
        grid = loaded.to_python(skip_empty_area=False)
    except (CalamineError, WorksheetNotFound) as exc:
        raise SourceReadError(
            f"cannot read the sheet ({exc})", source=str(path), sheet=name, next_step=_REPAIR
        ) from None
    scan = scan_sheet(path, name) if path.suffix.lower() in (".xlsx", ".xlsm") else None
    if scan is not None and scan.uncached:
        cell, formula = scan.uncached[0]
        raise SourceReadError(
            f"{len(scan.uncached)} formula cell(s) were never calculated, so they have no "
            f"value (first: {cell} `={shorten(formula, 40)}`); the file was written by a "
            "program, not saved by Excel",
            source=str(path),
            sheet=name,
            next_step="open the file in Excel or LibreOffice, save it (that calculates the "
            "formulas), and re-run",
        )
    if scan is not None and scan.formats:
        apply_formats(grid, scan.formats)
    if scan is not None and scan.errors:
        apply_errors(grid, scan.errors)
    rows = [[v if v.__class__ is str else cell_text(v) for v in row] for row in grid]
    header_rows = 1
    if header_row is None:
        found = detect_header_row(rows[:HEADER_SCAN_ROWS])
        if found is None:
            raise SourceReadError(
                "the sheet is empty",
                source=str(path),
                sheet=name,
                next_step="choose another sheet with `--sheet`",
            )
        index = found
        header = rows[index]
        merged = _merged_spans(loaded, index)
        joined = join_two_row_header(rows[index : index + 3], merged)
        if joined is not None:
            header, header_rows = joined, 2
    else:
        index = header_row - 1
        if index >= len(rows):
            raise SourceReadError(
                f"the header row {header_row} is past the end of the sheet ({len(rows)} rows)",
                source=str(path),
                sheet=name,
                next_step="check `--header-row` (or leave it out to detect the header)",
            )
        header = rows[index]
    _fill_merged_data(rows, loaded, index + header_rows)
    body = pd.DataFrame(rows[index + header_rows :], dtype=object)
    return table_from_grid(
        header,
        body,
        index + header_rows + 1,
        source=path,
        sheet=name,
        header_row=index + 1,
    )


def _fill_merged_data(rows: list[list[str]], sheet: CalamineSheet, first: int) -> None:
    """Give every cell of a merge that spans rows of data the merged value.

    In hand-made sheets a company cell merged over its five contacts means the company of
    each of them; read as the top cell only, four contacts would silently lose it. Merges
    within one row (a section title across columns) are left as they are.
    """
    try:
        ranges = sheet.merged_cell_ranges or []
    except CalamineError:  # pragma: no cover - a format without merge info
        return
    for (r0, c0), (r1, c1) in ranges:
        if r1 <= r0 or r0 < first or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1 + 1, len(rows))):
            row = rows[r]
            for c in range(c0, min(c1 + 1, len(row))):
                row[c] = value


def _merged_spans(sheet: CalamineSheet, row: int) -> list[tuple[int, int]]:
    """Column spans (first, last; 0-based) of the cells merged across row ``row``."""
    try:
        ranges = sheet.merged_cell_ranges or []
    except CalamineError:  # pragma: no cover - a format without merge info
        return []
    return [(c0, c1) for (r0, c0), (r1, c1) in ranges if r0 <= row <= r1 and c1 > c0]
