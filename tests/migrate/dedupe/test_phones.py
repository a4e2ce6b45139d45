"""Damaged phones: another record's number with its first digit lost or added."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from migrate.dedupe.phones import damaged_phones, with_reasons
from migrate.issues import issues_frame
from migrate.run import Migration

from .conftest import contact_frame


def _table(phones: list[str]) -> pd.DataFrame:
    rows = [(str(i), f"Фамилия{i}", f"Имя{i}", "", p, "", "2024-01-01")
            for i, p in enumerate(phones, start=1)]  # fmt: skip
    return contact_frame(rows)


@pytest.mark.parametrize(("phones", "flagged"), [
    (["+380501234567", "8 050 123-45-67"], {("2", "1")}),   # Ukraine lost its «3»: +7 050…
    (["+374 95 123456", "+7 495 123456"], {("2", "1")}),    # Armenia lost its «3»
    (["+7 916 123-45-67", "+9 7916123456 7"], {("1", "2")}), # a «9» added in front
    (["+79161234567", "+97916123456"], set()),               # a digit added, another lost
    (["+79161234567", "8 (916) 123-45-67"], set()),          # one number written twice
    (["+79161234567", "89161234567; +380501234567"], set()),
    (["12345678", "2345678"], set()),                         # too short to tell
    (["", ""], set()),                                         # no phones at all
])  # fmt: skip
def test_a_number_cut_short_is_flagged_on_the_shorter_one(phones, flagged):
    found = damaged_phones(_table(phones), "contact")
    assert set(zip(found.pairs["key_a"], found.pairs["key_b"], strict=True)) == flagged
    assert set(found.issues["key"]) == {a for a, _ in flagged}
    assert set(found.issues["severity"]) <= {"warning"}


def test_the_warning_says_what_and_where_in_both_languages():
    table = _table(["+380501234567", "8 050 123-45-67"])
    ru = damaged_phones(table, "contact").issues.iloc[0]
    assert (ru["rule"], ru["row"], ru["source"], ru["value"]) == (
        "phone.damaged",
        3,
        "contacts.csv",
        "8 050 123-45-67",
    )
    assert "+380501234567" in ru["message"]
    assert "«3»" in ru["message"]
    en = damaged_phones(table, "contact", language="en").issues.iloc[0]
    assert "without its first digit" in en["message"]


def test_a_known_pair_gets_the_reason_a_new_one_is_added_for_review():
    table = _table(["+380501234567", "8 050 123-45-67", "+79031112233", "9031112233"])
    found = damaged_phones(table, "contact", language="en")
    pairs = pd.DataFrame({"key_a": ["1"], "key_b": ["2"], "probability": [0.7], "score": [1.0],
                          "status": ["review"], "reason": ["same name"]})  # fmt: skip
    merged = with_reasons(pairs, found)
    assert len(merged) == 1
    assert merged["reason"].iloc[0].startswith("same name; phone 8 050 123-45-67 is +380501234567")
    assert with_reasons(pairs.iloc[0:0], found)["status"].tolist() == ["review"]


def test_the_workspace_reports_it_in_errors_and_duplicates(tmp_path, monkeypatch):
    contacts = _table(["+380501234567", "8 050 123-45-67", "+79267778899"])
    config = SimpleNamespace(dedupe={}, language="ru")

    def prepared(self):
        return SimpleNamespace(config=config, tables={"contact": contacts},
                               issues=issues_frame([]), stats=())  # fmt: skip

    monkeypatch.setattr(Migration, "prepared", prepared)
    monkeypatch.setattr(Migration, "config", property(lambda self: config))
    done = Migration(tmp_path).dedupe()
    assert list(done.deduped.damaged_phones["rule"]) == ["phone.damaged"]
    errors = load_workbook(tmp_path / "reports" / "errors.xlsx")
    detail = [[c.value for c in row] for row in errors["Контакты"].iter_rows()]
    assert any("phone.damaged" in row and "8 050 123-45-67" in row for row in detail)
    sheet = load_workbook(done.report)["Контакты"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    reason = rows[0].index("Причина")
    texts = [r[reason] for r in rows[1:]]
    assert sum("без первой цифры «3»" in str(t) for t in texts) == 2  # both records of the pair
