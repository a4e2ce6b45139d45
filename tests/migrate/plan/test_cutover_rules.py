"""The cut-over rules without a portal: what counts as a portal edit, what a decision binds,
what is gone from the source, and the decisions read back from plan.xlsx."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from migrate.errors import ConfigError
from migrate.ledger import LedgerRecord, Op, PlannedRecord, Ref, State
from migrate.plan import Conflict, Cutover, FieldDiff, GoneRecord
from migrate.plan._cutover import (
    TAKEN,
    apply_conflicts,
    gone_records,
    listed_stamps,
    merge_choices,
)
from migrate.reports._cutover_xlsx import read_choices, unread_choices, write_cutover

STAMP = "2026-12-02T22:00:05+03:00"


def written(entity, key, fields, *, b24_id=7, ref_ids=(), state=State.DONE, op=Op.CREATE):
    """A ledger record as the first load left it (what we wrote)."""
    digest = PlannedRecord(entity, key, op, fields).content_hash
    return LedgerRecord(1, entity, key, op, state, fields, digest, b24_id, 1, None, 1, "", 1,
                        tuple(ref_ids))  # fmt: skip


def row(**values):
    return {"ID": "7", "DATE_MODIFY": STAMP, "MODIFY_BY_ID": "5", **values}


DEAL = {"TITLE": "Монтаж", "OPPORTUNITY": 15000.0, "CLOSEDATE": "2026-01-31", "COMPANY_ID": None}
PORTAL_DEAL = row(TITLE="Монтаж", OPPORTUNITY="15000.00",
                  CLOSEDATE="2026-01-31T03:00:00+03:00", COMPANY_ID="3")  # fmt: skip
COMPANY = (Ref("COMPANY_ID", "company", "co1"),)


def plan_one(record, old, portal_row, choices=None):
    return apply_conflicts([record], {(old.entity, old.source_key): old},
                           {(old.entity, old.source_key): portal_row}, choices or {},
                           {"company": {"co1": 3, "co4": 9}})  # fmt: skip


def test_what_a_legacy_list_returns_for_what_we_wrote_is_no_edit():
    old = written("deal", "d1", DEAL, ref_ids=(("COMPANY_ID", 3),))
    record = PlannedRecord("deal", "d1", Op.CREATE, DEAL, COMPANY)
    records, conflicts = plan_one(record, old, PORTAL_DEAL)
    assert conflicts == [], "money, dates and ids in their list form are what we wrote"
    assert records == [record]


@pytest.mark.parametrize(
    ("field", "portal", "shown"),
    [("TITLE", "Монтаж (срочно)", "Монтаж"), ("OPPORTUNITY", "99.00", "15000.0"),
     ("CLOSEDATE", "2026-02-28T03:00:00+03:00", "2026-01-31"), ("COMPANY_ID", "8", "3")],
)  # fmt: skip
def test_a_field_edited_in_the_portal_holds_the_record(field, portal, shown):
    old = written("deal", "d1", DEAL, ref_ids=(("COMPANY_ID", 3),))
    record = PlannedRecord("deal", "d1", Op.CREATE, {**DEAL, "TITLE": "Монтаж 2"}, COMPANY)
    products = PlannedRecord("deal_products", "d1", Op.SET, {"ROWS": []},
                             (Ref("", "deal", "d1"),))  # fmt: skip
    other = PlannedRecord("deal", "d2", Op.CREATE, DEAL)
    records, conflicts = apply_conflicts(
        [record, products, other], {("deal", "d1"): old}, {("deal", "d1"): {**PORTAL_DEAL,
        field: portal}}, {}, {"company": {"co1": 3}},
    )  # fmt: skip
    assert records == [other], "the record and its product rows wait for the client"
    (conflict,) = conflicts
    diffs = {d.field: d for d in conflict.diffs}
    assert field in diffs
    assert diffs[field].portal == portal
    if field != "TITLE":
        assert diffs[field].source == shown
    assert conflict.source_changed
    assert conflict.choice == ""
    assert conflict.modified_by == "5"


def test_a_phone_added_in_the_portal_is_no_conflict_a_phone_removed_is():
    web = [["http://Romashka.example", "WORK"]]
    fields = {"NAME": "Анна", "PHONE": [["+79161112233", "WORK"]], "WEB": web}
    old = written("contact", "ct1", fields)
    record = PlannedRecord("contact", "ct1", Op.CREATE, fields)
    both = [{"VALUE": "+7 916 111-22-33"}, {"VALUE": "+79990000000"}]
    site = [{"ID": "4", "VALUE_TYPE": "WORK", "VALUE": "http://romashka.example", "TYPE_ID": "WEB"}]
    assert plan_one(record, old, row(NAME="Анна", PHONE=both, WEB=site))[1] == []
    (conflict,) = plan_one(record, old, row(NAME="Анна", PHONE=both[1:], WEB=site))[1]
    assert conflict.diffs == (FieldDiff("PHONE", "+79161112233", "+79990000000"),)
    assert not conflict.source_changed


def test_take_source_is_an_update_bound_to_the_portal_edit_it_was_made_about():
    fields = {"NAME": "Анна", "PHONE": [["+79161112233", "WORK"], ["+79162223344", "WORK"]]}
    old = written("contact", "ct2", fields)
    record = PlannedRecord("contact", "ct2", Op.CREATE, fields)
    edited = row(NAME="Анна-Мария", PHONE=[{"VALUE": "+79161112233"}])
    decided = {"contact\tct2": {"choice": "source", "modified": STAMP}}
    (update,), (conflict,) = plan_one(record, old, edited, decided)
    assert conflict.choice == "source"
    assert update.op is Op.UPDATE
    assert update.fields[TAKEN] == STAMP
    assert update.fields["PHONE"] == [["+79162223344", "WORK"]], "no phone appended twice"
    assert update.content_hash != old.content_hash, "the ledger plans it"
    later = {**edited, "DATE_MODIFY": "2026-12-03T09:00:00+03:00"}
    records, (again,) = plan_one(record, old, later, decided)
    assert records == []
    assert again.choice == "", "edited again: asked again"


def test_decisions_bind_only_conflicts_the_last_plan_listed():
    listed = listed_stamps([Conflict("deal", "d3", 2, "", STAMP, "1", ())])
    read = {"deal\td3": "portal", "deal\td9": "source"}
    merged = merge_choices(None, listed, read)
    assert merged == {"deal\td3": {"choice": "portal", "modified": STAMP}}
    assert merge_choices(json.dumps(merged), listed, {"deal\td3": ""}) == {}, "cleared"
    assert merge_choices(json.dumps(merged), listed, {}) == merged, "kept"
    assert merge_choices("not json", None, read) == {}


def test_gone_records_are_loaded_records_the_export_no_longer_has():
    previous = {
        ("contact", "ct1"): written("contact", "ct1", {"LAST_NAME": "Белов", "NAME": "Пётр"}),
        ("contact", "ct2"): written("contact", "ct2", {"NAME": "Анна"}),
        ("contact", "ct5"): written("contact", "ct5", {}, b24_id=None, state=State.FAILED),
        ("contact", "ct6"): written("contact", "ct6", {}, op=Op.SKIP),
        ("lead", "l1"): written("lead", "l1", {"TITLE": "x"}),
    }
    gone = gone_records(previous, {"contact": {"ct2"}})
    assert gone == [GoneRecord("contact", "ct1", 7, "Белов Пётр")], "never loaded/ours: no"


def _workbook(tmp_path, conflicts, language="ru"):
    from openpyxl import Workbook

    book = Workbook()
    write_cutover(book, Cutover(tuple(conflicts)), language)
    path = tmp_path / "plan.xlsx"
    book.save(path)
    return path


TWO_FIELDS = Conflict(
    "deal",
    "d3",
    2,
    "Монтаж",
    STAMP,
    "1",
    (FieldDiff("TITLE", "a", "b"), FieldDiff("SUM", "1", "2")),
)


def _set(path, column, *values):
    book = load_workbook(path)
    sheet = book.worksheets[1]
    for number, value in enumerate(values, start=2):
        sheet.cell(row=number, column=column, value=value)
    book.save(path)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_decisions_read_back_in_either_language(tmp_path, language):
    path = _workbook(tmp_path, [TWO_FIELDS], language)
    assert read_choices(path) == {"deal\td3": ""}
    word = {"ru": "взять из источника", "en": "take source"}[language]
    _set(path, 1, word, None)
    assert read_choices(path) == {"deal\td3": "source"}


def test_a_bad_decision_is_refused_and_the_workbook_kept_aside(tmp_path):
    path = _workbook(tmp_path, [TWO_FIELDS])
    _set(path, 1, "взять из источника", "оставить как на портале")
    with pytest.raises(ConfigError, match="two decisions"):
        read_choices(path)
    _set(path, 1, "да", None)
    with pytest.raises(ConfigError, match="is not a decision"):
        read_choices(path)
    choices, kept = unread_choices(path)
    assert choices == {}
    assert kept is not None
    assert kept.is_file()
    assert not path.exists()
    assert kept.name.startswith("plan.kept-")
