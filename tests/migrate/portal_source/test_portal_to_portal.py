"""Two served sandboxes: a seeded source portal migrated into a target, then compared."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from loaders import Bitrix24Client
from migrate.run import Migration
from sample_data.portal import (
    CHANNELS,
    MULTI_LINE,
    SMART_PROCESS,
    prepare_target_portal,
    seed_source_portal,
)
from sample_data.portal_compare import compare_portals

from .conftest import make_workspace, served_portals


async def _seed(source_url: str, target_url: str):
    async with Bitrix24Client(source_url, plan="unlimited") as source:
        seeded = await seed_source_portal(source, requisites=True)
    async with Bitrix24Client(target_url, plan="unlimited") as target:
        await prepare_target_portal(target)
    return seeded


@pytest.fixture(scope="module")
def portals():
    with served_portals() as (source, target):
        seeded = asyncio.run(_seed(source.webhook_url, target.webhook_url))
        yield source, target, seeded


def test_plan_and_load_bring_every_record_and_only_read_the_source(portals, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    source, target, seeded = portals
    root = make_workspace(tmp_path / "ws", target="env:B24_TARGET")
    env = {"B24_SOURCE": source.webhook_url, "B24_TARGET": target.webhook_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = dict(source.stats()["methods"])
    held = dict(source.stats()["entities"])
    migration = Migration(root, environ=env)
    validated = migration.validate()
    assert validated.prepared.count("error") == 0, validated.prepared.issues.head(20)
    planned = migration.plan()
    assert planned.reconciliation.lines_source == planned.reconciliation.lines_planned
    loaded = Migration(root, environ=env).load()
    assert loaded.result.failed == 0
    assert loaded.result.left == 0
    used = {m for m, n in source.stats()["methods"].items() if n > before.get(m, 0)}
    reads = ("list", "get", "fields", "current", "time")  # server.time: the read's watermark
    writes = {m for m in used if m.rsplit(".", 1)[-1] not in reads
              and not m.startswith("crm.enum.")}  # fmt: skip
    assert writes == set(), writes
    assert source.stats()["entities"] == held
    differences = asyncio.run(compare_portals(source.webhook_url, target.webhook_url))
    assert differences == [], differences[:20]
    assert seeded.counts["smart_process"] > 0
    assert planned.result.count("smart_process", "create") == seeded.counts["smart_process"]
    for entity in ("company", "contact", "deal", "lead", "activity", "task", "requisite"):
        assert target.stats()["entities"][entity] == seeded.counts[entity], entity
    # every requisite (ООО and ИП of one company, a contact's), its accounts and addresses
    assert target.stats()["entities"]["bankdetail"] == seeded.counts["bank_detail"] > 0
    assert target.stats()["entities"]["address"] == seeded.counts["address"] > 0
    assert seeded.counts["activity"] > 0
    assert seeded.counts["task"] > 0
    # the files came over (compared above by name, size and SHA-256): as many as the source has
    assert target.stats()["entities"]["file"] == source.stats()["entities"]["file"] > 0

    # each source task's Drive files reached the target (on the comment «Файлы задачи «…»» of
    # its record, with the plan's warning) with the same names, sizes and SHA-256
    sent, carried = asyncio.run(_task_files(source.webhook_url, target.webhook_url))
    assert len(sent) >= 4
    assert carried == sent
    warned = [i for i in planned.result.issues if i.rule == "task.files"]
    assert len(warned) == len({title for title, _ in sent})

    # the multiple fields arrived as arrays (compared above by label, as sets of values)
    channels, langs = asyncio.run(_multiple_values(target.webhook_url))
    assert {len(v) for v in channels} == {0, 1, 2}
    assert set().union(*map(set, channels)) == set(CHANNELS)
    assert ["русский", "английский"] in langs
    assert [*MULTI_LINE] in langs  # a multi-line value is one value, exactly as the source's


async def _multiple_values(url: str) -> tuple[list[list[str]], list[list[str]]]:
    async with Bitrix24Client(url, plan="unlimited", read_only=True) as client:
        (field,) = (
            await client.call(
                "crm.company.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_CHANNELS"}}
            )
        ).result
        labels = {i["ID"]: i["VALUE"] for i in field["LIST"]}
        companies = await client.list_all("crm.company.list", select=["ID", "UF_CRM_CHANNELS"])
        contacts = await client.list_all("crm.contact.list", select=["ID", "UF_CRM_LANGS"])
    return ([[labels[str(i)] for i in c["UF_CRM_CHANNELS"]] for c in companies],
            [list(c["UF_CRM_LANGS"]) for c in contacts])  # fmt: skip


async def _task_files(source_url: str, target_url: str) -> tuple[list, list]:
    """(task title, (name, size, SHA-256)) of every file of the source's tasks (Drive
    attachments, downloaded) and of the target's comments «Файлы задачи «title»»."""
    async with (
        Bitrix24Client(source_url, plan="unlimited", read_only=True) as src,
        Bitrix24Client(target_url, plan="unlimited", read_only=True) as dst,
    ):
        sent = []
        tasks = await src.list_all(
            "tasks.task.list", select=["ID", "TITLE", "UF_TASK_WEBDAV_FILES"]
        )
        for task in tasks:
            for attached in task.get("ufTaskWebdavFiles") or []:
                about = (await src.call("disk.attachedObject.get", {"id": attached})).result
                data, _ = await src.download(about["DOWNLOAD_URL"])
                assert int(about["SIZE"]) == len(data)
                sent.append((task["title"], (about["NAME"], len(data), _sha(data))))
        carried = []
        kinds = {"L": "lead", "D": "deal", "C": "contact", "CO": "company"}
        owners = {tuple(t["ufCrmTask"][0].split("_")) for t in await dst.list_all(
            "tasks.task.list", select=["ID", "UF_CRM_TASK"]) if t.get("ufCrmTask")}  # fmt: skip
        for prefix, rid in sorted(owners):
            where = {"ENTITY_TYPE": kinds[prefix], "ENTITY_ID": int(rid)}
            for comment in (await dst.call("crm.timeline.comment.list", {"filter": where})).result:
                head = next((ln for ln in comment["COMMENT"].splitlines()
                             if ln.startswith("Файлы задачи «")), None)  # fmt: skip
                for item in (comment.get("FILES") or {}).values() if head else ():
                    data, _ = await dst.download(item["urlDownload"])
                    title = head[len("Файлы задачи «") : -1]
                    carried.append((title, (item["name"], len(data), _sha(data))))
    return sorted(sent), sorted(carried)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_comparison_reports_history_files_and_items_the_target_lacks():
    with served_portals() as (source, target):
        asyncio.run(_seed(source.webhook_url, target.webhook_url))
        differences = asyncio.run(compare_portals(source.webhook_url, target.webhook_url))
    kinds = {line.split(" ", 1)[0] for line in differences if line.endswith("not in the target")}
    assert {"activity", "task", SMART_PROCESS, "company", "deal"} <= kinds
