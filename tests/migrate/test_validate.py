"""Validation: pandera checks → Issue rows; errors keep rows out, warnings load."""

from __future__ import annotations

import pandas as pd

from mappings.schema import parse_mapping
from migrate.issues import ISSUE_COLUMNS, Issue, issues_frame, issues_from_frame
from migrate.prepare.transform import apply_mapping
from migrate.prepare.validate import build_schema, validate_table
from tests.migrate.conftest import make_raw


def mapping(fields: str, entity: str = "deal"):
    return parse_mapping(f"entity: {entity}\nkey: ID\nfields:\n{fields}", f"{entity}.yaml")


def check(fields, columns, entity="deal", **options):
    m = mapping(fields, entity)
    return validate_table(apply_mapping(make_raw(columns), m), m, **options)


def test_duplicate_and_empty_keys_are_errors_and_the_first_stays():
    result = check(
        "  TITLE: {from: Название}\n", {"ID": ["1", "2", "1", "", "1"], "Название": list("abcde")}
    )
    issues = result.issues.sort_values("row")
    assert issues[["row", "rule"]].values.tolist() == [
        [4, "key.duplicate"],
        [5, "key.empty"],
        [6, "key.duplicate"],
    ]
    assert "строке 2" in issues["message"].iloc[0]
    assert result.frame["_key"].tolist() == ["1", "2"]
    assert result.rows_read == 5


def test_required_field_missing():
    result = check(
        "  TITLE: {from: Название, required: true}\n",
        {"ID": ["1", "2"], "Название": ["Сделка", "  "]},
        language="en",
    )
    assert result.issues["rule"].tolist() == ["field.required"]
    assert result.issues["message"].tolist() == ["Required field `TITLE` is empty"]
    assert result.frame["_key"].tolist() == ["1"]


def test_text_too_long_is_a_warning_and_the_value_is_cut():
    result = check(
        "  TITLE: {from: Название, max_length: 5}\n",
        {"ID": ["1", "2"], "Название": ["Короткий текст", "Ок"]},
    )
    assert result.issues["rule"].tolist() == ["text.too_long"]
    assert result.issues["severity"].tolist() == ["warning"]
    assert result.issues["value"].tolist() == ["Короткий текст"]
    assert result.frame["TITLE"].tolist() == ["Корот", "Ок"]


def test_default_text_limit_is_255():
    result = check("  TITLE: {from: Название}\n", {"ID": ["1"], "Название": ["я" * 300]})
    assert result.issues["rule"].tolist() == ["text.too_long"]
    assert len(result.frame["TITLE"].iloc[0]) == 255


def test_portal_metadata_enumeration_labels_become_ids_and_unknowns_are_suggested():
    meta = {
        "UF_CRM_KIND": {
            "type": "enumeration",
            "isRequired": False,
            "items": [{"ID": "41", "VALUE": "Опт"}, {"ID": "42", "VALUE": "Розница"}],
        },
        "TITLE": {"type": "string", "isRequired": True, "isReadOnly": False},
        "CLOSEDATE": {"type": "date", "isRequired": True, "isReadOnly": False},
        "DATE_MODIFY": {"type": "datetime", "isRequired": False, "isReadOnly": True},
    }
    fields = (
        "  UF_CRM_KIND: {from: Вид}\n  TITLE: {from: Название}\n  DATE_MODIFY: {from: Изменено}\n"
    )
    columns = {
        "ID": ["1", "2", "3", "4"],
        "Вид": [" опт", "42", "Розниц", ""],
        "Название": ["a", "b", "", "d"],
        "Изменено": ["", "", "", ""],
    }
    result = check(fields, columns, fields_meta=meta)
    rows = [None if pd.isna(r) else int(r) for r in result.issues["row"]]
    found = set(zip(result.issues["rule"], rows, strict=True))
    assert found == {
        ("enum.unknown", 4),
        ("field.required", 4),
        ("field.unmapped_required", None),
        ("field.read_only", None),
    }
    unknown = result.issues[result.issues["rule"] == "enum.unknown"]
    assert unknown["suggestion"].tolist() == ["Розница"]
    assert result.frame["UF_CRM_KIND"].tolist() == ["41", "42", None]


def test_status_lists_check_crm_status_fields():
    meta = {"STAGE_ID": {"type": "crm_status", "statusType": "DEAL_STAGE", "isRequired": False}}
    result = check(
        "  STAGE_ID: {from: Этап}\n",
        {"ID": ["1", "2"], "Этап": ["NEW", "NEWW"]},
        fields_meta=meta,
        statuses={"DEAL_STAGE": ["NEW", "WON", "LOSE"]},
    )
    assert result.issues["rule"].tolist() == ["enum.unknown"]
    assert result.issues["suggestion"].tolist() == ["NEW"]


def test_cleaner_errors_drop_the_row_and_warnings_keep_it():
    result = check(
        "  TITLE: {from: Название, clean: [t_upper]}\n",
        {"ID": ["1", "2", "3"], "Название": ["a", "b!", "c?"]},
    )
    assert result.frame["TITLE"].tolist() == ["A", "C"]
    assert sorted(result.issues["severity"]) == ["error", "warning"]


def test_schema_is_pandera_with_rule_names():
    schema = build_schema(mapping("  TITLE: {from: Название, required: true}\n"))
    names = [c.name for c in schema.columns["TITLE"].checks]
    assert names == ["field.required", "text.too_long"]
    assert schema.columns["_key"].unique


def test_issue_dataclass_round_trips_through_the_frame():
    issue = Issue(
        "deal",
        "d.csv",
        "",
        3,
        "7",
        "Этап",
        "STAGE_ID",
        "map.unknown",
        "Думают",
        "error",
        "нет в справочнике",
        "Переговоры",
    )
    frame = issues_frame([issue])
    assert tuple(frame.columns) == ISSUE_COLUMNS
    assert issues_from_frame(frame) == [issue]
