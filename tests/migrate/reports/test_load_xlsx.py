"""reports/load.xlsx read back: Russian labels, formula-looking errors kept as text."""

from __future__ import annotations

from openpyxl import load_workbook

from migrate.ledger import Ledger, Op, PlannedRecord, Refused, Written
from migrate.reports.load_xlsx import write_load_report


def test_russian_workbook_lists_each_failure_with_its_source_row(tmp_path):
    with Ledger.open(tmp_path / ".b24migrate" / "ledger.sqlite", "amo") as ledger:
        ledger.apply_plan(
            ledger.start_run("plan").id,
            [
                PlannedRecord("company", "co1", Op.CREATE, {"TITLE": "ООО «Ромашка»"}),
                PlannedRecord(
                    "contact",
                    "c1",
                    Op.CREATE,
                    {"NAME": "Иван", "_source": "contacts.xlsx", "_sheet": "Контакты", "_row": 12},
                ),
            ],
        )
        run = ledger.start_run("load")
        company, contact = ledger.records()
        batch = ledger.mark_sending(run.id, [company.id, contact.id])
        ledger.apply_results(
            batch.id, [Written(company.id, 7), Refused(contact.id, "=ERROR: bad EMAIL")]
        )
        path = write_load_report(ledger, tmp_path / "reports")
    book = load_workbook(path)
    assert book.sheetnames == ["Сводка", "Ошибки загрузки"]
    summary = list(book["Сводка"].iter_rows(values_only=True))
    assert summary[0] == ("Сущность", "Запланировано", "Отправляется", "Загружено", "Ошибок",
                          "Всего")  # fmt: skip
    assert ("Компании", 0, 0, 1, 0, 1) in summary
    assert ("Контакты", 0, 0, 0, 1, 1) in summary
    sheet = book["Ошибки загрузки"]
    row = [c.value for c in sheet[2]]
    assert row[:7] == ["Контакты", "c1", "create", "=ERROR: bad EMAIL", "contacts.xlsx",
                       "Контакты", 12]  # fmt: skip
    assert sheet["D2"].data_type == "s"  # not a formula
    assert sheet.freeze_panes == "A2"
