"""Every method answers garbage with a documented error shape, never a 500 traceback."""

from __future__ import annotations

import pytest

from loaders.sandbox._context import METHODS

GARBAGE = [
    {},
    {"fields": "NAME"},
    {"fields": {"NAME": {"nested": [1]}, "PHONE": "x", "EMAIL": [5]}, "id": "1"},
    {"fields": [], "id": -1, "params": "x"},
    {"filter": "x", "order": "y", "select": 5, "start": "abc"},
    {"filter": {">ID": [], "@ORIGIN_ID": "a", "%": None}, "order": {"ID": []}},
    {"entityTypeId": 3, "data": "x", "fields": {"fm": "x", "createdTime": "вчера"}},
    {"entityTypeId": "abc", "id": {"a": 1}, "rows": "x", "items": [1, 2]},
    {"type": "PHONE", "values": "79001234567", "entity_type": "DEAL"},
    {"cmd": 5, "halt": "maybe"},
]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_garbage_gets_an_error_reply(portal, name):
    portal.result("crm.contact.add", {"fields": {"NAME": "существующий"}})
    portal.result("crm.deal.add", {"fields": {"TITLE": "существующая"}})
    for params in GARBAGE:
        reply = portal.call(name, params)
        assert reply.status_code in (200, 400, 404), (params, reply.text)
        body = reply.json()
        assert "result" in body or set(body) == {"error", "error_description"}, body
    # the portal fixture also asserts that no handler raised an unexpected exception
