"""`userfieldconfig.*`: a smart process's user fields in the shapes of the official docs (see
the module docstring of loaders/sandbox/_userfieldconfig.py for the pages)."""

from __future__ import annotations

import pytest

TITLE = "Договоры"


@pytest.fixture
def spa(make_portal):
    return make_portal(smart_processes=(TITLE,))


def add(portal, **field):
    body = {"entityId": "CRM_1", "fieldName": "UF_CRM_1_KIND", "userTypeId": "enumeration",
            "multiple": "Y", "editFormLabel": {"ru": "Вид"},
            "enum": [{"value": "Поставка", "sort": 100}, {"value": "Услуги", "def": "Y"}],
            **field}  # fmt: skip
    return portal.call("userfieldconfig.add", {"moduleId": "crm", "field": body})


def test_add_answers_the_field_with_its_enum_and_crm_item_uses_it(spa):
    field = add(spa).json()["result"]["field"]
    assert (field["entityId"], field["fieldName"], field["multiple"]) == (
        "CRM_1", "UF_CRM_1_KIND", "Y")  # fmt: skip
    assert isinstance(field["id"], str)
    assert [(e["value"], e["def"], e["userFieldId"]) for e in field["enum"]] == [
        ("Поставка", "N", field["id"]), ("Услуги", "Y", field["id"])]  # fmt: skip
    described = spa.result("crm.item.fields", {"entityTypeId": 128})["fields"]
    (entry,) = (v for v in described.values() if v.get("upperName") == "UF_CRM_1_KIND")
    assert (entry["type"], entry["isMultiple"]) == ("enumeration", True)
    ids = [int(e["id"]) for e in field["enum"]]
    item = spa.result(
        "crm.item.add", {"entityTypeId": 128, "fields": {"title": "Д-1", "ufCrm1Kind": ids}}
    )["item"]
    assert sorted(map(int, item["ufCrm1Kind"])) == sorted(ids)


def test_list_filters_by_field_name_without_enum_and_get_has_it(spa):
    field_id = add(spa).json()["result"]["field"]["id"]
    add(spa, fieldName="UF_CRM_1_NOTE", userTypeId="string", enum=None)
    listed = spa.result(
        "userfieldconfig.list", {"moduleId": "crm", "filter": {"fieldName": "UF_CRM_1_KIND"}}
    )
    (row,) = listed["fields"]
    assert row["id"] == field_id
    assert "enum" not in row
    got = spa.result("userfieldconfig.get", {"moduleId": "crm", "id": field_id})["field"]
    assert [e["value"] for e in got["enum"]] == ["Поставка", "Услуги"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"fieldName": "UF_CRM_KIND"}, "You cannot create custom fields"),  # not UF_CRM_1_
        ({"userTypeId": "nope"}, "The 'USER_TYPE_ID' field is not found."),
        ({"fieldName": ""}, "The 'FIELD_NAME' field is not found."),
    ],
)
def test_add_refuses_as_the_docs_say(spa, change, error):
    reply = add(spa, **change)
    assert reply.status_code == 400
    assert reply.json() == {"error": "", "error_description": error}


def test_a_name_in_use_and_a_second_delete_are_refused(spa):
    field_id = add(spa).json()["result"]["field"]["id"]
    again = add(spa)
    assert again.json()["error_description"] == "Field UF_CRM_1_KIND already exists"
    gone = spa.call("userfieldconfig.delete", {"moduleId": "crm", "id": field_id})
    assert gone.json()["result"] is None
    twice = spa.call("userfieldconfig.delete", {"moduleId": "crm", "id": field_id})
    assert twice.json()["error_description"] == "You cannot delete the user field"
    other = spa.call("userfieldconfig.list", {"moduleId": "tasks"})
    assert other.json()["error_description"] == "No settings for UserFieldAccess"
