"""The portal's own rules, checked by the plan: list labels → item ids, unknown items with the
closest label, required fields the mapping never fills (these used to be validation's, with
the portal's metadata; validation no longer sees the portal)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from loaders.entities import RequisitePresets
from migrate.ledger.blockers import BLOCKING_RULES
from migrate.plan import FieldInfo, PortalMetadata, Status, check_fields
from migrate.plan._checks import unmapped_required
from migrate.plan._enums import enum_ids

KIND = FieldInfo(
    "UF_CRM_KIND", "enumeration", user_field=True, items={"41": "Опт", "42": "Розница"}
)
META = PortalMetadata(
    fields={
        "deal": {
            "UF_CRM_KIND": KIND,
            "TITLE": FieldInfo("TITLE", "string", required=True),
            "CLOSEDATE": FieldInfo("CLOSEDATE", "date", required=True),
            "DATE_MODIFY": FieldInfo("DATE_MODIFY", "datetime", required=True, read_only=True),
            "SOURCE_ID": FieldInfo("SOURCE_ID", "crm_status", status_type="SOURCE"),
        }
    },
    categories={0: "Общая"},
    statuses=(Status("SOURCE", "WEB", "Веб-сайт", 0), Status("SOURCE", "CALL", "Звонок", 0)),
    users=(),
    presets=RequisitePresets(1, 2, 3),
    currencies=("RUB",),
)


def test_labels_become_item_ids_ignoring_case_and_spaces_and_ids_stay():
    values = [" опт", "42", "Розниц", None]
    frame = pd.DataFrame({"_key": ["1", "2", "3", "4"], "UF_CRM_KIND": values}, dtype=object)
    out = enum_ids(frame, META, "deal")
    converted = out["UF_CRM_KIND"].tolist()
    assert converted[:3] == ["41", "42", "Розниц"]
    assert pd.isna(converted[3])
    assert frame["UF_CRM_KIND"].tolist()[:3] == values[:3]  # the input is left as it was


def test_each_value_of_a_multiple_field_becomes_its_item_id():
    values = [("опт", "Розница"), ("Розница",), (), ("Опт", "бартер")]
    frame = pd.DataFrame({"_key": ["1", "2", "3", "4"], "UF_CRM_KIND": values}, dtype=object)
    converted = enum_ids(frame, META, "deal")["UF_CRM_KIND"].tolist()
    assert converted == [["41", "42"], ["42"], [], ["41", "бартер"]]
    several = dataclasses.replace(KIND, multiple=True)
    multiple = dataclasses.replace(META, fields={"deal": {**META.fields["deal"],
                                                          "UF_CRM_KIND": several}})  # fmt: skip
    problems = check_fields(multiple, "deal", {"TITLE": "x", "CLOSEDATE": "2026-01-01",
                                               "UF_CRM_KIND": converted[3]})  # fmt: skip
    assert [(p.rule, p.value) for p in problems] == [("enum.unknown", "бартер")]
    # the field takes one value: several are refused, never cut to the first
    problems = check_fields(META, "deal", {"TITLE": "x", "CLOSEDATE": "2026-01-01",
                                           "UF_CRM_KIND": converted[0]})  # fmt: skip
    assert [(p.rule, p.value) for p in problems] == [("field.single", "41, 42")]
    assert problems[0].message("en") == (
        "field “UF_CRM_KIND” takes one value on the portal, the record has several: “41, 42”"
    )


def test_an_unknown_item_is_refused_with_the_closest_label():
    problems = check_fields(META, "deal", {"TITLE": "x", "CLOSEDATE": "2026-01-01",
                                           "UF_CRM_KIND": "Розниц"})  # fmt: skip
    assert [(p.rule, p.value, p.hint) for p in problems] == [("enum.unknown", "Розниц", "Розница")]
    assert problems[0].message("ru").endswith("(ближайшее: «Розница»)")
    assert problems[0].message("en").endswith("(closest: “Розница”)")


def test_a_dictionary_value_outside_the_portal_list_is_refused():
    problems = check_fields(META, "deal", {"TITLE": "x", "CLOSEDATE": "2026-01-01",
                                           "SOURCE_ID": "EMAIL"})  # fmt: skip
    assert [(p.rule, p.value) for p in problems] == [("status.unknown", "EMAIL")]
    assert problems[0].hint == ""  # no entry's name is near «EMAIL»


def test_dictionary_names_become_entry_ids_with_look_alike_letters_folded():
    # «Звонок» as Bitrix24's export writes SOURCE_ID; «3вонок» typed with a digit is no match,
    # «Вeб-caйт» with Latin e, c and a is the same name
    values = ["звонок", "В\u0065б-\u0063\u0061йт", "CALL", "3вонок"]
    frame = pd.DataFrame({"_key": ["1", "2", "3", "4"], "SOURCE_ID": values}, dtype=object)
    out = enum_ids(frame, META, "deal")
    assert out["SOURCE_ID"].tolist() == ["CALL", "WEB", "CALL", "3вонок"]
    problems = check_fields(META, "deal", {"TITLE": "x", "CLOSEDATE": "2026-01-01",
                                           "SOURCE_ID": "3вонок"})  # fmt: skip
    assert [(p.rule, p.hint) for p in problems] == [("status.unknown", "Звонок")]


def test_required_fields_the_mapping_never_fills_block_the_load():
    problems = unmapped_required(META, "deal", ["TITLE", "UF_CRM_KIND"])
    assert [(p.field, p.rule) for p in problems] == [("CLOSEDATE", "field.unmapped_required")]
    assert "field.unmapped_required" in BLOCKING_RULES  # read-only required fields are not ours
