"""reports/duplicates.xlsx: written, edited in Excel (openpyxl here), read back, re-run."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from migrate.dedupe import DecisionStore, dedupe_table, default_rules
from migrate.errors import ConfigError
from migrate.reports.duplicates_xlsx import DECISION_LABELS, read_decisions, write_duplicates_xlsx


def _write(tmp_path, contacts, decisions=None, language="ru"):
    result = dedupe_table(contacts, default_rules("contact"), decisions=decisions)
    path = write_duplicates_xlsx(tmp_path / "reports" / "duplicates.xlsx", {"contact": result},
                                 {"contact": contacts}, language=language)  # fmt: skip
    return result, path


def _rows(path):
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    return sheet, header, [dict(zip(header, [c.value for c in row], strict=True))
                           for row in sheet.iter_rows(min_row=2)]  # fmt: skip


def test_the_workbook_groups_records_and_offers_a_dropdown(tmp_path, contacts):
    _, path = _write(tmp_path, contacts)
    sheet, header, rows = _rows(path)
    assert sheet.title == "Контакты"
    assert header[:6] == ["Группа", "Решение", "Предложение", "Ключ", "Вероятность, %", "Причина"]
    assert {r["Ключ"] for r in rows} >= {"1", "2", "3", "4", "5", "7", "8"}
    groups = {}
    for r in rows:
        groups.setdefault(r["Группа"], set()).add(r["Ключ"])
    assert {"1", "2", "3"} in groups.values()
    assert sheet.freeze_panes == "A2"
    (validation,) = sheet.data_validations.dataValidation
    assert "объединить" in validation.formula1
    assert "B2" in str(validation.sqref)
    assert any("совпадает" in (r["Причина"] or "") for r in rows)


def test_edited_decisions_are_read_back_and_bind_the_next_run(tmp_path, contacts):
    _, path = _write(tmp_path, contacts)
    sheet, header, rows = _rows(path)
    decision = header.index("Решение") + 1
    labels = DECISION_LABELS["ru"]
    for index, row in enumerate(rows, start=2):
        if row["Ключ"] == "3":
            sheet.cell(row=index, column=decision, value=labels["separate"])
        if row["Ключ"] == "2":
            sheet.cell(row=index, column=decision, value=labels["master"])
    sheet.parent.save(path)
    decided = read_decisions(path)["contact"]
    assert decided.masters == {"2"}
    assert ("1", "2") in decided.merge
    assert ("1", "3") in decided.separate
    assert ("2", "3") in decided.separate
    store = DecisionStore(tmp_path / ".b24migrate" / "dedupe_decisions.json")
    stored = store.record({"contact": decided})["contact"]
    again, _ = _write(tmp_path, contacts, decisions=store.get("contact"))
    assert stored == store.get("contact")
    assert again.key_map["1"] == "2"
    assert again.key_map["2"] == "2"
    assert again.key_map["3"] == "3"


def test_a_review_pair_can_be_merged_from_the_workbook(tmp_path, contacts):
    result, path = _write(tmp_path, contacts, language="en")
    sheet, header, rows = _rows(path)
    assert sheet.title == "Contacts"
    by_key = {r["Key"]: i for i, r in enumerate(rows, start=2)}
    decision = header.index("Decision") + 1
    for key in ("4", "6"):
        if key in by_key:
            sheet.cell(row=by_key[key], column=decision, value="merge")
    sheet.parent.save(path)
    decided = read_decisions(path)["contact"]
    if "6" in by_key:
        assert any("6" in pair for pair in decided.merge)
        again = dedupe_table(contacts, default_rules("contact"), decisions=decided)
        assert again.key_map["6"] == again.key_map["4"]
    else:  # the tool did not even doubt it: nothing to decide
        assert result.key_map["6"] == "6"


def test_an_unknown_decision_is_reported_with_its_row(tmp_path, contacts):
    _, path = _write(tmp_path, contacts)
    sheet, header, _ = _rows(path)
    sheet.cell(row=2, column=header.index("Решение") + 1, value="может быть")
    sheet.parent.save(path)
    with pytest.raises(ConfigError, match="row 2: `может быть` is not a decision"):
        read_decisions(path)
