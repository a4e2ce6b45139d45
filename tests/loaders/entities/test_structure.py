"""The structure builders: record fields → the REST command, a look-up's rows → the id."""

from __future__ import annotations

import pytest

from loaders.entities import (
    UnexpectedResult,
    build_item_add,
    build_structure_add,
    build_structure_delete,
    build_structure_lookup,
    find_structure,
    list_item_ids,
    parse_structure_id,
)

FIELD = {"ENTITY": "company", "FIELD_NAME": "UF_CRM_SPHERE", "USER_TYPE_ID": "enumeration",
         "LABEL": "Сфера", "LIST": [{"VALUE": "Опт", "SORT": 10}]}  # fmt: skip
STAGE = {"STATUS_ID": "UC_AB12CD", "NAME": "Заявка", "SORT": 25, "SEMANTICS": "",
         "CATEGORY_ID": 7}  # fmt: skip


def test_a_user_field_is_sent_without_its_prefix_and_labelled_everywhere():
    command = build_structure_add("user_field", FIELD, "acme")
    assert command.method == "crm.company.userfield.add"
    body = command.params["fields"]
    assert body["FIELD_NAME"] == "SPHERE"  # the portal adds UF_CRM_ itself
    assert body["LIST"] == [{"VALUE": "Опт", "SORT": 10}]
    assert {body[k] for k in ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL")} == {
        "Сфера"}  # fmt: skip
    assert body["XML_ID"] == "acme"


def test_a_stage_goes_to_its_pipelines_dictionary():
    command = build_structure_add("stage", STAGE, "acme")
    assert command.method == "crm.status.add"
    assert command.params["fields"]["ENTITY_ID"] == "DEAL_STAGE_7"
    assert "SEMANTICS" not in command.params["fields"]  # in progress: the portal's default
    general = build_structure_add("stage", {**STAGE, "CATEGORY_ID": 0, "SEMANTICS": "F"}, "a")
    assert general.params["fields"]["ENTITY_ID"] == "DEAL_STAGE"
    assert general.params["fields"]["SEMANTICS"] == "F"
    assert build_structure_add("pipeline", {"name": "Тендеры"}, "a").params == {
        "entityTypeId": 2, "fields": {"name": "Тендеры"}}  # fmt: skip


@pytest.mark.parametrize(
    ("entity", "fields", "rows", "found"),
    [
        ("user_field", FIELD, [{"ID": "5", "FIELD_NAME": "UF_CRM_SPHERE"}], 5),
        ("user_field", FIELD, [{"ID": "5", "FIELD_NAME": "UF_CRM_OTHER"}], None),
        ("pipeline", {"name": "Тендеры"}, {"categories": [{"id": 3, "name": "Тендеры"}]}, 3),
        ("pipeline", {"name": "Тендеры"}, {"categories": [{"id": 3, "name": "Опт"}]}, None),
        ("stage", STAGE, [{"ID": "90", "STATUS_ID": "C7:UC_AB12CD"}], 90),
        ("stage", STAGE, [{"ID": "90", "STATUS_ID": "C7:UC_ZZ"}], None),
    ],
)
def test_a_look_up_finds_the_record_by_its_name(entity, fields, rows, found):
    lookup = build_structure_lookup(entity, fields)
    assert lookup.method in ("crm.company.userfield.list", "crm.category.list", "crm.status.list")
    assert find_structure(entity, fields, rows) == found


def test_results_ids_and_deletes():
    assert parse_structure_id("pipeline", {"category": {"id": 4}}) == 4
    assert parse_structure_id("stage", 773) == 773
    with pytest.raises(UnexpectedResult):
        parse_structure_id("user_field", {"unexpected": True})
    assert list_item_ids({"LIST": [{"ID": "11", "VALUE": "Опт"}, {"VALUE": "no id"}]}) == {
        "Опт": 11}  # fmt: skip
    assert build_item_add("deal", 5, ["A"]).params == {
        "id": 5,
        "fields": {"LIST": [{"VALUE": "A"}]},
    }
    assert build_structure_delete("pipeline", {}, 4).params == {"entityTypeId": 2, "id": 4}
    assert build_structure_delete("user_field", FIELD, 9).method == "crm.company.userfield.delete"
    assert build_structure_delete("stage", STAGE, 90).method == "crm.status.delete"
    with pytest.raises(KeyError):
        build_structure_add("deal", {}, "a")
