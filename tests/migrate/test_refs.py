"""References: source key first, then name; unresolved → None with a warning."""

from __future__ import annotations

import pandas as pd

from mappings.schema import parse_mapping
from migrate.prepare.refs import resolve_references


def table(rows):
    frame = pd.DataFrame(rows, dtype=object)
    frame["_source"], frame["_sheet"] = "x.csv", ""
    frame["_row"] = range(2, len(frame) + 2)
    return frame


MAPPINGS = {
    "company": parse_mapping("entity: company\nkey: ID\nfields:\n  TITLE: {from: T}\n"),
    "contact": parse_mapping(
        "entity: contact\nkey: ID\nfields:\n  NAME: {from: N}\n  LAST_NAME: {from: L}\n"
    ),
    "deal": parse_mapping(
        "entity: deal\nkey: ID\nfields:\n"
        "  COMPANY_ID: {from: [C, CN], ref: company}\n"
        "  CONTACT_IDS: {from: [P, PN], ref: contact}\n"
    ),
    "note": parse_mapping(
        "entity: note\nkey: ID\nfields:\n"
        "  ENTITY_TYPE: {from: E}\n  ENTITY_ID: {from: I, ref: any}\n"
    ),
}


def test_keys_then_names_then_unresolved():
    tables = {
        "company": table({"_key": ["c1", "c2", "c3"], "TITLE": ["Ромашка", "Лютик", "Лютик"]}),
        "contact": table({"_key": ["p1"], "NAME": ["Анна"], "LAST_NAME": ["Смирнова"]}),
        "deal": table(
            {
                "_key": ["d1", "d2", "d3", "d4"],
                "COMPANY_ID": ["c2", "ромашка", "Лютик", "Нет такой"],
                "CONTACT_IDS": [("p1",), ("Смирнова Анна",), ("Анна Смирнова", "p9"), ()],
            }
        ),
    }
    out, issues = resolve_references(tables, MAPPINGS, "ru")
    assert out["deal"]["COMPANY_ID"].tolist() == ["c2", "c1", "c2", None]
    assert out["deal"]["CONTACT_IDS"].tolist() == [("p1",), ("p1",), ("p1",), ()]
    found = sorted(zip(issues["rule"], issues["value"], strict=True))
    assert found == [
        ("ref.ambiguous", "Лютик"),
        ("ref.unresolved", "p9"),
        ("ref.unresolved", "Нет такой"),
    ]
    assert set(issues["severity"]) == {"warning"}


def test_any_reference_follows_entity_type_and_missing_entities_are_left_alone():
    tables = {
        "company": table({"_key": ["c1"], "TITLE": ["Ромашка"]}),
        "note": table(
            {
                "_key": ["n1", "n2", "n3"],
                "ENTITY_TYPE": ["company", "deal", "company"],
                "ENTITY_ID": ["c1", "d7", "c404"],
            }
        ),
    }
    out, issues = resolve_references(tables, MAPPINGS, "en")
    # the missing owner stays as written: the plan names it when it refuses the note
    assert out["note"]["ENTITY_ID"].tolist() == ["c1", "d7", "c404"]
    assert issues["rule"].tolist() == ["ref.unresolved"]
