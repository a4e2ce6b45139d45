"""Workbooks: sheet choice, title rows, merged cells, typed cells as text."""

from __future__ import annotations

import datetime as dt

import pytest

from migrate.sources import list_sheets, read_table
from migrate.sources._excel import cell_text


def test_title_rows_and_a_merged_title_cell_are_skipped(make_xlsx) -> None:
    rows = [["Экспорт сделок"], ["Дата выгрузки: 01.03.2024"], [], ["ID", "Название", "Бюджет"]]
    rows += [[1, "Поставка", 1000], [2, "Монтаж", 2500.5]]
    table = read_table(make_xlsx({"Сделки": rows}, merges=["A1:C1"]))
    assert (table.sheet, table.header_row) == ("Сделки", 4)
    assert table.columns == ["ID", "Название", "Бюджет"]
    assert table.frame["Бюджет"].tolist() == ["1000", "2500.5"]
    assert table.frame["_row"].tolist() == [5, 6]


def test_merged_data_cells_give_each_row_the_value(make_xlsx) -> None:
    rows = [["Компания", "Контакт"], ["Ромашка", "Иван"], [None, "Ольга"]]
    table = read_table(make_xlsx({"s": rows}, merges=["A2:A3"]))
    assert table.frame["Компания"].tolist() == ["Ромашка", "Ромашка"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (79161234567, "79161234567"),
        (79161234567.0, "79161234567"),
        (1234.56, "1234.56"),
        (0.1 + 0.2, "0.3"),
        (-5, "-5"),
        (dt.datetime(2023, 4, 5, 10, 20, 30), "2023-04-05 10:20:30"),
        (dt.datetime(2023, 4, 5), "2023-04-05"),
        (dt.date(2023, 4, 5), "2023-04-05"),
        (dt.time(9, 5), "09:05:00"),
        (True, "TRUE"),
        ("  текст ", "  текст "),
    ],
)
def test_typed_cells_become_text(make_xlsx, value, text) -> None:
    table = read_table(make_xlsx({"s": [["Поле", "ID"], [value, 1]]}))
    assert table.frame["Поле"].iloc[0] == text


def test_cell_text_of_other_values() -> None:
    assert cell_text(None) == ""
    assert cell_text(dt.timedelta(hours=30, minutes=5, seconds=7)) == "30:05:07"
    assert cell_text(1e22) == "1e+22"


def test_default_sheet_is_the_first_non_empty_one(make_xlsx) -> None:
    path = make_xlsx({"Пусто": [], "Контакты": [["ID"], [1]], "Сделки": [["ID"], [2]]})
    assert read_table(path).sheet == "Контакты"
    assert list_sheets(path) == ["Пусто", "Контакты", "Сделки"]


@pytest.mark.parametrize("sheet", ["Сделки", "сделки ", 2])
def test_sheet_by_name_case_insensitive_or_index(make_xlsx, sheet) -> None:
    path = make_xlsx({"Пусто": [], "Контакты": [["ID"], [1]], "Сделки": [["ID"], [2]]})
    table = read_table(path, sheet=sheet)
    assert (table.sheet, table.frame["ID"].tolist()) == ("Сделки", ["2"])


def test_duplicate_headers_and_empty_columns(make_xlsx) -> None:
    rows = [["Телефон", "Телефон", None, "Email", None], ["1", "2", "x", "a@b.c", None]]
    table = read_table(make_xlsx({"s": rows}))
    assert table.columns == ["Телефон", "Телефон (2)", "Column C", "Email"]


def test_explicit_header_row(make_xlsx) -> None:
    table = read_table(make_xlsx({"s": [["a", "b"], ["c", "d"], [1, 2]]}), header_row=2)
    assert table.columns == ["c", "d"]
    assert table.frame["_row"].tolist() == [3]


def test_leading_empty_rows_and_columns_keep_spreadsheet_numbers(make_xlsx) -> None:
    table = read_table(make_xlsx({"s": [[], [None, None, "ID", "Имя"], [None, None, 7, "Иван"]]}))
    assert table.columns == ["ID", "Имя"]
    assert (table.header_row, table.frame["_row"].tolist()) == (2, [3])


def test_a_five_megabyte_cell_in_a_workbook_reads_as_the_workbook_holds_it(make_xlsx) -> None:
    big = "д" * (5 * 1024 * 1024)  # xlsx holds at most 32,767 characters per cell
    table = read_table(make_xlsx({"s": [["ID", "Текст"], [1, big], [2, "коротко"]]}))
    assert table.frame["Текст"].iloc[0] == big[:32767]
    assert table.frame["_row"].tolist() == [2, 3]
