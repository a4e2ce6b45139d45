"""crm.item.*: camelCase typed values, fm, import/batchImport rules."""

from __future__ import annotations


def test_add_get_typed_and_fm(portal):
    item = portal.result(
        "crm.item.add",
        {
            "entityTypeId": 3,
            "fields": {
                "name": "Анна",
                "originId": "x1",
                "assignedById": "2",
                "fm": [{"typeId": "PHONE", "valueType": "WORK", "value": "+79001234567"}],
            },
        },
    )["item"]
    assert item["id"] == 1
    assert item["assignedById"] == 2
    assert item["originId"] == "x1"
    assert item["fm"] == [
        {"id": 1, "typeId": "PHONE", "valueType": "WORK", "value": "+79001234567"}
    ]
    assert portal.result("crm.contact.get", {"id": 1})["PHONE"][0]["VALUE"] == "+79001234567"


def test_fm_update_keyed_map(portal):
    portal.result(
        "crm.item.add",
        {
            "entityTypeId": 3,
            "fields": {
                "fm": [{"typeId": "PHONE", "value": "1"}, {"typeId": "PHONE", "value": "2"}]
            },
        },
    )
    item = portal.result(
        "crm.item.update",
        {
            "entityTypeId": 3,
            "id": 1,
            "fields": {
                "fm": {
                    "1": {"typeId": "PHONE", "value": ""},
                    "2": {"value": "ignored without typeId"},
                    "n0": {"typeId": "EMAIL", "valueType": "WORK", "value": "a@b.ru"},
                }
            },
        },
    )["item"]
    assert [(f["typeId"], f["value"]) for f in item["fm"]] == [("PHONE", "2"), ("EMAIL", "a@b.ru")]


def test_list_wrapper_select_and_filter(portal):
    for i in range(3):
        portal.result(
            "crm.item.add", {"entityTypeId": 4, "fields": {"title": f"t{i}", "originId": str(i)}}
        )
    reply = portal.call(
        "crm.item.list", {"entityTypeId": 4, "select": ["id", "title"], "filter": {">id": 1}}
    ).json()
    assert reply["result"] == {"items": [{"id": 2, "title": "t1"}, {"id": 3, "title": "t2"}]}
    assert reply["total"] == 2
    one = portal.result("crm.item.list", {"entityTypeId": 4, "filter": {"=originId": "0"}})
    assert one["items"][0]["id"] == 1
    assert "fm" in one["items"][0]


def test_errors(portal):
    missing = portal.call("crm.item.get", {"entityTypeId": 3, "id": 9})
    assert (missing.status_code, missing.json()["error"]) == (400, "NOT_FOUND")
    spa = portal.call("crm.item.add", {"entityTypeId": 128, "fields": {}})
    assert spa.json()["error"] == "NOT_FOUND"
    required = portal.call("crm.item.add", {"entityTypeId": 4, "fields": {"title": ""}})
    assert required.json()["error"] == "CRM_FIELD_ERROR_REQUIRED"
    bad = portal.call("crm.item.add", {"entityTypeId": 2, "fields": {"opportunity": "lots"}})
    assert bad.json()["error"] == "CRM_FIELD_ERROR_VALUE_NOT_VALID"


def test_delete_returns_empty_array(portal):
    portal.result("crm.item.add", {"entityTypeId": 2, "fields": {"title": "d"}})
    assert portal.result("crm.item.delete", {"entityTypeId": 2, "id": 1}) == []


def test_batch_import_per_item_results_and_history_rules(portal, clock):
    data = [
        {"title": "A", "createdTime": "2020-01-01T10:00:00+03:00", "createdBy": 2},
        {"title": ""},
        {"title": "B", "createdTime": "2019-06-01T10:00:00+03:00"},
        {"title": "C", "createdTime": "2030-01-01T10:00:00+03:00"},
        {
            "title": "D",
            "createdTime": "2021-01-01T10:00:00+03:00",
            "updatedTime": "2020-01-01T10:00:00+03:00",
        },
    ]
    items = portal.result("crm.item.batchImport", {"entityTypeId": 4, "data": data})["items"]
    assert items[0] == {"item": {"id": 1}}
    assert [i.get("error") for i in items[1:]] == ["CRM_FIELD_ERROR_REQUIRED"] + [
        "CRM_FIELD_ERROR_VALUE_NOT_VALID"
    ] * 3
    got = portal.result("crm.company.get", {"id": 1})
    assert got["DATE_CREATE"] == "2020-01-01T10:00:00+03:00"
    assert got["CREATED_BY_ID"] == "2"
    too_many = portal.call(
        "crm.item.batchImport", {"entityTypeId": 4, "data": [{"title": "x"}] * 21}
    )
    assert too_many.json() == {
        "error": "MAX_IMPORT_BATCH_SIZE_EXCEEDED",
        "error_description": "You cannot import more than 20 items",
    }
    one = portal.result("crm.item.import", {"entityTypeId": 4, "fields": {"title": "E"}})
    assert one == {"item": {"id": 2}}


def test_add_ignores_history_fields(portal):
    item = portal.result(
        "crm.item.add",
        {"entityTypeId": 3, "fields": {"name": "x", "createdTime": "2001-01-01T00:00:00+03:00"}},
    )
    assert item["item"]["createdTime"].startswith("2026-09-2")


def test_history_needs_an_admin_webhook(make_portal):
    portal = make_portal(extra_webhooks={"manager-hook": 2})
    portal.hook = "/rest/2/manager-hook/"
    assert portal.result("user.current")["ID"] == "2"
    fields = {"title": "A", "createdTime": "2020-01-01T10:00:00+03:00"}
    refused = portal.call("crm.item.import", {"entityTypeId": 4, "fields": fields})
    assert refused.json()["error"] == "CRM_FIELD_ERROR_VALUE_NOT_VALID"
    assert portal.result("crm.item.import", {"entityTypeId": 4, "fields": {"title": "B"}})
    assert portal.request("POST", "/rest/1/manager-hook/user.current").status_code == 401


def test_list_filter_logic_or_and_nesting(portal):
    for i, stage in enumerate(["NEW", "WON", "LOSE", "NEW"]):
        portal.result(
            "crm.item.add", {"entityTypeId": 2, "fields": {"title": f"d{i}", "stageId": stage}}
        )
    either = {"logic": "OR", "0": {"=stageId": "WON"}, "1": {"=stageId": "LOSE"}}
    rows = portal.result("crm.item.list", {"entityTypeId": 2, "filter": either, "select": ["id"]})
    assert [r["id"] for r in rows["items"]] == [2, 3]
    nested = {">id": 1, "0": {"logic": "OR", "0": {"=stageId": "NEW"}, "1": {"=title": "d1"}}}
    rows = portal.result("crm.item.list", {"entityTypeId": 2, "filter": nested, "select": ["id"]})
    assert [r["id"] for r in rows["items"]] == [2, 4]
