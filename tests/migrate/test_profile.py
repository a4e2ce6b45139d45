"""Column profiles: kinds guessed from headers and values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from migrate.inspect.profile import guess_kind, profile_table
from migrate.sources import RawTable, read_table

SAMPLE = Path(__file__).parents[2] / "sample_data"


def _kind(header: str, values: list[str]) -> str:
    return guess_kind(header, values, distinct=len(set(values)), filled=len(values))


@pytest.mark.parametrize(
    ("header", "values", "kind"),
    [
        ("Телефон", ["8 (916) 123-45-67", "+7 916 765 43 21 доб. 12", "79161234567.0"], "phone"),
        ("Контакты", ["+79161234567, 8 495 123 45 67", "9161234567", "8-916-111-22-33"], "phone"),
        ("Почта", ["Ivan@Mail.Ru", "mailto:a@b.ru", "x@y.com; z@w.org"], "email"),
        ("Сайт", ["www.example.com", "https://example.ru/", "example.org"], "url"),
        ("ИНН", ["7701234567", "500100732259", "ИНН 7701234567"], "inn"),
        ("КПП", ["770101001", "770201001"], "kpp"),
        ("ОГРН", ["1027700132195", "304500116000157"], "ogrn"),
        ("Создан", ["01.02.2023", "2023-02-01", "01.02.23 10:00"], "date"),
        ("Бюджет", ["1 234 567,89 ₽", "$1,234.56", "15000"], "money"),
        ("ID", ["101", "102", "103"], "id"),
        ("Ид", ["9ecacf38-3f80-4b71-a1fd-e886956f0963"], "id"),
        ("Клиент", ['ООО "Ромашка"', "Вектор, АО", "ИП Иванов И.И."], "company"),
        ("ФИО", ["Иванов Иван Иванович", "Петрова Анна", "Сидоров Пётр"], "name"),
        ("Статус", ["Новый", "В работе"] * 20, "enum"),
        ("Комментарий", ["позвонить завтра утром", "ждут счёт", "КП отправлено"], "text"),
        ("Пусто", [], "empty"),
    ],
)
def test_guess_kind(header, values, kind) -> None:
    assert _kind(header, values) == kind


def test_profile_counts_fill_distinct_and_samples() -> None:
    frame = pd.DataFrame({"Имя": ["Иван", "", "Иван", "Ольга"], "_row": [2, 3, 4, 5]})
    table = RawTable(frame=frame, source=Path("x.csv"), sheet="", header_row=1)
    column = profile_table(table).columns[0]
    assert (column.filled, column.fill_rate, column.distinct) == (3, 0.75, 2)
    assert column.samples == ("Иван", "Ольга")
    assert column.max_length == 5


def test_profile_of_the_sample_companies() -> None:
    kinds = {
        c.name: c.kind for c in profile_table(read_table(SAMPLE / "amocrm/companies.csv")).columns
    }
    assert kinds["ID"] == "id"
    assert kinds["Рабочий телефон"] == "phone"
    assert kinds["Рабочий email"] == "email"
    assert kinds["ИНН"] == "inn"
    assert kinds["Название компании"] == "company"
    assert kinds["Дата создания"] == "date"
