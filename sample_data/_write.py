"""Writers: CSV in a chosen encoding/delimiter, and xlsx with typed cells and title rows."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter

__all__ = ["write_csv", "write_truth", "write_xlsx"]

_DATETIME = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$")
_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_NUMBER = re.compile(r"^[1-9]\d{0,14}(\.\d+)?$")


def write_csv(
    path: Path,
    columns: list[str],
    rows: Iterable[dict[str, str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> None:
    """Write rows as CSV; ``encoding="utf-8-sig"`` adds the BOM Excel wants."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


def write_truth(path: Path, pairs: Iterable[tuple[str, str]]) -> None:
    """Ground truth: one ``record_id,entity_id`` line per export record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["record_id", "entity_id"])
        writer.writerows(sorted(pairs))


def _typed(text: str, typed_columns: set[str], column: str) -> object:
    """Turn text into the cell type Excel would have stored (numbers, dates)."""
    if column not in typed_columns or not text:
        return text
    if m := _DATETIME.match(text):
        d, mo, y, h, mi, s = map(int, m.groups())
        return dt.datetime(y, mo, d, h, mi, s)
    if m := _DATE.match(text):
        d, mo, y = map(int, m.groups())
        return dt.datetime(y, mo, d)
    if _NUMBER.match(text):
        return float(text)
    return text


def write_xlsx(
    path: Path,
    sheet: str,
    columns: list[str],
    rows: Iterable[dict[str, str]],
    *,
    typed_columns: Iterable[str] = (),
    title_rows: list[str] = (),  # type: ignore[assignment]
) -> None:
    """Write one sheet; ``typed_columns`` become numbers/dates, ``title_rows`` sit above the header.

    The first title row is merged across the first columns, as report-style exports do.
    """
    typed = set(typed_columns)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2024, 3, 1, 10, 15)})  # reproducible bytes
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    date_fmt = book.add_format({"num_format": "dd.mm.yyyy hh:mm:ss"})
    day_fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    r = 0
    for i, title in enumerate(title_rows):
        if i == 0:
            ws.merge_range(0, 0, 0, min(5, len(columns) - 1), title, bold)
        else:
            ws.write_string(r, 0, title)
        r += 1
    if title_rows:
        r += 1  # a blank row between the title block and the header
    for c, name in enumerate(columns):
        ws.write_string(r, c, name, bold)
    for row in rows:
        r += 1
        for c, column in enumerate(columns):
            value = _typed(row.get(column, ""), typed, column)
            if isinstance(value, dt.datetime):
                fmt = day_fmt if value.time() == dt.time() else date_fmt
                ws.write_datetime(r, c, value, fmt)
            elif isinstance(value, float):
                ws.write_number(r, c, value)
            elif value:
                ws.write_string(r, c, str(value))
    book.close()
