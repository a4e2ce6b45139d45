"""reports/errors.xlsx read back with openpyxl: sheets, labels, original values, escaping."""

from __future__ import annotations

from openpyxl import load_workbook

from migrate.issues import Issue, issues_frame
from migrate.prepare.stage import EntityStats
from migrate.reports.errors_xlsx import write_errors_xlsx

ISSUES = [
    Issue(
        "contact",
        "contacts.csv",
        "",
        5,
        "42",
        "Мобильный",
        "PHONE",
        "phone.invalid",
        "=8(916)",
        "warning",
        "Телефон «=8(916)» не распознан",
        "",
    ),
    Issue(
        "contact",
        "contacts.csv",
        "",
        3,
        "40",
        "ID",
        "",
        "key.duplicate",
        "40",
        "error",
        "Ключ `40` уже встречался в строке 2",
        "",
    ),
    Issue(
        "deal",
        "deals.xlsx",
        "Сделки",
        9,
        "7",
        "Этап сделки",
        "STAGE_ID",
        "map.unknown",
        "Переговры",
        "error",
        "Значение «Переговры» нет в справочнике",
        "Переговоры",
    ),
    Issue(
        "deal",
        "",
        "",
        None,
        "",
        "",
        "TITLE",
        "field.unmapped_required",
        "",
        "error",
        "Поле `TITLE` обязательно",
        "",
    ),
]


def test_summary_entity_sheets_and_original_values(tmp_path):
    stats = [EntityStats("contact", ("contacts.csv",), 10, 9, 1, 1, 0.1)]
    path = write_errors_xlsx(
        tmp_path / "reports" / "errors.xlsx", issues_frame(ISSUES), stats=stats
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Сводка", "Итоги", "Контакты", "Сделки"]
    summary = list(book["Сводка"].values)
    assert summary[0] == ("Сущность", "Важность", "Правило", "Пример сообщения", "Количество")
    assert (
        "Контакты",
        "ошибка",
        "key.duplicate",
        "Ключ `40` уже встречался в строке 2",
        1,
    ) in summary
    assert list(book["Итоги"].values)[1] == ("Контакты", "contacts.csv", 10, 9, 1, 1)

    contacts = book["Контакты"]
    rows = list(contacts.values)
    assert rows[0][:8] == (
        "Файл",
        "Лист",
        "Строка",
        "Ключ",
        "Колонка",
        "Исходное значение",
        "Проблема",
        "Предложение",
    )
    assert rows[1][2] == 3  # errors first
    assert rows[1][9] == "ошибка"
    assert rows[2][5] == "=8(916)"  # the original value, kept as text
    assert contacts.cell(row=3, column=6).data_type == "s"
    assert contacts.cell(row=3, column=6).quotePrefix
    assert contacts.freeze_panes == "A2"
    assert contacts.auto_filter.ref.startswith("A1:")
    deals = list(book["Сделки"].values)
    assert deals[1][7] == "Переговоры" or deals[2][7] == "Переговоры"


def test_english_labels_and_row_cap(tmp_path):
    many = [
        Issue("contact", "c.csv", "", n, str(n), "Имя", "NAME", "t.bang", "x", "warning", "m", "")
        for n in range(2, 12)
    ]
    path = write_errors_xlsx(
        tmp_path / "errors.xlsx", issues_frame(many), language="en", max_rows=5
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Contacts"]
    rows = list(book["Contacts"].values)
    assert rows[0][5] == "Original value"
    assert len(rows) == 1 + 5 + 1
    assert rows[-1][0] == "First 5 of 10 problems shown"


def test_no_issues_still_writes_a_summary(tmp_path):
    path = write_errors_xlsx(tmp_path / "errors.xlsx", issues_frame([]))
    assert load_workbook(path).sheetnames == ["Сводка"]
