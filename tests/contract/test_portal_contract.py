"""The contract suite: client and loader checks against a portal.

Every check runs twice: against the sandbox (always, so CI exercises the suite) and against a
real portal named by `B24_WEBHOOK_URL` (`pytest -m portal`; skipped when the variable is
unset). Records are created only under a fresh test ORIGINATOR_ID and deleted afterwards.

    B24_WEBHOOK_URL=https://example.bitrix24.ru/rest/1/CODE/ pytest -m portal

The smart-process checks need a smart process on the portal: name it by its title in
`B24_SMART_PROCESS` (they are skipped on a real portal without it; the sandbox has one).

What is checked: identity and batch shapes; a load, its reconcile and rollback; pagination;
smart processes; history (activities with their original times, a task bound to its CRM
record, files); users and the administrator check; structure (a uniquely named deal list
field, a pipeline and its stage, created by the load, read back, used by a deal, removed by
the rollback); a comment's file downloaded by its `urlDownload`. Every name made carries the
run's ORIGINATOR_ID tag and the rollback removes it, so a real portal is left as found.

Proven against a served sandbox as a stand-in portal:

    b24migrate sandbox serve --port 8731 --token ctoken &
    B24_WEBHOOK_URL=http://127.0.0.1:8731/rest/1/ctoken/ pytest -m portal tests/contract
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from loaders.batch import Command
from loaders.client import Bitrix24Client
from loaders.entities import ENTITY_TYPE_HINT, WriteRequest, build_write
from loaders.errors import PortalError
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.ledger import STAGE_CODE, Ledger, Op, PlannedRecord, Ref, State
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


def structure_plan(tag: str) -> tuple[list[PlannedRecord], dict[str, str]]:
    """What an accepted structure proposal puts in the ledger (migrate/plan/_structure.py):
    a deal list field with two values, a pipeline, a stage of it, and a deal that uses all
    three. Names carry ``tag`` so that a real portal's own structure is never touched."""
    field = f"UF_CRM_B24MC_{tag.upper()}"
    ukey, pipeline, code = f"deal:{field}", f"Контракт {tag}", f"UC_{tag.upper()}"
    stage = f"{pipeline} / Переговоры"
    names = {"field": field, "pipeline": pipeline, "code": code}
    records = [
        PlannedRecord("user_field", ukey, Op.CREATE, {
            "ENTITY": "deal", "FIELD_NAME": field, "USER_TYPE_ID": "enumeration",
            "LABEL": f"Канал {tag}",
            "LIST": [{"VALUE": "Опт", "SORT": 10}, {"VALUE": "Розница", "SORT": 20}]}),
        *(PlannedRecord("field_item", f"{ukey}:{v}", Op.CREATE, {"FIELD": ukey, "VALUE": v})
          for v in ("Опт", "Розница")),
        PlannedRecord("pipeline", pipeline, Op.CREATE, {"name": pipeline}),
        PlannedRecord("stage", stage, Op.CREATE,
                      {"STATUS_ID": code, "NAME": "Переговоры", "SORT": 25, "SEMANTICS": "",
                       "CATEGORY_ID": 0},
                      (Ref("CATEGORY_ID", "pipeline", pipeline),)),
        PlannedRecord("deal", f"{tag}-d", Op.CREATE,
                      {"TITLE": f"Контракт {tag}", "CATEGORY_ID": -1, STAGE_CODE: code,
                       field: "~placeholder"},
                      (Ref("CATEGORY_ID", "pipeline", pipeline),
                       Ref(f"_structure.{field}", "user_field", ukey),
                       Ref("_structure.STAGE_ID", "stage", stage),
                       Ref(field, "field_item", f"{ukey}:Розница"))),
    ]  # fmt: skip
    return records, names


def test_structure_is_created_read_back_used_and_removed(target, originator, tmp_path: Path):
    """A user field with list values, a pipeline and its stage, created by the load before the
    deal that uses them, read back as the plan reads a portal, and removed by the rollback
    (userfield-add/get/list/delete, crm-category-add/list/delete, crm-status-add/list/delete)."""
    tag = originator[-8:]
    records, names = structure_plan(tag)
    field = names["field"]

    async def read(client, category: int | None) -> dict[str, object]:
        fields = (await client.call("crm.deal.userfield.list",
                                    {"filter": {"FIELD_NAME": field}})).result  # fmt: skip
        listed = (await client.call("crm.category.list", {"entityTypeId": 2})).result
        mine = [c for c in listed["categories"] if c["name"] == names["pipeline"]]
        stages = (
            []
            if category is None
            else (
                await client.call(
                    "crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{category}"}}
                )
            ).result
        )
        return {"fields": fields, "pipelines": mine, "stages": stages}

    async def scenario(client):
        with Ledger.open(tmp_path / "ledger.sqlite", originator) as ledger:
            ledger.apply_plan(ledger.start_run("plan").id, records)
            try:
                await load(ledger, client, LoadOptions(settle_seconds=0))
                states = {r.entity: r.state for r in ledger.records()}
                deal_id = ledger.get("deal", f"{tag}-d").b24_id
                category = ledger.get("pipeline", names["pipeline"]).b24_id
                before = await read(client, category)
                got = (await client.call("crm.deal.userfield.get",
                                         {"id": before["fields"][0]["ID"]})).result  # fmt: skip
                deal = (await client.call("crm.deal.get", {"id": deal_id})).result
            finally:
                report = await rollback(ledger, client, None)
            after = await read(client, None)
            stages_left = (await client.batch([Command("s", "crm.status.list", {
                "filter": {"ENTITY_ID": f"DEAL_STAGE_{category}"}})]))["s"]  # fmt: skip
            return states, category, before, got, deal, report, after, stages_left

    states, category, before, got, deal, report, after, stages_left = run(target, scenario)
    assert set(states.values()) == {State.DONE}, states
    (row,) = before["fields"]
    assert row["USER_TYPE_ID"] == "enumeration"
    items = {item["VALUE"]: item["ID"] for item in got["LIST"]}
    assert set(items) == {"Опт", "Розница"}
    assert all(isinstance(i, str) and i.isdigit() for i in items.values())  # ids as strings
    assert isinstance(got["EDIT_FORM_LABEL"], dict)  # get: a label per language
    (pipeline,) = before["pipelines"]
    assert isinstance(pipeline["id"], int)
    assert pipeline["id"] == category
    stage = next(s for s in before["stages"] if s["STATUS_ID"] == f"C{category}:{names['code']}")
    assert stage["NAME"] == "Переговоры"
    assert stage["ENTITY_ID"] == f"DEAL_STAGE_{category}"
    assert stage["SEMANTICS"] in (None, "")  # in progress
    assert any(s["SEMANTICS"] == "S" for s in before["stages"])  # the pipeline's own success
    assert int(deal["CATEGORY_ID"]) == category
    assert deal["STAGE_ID"] == f"C{category}:{names['code']}"
    assert str(deal[field]) == items["Розница"]
    assert report.errors == ()
    assert after["fields"] == []
    assert after["pipelines"] == []
    # the pipeline went with its stages: its dictionary is empty or no longer known
    assert stages_left.error is not None or stages_left.result == []


def _download(url: str, webhook: str) -> httpx.Response:
    """A file link as the portal gave it (absolute; a relative one is taken at the portal)."""
    with httpx.Client(timeout=30, follow_redirects=True) as http:
        return http.get(urljoin(webhook, url))


def test_a_comment_file_downloads_with_its_size_and_bytes(target, originator, tmp_path: Path):
    """A file attached to a comment (crm-timeline-comment-add.md ``FILES``) reads back with
    its size and downloads, by the ``urlDownload`` the portal gives, as the same bytes."""
    import hashlib

    attachment = tmp_path / "скан.txt"
    attachment.write_bytes("Контракт: файл комментария\n".encode() * 40)
    records = history_plan(originator[-8:], attachment)
    records = [r for r in records if r.entity in ("company", "comment")]

    async def scenario(client):
        with Ledger.open(tmp_path / "ledger.sqlite", originator) as ledger:
            ledger.apply_plan(ledger.start_run("plan").id, records)
            try:
                await load(ledger, client, LoadOptions(settle_seconds=0))
                company = ledger.get("company", records[0].source_key).b24_id
                rows = (await client.call("crm.timeline.comment.list", {
                    "filter": {"ENTITY_ID": company, "ENTITY_TYPE": "company"},
                    "select": ["ID", "FILES"]})).result  # fmt: skip
                (note,) = rows
                (shown,) = note["FILES"].values()
                data = await asyncio.to_thread(_download, shown["urlDownload"], target.webhook_url)
            finally:
                report = await rollback(ledger, client, None)
            return shown, data, report

    shown, reply, report = run(target, scenario)
    assert report.errors == ()
    assert shown["size"] == attachment.stat().st_size
    assert shown["name"] == attachment.name
    if reply.headers.get("content-type", "").startswith("text/html"):
        pytest.skip("the portal answered the download with a page (it asks a browser session); "
                    "the size was checked")  # fmt: skip
    assert reply.status_code == 200
    assert (
        hashlib.sha256(reply.content).digest() == hashlib.sha256(attachment.read_bytes()).digest()
    )
