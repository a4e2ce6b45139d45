"""Deletes that `rollback` needs: timeline comments, activities, product sections."""

from __future__ import annotations


def _contact_with_history(portal):
    contact = portal.result("crm.contact.add", {"fields": {"NAME": "Иван"}})
    comment = portal.result(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_TYPE": "contact", "ENTITY_ID": contact, "COMMENT": "Перезвонить"}},
    )
    activity = portal.result(
        "crm.activity.add",
        {
            "fields": {
                "OWNER_TYPE_ID": 3,
                "OWNER_ID": contact,
                "TYPE_ID": 2,
                "SUBJECT": "Звонок",
                "COMMUNICATIONS": [{"VALUE": "+79001234567"}],
            }
        },
    )
    return contact, comment, activity


def test_timeline_comment_delete_then_not_found(portal):
    contact, comment, _ = _contact_with_history(portal)
    params = {"id": comment, "ownerTypeId": 3, "ownerId": contact}
    assert portal.result("crm.timeline.comment.delete", params) is None  # recorded: null
    assert (
        portal.result(
            "crm.timeline.comment.list",
            {"filter": {"ENTITY_ID": contact, "ENTITY_TYPE": "contact"}},
        )
        == []
    )
    again = portal.call("crm.timeline.comment.delete", {"id": comment})
    assert (again.status_code, again.json()["error"]) == (400, "NOT_FOUND")


def test_activity_delete_then_not_found(portal):
    contact, _, activity = _contact_with_history(portal)
    assert portal.result("crm.activity.delete", {"id": activity}) is True
    assert portal.result("crm.activity.list", {"filter": {"OWNER_ID": contact}}) == []
    again = portal.call("crm.activity.delete", {"id": activity})
    assert again.status_code == 400
    assert again.json()["error_description"] == "Not found"


def test_productsection_delete_detaches_products_and_subsections(portal):
    parent = portal.result("crm.productsection.add", {"fields": {"NAME": "Крепёж"}})
    child = portal.result(
        "crm.productsection.add", {"fields": {"NAME": "Болты", "SECTION_ID": parent}}
    )
    product = portal.result("crm.product.add", {"fields": {"NAME": "Болт", "SECTION_ID": parent}})
    assert portal.result("crm.productsection.delete", {"id": parent}) is True
    sections = portal.result("crm.productsection.list", {})
    assert [(s["ID"], s["SECTION_ID"]) for s in sections] == [(str(child), None)]
    assert portal.result("crm.product.get", {"id": product})["SECTION_ID"] is None
    assert portal.call("crm.productsection.delete", {"id": parent}).status_code == 400


def test_deletes_work_inside_a_batch(portal):
    contact, comment, activity = _contact_with_history(portal)
    body = portal.batch(
        {
            "c": f"crm.timeline.comment.delete?id={comment}",
            "a": f"crm.activity.delete?id={activity}",
            "x": f"crm.contact.delete?id={contact}",
        }
    )
    assert body["result"] == {"c": None, "a": True, "x": True}
    assert body["result_error"] == []
