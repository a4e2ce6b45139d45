"""Every committed sample file reads with the shape sample_data/README.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.sources import read_table

SAMPLE = Path(__file__).parents[3] / "sample_data"


@pytest.mark.parametrize(
    ("name", "rows", "header_row", "first_columns"),
    [
        ("amocrm/companies.csv", 2000, 1, ["ID", "Название компании"]),
        ("amocrm/contacts.xlsx", 5000, 1, ["ID", "Полное имя", "Имя", "Фамилия"]),
        ("amocrm/deals.xlsx", 8000, 4, ["ID", "Название сделки", "Бюджет"]),
        ("amocrm/notes.csv", 10000, 1, ["ID", "Сущность", "ID сущности"]),
        ("onec/products.csv", 500, 1, ["Код", "Артикул", "Наименование"]),
        ("bitrix24/COMPANY.csv", 300, 1, ["ID", "Название компании", "Тип компании"]),
        ("bitrix24/CONTACT.csv", 600, 1, ["ID", "Обращение", "Имя", "Отчество", "Фамилия"]),
        ("bitrix24/DEAL.csv", 500, 1, ["ID", "Название сделки", "Стадия сделки"]),
    ],
)
def test_sample_file_shape(name, rows, header_row, first_columns) -> None:
    table = read_table(SAMPLE / name)
    assert len(table) == rows
    assert table.header_row == header_row
    assert table.columns[: len(first_columns)] == first_columns
    assert table.frame["ID" if "ID" in table.columns else "Код"].ne("").all()


def test_xlsx_numbers_and_dates_read_as_text() -> None:
    deals = read_table(SAMPLE / "amocrm/deals.xlsx").frame
    assert deals["ID"].str.fullmatch(r"\d+").all()
    assert deals["Дата создания"].str.match(r"\d{4}-\d{2}-\d{2}").mean() > 0.5
