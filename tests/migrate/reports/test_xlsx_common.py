"""The shared workbook writer, checked by reading the file back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from migrate.reports._xlsx import MAX_CELL_CHARS, safe_cell_value, write_table


def _roundtrip(tmp_path: Path, header, rows):
    book = Workbook()
    count = write_table(book.active, header, rows)
    path = tmp_path / "t.xlsx"
    book.save(path)
    return count, load_workbook(path).active


@pytest.mark.parametrize("text", ["=SUM(A1:A2)", "+7 916 123", "-1", "@cmd", "\tx"])
def test_formula_looking_text_is_kept_as_text(tmp_path: Path, text: str) -> None:
    _, sheet = _roundtrip(tmp_path, ["v"], [[text]])
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert cell.value == text.replace("\t", "\t")


def test_header_frozen_filtered_and_values_read_back(tmp_path: Path) -> None:
    count, sheet = _roundtrip(tmp_path, ["Файл", "Строка"], [["a.csv", 3], ["b.csv", None]])
    assert count == 2
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B3"
    assert [c.value for c in sheet[1]] == ["Файл", "Строка"]
    assert [c.value for c in sheet[2]] == ["a.csv", 3]
    assert sheet["B3"].value is None


def test_huge_and_control_character_cells_are_made_writable(tmp_path: Path) -> None:
    huge = "я" * (MAX_CELL_CHARS + 10)
    _, sheet = _roundtrip(tmp_path, ["v"], [[huge], ["a\x00b\x07c"]])
    assert len(sheet["A2"].value) == MAX_CELL_CHARS
    assert sheet["A3"].value == "a b c"


def test_plain_values_need_no_prefix() -> None:
    assert safe_cell_value("ООО Ромашка") == ("ООО Ромашка", False)
    assert safe_cell_value(12) == (12, False)
    assert safe_cell_value(None) == (None, False)
