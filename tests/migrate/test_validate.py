"""Validation: pandera checks → Issue rows; errors keep rows out, warnings load."""

from __future__ import annotations

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


def test_validation_does_not_depend_on_the_portal():
    """Portal rules (required fields, list items, stages) are the plan's checks: the clean tables
    the client reviews after `validate` are the ones the plan works on."""
    schema = build_schema(mapping("  UF_CRM_KIND: {from: Вид}\n  TITLE: {from: Название}\n"))
    assert [c.name for c in schema.columns["UF_CRM_KIND"].checks] == ["text.too_long"]
    result = check("  UF_CRM_KIND: {from: Вид}\n", {"ID": ["1"], "Вид": ["Розниц"]})
    assert result.issues.empty
    assert result.frame["UF_CRM_KIND"].tolist() == ["Розниц"]


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
