"""Mapping files: load → dataclasses → dump round-trip, and every problem with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import mappings
from mappings.schema import (
    MappingProblems,
    check_columns,
    dump_mapping,
    load_mapping,
    parse_mapping,
    to_yaml,
)

PRESET_FILES = sorted(
    p for p in Path(mappings.__file__).parent.rglob("*.yaml") if p.name != "preset.yaml"
)

GOOD = """\
entity: contact
key: ID
fields:
  _fio: {from: ФИО, clean: [t_upper], split_fio: [LAST_NAME, NAME, SECOND_NAME]}
  PHONE:
    from: [Тел, Моб]
    clean: [t_list]
    value_type: {Тел: WORK, Моб: MOBILE}
    severity: warning
  SOURCE_ID: {from: Источник, map: {Сайт: WEB, Звонок: CALL}, default: OTHER}
  COMPANY_ID: {from: Компания, ref: company}
  ASSIGNED_BY_ID: {owner: Ответственный}
  BIRTHDATE: {from: ДР, clean: [{t_pad: {width: 8}}, t_list], required: true}
  OPENED: {const: 'Y'}
  UF_CRM_LEVEL: {from: Уровень, max_length: 20}
"""


def test_good_mapping_loads_into_dataclasses():
    mapping = parse_mapping(GOOD, "contact.yaml")
    assert mapping.entity == "contact"
    assert mapping.key == "ID"
    phone = mapping.field("PHONE")
    assert phone is not None
    assert phone.sources == ("Тел", "Моб")
    assert phone.value_type_for("Моб") == "MOBILE"
    assert mapping.field("ASSIGNED_BY_ID").owner is True
    assert mapping.field("SOURCE_ID").value_map["Сайт"] == "WEB"
    assert mapping.targets()[:3] == ["LAST_NAME", "NAME", "SECOND_NAME"]
    assert mapping.columns()[0] == "ID"


def test_round_trip_gives_back_the_structure():
    mapping = parse_mapping(GOOD, "contact.yaml")
    assert dump_mapping(mapping) == yaml.safe_load(GOOD)
    assert parse_mapping(to_yaml(mapping), "again.yaml") == mapping


@pytest.mark.parametrize(
    "path", PRESET_FILES, ids=lambda p: str(p.relative_to(Path(mappings.__file__).parent))
)
def test_every_preset_loads_and_round_trips(path):
    mapping = load_mapping(path)
    assert dump_mapping(mapping) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_bad_mapping_reports_every_problem_with_its_line():
    text = """\
entity: contact
key: ID
feilds: {}
fields:
  NAME: {from: Имя, clean: [t_uper, {t_pad: {widht: 3}}]}
  PHONE: {clean: [t_list], value_type: CELL}
  TITLE: {from: Название}
  COMPANY_ID: {from: Компания, ref: compny}
  EMAIL: {frm: Почта}
  SOURCE_ID: {from: Источник, severity: fatal, required: yes please}
"""
    with pytest.raises(MappingProblems) as info:
        parse_mapping(text, "contact.yaml")
    problems = "\n".join(info.value.problems)
    assert "contact.yaml:3: unknown key `feilds` (did you mean `fields`?)" in problems
    assert "contact.yaml:5: unknown cleaner `t_uper` (did you mean `t_upper`?)" in problems
    assert (
        "contact.yaml:5: cleaner `t_pad` has no option `widht` (did you mean `width`?)" in problems
    )
    assert "contact.yaml:6: `PHONE`: `from` is missing" in problems
    assert "contact.yaml:6: unknown PHONE value_type `CELL`" in problems
    assert "contact.yaml:7: `TITLE` is not a contact field" in problems
    assert (
        "contact.yaml:8: `ref` must name an entity, not `compny` (did you mean `company`?)"
        in problems
    )
    assert "contact.yaml:9: `EMAIL`: unknown key `frm` (did you mean `from`?)" in problems
    assert "contact.yaml:10: `severity` must be `error` or `warning`" in problems
    assert "contact.yaml:10: `required` must be true or false" in problems
    assert len(info.value.problems) >= 9


def test_wrong_entity_and_missing_key():
    with pytest.raises(MappingProblems) as info:
        parse_mapping("entity: contacts\nfields:\n  NAME: {from: Имя}\n", "c.yaml")
    assert any(
        "unknown entity `contacts` (did you mean `contact`?)" in p for p in info.value.problems
    )
    assert any("`key` is missing" in p for p in info.value.problems)


def test_duplicate_keys_and_bad_yaml_are_reported():
    with pytest.raises(MappingProblems) as info:
        parse_mapping("entity: contact\nkey: ID\nfields:\n  NAME: {from: A}\n  NAME: {from: B}\n")
    assert any(":5: `NAME` is written twice" in p for p in info.value.problems)
    with pytest.raises(MappingProblems) as info:
        parse_mapping("entity: contact\nkey: [ID\n", "broken.yaml")
    assert info.value.problems[0].startswith("broken.yaml:")


def test_columns_missing_from_the_source_are_named_with_lines():
    mapping = parse_mapping(GOOD, "contact.yaml")
    have = ["ID", "ФИО", "Тел", "Моб", "Источник", "Компания", "Ответственный", "ДР", "Уровни"]
    problems = check_columns(mapping, have, "contacts.csv")
    assert problems == [
        "contact.yaml:15: column `Уровень` is not in `contacts.csv` (did you mean `Уровни`?)"
    ]


def test_a_user_fields_type_is_checked_and_round_trips():
    text = (
        "entity: company\nkey: ID\nfields:\n  TITLE: {from: A}\n"
        "  UF_CRM_SPHERE: {from: B, type: enumeration}\n"
    )
    mapping = parse_mapping(text, "company.yaml")
    (spec,) = (f for f in mapping.fields if f.name == "UF_CRM_SPHERE")
    assert spec.type == "enumeration"
    assert parse_mapping(to_yaml(mapping), "company.yaml") == mapping
    bad = text + "  UF_CRM_X: {from: C, type: list}\n  COMMENTS: {from: D, type: string}\n"
    with pytest.raises(MappingProblems) as info:
        parse_mapping(bad, "company.yaml")
    assert info.value.problems == [
        "company.yaml:6: `UF_CRM_X`: `type` must be one of string, enumeration, double, "
        "integer, date, datetime, boolean, url, not 'list'",
        "company.yaml:7: `COMMENTS`: `type` is for user fields (`UF_CRM_…`) only",
    ]


def test_escaped_values_need_a_separator_and_round_trip():
    text = (
        "entity: contact\nkey: ID\nfields:\n"
        '  UF_CRM_LANGS: {from: A, separator: "\\n", escaped: true}\n'
    )
    mapping = parse_mapping(text, "contact.yaml")
    (spec,) = mapping.fields
    assert (spec.separator, spec.escaped) == ("\n", True)
    assert parse_mapping(to_yaml(mapping), "contact.yaml") == mapping
    bad = text + "  UF_CRM_X: {from: B, escaped: true}\n  UF_CRM_Y: {from: C, escaped: 2}\n"
    with pytest.raises(MappingProblems) as info:
        parse_mapping(bad, "contact.yaml")
    assert info.value.problems == [
        "contact.yaml:5: `UF_CRM_X`: `escaped` needs a `separator`",
        "contact.yaml:6: `escaped` must be true or false, not 2",
    ]
