"""`crm.*.userfield.get/update/delete` in the shapes of the official docs (see the module
docstring of loaders/sandbox/_userfields.py for the pages): an admin's fix, rehearsed."""

from __future__ import annotations


def add(portal, entity="deal", **fields):
    body = {"FIELD_NAME": "TAGS", "USER_TYPE_ID": "string", "LABEL": "Теги", **fields}
    return portal.result(f"crm.{entity}.userfield.add", {"fields": body})


def test_update_changes_only_what_is_passed_and_ignores_the_type(portal):
    uf = add(portal, MANDATORY="Y", SETTINGS={"ROWS": 2, "DEFAULT_VALUE": "x"})
    change = {"id": uf, "fields": {"MANDATORY": "N", "SETTINGS": {"ROWS": 10},
                                   "USER_TYPE_ID": "double", "EDIT_FORM_LABEL": "Метки",
                                   "NO_SUCH_KEY": 1}}  # fmt: skip
    assert portal.call("crm.deal.userfield.update", change).json()["result"] is True
    row = portal.result("crm.deal.userfield.get", {"id": uf})
    assert (row["MANDATORY"], row["USER_TYPE_ID"]) == ("N", "string")
    # the passed keys change; the rest are a string field's defaults (crm-deal-userfield-get.md)
    assert row["SETTINGS"] == {"SIZE": 20, "ROWS": 10, "REGEXP": "", "MIN_LENGTH": 0,
                               "MAX_LENGTH": 0, "DEFAULT_VALUE": "x"}  # fmt: skip
    assert row["EDIT_FORM_LABEL"]["ru"] == row["EDIT_FORM_LABEL"]["en"] == "Метки"
    described = portal.result("crm.deal.fields")["UF_CRM_TAGS"]
    assert described["isRequired"] is False
    assert described["formLabel"] == "Метки"


def test_a_required_field_made_optional_lets_the_record_in(portal):
    add(portal, MANDATORY="Y")
    (row,) = portal.result("crm.deal.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_TAGS"}})
    assert portal.result("crm.deal.fields")["UF_CRM_TAGS"]["isRequired"] is True
    portal.result("crm.deal.userfield.update", {"id": row["ID"], "fields": {"MANDATORY": "N"}})
    assert portal.result("crm.deal.fields")["UF_CRM_TAGS"]["isRequired"] is False


def test_list_items_change_go_and_come(portal):
    uf = add(portal, USER_TYPE_ID="enumeration", LIST=[{"VALUE": "A"}, {"VALUE": "B"}])
    first, second = portal.result("crm.deal.userfield.get", {"id": uf})["LIST"]
    portal.result(
        "crm.deal.userfield.update",
        {"id": uf, "fields": {"LIST": [{"ID": first["ID"], "VALUE": "A2"},
                                       {"ID": second["ID"], "DEL": "Y"}, {"VALUE": "C"}]}},
    )  # fmt: skip
    items = portal.result("crm.deal.userfield.get", {"id": uf})["LIST"]
    assert [i["VALUE"] for i in items] == ["A2", "C"]
    assert items[0]["ID"] == first["ID"]
    described = portal.result("crm.deal.fields")["UF_CRM_TAGS"]["items"]
    assert [i["VALUE"] for i in described] == ["A2", "C"]


def test_delete_drops_the_field_and_its_values_and_a_new_one_may_take_its_name(portal):
    uf = add(portal, USER_TYPE_ID="double")
    deal = portal.result("crm.deal.add", {"fields": {"TITLE": "x", "UF_CRM_TAGS": 1.5}})
    assert portal.result("crm.deal.userfield.delete", {"id": uf}) is True
    assert "UF_CRM_TAGS" not in portal.result("crm.deal.fields")
    assert "UF_CRM_TAGS" not in portal.result("crm.deal.get", {"id": deal})
    add(portal)  # the admin's fix: the same name as text
    portal.result("crm.deal.update", {"id": deal, "fields": {"UF_CRM_TAGS": "опт, розница"}})
    assert portal.result("crm.deal.get", {"id": deal})["UF_CRM_TAGS"] == "опт, розница"


def test_errors_have_the_documented_shapes(portal):
    uf = add(portal)
    assert portal.call("crm.deal.userfield.update", {"fields": {}}).json() == {
        "error": "", "error_description": "ID is not defined or invalid.",
    }  # fmt: skip
    missing = portal.call("crm.deal.userfield.delete", {"id": 999})
    assert (missing.status_code, missing.json()) == (400, {
        "error": "ERROR_NOT_FOUND", "error_description": "The entity with ID '999' is not found.",
    })  # fmt: skip
    other = portal.call("crm.contact.userfield.update", {"id": uf, "fields": {"SORT": 5}})
    assert other.json()["error_description"] == "Access denied."
    no_fields = portal.call("crm.deal.userfield.update", {"id": uf})
    assert no_fields.json()["error_description"] == "Parameter 'fields' must be array."
