"""`DATE_MODIFY` moves on every update and filters list methods as a moment (cut-over reads it).

A real portal stamps the modification time on each update (read-only for the client,
bitrix24-rest.md §4) and parses a date filter value whatever its form: ``Y-m-d``
(b24restdocs `crm-deal-list.md`), an ISO time in UTC (`crm-contact-list.md`:
``toISOString()``), an ISO time with an offset (`crm-item-list.md`), or ``dd.mm.yyyy``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from .conftest import START


def _ids(portal, entity, filter_):
    rows = portal.result(f"crm.{entity}.list", {"filter": filter_, "select": ["ID"]})
    return [int(r["ID"]) for r in rows]


def test_an_update_moves_date_modify_and_a_read_does_not(portal, clock):
    rid = portal.result("crm.contact.add", {"fields": {"NAME": "Иван"}})
    created = portal.result("crm.contact.get", {"id": rid})["DATE_MODIFY"]
    clock.advance(90)
    portal.result("crm.contact.list", {"select": ["ID"]})
    assert portal.result("crm.contact.get", {"id": rid})["DATE_MODIFY"] == created
    portal.result("crm.contact.update", {"id": rid, "fields": {"NAME": "Иван Иванович"}})
    moved = portal.result("crm.contact.get", {"id": rid})["DATE_MODIFY"]
    assert datetime.fromisoformat(moved) - datetime.fromisoformat(created) == timedelta(seconds=90)
    assert moved.endswith("+03:00"), "written in the portal's offset"


@pytest.mark.parametrize(
    "shown",
    [
        lambda at: at.isoformat(),  # +00:00
        lambda at: at.strftime("%Y-%m-%dT%H:%M:%SZ"),  # toISOString()
        lambda at: at.astimezone(timezone(timedelta(hours=2))).isoformat(),  # crm-item-list.md
        lambda at: at.astimezone(timezone(timedelta(hours=-5))).isoformat(),
    ],
    ids=["utc-offset", "z", "plus-two", "minus-five"],
)
def test_greater_than_date_modify_compares_moments_whatever_the_offset(portal, clock, shown):
    first = portal.result("crm.deal.add", {"fields": {"TITLE": "a"}})
    second = portal.result("crm.deal.add", {"fields": {"TITLE": "b"}})
    clock.advance(3600)
    portal.result("crm.deal.update", {"id": second, "fields": {"TITLE": "b2"}})
    cut = datetime.fromtimestamp(START + 1800, UTC)
    assert _ids(portal, "deal", {">DATE_MODIFY": shown(cut)}) == [second]
    assert _ids(portal, "deal", {"<DATE_MODIFY": shown(cut)}) == [first]
    assert _ids(portal, "deal", {">=DATE_MODIFY": shown(cut - timedelta(hours=2))}) == [
        first,
        second,
    ]


def test_a_date_alone_or_in_the_portal_format_is_midnight_in_the_portal_zone(portal, clock):
    rid = portal.result("crm.company.add", {"fields": {"TITLE": "ООО «Ромашка»"}})
    stamp = datetime.fromisoformat(portal.result("crm.company.get", {"id": rid})["DATE_MODIFY"])
    day = stamp.date()
    assert _ids(portal, "company", {">DATE_MODIFY": day.isoformat()}) == [rid]
    assert _ids(portal, "company", {">DATE_MODIFY": day.strftime("%d.%m.%Y")}) == [rid]
    tomorrow = day + timedelta(days=1)
    assert _ids(portal, "company", {">DATE_MODIFY": tomorrow.isoformat()}) == []
    assert _ids(portal, "company", {"<DATE_MODIFY": tomorrow.strftime("%d.%m.%Y")}) == [rid]
