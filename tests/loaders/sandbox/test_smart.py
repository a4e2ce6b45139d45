"""Smart processes: crm.type.list, their pipelines and stages, crm.item.* on an SPA."""

from __future__ import annotations

import pytest

TITLE = "Договоры"


@pytest.fixture
def spa(make_portal):
    return make_portal(smart_processes=(TITLE,))


def _type(portal) -> dict:
    (found,) = portal.result("crm.type.list", {"filter": {"title": TITLE}})["types"]
    return found


def test_type_list_shape(spa):
    reply = spa.call("crm.type.list").json()
    assert reply["total"] == 1
    (found,) = reply["result"]["types"]
    assert found["title"] == TITLE
    assert found["entityTypeId"] == 128
    assert found["id"] == 1
    # flags are "Y"/"N" strings (crm-type-list.md); no private keys leak
    assert {found[k] for k in found if k.startswith("is")} <= {"Y", "N"}
    assert found["isCategoriesEnabled"] == "Y"
    assert found["isStagesEnabled"] == "Y"
    assert found["isUseInUserfieldEnabled"] == "Y"
    assert not any(k.startswith("_") for k in found)


def test_type_list_unknown_filter_field_refused(spa):
    reply = spa.call("crm.type.list", {"filter": {"nope": 1}})
    assert reply.status_code == 400
    assert reply.json()["error"] == "INVALID_ARG_VALUE"


def test_a_fresh_portal_has_no_smart_process(portal):
    assert portal.result("crm.type.list")["types"] == []
    reply = portal.call("crm.item.add", {"entityTypeId": 128, "fields": {"title": "x"}})
    assert reply.status_code == 400
    assert reply.json() == {"error": "NOT_FOUND", "error_description": "Smart process not found"}


def test_seeding_twice_keeps_one_type(tmp_path, make_portal):
    first = make_portal(data_dir=tmp_path, smart_processes=(TITLE,))
    first.app.close()
    again = make_portal(data_dir=tmp_path, smart_processes=(TITLE, "Заявки"))
    types = again.result("crm.type.list")["types"]
    assert [(t["title"], t["entityTypeId"]) for t in types] == [(TITLE, 128), ("Заявки", 130)]


def test_pipeline_and_five_stages(spa):
    (category,) = spa.result("crm.category.list", {"entityTypeId": 128})["categories"]
    assert category["entityTypeId"] == 128
    assert category["isDefault"] == "Y"
    cat = category["id"]
    stages = spa.result("crm.status.list", {"filter": {"ENTITY_ID": f"DYNAMIC_128_STAGE_{cat}"}})
    assert [s["STATUS_ID"] for s in stages] == [
        f"DT128_{cat}:{s}" for s in ("NEW", "PREPARATION", "CLIENT", "SUCCESS", "FAIL")
    ]
    assert [s["SEMANTICS"] for s in stages][-2:] == ["S", "F"]


def test_item_add_links_stage_amount_read_back(spa):
    company = spa.result("crm.company.add", {"fields": {"TITLE": "ООО Ромашка"}})
    contact = spa.result("crm.contact.add", {"fields": {"NAME": "Анна"}})
    deal = spa.result("crm.deal.add", {"fields": {"TITLE": "Поставка"}})
    (category,) = spa.result("crm.category.list", {"entityTypeId": 128})["categories"]
    stage = f"DT128_{category['id']}:SUCCESS"
    fields = {"title": "Договор № 1", "xmlId": "C-1", "companyId": company,
              "contactIds": [contact], "parentId2": deal, "stageId": stage,
              "opportunity": 1500.5, "currencyId": "RUB", "begindate": "2024-01-15"}  # fmt: skip
    item = spa.result("crm.item.add", {"entityTypeId": 128, "fields": fields})["item"]
    assert item["entityTypeId"] == 128
    got = spa.result("crm.item.get", {"entityTypeId": 128, "id": item["id"]})["item"]
    assert got["companyId"] == company
    assert got["contactIds"] == [contact]
    assert got["contactId"] == contact
    assert got["parentId2"] == deal
    assert got["stageId"] == stage
    assert got["categoryId"] == category["id"]
    assert got["opportunity"] == 1500.5
    assert got["xmlId"] == "C-1"
    assert "originId" not in got  # an SPA has no ORIGIN_ID (crm-item-fields.md)
    assert "fm" not in got
    listed = spa.call("crm.item.list", {"entityTypeId": 128, "filter": {"@xmlId": ["C-1"]},
                                        "select": ["id", "xmlId"]}).json()  # fmt: skip
    assert listed["result"]["items"] == [{"id": item["id"], "xmlId": "C-1"}]
    assert listed["total"] == 1


def test_item_defaults_to_first_stage_of_default_pipeline(spa):
    item = spa.result("crm.item.add", {"entityTypeId": 128, "fields": {"title": "x"}})["item"]
    (category,) = spa.result("crm.category.list", {"entityTypeId": 128})["categories"]
    assert item["categoryId"] == category["id"]
    assert item["stageId"] == f"DT128_{category['id']}:NEW"


def test_a_new_default_pipeline_takes_the_new_items(spa):
    """crm-category-add.md: ``isDefault: Y`` makes the new pipeline the default one; it has
    the five stages and the old default is no longer it."""
    added = spa.result("crm.category.add", {"entityTypeId": 128, "fields": {
        "name": "Тендеры", "sort": 50, "isDefault": "Y"}})["category"]  # fmt: skip
    assert (added["entityTypeId"], added["isDefault"]) == (128, "Y")
    listed = spa.result("crm.category.list", {"entityTypeId": 128})["categories"]
    assert [c["isDefault"] for c in listed] == ["Y", "N"]  # by sort: the new one first
    stages = spa.result("crm.status.list", {
        "filter": {"ENTITY_ID": f"DYNAMIC_128_STAGE_{added['id']}"}})  # fmt: skip
    assert len(stages) == 5
    item = spa.result("crm.item.add", {"entityTypeId": 128, "fields": {"title": "x"}})["item"]
    assert item["categoryId"] == added["id"]
    assert item["stageId"] == f"DT128_{added['id']}:NEW"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"stageId": "DT128_9:NOPE"}, "stageId"), ({"categoryId": 0}, "categoryId")],
)
def test_item_foreign_stage_or_pipeline_refused(spa, fields, field):
    reply = spa.call("crm.item.add", {"entityTypeId": 128, "fields": fields})
    assert reply.status_code == 400
    assert reply.json()["error"] == "CRM_FIELD_ERROR_VALUE_NOT_VALID"
    assert field in reply.json()["error_description"]
    assert spa.result("crm.item.list", {"entityTypeId": 128})["items"] == []


def test_item_fields_names_parent_and_stage_dictionary(spa):
    fields = spa.result("crm.item.fields", {"entityTypeId": 128})["fields"]
    assert fields["parentId2"]["settings"] == {"parentEntityTypeId": 2}
    assert fields["parentId2"]["upperName"] == "PARENT_ID_2"
    assert fields["stageId"]["statusType"].startswith("DYNAMIC_128_STAGE_")
    assert fields["createdTime"]["upperName"] == "CREATED_TIME"
    assert "originId" not in fields


def test_item_delete_then_not_found(spa):
    item = spa.result("crm.item.add", {"entityTypeId": 128, "fields": {"title": "x"}})["item"]
    assert spa.result("crm.item.delete", {"entityTypeId": 128, "id": item["id"]}) == []
    again = spa.call("crm.item.delete", {"entityTypeId": 128, "id": item["id"]})
    assert again.status_code == 400
    assert again.json()["error"] == "NOT_FOUND"
