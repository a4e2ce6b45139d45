"""The load engine against an in-process sandbox portal: order, mixing, refs, faults, resume."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from loaders.batch import Command as ClientCommand
from migrate.errors import CheckpointError, Interrupted, PortalTerminalError, PortalTransientError
from migrate.ledger import Op, PlannedRecord, Ref, State, Written
from migrate.load import LoadOptions, load
from migrate.load._dates import check_dates_hold

from .conftest import ORIGINATOR, make_client, make_portal, sample_plan

FAST = LoadOptions(settle_seconds=0)


def plan(ledger, records=None):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, records if records is not None else sample_plan())
    ledger.finish_run(run.id)


async def rows(client, method, params):
    reply = await client.call(method, params)
    return reply.result


def states(ledger):
    return Counter(r.state for r in ledger.records())


async def portal_origin_counts(client, entity):
    items = await rows(
        client,
        f"crm.{entity}.list",
        {"filter": {"ORIGINATOR_ID": ORIGINATOR}, "select": ["ID", "ORIGIN_ID"]},
    )
    return Counter(item["ORIGIN_ID"] for item in items)


def test_load_writes_everything_once_with_references_resolved(ledger, portal):
    plan(ledger)

    async def scenario():
        async with make_client(portal) as client:
            report = await load(ledger, client, FAST)
            deal = ledger.get("deal", "co1-d")
            company = ledger.get("company", "co1")
            got = await rows(client, "crm.deal.get", {"id": deal.b24_id})
            contacts = await rows(client, "crm.deal.contact.items.get", {"id": deal.b24_id})
            products = await rows(client, "crm.deal.productrows.get", {"id": deal.b24_id})
            comments = await rows(
                client,
                "crm.timeline.comment.list",
                {"filter": {"ENTITY_ID": deal.b24_id, "ENTITY_TYPE": "deal"}},
            )
            return report, got, company, contacts, products, comments

    report, deal, company, contacts, products, comments = asyncio.run(scenario())
    assert states(ledger) == {State.DONE: len(sample_plan())}
    assert report.count("written") == len(sample_plan())
    assert deal["COMPANY_ID"] == str(company.b24_id)
    assert deal["ORIGINATOR_ID"] == ORIGINATOR
    expected_contacts = [ledger.get("contact", f"co1-ct{i}").b24_id for i in range(2)]
    assert [int(c["CONTACT_ID"]) for c in contacts] == expected_contacts
    assert [int(p["PRODUCT_ID"]) for p in products] == [
        ledger.get("product", "p1").b24_id,
        ledger.get("product", "p2").b24_id,
    ]
    assert len(comments) == 1
    assert comments[0]["COMMENT"].endswith("b24migrate: amo-2026/co1-d-n")
    assert "12.03.2021 14:05 · Иванов Иван" in comments[0]["COMMENT"]
    # dependency depth is 4 (section → product → rows; company → contact → deal → links)
    assert report.batches <= 6
    assert portal.stats()["entities"]["company"] == 3


def test_first_batch_mixes_every_entity_that_is_ready(ledger, portal):
    plan(ledger)

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, LoadOptions(settle_seconds=0, in_flight=1))

    asyncio.run(scenario())
    first_batch = [r.entity for r in ledger.records() if r.batch_id == 1]
    assert set(first_batch) == {"product_section", "company"}
    methods = portal.stats()["methods"]
    assert methods["crm.company.add"] == 3


def test_import_route_uses_batch_import_for_crm_creates(ledger, portal):
    plan(ledger)

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, LoadOptions(route="import", settle_seconds=0))
            return await portal_origin_counts(client, "contact")

    contacts = asyncio.run(scenario())
    methods = portal.stats()["methods"]
    assert methods.get("crm.company.add", 0) == 0
    assert methods["crm.item.batchimport"] >= 3
    assert states(ledger) == {State.DONE: len(sample_plan())}
    assert set(contacts.values()) == {1}


def test_reconcile_finds_what_the_portal_wrote_before_a_crash(ledger, portal):
    """Records committed `sending`, request sent and written, the process killed before apply."""
    plan(ledger)
    run = ledger.start_run("load")
    companies = ledger.ready("company", 10)
    ledger.mark_sending(run.id, [r.id for r in companies])

    async def scenario():
        async with make_client(portal) as client:
            written = companies[:2]  # the third never reached the portal
            await client.send_batch(
                [
                    ClientCommand(
                        f"c{r.id}",
                        "crm.company.add",
                        {
                            "fields": {
                                "TITLE": r.fields["TITLE"],
                                "ORIGINATOR_ID": ORIGINATOR,
                                "ORIGIN_ID": r.source_key,
                            }
                        },
                    )
                    for r in written
                ]
            )
            report = await load(ledger, client, FAST)
            return report, await portal_origin_counts(client, "company")

    report, counts = asyncio.run(scenario())
    assert (report.reconciled.found, report.reconciled.requeued) == (2, 1)
    assert counts == {"co0": 1, "co1": 1, "co2": 1}
    assert states(ledger) == {State.DONE: len(sample_plan())}
    assert ledger.runs()[1].status == "interrupted"  # the killed run


def test_reconcile_reports_duplicates_and_keeps_the_oldest(ledger, portal):
    plan(ledger, [PlannedRecord("company", "k", Op.CREATE, {"TITLE": "ООО Дубль"})])
    run = ledger.start_run("load")
    record = ledger.ready("company", 1)[0]
    ledger.mark_sending(run.id, [record.id])

    async def scenario():
        async with make_client(portal) as client:
            for _ in range(2):
                await client.call(
                    "crm.company.add",
                    {"fields": {"TITLE": "x", "ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": "k"}},
                )
            return await load(ledger, client, FAST)

    report = asyncio.run(scenario())
    assert report.reconciled.duplicates[0].b24_ids == (1, 2)
    assert ledger.get("company", "k").b24_id == 1


def test_reconcile_waits_until_a_lost_request_cannot_still_be_running(ledger, portal):
    plan(ledger, [PlannedRecord("company", "k", Op.CREATE, {"TITLE": "ООО"})])
    run = ledger.start_run("load")
    ledger.mark_sending(run.id, [ledger.ready("company", 1)[0].id])
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, LoadOptions(settle_seconds=75), sleep=fake_sleep)

    asyncio.run(scenario())
    assert 70 < sum(slept) <= 75  # in steps of a second, beating the heartbeat
    assert ledger.get("company", "k").state is State.DONE


def test_idempotent_records_left_sending_are_simply_sent_again(ledger, portal):
    plan(
        ledger,
        [
            PlannedRecord("company", "k", Op.CREATE, {"TITLE": "ООО"}),
            PlannedRecord("deal", "d", Op.CREATE, {"TITLE": "Сделка"}),
            PlannedRecord(
                "deal_contacts", "d", Op.SET, {"CONTACT_IDS": []}, (Ref("OWNER_ID", "deal", "d"),)
            ),
        ],
    )

    async def scenario():
        async with make_client(portal) as client:
            await load(ledger, client, FAST)
            changed = PlannedRecord("company", "k", Op.CREATE, {"TITLE": "ООО Новое"})
            plan(ledger, [changed])
            run = ledger.start_run("load")
            ledger.mark_sending(run.id, [ledger.get("company", "k").id])
            ledger.finish_run(run.id, "interrupted")
            report = await load(ledger, client, FAST)
            company = await rows(
                client, "crm.company.get", {"id": ledger.get("company", "k").b24_id}
            )
            return report, company

    report, company = asyncio.run(scenario())
    assert (report.reconciled.found, report.reconciled.requeued) == (0, 1)
    assert company["TITLE"] == "ООО Новое"
    assert ledger.get("company", "k").op is Op.UPDATE


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_faults_never_lose_or_duplicate_a_record(ledger, tmp_path, seed):
    """Replies dropped after commit, 500s, 503s: one load settles all, each record once."""
    faulty = make_portal({"drop": 0.3, "500": 0.05, "503": 0.05}, seed=seed, data_dir=tmp_path)
    plan(ledger, sample_plan(6, 2))

    async def load_through_faults():
        async with make_client(faulty) as client:
            return await load(ledger, client, LoadOptions(settle_seconds=0, batch_size=10))

    report = asyncio.run(load_through_faults())
    assert faulty.stats()["faults"].get("drop", 0) > 0
    assert report.count("unknown") > 0
    assert report.reconciled.found > 0
    faulty.close()
    clean = make_portal(data_dir=tmp_path)

    async def read_back():
        async with make_client(clean) as client:
            return {
                e: await portal_origin_counts(client, e) for e in ("company", "contact", "deal")
            }

    counts = asyncio.run(read_back())
    clean.close()
    assert states(ledger) == {State.DONE: len(sample_plan(6, 2))}
    for entity, per_key in counts.items():
        assert set(per_key.values()) == {1}, entity
        assert sorted(per_key) == sorted(r.source_key for r in ledger.records(entity))
    for deal in ledger.records("deal"):
        company = ledger.get("company", deal.source_key.removesuffix("-d"))
        assert deal.ref_ids == (("COMPANY_ID", company.b24_id),)


def test_refused_records_fail_with_the_portal_text_and_block_dependents(ledger, portal):
    plan(
        ledger,
        [
            PlannedRecord(
                "contact", "bad", Op.CREATE, {"NAME": "Иван", "EMAIL": [["not-an-email", "WORK"]]}
            ),
            PlannedRecord(
                "deal", "d", Op.CREATE, {"TITLE": "Сделка"}, (Ref("CONTACT_ID", "contact", "bad"),)
            ),
        ],
    )

    async def scenario():
        async with make_client(portal) as client:
            return await load(ledger, client, FAST)

    report = asyncio.run(scenario())
    failed = ledger.failed()
    assert [r.source_key for r in failed] == ["bad"]
    assert "mail" in failed[0].last_error.lower() or "e-mail" in failed[0].last_error.lower()
    assert report.count("refused") == 1
    assert [r.source_key for r in ledger.blocked()] == ["d"]


def test_unsendable_records_are_failed_without_a_request(ledger, portal):
    plan(ledger, [PlannedRecord("deal_products", "d", Op.SET, {"ROWS": []})])

    async def scenario():
        async with make_client(portal) as client:
            return await load(ledger, client, FAST)

    report = asyncio.run(scenario())
    assert report.unsendable == 1
    assert "OWNER_ID" in ledger.failed()[0].last_error
    assert portal.stats()["requests"] == 0


def test_stop_event_finishes_batches_in_flight_and_raises_interrupted(ledger, portal):
    plan(ledger)

    async def scenario():
        stop = asyncio.Event()
        async with make_client(portal) as client:
            original = client.send_batch

            async def send_then_stop(commands, **kwargs):
                result = await original(commands, **kwargs)
                stop.set()  # Ctrl-C arrives while the first batch is in flight
                return result

            client.send_batch = send_then_stop
            with pytest.raises(Interrupted) as info:
                await load(ledger, client, LoadOptions(settle_seconds=0, in_flight=1), stop=stop)
            client.send_batch = original
            assert info.value.exit_code == 4
            assert ledger.sending() == []
            assert ledger.runs()[-1].status == "interrupted"
            assert states(ledger)[State.DONE] > 0
            await load(ledger, client, FAST)

    asyncio.run(scenario())
    assert states(ledger) == {State.DONE: len(sample_plan())}


def test_refused_credentials_stop_the_load_and_requeue_the_batch(ledger, portal):
    plan(ledger)

    async def scenario():
        async with make_client(portal, token="wrong") as client:
            with pytest.raises(PortalTerminalError, match="refused the load"):
                await load(ledger, client, FAST)

    asyncio.run(scenario())
    assert State.SENDING not in states(ledger)
    assert ledger.runs()[-1].status == "failed"
    assert all(r.attempts <= 1 for r in ledger.records())


def test_a_bug_while_sending_leaves_the_batch_sending_and_the_run_failed(ledger, portal):
    plan(ledger)

    async def scenario():
        async with make_client(portal) as client:

            async def broken(commands, **kwargs):
                raise RuntimeError("boom")

            client.send_batch = broken
            client.budget = TightBudget(client.budget, refusals=0, ample=True)
            with pytest.raises(RuntimeError, match="boom"):
                await load(ledger, client, LoadOptions(settle_seconds=0, batch_size=2))

    asyncio.run(scenario())
    assert states(ledger)[State.SENDING] > 2
    assert ledger.runs()[-1].status == "failed"


class TightBudget:
    """The client's budget, with no room for the first few asks."""

    def __init__(self, real, refusals: int, ample: bool = False) -> None:
        self.real = real
        self.refusals = refusals
        self.ample = ample

    def fits(self, method, count):
        if self.refusals > 0:
            self.refusals -= 1
            return 0
        return count if self.ample else self.real.fits(method, count)

    def wait_time(self, method):
        return 0.01 if self.refusals else self.real.wait_time(method)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_load_waits_for_the_operating_budget_when_nothing_fits(ledger, portal):
    plan(ledger, [PlannedRecord("company", "c", Op.CREATE, {"TITLE": "ООО"})])
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)

    async def scenario():
        async with make_client(portal) as client:
            client.budget = TightBudget(client.budget, refusals=3)
            await load(ledger, client, FAST, sleep=fake_sleep)

    asyncio.run(scenario())
    assert len(slept) == 3
    assert ledger.get("company", "c").state is State.DONE


def test_reconcile_follows_pages_when_duplicates_overflow_one(ledger, portal):
    plan(ledger, [PlannedRecord("company", "k", Op.CREATE, {"TITLE": "ООО"})])
    run = ledger.start_run("load")
    ledger.mark_sending(run.id, [ledger.ready("company", 1)[0].id])

    async def scenario():
        async with make_client(portal) as client:
            add = {"fields": {"TITLE": "x", "ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": "k"}}
            await client.send_batch(
                [ClientCommand(f"a{i}", "crm.company.add", add) for i in range(50)]
            )
            await client.call("crm.company.add", add)
            return await load(ledger, client, FAST)

    report = asyncio.run(scenario())
    assert len(report.reconciled.duplicates[0].b24_ids) == 51
    assert ledger.get("company", "k").b24_id == 1


@pytest.mark.parametrize(
    ("token", "error", "message"),
    [
        ("wrong", PortalTerminalError, "refused a look-up"),
        ("sandbox", PortalTransientError, "the portal has not answered since"),
    ],
)
def test_a_failed_look_up_changes_nothing(ledger, token, error, message):
    """A portal that does not answer the look-up is waited for (here: not at all), then the
    load stops resumable (exit 4); refused credentials stop it for good."""
    app = make_portal({"500": 1.0} if token == "sandbox" else None)
    plan(ledger, [PlannedRecord("company", "k", Op.CREATE, {"TITLE": "ООО"})])
    run = ledger.start_run("load")
    ledger.mark_sending(run.id, [ledger.ready("company", 1)[0].id])

    async def scenario():
        async with make_client(app, token=token, max_attempts=1) as client:
            with pytest.raises(error, match=message) as caught:
                await load(ledger, client, LoadOptions(settle_seconds=0, max_outage=0))
            assert caught.value.exit_code == (4 if token == "sandbox" else 3)

    asyncio.run(scenario())
    app.close()
    assert ledger.get("company", "k").state is State.SENDING


def test_ctrl_c_stops_cleanly_and_a_second_one_stops_at_once(ledger, portal):
    import os
    import signal

    from migrate.load import load_until_stopped

    plan(ledger)

    async def scenario(presses):
        async with make_client(portal) as client:
            original = client.send_batch

            async def press_ctrl_c(commands, **kwargs):
                for _ in range(presses):
                    os.kill(os.getpid(), signal.SIGINT)
                    await asyncio.sleep(0)
                return await original(commands, **kwargs)

            client.send_batch = press_ctrl_c
            await load_until_stopped(ledger, client, LoadOptions(settle_seconds=0, in_flight=1))

    with pytest.raises(Interrupted):
        asyncio.run(scenario(1))
    assert ledger.sending() == []
    assert states(ledger)[State.DONE] > 0
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(scenario(2))
    assert ledger.sending() != []  # abandoned in flight: the next load reconciles them
    assert ledger.runs()[-1].status == "interrupted"

    async def finish():
        async with make_client(portal) as client:
            await load(ledger, client, FAST)

    asyncio.run(finish())
    assert states(ledger) == {State.DONE: len(sample_plan())}


@pytest.mark.parametrize("written", [True, False])
def test_update_that_appends_a_phone_is_reconciled_not_resent_blindly(ledger, portal, written):
    """A lost reply of an update adding a phone: resend only if the phone is not there."""
    phone = "+74950000099"

    async def scenario():
        async with make_client(portal) as client:
            created = await client.call("crm.company.add", {"fields": {"TITLE": "ООО Старое"}})
            b24_id = created.result
            plan(
                ledger,
                [
                    PlannedRecord(
                        "company",
                        "k",
                        Op.UPDATE,
                        {"TITLE": "ООО Новое", "PHONE": [[phone, "WORK"]]},
                        b24_id=b24_id,
                    )
                ],
            )
            run = ledger.start_run("load")
            record = ledger.ready("company", 1)[0]
            ledger.mark_sending(run.id, [record.id])
            ledger.finish_run(run.id, "interrupted")
            if written:  # the portal applied it, the reply was lost
                await client.call(
                    "crm.company.update",
                    {
                        "id": b24_id,
                        "fields": {
                            "TITLE": "ООО Новое",
                            "PHONE": [{"VALUE": phone, "VALUE_TYPE": "WORK"}],
                        },
                    },
                )
            report = await load(ledger, client, FAST)
            company = await rows(client, "crm.company.get", {"id": b24_id})
            return report, company

    report, company = asyncio.run(scenario())
    assert [p["VALUE"] for p in company["PHONE"]] == [phone]
    assert company["TITLE"] == "ООО Новое"
    assert (report.reconciled.found, report.reconciled.requeued) == (1, 0) if written else (0, 1)
    assert ledger.get("company", "k").state is State.DONE


def test_update_of_a_record_deleted_meanwhile_is_sent_again_and_fails(ledger, portal):
    plan(
        ledger,
        [
            PlannedRecord(
                "company", "k", Op.UPDATE, {"PHONE": [["+74950000001", "WORK"]]}, b24_id=999
            )
        ],
    )
    run = ledger.start_run("load")
    ledger.mark_sending(run.id, [ledger.ready("company", 1)[0].id])

    async def scenario():
        async with make_client(portal) as client:
            return await load(ledger, client, FAST)

    report = asyncio.run(scenario())
    assert report.reconciled.requeued == 1
    assert ledger.get("company", "k").state is State.FAILED


def test_back_dated_creates_reach_the_portal_in_date_order(ledger, portal):
    """IMPORT=Y creates older than the newest of their entity are refused by the portal: a
    contact waiting for its company must still go before newer contacts that are ready."""
    records = [
        PlannedRecord(
            "company", "co", Op.CREATE, {"TITLE": "ООО «Ромашка»",
                                         "DATE_CREATE": "2019-01-01T10:00:00+03:00"},
            sort_key="2019-01-01T07:00:00+00:00",
        )
    ]  # fmt: skip
    for day in range(1, 21):
        date = f"2020-01-{day:02d}T10:00:00+03:00"
        refs = (Ref("COMPANY_ID", "company", "co"),) if day % 3 == 1 else ()
        records.append(
            PlannedRecord(
                "contact", f"c{day}", Op.CREATE, {"NAME": f"Иван{day}", "DATE_CREATE": date},
                refs, sort_key=f"2020-01-{day:02d}T07:00:00+00:00",
            )
        )  # fmt: skip
    ledger.apply_plan(ledger.start_run("plan").id, records)

    async def scenario():
        async with make_client(portal) as client:
            return await load(ledger, client, LoadOptions(settle_seconds=0, batch_size=3))

    report = asyncio.run(scenario())
    assert report.count("refused") == 0
    assert {r.state for r in ledger.records()} == {State.DONE}
    ids = [ledger.get("contact", f"c{day}").b24_id for day in range(1, 21)]
    assert ids == sorted(ids)  # created in date order


def test_a_resume_is_not_refused_for_a_record_the_killed_load_created(ledger, portal):
    """The kill -9 incident, without timing luck: the killed load created a company "now"
    while others stayed planned. A planned create that sends no date cannot be refused for
    it; one that keeps an older date still stops the load at its start check."""
    plan(ledger, [
        PlannedRecord("company", "co0", Op.CREATE, {"TITLE": "ООО"}, sort_key="2020-01-01"),
        PlannedRecord("company", "co5", Op.CREATE, {"TITLE": "ООО"}, sort_key="2020-01-06"),
    ])  # fmt: skip
    run = ledger.start_run("load")
    batch = ledger.mark_sending(run.id, [ledger.get("company", "co0").id])

    async def created_then_killed():
        async with make_client(portal) as client:
            reply = await client.call("crm.company.add", {"fields": {"TITLE": "ООО"}})
            return reply.result

    ledger.apply_results(batch.id, [Written(ledger.get("company", "co0").id,
                                            asyncio.run(created_then_killed()))])  # fmt: skip

    async def check():
        async with make_client(portal) as client:
            await check_dates_hold(ledger, client, "add")

    asyncio.run(check())  # co5 is dated "now" as well
    kept = {"TITLE": "ООО", "DATE_CREATE": "2020-01-06T10:00:00+03:00"}
    plan(ledger, [PlannedRecord("company", "co9", Op.CREATE, kept, sort_key="2020-01-06")])
    with pytest.raises(CheckpointError, match="the portal would refuse them"):
        asyncio.run(check())
