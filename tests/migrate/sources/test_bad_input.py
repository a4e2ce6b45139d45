"""Files that cannot be read give one clear SourceReadError: where, what, what next."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from migrate.errors import SourceReadError
from migrate.sources import read_table


def _error(path: Path, **kwargs) -> SourceReadError:
    with pytest.raises(SourceReadError) as info:
        read_table(path, **kwargs)
    error = info.value
    assert str(path) in str(error)
    assert error.next_step, "every read error says what to do next"
    return error


def test_empty_file(make_text) -> None:
    error = _error(make_text(""))
    assert "empty" in error.message


def test_only_blank_lines(make_text) -> None:
    assert "blank" in _error(make_text("\n\n  \n")).message


def test_header_only_csv(make_text) -> None:
    error = _error(make_text("ID,Имя,Телефон\n"))
    assert error.row == 1
    assert "no data rows" in error.message


def test_header_only_sheet(make_xlsx) -> None:
    error = _error(make_xlsx({"Контакты": [["Отчёт"], [], ["ID", "Имя"]]}))
    assert (error.sheet, error.row) == ("Контакты", 3)


def test_binary_garbage_named_csv(tmp_path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(bytes(range(256)) * 64)
    assert "not a text file" in _error(path).message


def test_workbook_renamed_to_csv_is_read_as_a_workbook(tmp_path, make_xlsx) -> None:
    book = make_xlsx({"s": [["a"], [1]]})
    path = tmp_path / "contacts.csv"
    path.write_bytes(book.read_bytes())
    table = read_table(path)
    assert (table.sheet, table.frame["a"].tolist()) == ("s", ["1"])


def test_truncated_xlsx(tmp_path, make_xlsx) -> None:
    book = make_xlsx({"s": [["a", "b"], [1, 2]] * 200})
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(book.read_bytes()[: book.stat().st_size // 2])
    assert "damaged" in _error(broken).message


def test_xlsx_that_is_a_zip_without_a_workbook(tmp_path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    _error(path)


def test_text_named_xlsx_is_read_as_text(tmp_path) -> None:
    path = tmp_path / "contacts.xlsx"
    path.write_text("ID,Имя\n1,Иван\n", encoding="utf-8")
    assert read_table(path).frame["Имя"].tolist() == ["Иван"]


def test_garbage_named_xlsx(tmp_path) -> None:
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    _error(path)


def test_wrong_encoding_given_names_the_row(make_text) -> None:
    path = make_text("ID;Имя\n1;Иван\n", encoding="cp1251")
    error = _error(path, encoding="utf-8")
    assert error.row == 1
    assert "--encoding" in error.next_step


def test_bad_bytes_after_the_sample_name_the_row(tmp_path) -> None:
    rows = "".join(f"{i},Иван\n" for i in range(40_000))
    path = tmp_path / "late.csv"
    path.write_bytes(("ID,Имя\n" + rows).encode() + b"\x80\x81\x82\x83,\x84\x85\n")
    error = _error(
        path
    )  # not text in any code page (a cp1251 line is decoded: tests/migrate/messy)
    assert error.row == 40_002


def test_unknown_encoding_name(make_text) -> None:
    assert "unknown encoding" in _error(make_text("a\n1\n"), encoding="klingon").message


def test_missing_sheet_lists_the_sheets(make_xlsx) -> None:
    error = _error(make_xlsx({"Контакты": [["a"], [1]], "Сделки": [["b"], [2]]}), sheet="Лиды")
    assert "`Контакты`, `Сделки`" in error.message


def test_sheet_index_out_of_range(make_xlsx) -> None:
    assert "no sheet number 5" in _error(make_xlsx({"s": [["a"], [1]]}), sheet=5).message


def test_all_sheets_empty(make_xlsx) -> None:
    assert "every sheet is empty" in _error(make_xlsx({"a": [], "b": []})).message


def test_missing_file(tmp_path) -> None:
    assert "does not exist" in _error(tmp_path / "nope.csv").message


def test_folder_instead_of_file(tmp_path) -> None:
    with pytest.raises(SourceReadError, match="folder"):
        read_table(tmp_path)


def test_sheet_given_for_a_csv(make_text) -> None:
    path = make_text("a\n1\n", name="data.dat")
    assert "does not apply" in _error(path, sheet="x").message


def test_header_row_past_the_end(make_text) -> None:
    assert "past the end" in _error(make_text("a\n1\n"), header_row=10).message
