"""A smart process's items: crm.item.add / update / batchImport / list by xmlId / results."""

from __future__ import annotations

import pytest

from loaders.entities import (
    ENTITY_TYPE_HINT,
    Command,
    WriteRequest,
    build_imports,
    build_lookups,
    build_write,
    parse_lookup,
    parse_write_result,
)

FIELDS = {
    ENTITY_TYPE_HINT: 128,
    "TITLE": "Договор № 1",
    "STAGE_ID": "DT128_3:SUCCESS",
    "CATEGORY_ID": 3,
    "COMPANY_ID": 5,
    "CONTACT_IDS": [7, 8],
    "PARENT_ID_2": 11,
    "OPPORTUNITY": 1500.5,
    "UF_CRM_5_1639669411830": "x",
    "_source": "contracts.csv",
}
CAMEL = {
    "title": "Договор № 1",
    "stageId": "DT128_3:SUCCESS",
    "categoryId": 3,
    "companyId": 5,
    "contactIds": [7, 8],
    "parentId2": 11,
    "opportunity": 1500.5,
    "ufCrm5_1639669411830": "x",
}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            WriteRequest("smart_process", "create", "k1", FIELDS),
            Command("crm.item.add",
                    {"entityTypeId": 128, "fields": {**CAMEL, "xmlId": "acme/k1"}}),
        ),
        (
            WriteRequest("smart_process", "update", "k1", FIELDS, b24_id=42),
            Command("crm.item.update", {"entityTypeId": 128, "id": 42, "fields": CAMEL}),
        ),
    ],
)  # fmt: skip
def test_item_commands(request_, expected):
    assert build_write(request_, "acme") == expected


@pytest.mark.parametrize("hint", [None, "", "abc", True])
def test_an_item_without_its_type_is_refused(hint):
    fields = {**FIELDS, ENTITY_TYPE_HINT: hint}
    with pytest.raises(ValueError, match="entityTypeId"):
        build_write(WriteRequest("smart_process", "create", "k1", fields), "acme")


def test_batch_import_items_carry_xml_id_not_origin_id():
    requests = [WriteRequest("smart_process", "create", f"k{i}", FIELDS) for i in range(25)]
    commands = build_imports("smart_process", requests, "acme")
    assert [len(c.source_keys) for c in commands] == [20, 5]
    first = commands[0].command
    assert first.method == "crm.item.batchImport"
    assert first.params["entityTypeId"] == 128
    assert first.params["data"][0] == {**CAMEL, "xmlId": "acme/k0"}


def test_batch_import_refuses_two_smart_processes_in_one_command():
    other = {**FIELDS, ENTITY_TYPE_HINT: 130}
    requests = [WriteRequest("smart_process", "create", "a", FIELDS),
                WriteRequest("smart_process", "create", "b", other)]  # fmt: skip
    with pytest.raises(ValueError, match="several smart processes"):
        build_imports("smart_process", requests, "acme")


def test_lookup_by_xml_id_within_the_type():
    """Our items by the key scoped by the migration, and an older workspace's plain key."""
    (lookup,) = build_lookups("smart_process", "acme", ["k1", "k2"], entity_type_id=128)
    assert lookup.command == Command("crm.item.list", {
        "entityTypeId": 128, "filter": {"@xmlId": ["acme/k1", "acme/k2", "k1", "k2"]},
        "select": ["id", "xmlId"], "order": {"id": "ASC"}})  # fmt: skip
    with pytest.raises(ValueError, match="within their type"):
        build_lookups("smart_process", "acme", ["k1"])
    reply = {"items": [{"id": 9, "xmlId": "acme/k1"}, {"id": 3, "xmlId": "k1"},
                       {"id": 4, "xmlId": ""}, {"id": 5, "xmlId": "acme/k2"}]}  # fmt: skip
    assert parse_lookup("smart_process", "acme", reply) == {"k1": [3, 9], "k2": [5]}


@pytest.mark.parametrize(
    ("op", "result", "expected"),
    [("create", {"item": {"id": 342, "title": "x"}}, 342), ("update", {"item": {"id": 342}}, None)],
)
def test_item_results(op, result, expected):
    assert parse_write_result("crm.item.add", op, result) == expected
