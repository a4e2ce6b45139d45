"""Requests shaped the way public Bitrix24 clients send them (fast_bitrix24, b24pysdk,
b24jssdk), pinned with plain httpx: each test names the client habit it reproduces."""

from __future__ import annotations


def _contacts(portal, n):
    for i in range(n):
        portal.result("crm.contact.add", {"fields": {"NAME": f"Имя{i}"}})


def test_empty_php_arrays_are_arrays(portal):
    # b24pysdk encodes an empty map or list as `key[]=`; PHP reads that as [0 => ""]: an array
    _contacts(portal, 3)
    out = portal.batch(
        {
            "legacy": "crm.contact.list?filter[]=&select[]=&order[]=",
            "item": "crm.item.list?entityTypeId=3&filter[]=&select[]=&order[]=",
        }
    )
    assert out["result_error"] == []
    assert [row["ID"] for row in out["result"]["legacy"]] == ["1", "2", "3"]
    assert "NAME" in out["result"]["legacy"][0]  # an empty select is the default select
    assert [item["id"] for item in out["result"]["item"]["items"]] == [1, 2, 3]
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    body = b"filter[]=&order[]="
    form = portal.request("POST", portal.hook + "crm.contact.list", content=body, headers=form_type)
    assert form.status_code == 200
    assert form.json()["total"] == 3


def test_scalar_filter_is_still_refused(portal):
    reply = portal.call("crm.contact.list", {"filter": "ID=1"})
    assert reply.status_code == 400
    assert reply.json() == {"error": "", "error_description": "Parameter 'filter' must be array."}


def test_category_list_in_ascending_sort(portal):
    # captured real reply (fast_bitrix24 tests/real_responses/crm_category_list.py): by sort
    cats = portal.result("crm.category.list", {"entityTypeId": 2})["categories"]
    assert [c["sort"] for c in cats] == sorted(c["sort"] for c in cats)
    assert cats[0]["isDefault"] == "Y"


def test_user_get_sort_and_order_in_upper_case(portal):
    # b24pysdk's fast list sends user.get {"SORT": "ID", "ORDER": "DESC", "FILTER": {...}}
    rows = portal.result("user.get", {"SORT": "ID", "ORDER": "DESC", "FILTER": {">ID": 1}})
    assert [r["ID"] for r in rows] == ["5", "4", "3", "2"]
    rows = portal.result("user.get", {"sort": "ID", "order": "DESC"})
    assert rows[0]["ID"] == "5"
