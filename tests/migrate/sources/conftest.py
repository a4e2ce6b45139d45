"""Builders for small source files used by the reader tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

Rows = Sequence[Sequence[object]]


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write a workbook: ``sheets`` maps sheet name → rows; ``merges`` are A1 ranges."""

    def build(sheets: dict[str, Rows], name: str = "book.xlsx", merges: Sequence[str] = ()) -> Path:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            ws = book.create_sheet(title)
            for row in rows:
                ws.append(list(row))
        for cell_range in merges:
            book.worksheets[0].merge_cells(cell_range)
        path = tmp_path / name
        book.save(path)
        return path

    return build


@pytest.fixture
def make_text(tmp_path: Path) -> Callable[..., Path]:
    """Write text in an encoding (``"utf-16"`` adds its BOM)."""

    def build(text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return build
