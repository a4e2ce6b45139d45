"""Reference resolution and content hashes."""

from __future__ import annotations

import pytest

from migrate.ledger import Op, PlannedRecord, Ref, content_hash
from migrate.ledger._model import PlanSummary, resolve_refs


@pytest.mark.parametrize(
    ("fields", "ref_ids", "expected"),
    [
        ({"TITLE": "ООО Ромашка"}, (("COMPANY_ID", 7),), {"TITLE": "ООО Ромашка", "COMPANY_ID": 7}),
        (
            {"CONTACT_IDS": [None, None]},
            (("CONTACT_IDS.0", 3), ("CONTACT_IDS.1", 4)),
            {"CONTACT_IDS": [3, 4]},
        ),
        ({}, (("CONTACT_IDS.1", 4),), {"CONTACT_IDS": [None, 4]}),
        (
            {"rows": [{"PRICE": "10.00"}]},
            (("rows.0.PRODUCT_ID", 55),),
            {"rows": [{"PRICE": "10.00", "PRODUCT_ID": 55}]},
        ),
        ({}, (("rows.1.PRODUCT_ID", 5),), {"rows": [None, {"PRODUCT_ID": 5}]}),
        ({"a": "x"}, (("a.b", 1),), {"a": {"b": 1}}),
        ({"rows": [1]}, (("rows.0.0", 9),), {"rows": [[9]]}),
        ({"ENTITY_ID": None}, (("ENTITY_ID", None),), {"ENTITY_ID": None}),
    ],
)
def test_resolve_refs_writes_each_id_at_its_path(fields, ref_ids, expected):
    assert resolve_refs(fields, ref_ids) == expected


def test_resolve_refs_leaves_the_input_alone():
    fields = {"rows": [{"PRICE": "1"}]}
    resolve_refs(fields, (("rows.0.PRODUCT_ID", 1),))
    assert fields == {"rows": [{"PRICE": "1"}]}


def test_content_hash_ignores_key_order_and_ref_order_but_not_values():
    a = content_hash({"A": 1, "B": "Иванов"}, (Ref("X", "company", "1"), Ref("Y", "contact", "2")))
    b = content_hash({"B": "Иванов", "A": 1}, (Ref("Y", "contact", "2"), Ref("X", "company", "1")))
    c = content_hash({"A": 1, "B": "Иванова"}, (Ref("X", "company", "1"), Ref("Y", "contact", "2")))
    d = content_hash({"A": 1, "B": "Иванов"}, (Ref("X", "company", "9"), Ref("Y", "contact", "2")))
    assert a == b
    assert len({a, c, d}) == 3


def test_planned_record_hash_is_the_content_hash():
    record = PlannedRecord("company", "1", Op.CREATE, {"TITLE": "Т"}, (Ref("P", "company", "2"),))
    assert record.content_hash == content_hash({"TITLE": "Т"}, (Ref("P", "company", "2"),))


def test_plan_summary_get_defaults_to_zero():
    summary = PlanSummary({("company", "new"): 2})
    assert summary.get("company", "new") == 2
    assert summary.get("company", "changed") == 0


def test_provenance_hints_are_read_back_and_do_not_change_the_content_hash():
    base = {"TITLE": "ООО «Ромашка»"}
    first = PlannedRecord("company", "co1", Op.CREATE, {**base, "_source": "a.csv", "_row": 2})
    moved = PlannedRecord("company", "co1", Op.CREATE, {**base, "_source": "a.csv", "_row": 9})
    assert first.content_hash == moved.content_hash
    assert (
        first.content_hash
        != PlannedRecord("company", "co1", Op.CREATE, {"TITLE": "x"}).content_hash
    )
