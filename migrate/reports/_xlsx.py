"""What every workbook we write shares: safe cells, a styled sheet, column widths.

A client opens these files in Excel, so a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab/carriage return) is written as text with a leading apostrophe-free quote prefix
(``openpyxl`` ``quotePrefix``) so that Excel never evaluates it as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from migrate.workspace.cells import FORMULA_PREFIXES

__all__ = [
    "FORMULA_PREFIXES",
    "MAX_CELL_CHARS",
    "column_of",
    "keep_aside",
    "safe_cell_value",
    "write_table",
]

MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
_TRUNCATED = " …[обрезано]"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_ILLEGAL = {c: " " for c in range(32) if chr(c) not in "\t\n\r"}


def column_of(header: Sequence[str], names: Iterable[str]) -> int | None:
    """The index of the first of ``names`` (a column's title in each report language) that a
    client workbook's ``header`` row has; ``None`` when it has none of them."""
    return next((header.index(name) for name in names if name in header), None)


def keep_aside(path: Path) -> Path:
    """Rename a client-edited workbook we cannot read to ``<stem>.kept-<UTC time><suffix>``
    beside it and return the new path, so the report written next never replaces the edits."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.stem}.kept-{stamp}{path.suffix}")
    path.replace(kept)
    return kept


def safe_cell_value(value: Any) -> tuple[Any, bool]:
    """Return ``(value, needs_quote_prefix)`` for writing ``value`` into a cell.

    Text is stripped of control characters openpyxl refuses, cut to Excel's cell limit, and
    flagged when it would be read as a formula. Numbers, booleans and ``None`` pass through.
    """
    if value is None or isinstance(value, bool | int | float):
        return value, False
    text = str(value).translate(_ILLEGAL)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(_TRUNCATED)] + _TRUNCATED
    return text, text.startswith(FORMULA_PREFIXES)


def write_table(
    sheet: Worksheet,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
    max_width: int = 60,
) -> int:
    """Write ``header`` and ``rows`` into ``sheet`` with a frozen, filtered, bold header.

    Column widths follow the content (capped at ``max_width``) unless ``widths`` is given.
    Returns the number of data rows written.
    """
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    seen = [len(str(h)) for h in header]
    count = 0
    for count, row in enumerate(rows, start=1):
        values = []
        prefixed = []
        for index, raw in enumerate(row):
            value, needs_prefix = safe_cell_value(raw)
            values.append(value)
            if needs_prefix:
                prefixed.append(index)
            if index < len(seen) and value is not None:
                seen[index] = max(seen[index], min(len(str(value)), max_width))
        sheet.append(values)
        for index in prefixed:
            cell = sheet.cell(row=count + 1, column=index + 1)
            cell.data_type = "s"
            cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(count + 1, 1)}"
    for index, width in enumerate(widths or seen, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), max_width)
    return count
