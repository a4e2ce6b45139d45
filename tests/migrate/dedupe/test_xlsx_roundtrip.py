"""reports/duplicates.xlsx: written, edited in Excel (openpyxl here), read back, re-run."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from migrate.dedupe import DecisionStore, dedupe_table, default_rules, parse_rules
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
    strict = parse_rules({"base": "contact", "thresholds": {"match": 0.999, "review": 0.5}},
                         entity="contact")  # fmt: skip
    result = dedupe_table(contacts, strict)
    review = result.pairs[result.pairs["status"] == "review"]
    assert ("7", "8") in set(zip(review["key_a"], review["key_b"], strict=True))
    assert result.key_map["8"] == "8"
    path = write_duplicates_xlsx(tmp_path / "duplicates.xlsx", {"contact": result},
                                 {"contact": contacts}, language="en")  # fmt: skip
    sheet, header, rows = _rows(path)
    assert sheet.title == "Contacts"
    by_key = {r["Key"]: i for i, r in enumerate(rows, start=2)}
    assert rows[by_key["8"] - 2]["Proposal"] == "to review"
    sheet.cell(row=by_key["8"], column=header.index("Decision") + 1, value="merge")
    sheet.parent.save(path)
    decided = read_decisions(path)["contact"]
    assert decided.merge == {("7", "8")}
    again = dedupe_table(contacts, strict, decisions=decided)
    assert again.key_map["8"] == again.key_map["7"]
    assert set(again.pairs[again.pairs["status"] == "decided"]["key_b"]) == {"8"}


def test_an_unknown_decision_is_reported_with_its_row(tmp_path, contacts):
    _, path = _write(tmp_path, contacts)
    sheet, header, _ = _rows(path)
    sheet.cell(row=2, column=header.index("Решение") + 1, value="может быть")
    sheet.parent.save(path)
    with pytest.raises(ConfigError, match="row 2: `может быть` is not a decision"):
        read_decisions(path)
