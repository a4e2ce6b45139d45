"""The contract suite: client and loader checks against a portal.

Every check runs twice: against the sandbox (always, so CI exercises the suite) and against a
real portal named by `B24_WEBHOOK_URL` (`pytest -m portal`; skipped when the variable is
unset). Records are created only under a fresh test ORIGINATOR_ID and deleted afterwards.

    B24_WEBHOOK_URL=https://example.bitrix24.ru/rest/1/CODE/ pytest -m portal

The smart-process checks need a smart process on the portal: name it by its title in
`B24_SMART_PROCESS` (they are skipped on a real portal without it; the sandbox has one).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from loaders.batch import Command
from loaders.client import Bitrix24Client
from loaders.entities import ENTITY_TYPE_HINT, WriteRequest, build_write
from loaders.errors import PortalError
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.ledger import Ledger, Op, PlannedRecord, Ref, State
from migrate.load import LoadOptions, load, reconcile, rollback
from migrate.portal.read import read_all  # how the plan reads users, page by page

SANDBOX_SPA = "Договоры (контракт)"


@dataclass(frozen=True)
class Target:
    webhook_url: str
    plan: str
    smart_process: str | None = None


@pytest.fixture(params=[pytest.param("sandbox"), pytest.param("portal", marks=pytest.mark.portal)])
def target(request) -> Iterator[Target]:
    if request.param == "portal":
        yield Target(os.environ["B24_WEBHOOK_URL"], os.environ.get("B24_PLAN", "standard"),
                     os.environ.get("B24_SMART_PROCESS"))  # fmt: skip
        return
    with running_sandbox(SandboxConfig(plan="unlimited", smart_processes=(SANDBOX_SPA,))) as portal:
        yield Target(portal.webhook_url, "unlimited", SANDBOX_SPA)


@pytest.fixture
def originator() -> str:
    return f"b24migrate-contract-{uuid.uuid4().hex[:8]}"


def run(target: Target, scenario):
    async def go():
        async with Bitrix24Client(target.webhook_url, plan=target.plan) as client:
            return await scenario(client)

    return asyncio.run(go())


def small_plan(tag: str) -> list[PlannedRecord]:
    company, contacts, deal = f"{tag}-co", [f"{tag}-c1", f"{tag}-c2"], f"{tag}-d"
    return [
        PlannedRecord("company", company, Op.CREATE, {"TITLE": f"ООО «Контракт {tag}»"}),
        *(
            PlannedRecord(
                "contact",
                key,
                Op.CREATE,
                {"NAME": "Иван", "LAST_NAME": f"Тестов{i}", "PHONE": [[f"+7900000000{i}", "WORK"]]},
                (Ref("COMPANY_ID", "company", company),),
            )
            for i, key in enumerate(contacts)
        ),
        PlannedRecord(
            "deal",
            deal,
            Op.CREATE,
            {"TITLE": f"Контракт {tag}", "OPPORTUNITY": "100.00", "CURRENCY_ID": "RUB"},
            (Ref("COMPANY_ID", "company", company),),
        ),
        PlannedRecord(
            "deal_contacts",
            deal,
            Op.SET,
            {"CONTACT_IDS": [None, None]},
            (
                Ref("OWNER_ID", "deal", deal),
                *(Ref(f"CONTACT_IDS.{i}", "contact", k) for i, k in enumerate(contacts)),
            ),
        ),
        PlannedRecord(
            "comment",
            f"{deal}-n",
            Op.CREATE,
            {"ENTITY_TYPE": "deal", "COMMENT": "Проверка контракта", "_DATE": "2021-03-12"},
            (Ref("ENTITY_ID", "deal", deal),),
        ),
    ]


def test_identity_fields_and_batch_shapes(target):
    async def scenario(client):
        me = (await client.call("user.current")).result
        fields = (await client.call("crm.company.fields")).result
        replies = await client.batch(
            [Command("ok", "crm.company.fields", {}), Command("bad", "crm.deal.get", {"id": 0})]
        )
        return me, fields, replies

    me, fields, replies = run(target, scenario)
    assert int(me["ID"]) > 0
    assert {"TITLE", "ORIGINATOR_ID", "ORIGIN_ID"} <= set(fields)
    ok, bad = replies
    assert ok.error is None and "TITLE" in ok.result  # noqa: PT018
    assert isinstance(bad.error, PortalError)


def test_load_reconcile_and_rollback_leave_nothing_behind(target, originator, tmp_path: Path):
    records = small_plan(originator[-8:])

    async def scenario(client):
        with Ledger.open(tmp_path / "ledger.sqlite", originator) as ledger:
            ledger.apply_plan(ledger.start_run("plan").id, records)
            try:
                # the company is written but its reply is lost: the look-up must find it
                company = ledger.records("company")[0]
                ledger.mark_sending(ledger.start_run("load").id, [company.id])
                write = build_write(
                    WriteRequest("company", "create", company.source_key, dict(company.fields)),
                    originator,
                )
                await client.call(write.method, write.params)
                found = await reconcile(ledger, client, settle_seconds=0, clock=_now)
                await load(ledger, client, LoadOptions(settle_seconds=0))
                states = {r.state for r in ledger.records()}
                listed = await client.list_all(
                    "crm.contact.list", {"ORIGINATOR_ID": originator}, ["ID", "ORIGIN_ID"]
                )
                deal = ledger.get("deal", records[3].source_key).b24_id
                linked = (await client.call("crm.deal.contact.items.get", {"id": deal})).result
                companies = await client.list_all(
                    "crm.company.list", {"ORIGINATOR_ID": originator}, ["ID"]
                )
            finally:
                report = await rollback(ledger, client, None)
            left = await client.list_all("crm.contact.list", {"ORIGINATOR_ID": originator}, ["ID"])
            return states, listed, linked, found, companies, report, left

    states, listed, linked, found, companies, report, left = run(target, scenario)
    assert (found.found, found.requeued, found.duplicates) == (1, 0, ())
    assert states == {State.DONE}
    assert len(companies) == 1  # found, not created twice
    assert sorted(r["ORIGIN_ID"] for r in listed) == sorted(r.source_key for r in records[1:3])
    assert len(linked) == 2
    assert report.errors == ()
    assert left == []


def test_fast_pagination_returns_every_row_once(target, originator):
    async def scenario(client):
        commands = [
            Command(
                f"c{i}",
                "crm.contact.add",
                {
                    "fields": {
                        "NAME": f"Страница{i}",
                        "ORIGINATOR_ID": originator,
                        "ORIGIN_ID": f"p{i}",
                    }
                },
            )
            for i in range(55)
        ]
        created = [r.result for r in await client.batch(commands[:50])]
        created += [r.result for r in await client.batch(commands[50:])]
        try:
            rows = await client.list_all(
                "crm.contact.list", {"ORIGINATOR_ID": originator}, ["ID", "ORIGIN_ID"]
            )
        finally:
            await client.batch(
                [Command(f"d{i}", "crm.contact.delete", {"id": cid}) for i, cid in
                 enumerate(created[:50])]
            )  # fmt: skip
            await client.batch(
                [Command(f"d{i}", "crm.contact.delete", {"id": c}) for i, c in
                 enumerate(created[50:])]
            )  # fmt: skip
        return created, rows

    created, rows = run(target, scenario)
    ids = [int(r["ID"]) for r in rows]
    assert ids == sorted(ids)
    assert sorted(ids) == sorted(int(c) for c in created)


def test_smart_process_type_fields_and_pipelines(target):
    if target.smart_process is None:
        pytest.skip("B24_SMART_PROCESS (a smart process's title) not set")

    async def scenario(client):
        types = await client.call("crm.type.list", {"filter": {"title": target.smart_process}})
        (found,) = types.result["types"]
        type_id = found["entityTypeId"]
        fields = (await client.call("crm.item.fields", {"entityTypeId": type_id})).result
        listed = (await client.call("crm.category.list", {"entityTypeId": type_id})).result
        missing = await client.batch(
            [Command("x", "crm.item.list", {"entityTypeId": 99_999, "select": ["id"]})]
        )
        return found, fields["fields"], listed["categories"], missing["x"]

    found, fields, categories, missing = run(target, scenario)
    assert isinstance(found["entityTypeId"], int)
    assert found["entityTypeId"] >= 128
    assert found["isCategoriesEnabled"] in ("Y", "N")
    assert found["isStagesEnabled"] in ("Y", "N")
    assert "isUseInUserfieldEnabled" in found
    assert fields["xmlId"]["upperName"] == "XML_ID"
    assert "originId" not in fields  # why the loader finds its items by xmlId
    assert fields["stageId"]["statusType"].startswith(f"DYNAMIC_{found['entityTypeId']}_STAGE_")
    assert any(c["isDefault"] == "Y" for c in categories)
    assert {c["entityTypeId"] for c in categories} == {found["entityTypeId"]}
    assert isinstance(missing.error, PortalError)
    assert missing.error.code == "NOT_FOUND"


def test_smart_process_item_is_found_again_loaded_and_rolled_back(target, originator, tmp_path):
    if target.smart_process is None:
        pytest.skip("B24_SMART_PROCESS (a smart process's title) not set")
    tag = originator[-8:]
    company, item = f"{tag}-co", f"{tag}-spa"

    async def scenario(client):
        types = await client.call("crm.type.list", {"filter": {"title": target.smart_process}})
        type_id = types.result["types"][0]["entityTypeId"]
        records = [
            PlannedRecord("company", company, Op.CREATE, {"TITLE": f"ООО «Контракт {tag}»"}),
            PlannedRecord("smart_process", item, Op.CREATE,
                          {"TITLE": f"Договор {tag}", "OPPORTUNITY": 1234.5,
                           "CURRENCY_ID": "RUB", ENTITY_TYPE_HINT: type_id},
                          (Ref("COMPANY_ID", "company", company),)),
        ]  # fmt: skip
        with Ledger.open(tmp_path / "ledger.sqlite", originator) as ledger:
            ledger.apply_plan(ledger.start_run("plan").id, records[:1])
            try:
                await load(ledger, client, LoadOptions(settle_seconds=0))  # the company
                ledger.apply_plan(ledger.start_run("plan").id, records)
                # the item is written but its reply is lost: the look-up by xmlId finds it
                spa = ledger.get("smart_process", item)
                ledger.mark_sending(ledger.start_run("load").id, [spa.id])
                write = build_write(
                    WriteRequest("smart_process", "create", item, spa.resolved_fields()),
                    originator,
                )
                await client.call(write.method, write.params)
                found = await reconcile(ledger, client, settle_seconds=0, clock=_now)
                await load(ledger, client, LoadOptions(settle_seconds=0))
                spa = ledger.get("smart_process", item)
                got = await client.call("crm.item.get", {"entityTypeId": type_id, "id": spa.b24_id})
                same = (
                    await client.call(
                        "crm.item.list",
                        {
                            "entityTypeId": type_id,
                            "filter": {"xmlId": f"{originator}/{item}"},
                            "select": ["id"],
                        },
                    )
                ).result
                owner = ledger.get("company", company).b24_id
            finally:
                report = await rollback(ledger, client, None)
            gone = await client.batch(
                [Command("g", "crm.item.get", {"entityTypeId": type_id, "id": spa.b24_id})]
            )
        return found, got.result["item"], same["items"], owner, report, gone["g"]

    found, got, same, owner, report, gone = run(target, scenario)
    assert found.found == 1
    assert len(same) == 1
    assert got["xmlId"].endswith(f"/{item}")  # scoped by the migration: `<originator>/<key>`
    assert got["companyId"] == owner
    assert got["opportunity"] == pytest.approx(1234.5)
    assert report.errors == ()
    assert report.deleted.get("smart_process") == 1
    assert isinstance(gone.error, PortalError)


def _now():
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(seconds=5)


def history_plan(tag: str, attachment: Path) -> list[PlannedRecord]:
    """A company with a call (original times, one file), a task and a comment with the file."""
    import hashlib

    data = attachment.read_bytes()
    files = [{"path": str(attachment), "name": attachment.name, "size": len(data),
              "sha256": hashlib.sha256(data).hexdigest()}]  # fmt: skip
    company = f"{tag}-co"
    owner = (Ref("OWNER_ID", "company", company),)
    return [
        PlannedRecord("company", company, Op.CREATE, {"TITLE": f"ООО «История {tag}»"}),
        PlannedRecord("activity", f"{tag}-a", Op.CREATE, {
            "OWNER_TYPE_ID": 4, "TYPE_ID": 2, "DIRECTION": 1, "SUBJECT": "Входящий звонок",
            "START_TIME": "2021-03-12T14:05:00+03:00", "END_TIME": "2021-03-12T14:12:00+03:00",
            "_COMM": "+79000000001", "_DATE": "2021-03-12", "_FILES": files}, owner),
        PlannedRecord("task", f"{tag}-t", Op.CREATE, {
            "TITLE": "Проверка контракта", "RESPONSIBLE_ID": 1, "STATUS": 2,
            "DEADLINE": "2031-04-01T18:00:00+03:00", "OWNER_TYPE": "company"}, owner),
        PlannedRecord("comment", f"{tag}-n", Op.CREATE, {
            "ENTITY_TYPE": "company", "COMMENT": "Скан", "_FILES": files},
            (Ref("ENTITY_ID", "company", company),)),
    ]  # fmt: skip


def test_history_loads_with_times_task_binding_and_files_then_rolls_back(
    target, originator, tmp_path: Path
):
    from datetime import datetime

    attachment = tmp_path / "contract.txt"
    attachment.write_bytes(b"b24migrate contract file\n")
    records = history_plan(originator[-8:], attachment)

    async def scenario(client):
        with Ledger.open(tmp_path / "ledger.sqlite", originator) as ledger:
            ledger.apply_plan(ledger.start_run("plan").id, records)
            try:
                await load(ledger, client, LoadOptions(settle_seconds=0))
                states = {r.state for r in ledger.records()}
                ids = {r.entity: r.b24_id for r in ledger.records()}
                call = (
                    await client.call(
                        "crm.activity.list",
                        {"filter": {"ORIGINATOR_ID": originator}, "select": ["*", "FILES"]},
                    )
                ).result
                task = (
                    await client.call(
                        "tasks.task.get",
                        {"taskId": ids["task"], "select": ["ID", "XML_ID", "UF_CRM_TASK"]},
                    )
                ).result
                comment = (
                    await client.call(
                        "crm.timeline.comment.list",
                        {"filter": {"ENTITY_ID": ids["company"], "ENTITY_TYPE": "company"}},
                    )
                ).result
            finally:
                report = await rollback(ledger, client, None)
            left = (await client.call("crm.activity.list", {
                "filter": {"ORIGINATOR_ID": originator}})).result  # fmt: skip
            return states, ids, call, task, comment, report, left

    states, ids, call, task, comment, report, left = run(target, scenario)
    assert states == {State.DONE}
    (activity,) = call
    assert datetime.fromisoformat(activity["START_TIME"]) == datetime.fromisoformat(
        "2021-03-12T14:05:00+03:00")  # fmt: skip
    assert len(activity["FILES"]) == 1
    assert f"CO_{ids['company']}" in task["task"]["ufCrmTask"]
    assert task["task"]["xmlId"] == f"{originator}/{records[2].source_key}"
    (note,) = comment
    assert [f["size"] for f in note["FILES"].values()] == [attachment.stat().st_size]
    assert report.errors == ()
    assert left == []


def test_users_and_the_administrator_check_as_the_plan_reads_them(target):
    """What owners and `load.route: auto` rely on: `user.admin` is a plain boolean that agrees
    with `profile`'s ADMIN; `user.get` lists dismissed employees unless `ACTIVE` is asked
    for, with string ids and a boolean `ACTIVE`, 50 per page (user-get.md, user-admin.md)."""

    async def scenario(client):
        admin = (await client.call("user.admin")).result
        profile = (await client.call("profile")).result
        everyone, active = await read_all(
            client, [("user.get", {"sort": "ID", "order": "ASC"}),
                     ("user.get", {"sort": "ID", "order": "ASC", "FILTER": {"ACTIVE": True}})],
        )  # fmt: skip
        return admin, profile, everyone, active

    admin, profile, everyone, active = run(target, scenario)
    assert isinstance(admin, bool)
    assert admin is bool(profile["ADMIN"])
    assert everyone
    assert all(isinstance(u["ID"], str) and isinstance(u["ACTIVE"], bool) for u in everyone)
    assert len({u["ID"] for u in everyone}) == len(everyone)  # every page once
    assert {u["ID"] for u in active} == {u["ID"] for u in everyone if u["ACTIVE"]}
