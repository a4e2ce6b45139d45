"""Workbooks (xlsx, xlsm, xlsb, xls, ods) through python-calamine, every cell as text.

Cell values become text the way a person reads them, with one documented choice for dates:

* numbers: whole numbers without ``.0`` (``79161234567``), others with up to 15 significant
  digits (``1234.56``) — the number format of the cell is not applied;
* dates and date-times: ISO 8601, ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM:SS`` (seconds always
  shown, no time zone); times ``HH:MM:SS``; durations ``[h]:MM:SS``;
* booleans ``TRUE``/``FALSE``; formulas: their cached value (a formula never calculated by a
  spreadsheet program reads as empty);
* merged cells: the value sits in the top-left cell only, the others read as empty.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, WorksheetNotFound

from migrate.errors import SourceReadError
from migrate.sources._header import HEADER_SCAN_ROWS, detect_header_row
from migrate.sources._table import RawTable, table_from_grid

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


def _open(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise SourceReadError(
            f"cannot open the workbook: it is damaged, encrypted or not really a "
            f"{path.suffix or 'workbook'} file ({exc})",
            source=str(path),
            next_step=_REPAIR,
        ) from None


def list_sheets(path: Path) -> list[str]:
    """Sheet names of a workbook, in order."""
    return list(_open(path).sheet_names)


def _pick_sheet(
    book: CalamineWorkbook, path: Path, sheet: str | int | None
) -> tuple[str, CalamineSheet | None]:
    names = list(book.sheet_names)
    listed = ", ".join(f"`{n}`" for n in names)
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
    for name in names:
        try:
            loaded = book.get_sheet_by_name(name)
        except CalamineError:
            continue
        if loaded.height:
            return name, loaded
    raise SourceReadError(
        f"every sheet is empty ({listed})",
        source=str(path),
        next_step="check that this is the exported file and not an empty template",
    )


def read_workbook(
    path: Path, *, sheet: str | int | None = None, header_row: int | None = None
) -> RawTable:
    """Read one sheet (default: the first non-empty one) into a RawTable."""
    book = _open(path)
    name, loaded = _pick_sheet(book, path, sheet)
    try:
        loaded = loaded or book.get_sheet_by_name(name)
        grid = loaded.to_python(skip_empty_area=False)
    except (CalamineError, WorksheetNotFound) as exc:
        raise SourceReadError(
            f"cannot read the sheet ({exc})", source=str(path), sheet=name, next_step=_REPAIR
        ) from None
    rows = [[v if v.__class__ is str else cell_text(v) for v in row] for row in grid]
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
    else:
        index = header_row - 1
    body = pd.DataFrame(rows[index + 1 :], dtype=object)
    return table_from_grid(
        rows[index] if index < len(rows) else [],
        body,
        index + 2,
        source=path,
        sheet=name,
        header_row=index + 1,
    )
