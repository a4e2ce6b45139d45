"""HTML tables saved with a spreadsheet name: Bitrix24's "Export to Excel" writes one as .xls.

The ``<table>`` with the most rows is read; ``<th>`` and ``<td>`` are cells; ``colspan`` puts
the value in the first column it spans, ``rowspan`` gives it to every row it spans (as merged
cells in a workbook); ``<br>`` becomes a line break, entities are decoded. The encoding
comes from the BOM, else the ``<meta charset>``, else UTF-8 (cp1251 when the bytes are not
UTF-8).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from migrate.errors import SourceReadError
from migrate.sources._header import HEADER_SCAN_ROWS, detect_header_row
from migrate.sources._table import RawTable, table_from_grid

__all__ = ["looks_like_html", "read_html_table"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|meta|table|head|body)", re.I | re.S
)


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file are an HTML page or fragment."""
    return bool(_HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")))


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._down = 1
        self._carry: dict[int, list[Any]] = {}  # column → [rows left, value] of a rowspan

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
                self._carry = {}
        elif self._depth != 1:
            return
        elif tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            self._span = _span(dict(attrs).get("colspan"))
            self._down = _span(dict(attrs).get("rowspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._depth:
            if self._depth == 1:
                self._end_row()
            self._depth -= 1
        elif self._depth != 1:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and self._depth == 1:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            text = "".join(self._cell).replace("\xa0", " ")
            lines = [" ".join(line.split()) for line in text.split("\n")]
            value = "\n".join(lines).strip()
            self._fill_carried()
            start = len(self._row)
            self._row.extend([value, *[""] * (self._span - 1)])
            if self._down > 1:  # rowspan: the rows below get the value, as merged cells do
                for column in range(start, start + self._span):
                    self._carry[column] = [self._down - 1, value if column == start else ""]
        self._cell = None

    def _fill_carried(self) -> None:
        """Put the values of rowspans from the rows above into the columns they cover."""
        assert self._row is not None
        while len(self._row) in self._carry:
            column = len(self._row)
            left, value = self._carry[column]
            self._row.append(value)
            if left <= 1:
                del self._carry[column]
            else:
                self._carry[column][0] = left - 1

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None and self.tables:
            self._fill_carried()
            self.tables[-1].append(self._row)
        self._row = None


def _span(text: str | None) -> int:
    return int(text) if text and text.isdigit() and 0 < int(text) < 1000 else 1


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    found = _META_CHARSET.search(data[:4096])
    if found:
        try:
            return data.decode(found.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def read_html_table(path: Path, *, header_row: int | None = None) -> RawTable:
    """Read the largest table of an HTML file (see the module docstring)."""
    parser = _Tables()
    parser.feed(_decode(path.read_bytes()))
    parser.close()
    tables = [t for t in parser.tables if t]
    if not tables:
        raise SourceReadError(
            "this is a web page (HTML) without a table, not a spreadsheet",
            source=str(path),
            next_step="export the data again as CSV or XLSX",
        )
    rows = max(tables, key=len)
    index = detect_header_row(rows[:HEADER_SCAN_ROWS]) if header_row is None else header_row - 1
    if index is None or index >= len(rows):
        raise SourceReadError(
            "the table in this HTML file is empty",
            source=str(path),
            next_step="export the data again with the records selected",
        )
    width = max(len(r) for r in rows)
    body = [r + [""] * (width - len(r)) for r in rows[index + 1 :]]
    return table_from_grid(
        rows[index],
        pd.DataFrame(body, columns=range(width), dtype=object),
        index + 2,
        source=path,
        sheet="",
        header_row=index + 1,
    )
