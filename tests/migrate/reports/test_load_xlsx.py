"""reports/load.xlsx read back: Russian labels, formula-looking errors kept as text."""

from __future__ import annotations

from openpyxl import load_workbook

from migrate.ledger import Ledger, Op, PlannedRecord, Ref, Refused, Written
from migrate.reports.load_xlsx import read_retry_keys, write_load_report


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
    assert book.sheetnames == ["Сводка", "Причины ошибок", "Ошибки загрузки", "Ожидают"]
    summary = list(book["Сводка"].iter_rows(values_only=True))
    assert summary[0] == ("Сущность", "Загружено", "Ошибок", "Ждут исправления",
                          "Запланировано", "Отправляется", "Всего")  # fmt: skip
    assert ("Компании", 1, 0, 0, 0, 0, 1) in summary
    assert ("Контакты", 0, 1, 0, 0, 0, 1) in summary
    sheet = book["Ошибки загрузки"]
    row = [c.value for c in sheet[2]]
    assert row[:8] == ["Контакты", "c1", "create", "=ERROR: bad EMAIL", "=ERROR: bad EMAIL",
                       "contacts.xlsx", "Контакты", 12]  # fmt: skip
    assert sheet["E2"].data_type == "s"  # not a formula
    assert sheet.freeze_panes == "A2"


def failed_deals(tmp_path, count=5):
    """Deals refused for one reason with their own values, and deal comments waiting."""
    records = [PlannedRecord("deal", f"d{i}", Op.CREATE, {"TITLE": f"Сделка {i}"})
               for i in range(count)]  # fmt: skip
    records += [PlannedRecord("comment", f"n{i}", Op.CREATE, {"COMMENT": "звонок"},
                              (Ref("ENTITY_ID", "deal", f"d{i}"),)) for i in range(2)]  # fmt: skip
    ledger = Ledger.open(tmp_path / ".b24migrate" / "ledger.sqlite", "amo")
    ledger.apply_plan(ledger.start_run("plan").id, records)
    run = ledger.start_run("load")
    deals = ledger.records("deal")
    batch = ledger.mark_sending(run.id, [d.id for d in deals])
    texts = [f'ERROR_CORE: The field "Теги" has an invalid value "тег{i}"' for i in range(count)]
    ledger.apply_results(batch.id, [Refused(d.id, t) for d, t in zip(deals, texts, strict=True)])
    return ledger


def test_failures_are_grouped_by_reason_and_waiting_records_have_their_own_column(tmp_path):
    with failed_deals(tmp_path) as ledger:
        path = write_load_report(ledger, tmp_path / "reports", "en")
    book = load_workbook(path)
    assert book.sheetnames[0] == "Summary"  # the summary first
    summary = {r[0]: r[1:] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Deals"] == (0, 5, 0, 0, 0, 5)
    assert summary["Comments"] == (0, 0, 2, 0, 0, 2)  # waiting for a fix, not "planned"
    (reason,) = list(book["Failure reasons"].iter_rows(min_row=2, values_only=True))
    assert reason[:4] == ("Deals", 'ERROR_CORE: The field "Теги" has an invalid value "…"', 5,
                          "d0, d1, d2")  # fmt: skip
    waiting = list(book["Waiting"].iter_rows(min_row=2, values_only=True))
    assert [w[:4] for w in waiting] == [
        ("Comments", "n0", "Deals d0", "failed to load"),
        ("Comments", "n1", "Deals d1", "failed to load"),
    ]


def test_the_failed_records_sheet_is_read_back_for_retry(tmp_path):
    with failed_deals(tmp_path) as ledger:
        path = write_load_report(ledger, tmp_path / "reports")
    book = load_workbook(path)
    sheet = book["Ошибки загрузки"]
    sheet.delete_rows(3, 3)  # the user keeps d0 and d4
    book.save(path)
    assert read_retry_keys(path) == [("deal", "d0"), ("deal", "d4")]
    listed = tmp_path / "keys.txt"
    listed.write_text("deal:d1\nd2\n# a comment\n\n", encoding="utf-8")
    assert read_retry_keys(listed) == [("deal", "d1"), (None, "d2")]
