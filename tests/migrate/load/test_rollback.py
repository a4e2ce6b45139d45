"""rollback: children before parents, recorded in the ledger, resumable, idempotent."""

from __future__ import annotations

import asyncio

from migrate.ledger import State
from migrate.load import LoadOptions, load, rollback

from .conftest import make_client, sample_plan

LEVEL = {
    "crm.timeline.comment.delete": 0,
    "crm.deal.productrows.set": 0,
    "crm.deal.delete": 1,
    "crm.contact.delete": 2,
    "crm.requisite.delete": 3,
    "crm.company.delete": 4,
    "catalog.product.delete": 5,
    "catalog.section.delete": 6,
}


def _spy(client, sent):
    original = client.batch

    async def batch(commands, **kwargs):
        sent.extend(c.method for c in commands)
        return await original(commands, **kwargs)

    client.batch = batch


def test_children_are_deleted_before_parents_and_the_ledger_forgets_their_ids(ledger, portal):
    ledger.apply_plan(ledger.start_run("plan").id, sample_plan(companies=2))
    sent: list[str] = []

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, LoadOptions(settle_seconds=0))
            _spy(client, sent)
            first = await rollback(ledger, client, None)
            second = await rollback(ledger, client, None)
            left = {e: (await client.call(f"crm.{e}.list", {})).total for e in ("deal", "company")}
            return first, second, left

    first, second, left = asyncio.run(scenario())
    levels = [LEVEL[m] for m in sent]
    assert levels == sorted(levels)
    assert set(levels) == set(LEVEL.values())
    assert first.deleted["deal"] == 2
    assert first.errors == ()
    assert second.deleted == {}
    assert second.gone == 0
    assert left == {"deal": 0, "company": 0}
    records = ledger.records()
    assert {r.state for r in records} == {State.PLANNED}
    assert all(r.b24_id is None and r.created_run_id is None for r in records)


def test_records_deleted_meanwhile_count_as_gone(ledger, portal):
    ledger.apply_plan(ledger.start_run("plan").id, sample_plan(companies=1))

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, LoadOptions(settle_seconds=0))
            deal = ledger.get("deal", "co0-d").b24_id
            await client.call("crm.deal.delete", {"id": deal})
            return await rollback(ledger, client, None)

    report = asyncio.run(scenario())
    assert report.gone == 2  # the deal and its product rows
    assert "deal" not in report.deleted
    assert report.errors == ()
