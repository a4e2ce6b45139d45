"""What `retry` chooses: the failed records, what they need first, what waits on them; all
else pending is listed, not sent. And a load restricted to that choice sends nothing else."""

from __future__ import annotations

import asyncio
import dataclasses

from migrate.ledger import Ledger, Op, Refused, State, Written
from migrate.load import LoadOptions, choose_retry, failed_keys, load

from .conftest import make_client, sample_plan


def settle(ledger: Ledger, refuse: set[tuple[str, str]], only: set[str] | None = None) -> None:
    """Write every ready record (fake portal ids), refusing ``refuse``, until nothing is ready."""
    run = ledger.start_run("load")
    next_id = 100
    while True:
        ready = [r for e in ledger.pending_entities() for r in ledger.ready(e, 1000)
                 if only is None or r.entity in only]  # fmt: skip
        if not ready:
            break
        batch = ledger.mark_sending(run.id, [r.id for r in ready])
        outcomes = []
        for record in ready:
            next_id += 1
            refused = (record.entity, record.source_key) in refuse
            new_id = None if record.op is Op.SET else next_id
            outcomes.append(
                Refused(record.id, "ERROR_CORE: bad") if refused else Written(record.id, new_id)
            )
        ledger.apply_results(batch.id, outcomes)
    ledger.finish_run(run.id)


def test_a_failed_company_takes_what_waits_on_it_and_nothing_else(ledger):
    records = sample_plan(companies=2)
    ledger.apply_plan(ledger.start_run("plan").id, records)
    settle(ledger, {("company", "co0")})
    asked, unknown = failed_keys(ledger)
    assert (asked, unknown) == ([("company", "co0")], [])
    choice = choose_retry(ledger, asked)
    assert [(r.entity, r.source_key) for r in choice.chosen] == [("company", "co0")]
    waiting = sorted((r.entity, r.source_key) for r in choice.waiting)
    assert ("requisite", "co0") in waiting
    assert ("contact", "co0-ct0") in waiting
    assert ("deal", "co0-d") in waiting
    assert ("deal_products", "co0-d") in waiting  # through the deal, not directly
    assert not any(key.startswith("co1") for _, key in waiting)
    assert choice.needed == ()
    assert not choice.others
    assert choice.requeue == [choice.chosen[0].id]


def test_a_failed_deal_needs_its_company_first_and_changes_are_only_listed(ledger):
    records = sample_plan(companies=2)
    ledger.apply_plan(ledger.start_run("plan").id, records)
    settle(ledger, {("deal", "co0-d")}, only={"product_section", "product", "company", "deal"})
    # a re-plan changes co1 (loaded), and co0's deal was refused: co0 is loaded, co0's
    # contacts not yet (an earlier load stopped); the retry needs none of them
    co1 = ("company", "co1")
    changed = [
        dataclasses.replace(r, fields={**r.fields, "TITLE": "Новое"})
        if (r.entity, r.source_key) == co1
        else r
        for r in records
    ]
    ledger.apply_plan(ledger.start_run("plan").id, changed)
    choice = choose_retry(ledger, failed_keys(ledger, entities=["deal"])[0])
    assert [(r.entity, r.source_key) for r in choice.chosen] == [("deal", "co0-d")]
    needed = {(r.entity, r.source_key) for r in choice.needed}
    assert needed == {("contact", "co0-ct0"), ("contact", "co0-ct1")}
    assert choice.others[("company", "update")] == 1
    assert choice.others[("contact", "create")] == 2  # co1's contacts: another load's work


def test_asked_keys_that_are_not_failed_are_reported(ledger):
    ledger.apply_plan(ledger.start_run("plan").id, sample_plan(companies=1))
    settle(ledger, {("company", "co0")})
    keys = [("company", "co0"), (None, "nope"), ("deal", "co0")]
    asked, unknown = failed_keys(ledger, keys=keys)
    assert asked == [("company", "co0")]
    assert unknown == ["nope", "deal:co0"]


def test_a_load_restricted_to_the_choice_sends_only_it(ledger, portal):
    records = sample_plan(companies=2)
    ledger.apply_plan(ledger.start_run("plan").id, records)
    settle(ledger, {("company", "co0")}, only={"product_section", "product", "company"})
    choice = choose_retry(ledger, failed_keys(ledger)[0])
    ledger.retry_failed(ids=choice.requeue)
    ledger.select(choice.ids)

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, LoadOptions(settle_seconds=0))

    asyncio.run(scenario())
    ledger.unselect()
    done = {(r.entity, r.source_key) for r in ledger.records(state=State.DONE)}
    assert ("company", "co0") in done
    assert ("deal", "co0-d") in done
    assert ("deal", "co1-d") not in done  # co1's records are other work: still planned
    assert {r.state for r in ledger.records() if r.source_key.startswith("co1-")} == {State.PLANNED}
