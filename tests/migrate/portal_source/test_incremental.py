"""A second read asks only for what changed; a read that failed mid-way goes on from there."""

from __future__ import annotations

import asyncio

import httpx
import pandas as pd
import pytest

from loaders import Bitrix24Client, PortalReadOnly
from loaders.sandbox import SandboxConfig, create_app
from migrate.errors import MigrationError
from migrate.portal.connect import open_source_portal
from migrate.portal.source import read_source_portal
from migrate.run import Migration
from sample_data.portal import SMART_PROCESS, prepare_target_portal, seed_source_portal

from .conftest import make_workspace

SOURCE = "http://source.test/rest/1/src/"
TABLES = ("company", "contact", "deal", "note")


class Clock:
    """The source portal's clock, moved by the test (DATE_MODIFY and server.time follow it)."""

    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


class FailingAfter(httpx.AsyncBaseTransport):
    """The source's webhook, revoked after ``limit`` requests (a read stopped mid-way)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int) -> None:
        self.inner, self.limit, self.sent = inner, limit, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.sent > self.limit:
            body = {
                "error": "INVALID_CREDENTIALS",
                "error_description": "Invalid request credentials",
            }
            return httpx.Response(401, json=body, request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def portals(request, monkeypatch, tmp_path):
    clock = Clock()
    source = create_app(SandboxConfig(token="src", plan="unlimited", clock=clock))
    tables = getattr(request, "param", TABLES)
    root = make_workspace(tmp_path / "ws", target="sandbox", tables=tables)
    # the workspace's embedded sandbox (plan and load open it from its folder)
    target = create_app(SandboxConfig(data_dir=root / ".b24migrate/sandbox", plan="unlimited"))

    async def seed():
        async with _writer(source) as client:
            return await seed_source_portal(client, companies=6, contacts=8, deals=9, leads=0)

    async def prepare() -> None:
        async with _writer(target, "http://sandbox.local/rest/1/sandbox/") as client:
            await prepare_target_portal(client)

    seeded = asyncio.run(seed())
    clock.now += 60  # the migration starts a minute after the last change
    asyncio.run(prepare())
    target.close()
    monkeypatch.setenv("B24_SOURCE", SOURCE)
    yield source, clock, root, seeded.counts
    source.close()


def _writer(app, url: str = SOURCE) -> Bitrix24Client:
    return Bitrix24Client(url, transport=httpx.ASGITransport(app=app), plan="unlimited")


def _migration(root, source, **options) -> Migration:
    source_transport = options.pop("source_transport", None) or httpx.ASGITransport(app=source)
    return Migration(root, source_transport=source_transport, **options)


def _read(migration: Migration) -> dict[str, tuple[int, str | None]]:
    assert migration.source_read is not None
    return {t.table: (t.read, t.since) for t in migration.source_read.tables}


def test_a_second_read_brings_only_the_changes_and_the_plan_updates_them(portals):
    source, clock, root, counts = portals
    first = _migration(root, source)
    first.validate()
    assert {t: n for t, (n, _) in _read(first).items()} == {t: counts[t] for t in TABLES}
    assert all(since is None for _, since in _read(first).values())
    first.plan()
    _migration(root, source).load()

    clock.now += 600

    async def change() -> None:
        async with _writer(source) as client:
            await client.call("crm.deal.update", {"id": 2, "fields": {"TITLE": "Поставка (изм.)"}})
            await client.call("crm.company.add", {"fields": {"TITLE": "ООО «Новая»"}})

    asyncio.run(change())
    second = _migration(root, source)
    second.validate()
    read = _read(second)
    assert read["deal"][0] == 1
    assert read["company"][0] == 1
    assert read["contact"][0] == 0
    assert read["deal"][1] is not None
    deals = pd.read_parquet(root / ".b24migrate/source_portal/deal.parquet")
    assert deals.drop_duplicates("ID").shape[0] == 9
    assert set(deals.loc[deals["ID"] == "2", "TITLE"]) == {"Поставка (изм.)"}
    planned = second.plan().result.delta.counts
    assert planned[("deal", "changed")] == 1
    assert planned[("company", "new")] == 1


def test_records_deleted_in_the_source_leave_the_snapshot_and_are_listed_gone(portals):
    source, clock, root, counts = portals
    first = _migration(root, source)
    first.validate()
    first.plan()
    _migration(root, source).load()
    target_deals = _target_count(root, "deal")
    notes = pd.read_parquet(root / ".b24migrate/source_portal/note.parquet")
    clock.now += 600

    async def delete() -> None:
        async with _writer(source) as client:
            await client.call("crm.deal.delete", {"id": 3})
            await client.call("crm.contact.delete", {"id": 5})

    asyncio.run(delete())
    second = _migration(root, source)
    second.validate()
    gone = {t.table: t.gone for t in second.source_read.tables}
    assert (gone["deal"], gone["contact"], gone["company"]) == (1, 1, 0)
    deals = pd.read_parquet(root / ".b24migrate/source_portal/deal.parquet")
    assert "3" not in set(deals["ID"])
    assert deals["ID"].nunique() == counts["deal"] - 1
    cutover = second.plan().result.cutover
    # the comments of the deleted deal and contact went with them (read whole: no merge)
    owned = [("comment", n) for n in notes.loc[((notes["ENTITY_TYPE"] == "deal") & (notes[
        "ENTITY_ID"] == "3")) | ((notes["ENTITY_TYPE"] == "contact") & (notes["ENTITY_ID"] ==
        "5")), "ID"]]  # fmt: skip
    assert owned
    assert sorted((g.entity, g.source_key) for g in cutover.gone) == sorted([
        *owned, ("contact", "5"), ("deal", "3")])  # fmt: skip
    _migration(root, source).load()
    assert _target_count(root, "deal") == target_deals  # listed, never deleted in the target


def _target_count(root, entity: str) -> int:
    app = create_app(SandboxConfig(data_dir=root / ".b24migrate/sandbox", plan="unlimited"))
    try:
        return int(app.stats()["entities"][entity])
    finally:
        app.close()


def test_a_read_cut_mid_way_keeps_the_tables_it_finished(portals):
    source, _, root, _ = portals
    cut = FailingAfter(httpx.ASGITransport(app=source), limit=12)
    broken = _migration(root, source, source_transport=cut)
    with pytest.raises(MigrationError, match="stopped before") as stopped:
        broken.validate()
    assert "src" not in str(stopped.value)  # the webhook's code is never shown
    kept = sorted(p.stem for p in (root / ".b24migrate/source_portal").glob("*.parquet"))
    assert kept
    assert kept != sorted(TABLES)
    again = _migration(root, source)
    again.validate()
    read = _read(again)
    assert all(read[t][1] is not None for t in kept if t != "note")  # finished: changes only
    assert all(read[t][1] is None for t in TABLES if t not in kept)  # the rest: whole


def test_the_source_client_refuses_writes(portals):
    source, _, root, _ = portals
    migration = _migration(root, source)

    async def write() -> None:
        async with open_source_portal(
            migration.workspace, migration.config, transport=httpx.ASGITransport(app=source)
        ) as client:
            await client.call("crm.company.add", {"fields": {"TITLE": "x"}})

    before = source.stats()["entities"]["company"]
    with pytest.raises(PortalReadOnly):
        asyncio.run(write())
    assert source.stats()["entities"]["company"] == before


def test_requisites_beyond_a_companys_first_are_counted_not_dropped_quietly(portals, caplog):
    source, _, root, _ = portals

    async def second_requisite() -> None:
        async with _writer(source) as client:
            preset = (await client.call("crm.requisite.preset.list", {})).result[0]["ID"]
            for name in ("Второй счёт", "Третий счёт"):
                fields = {"ENTITY_TYPE_ID": 4, "ENTITY_ID": 2, "PRESET_ID": preset, "NAME": name}
                await client.call("crm.requisite.add", {"fields": fields})

    asyncio.run(second_requisite())
    migration = _migration(root, source)
    with caplog.at_level("INFO"):
        migration.validate()
    left = {t.table: t.left_out for t in migration.source_read.tables}
    assert left == {"company": 2, "contact": 0, "deal": 0, "note": 0}
    assert "company 6 (2 requisites beyond a company's first not carried)" in caplog.text


HISTORY = ("company", "contact", "deal", "lead", "activity", "task")


@pytest.mark.parametrize("portals", [HISTORY], indirect=True)
def test_a_second_read_of_the_history_brings_only_changed_activities_and_tasks(portals):
    source, clock, root, counts = portals
    first = _migration(root, source)
    first.validate()
    read = _read(first)
    assert (read["activity"][0], read["task"][0]) == (counts["activity"], counts["task"])
    files = sorted((root / ".b24migrate/source_portal/files/activity").rglob("*.*"))
    assert files  # downloaded beside the snapshot
    stamps = {p: p.stat().st_mtime_ns for p in files}
    first.plan()
    _migration(root, source).load()

    clock.now += 600

    async def change() -> None:
        async with _writer(source) as client:
            await client.call(
                "crm.activity.update", {"id": 1, "fields": {"SUBJECT": "Звонок (изм.)"}}
            )
            await client.call("tasks.task.add", {"fields": {
                "TITLE": "Новая задача", "RESPONSIBLE_ID": 1, "UF_CRM_TASK": ["D_1"]}})  # fmt: skip

    asyncio.run(change())
    second = _migration(root, source)
    second.validate()
    read = _read(second)
    assert read["activity"][:1] == (1,)
    assert read["task"][0] == 1
    assert read["activity"][1] is not None
    assert read["task"][1] is not None
    assert {p: p.stat().st_mtime_ns for p in files} == stamps  # files are not fetched again
    activities = pd.read_parquet(root / ".b24migrate/source_portal/activity.parquet")
    assert activities.shape[0] == counts["activity"]
    assert set(activities.loc[activities["ID"] == "1", "SUBJECT"]) == {"Звонок (изм.)"}
    planned = second.plan().result.delta.counts
    assert planned[("activity", "changed")] == 1
    assert planned[("task", "new")] == 1


@pytest.mark.parametrize("portals", [HISTORY], indirect=True)
def test_activities_and_tasks_deleted_in_the_source_are_listed_gone(portals):
    source, clock, root, counts = portals
    first = _migration(root, source)
    first.validate()
    first.plan()
    _migration(root, source).load()
    tasks = pd.read_parquet(root / ".b24migrate/source_portal/task.parquet")
    task_id = sorted(tasks["ID"], key=int)[1]
    clock.now += 600

    async def delete() -> None:
        async with _writer(source) as client:
            await client.call("crm.activity.delete", {"id": 2})
            await client.call("tasks.task.delete", {"taskId": int(task_id)})

    asyncio.run(delete())
    second = _migration(root, source)
    second.validate()
    gone = {t.table: t.gone for t in second.source_read.tables}
    assert (gone["activity"], gone["task"], gone["deal"]) == (1, 1, 0)
    activities = pd.read_parquet(root / ".b24migrate/source_portal/activity.parquet")
    assert "2" not in set(activities["ID"])
    assert activities.shape[0] == counts["activity"] - 1
    cutover = second.plan().result.cutover
    gone_keys = sorted((g.entity, g.source_key) for g in cutover.gone)
    assert gone_keys == [("activity", "2"), ("task", task_id)]


def test_smart_process_items_are_read_again_only_when_changed(tmp_path):
    clock = Clock()
    source = create_app(SandboxConfig(token="src", plan="unlimited", clock=clock,
                                      smart_processes=(SMART_PROCESS,)))  # fmt: skip

    async def seed() -> int:
        async with _writer(source) as client:
            seeded = await seed_source_portal(client, companies=4, contacts=4, deals=4, leads=0)
            return seeded.counts["smart_process"]

    async def read() -> tuple[int, str | None, int]:
        async with Bitrix24Client(SOURCE, transport=httpx.ASGITransport(app=source),
                                  plan="unlimited", read_only=True) as client:  # fmt: skip
            done = await read_source_portal(client, ["smart_process"], tmp_path, portal="src")
        (table,) = done.tables
        return table.read, table.since, table.gone

    async def change() -> None:
        async with _writer(source) as client:
            fields = {"title": "Договор (изм.)"}
            await client.call("crm.item.update", {"entityTypeId": 128, "id": 3, "fields": fields})
            await client.call("crm.item.delete", {"entityTypeId": 128, "id": 4})

    items = asyncio.run(seed())
    clock.now += 60
    assert asyncio.run(read()) == (items, None, 0)
    clock.now += 600
    asyncio.run(change())
    read_again, since, gone = asyncio.run(read())
    source.close()
    assert (read_again, gone) == (1, 1)  # item 4 deleted: gone from the snapshot
    assert since is not None
    snapshot = pd.read_parquet(tmp_path / ".b24migrate/source_portal/smart_process.parquet")
    assert snapshot.shape[0] == items - 1
    assert "4" not in set(snapshot["ID"])
    assert set(snapshot["ENTITY_TYPE_ID"]) == {"128"}
    assert set(snapshot.loc[snapshot["ID"] == "3", "TITLE"]) == {"Договор (изм.)"}
    assert set(snapshot["SMART_PROCESS"]) == {SMART_PROCESS}
    assert set(snapshot["STAGE"]) <= {"Начало", "Подготовка", "Согласование", "Успех", "Провал"}
