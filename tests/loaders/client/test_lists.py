"""Fast pagination over more than 10,000 rows, plain and chained inside batches."""

from __future__ import annotations

import time

import httpx
import pytest

from loaders import Bitrix24Client, Command
from loaders.sandbox import SandboxConfig, create_app

from .conftest import TOKEN, WEBHOOK

pytestmark = pytest.mark.anyio

ROWS = 10_020


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def big_app():
    app = create_app(SandboxConfig(token=TOKEN, plan="unlimited"))
    yield app
    app.close()


@pytest.fixture(scope="module")
async def seeded(big_app):
    """The portal with ROWS contacts (created with the client's own batches)."""
    started = time.monotonic()
    commands = [
        Command(
            f"c{i}",
            "crm.contact.add",
            {"fields": {"NAME": f"N{i}", "SOURCE_ID": "WEB" if i % 3 else "CALL"}},
        )
        for i in range(ROWS)
    ]
    async with Bitrix24Client(
        WEBHOOK, transport=httpx.ASGITransport(app=big_app), plan="unlimited"
    ) as client:
        result = await client.batch(commands)
    assert result.ok
    print(f"seeded {ROWS} contacts in {time.monotonic() - started:.1f} s")
    return [r.result for r in result]


async def test_list_all_reads_every_row_once_in_order(big_app, make_client, seeded):
    async with make_client(big_app) as client:
        before = big_app.stats()["requests"]
        rows = await client.list_all("crm.contact.list", select=["NAME"])
        requests = big_app.stats()["requests"] - before
    assert [int(r["ID"]) for r in rows] == seeded
    assert rows[7]["NAME"] == "N7"
    assert requests == ROWS // 50 + 1


async def test_list_all_with_filter_and_start_after(big_app, make_client, seeded):
    async with make_client(big_app) as client:
        rows = await client.list_all(
            "crm.contact.list", {"SOURCE_ID": "CALL", ">ID": seeded[99]}, ["SOURCE_ID"]
        )
    expected = [cid for i, cid in enumerate(seeded) if i % 3 == 0 and cid > seeded[99]]
    assert [int(r["ID"]) for r in rows] == expected
    assert {r["SOURCE_ID"] for r in rows} == {"CALL"}


async def test_chained_pages_fifty_per_batch(big_app, make_client, seeded):
    async with make_client(big_app) as client:
        before = big_app.stats()["requests"]
        rows = await client.list_all("crm.contact.list", select=["ID"], chained=True)
        requests = big_app.stats()["requests"] - before
    assert [int(r["ID"]) for r in rows] == seeded
    assert requests == -(-(ROWS // 50 + 1) // 50)  # 50 pages per request


async def test_chained_list_of_an_exact_page_multiple(make_app, make_client):
    app = make_app()
    async with make_client(app) as client:
        await client.batch(
            [Command(f"c{i}", "crm.contact.add", {"fields": {"NAME": "x"}}) for i in range(100)]
        )
        plain = await client.list_all("crm.contact.list", select=["ID"])
        chained = await client.list_all("crm.contact.list", select=["ID"], chained=True)
        empty = await client.list_all("crm.deal.list", chained=True)
    assert len(plain) == len(chained) == 100
    assert plain == chained
    assert empty == []


async def test_crm_item_lists_unwrap_items_plain_and_chained(make_app, make_client):
    app = make_app()
    imports = [
        Command(
            f"i{j}",
            "crm.item.batchImport",
            {"entityTypeId": 3, "data": [{"name": f"Имя {j}-{k}"} for k in range(20)]},
        )
        for j in range(9)
    ]  # 180 contacts: 3 full pages and a short one
    async with make_client(app) as client:
        result = await client.batch(imports)
        assert result.ok
        ids = [row["item"]["id"] for item in result for row in item.result["items"]]
        params = {"entityTypeId": 3}
        plain = await client.list_all("crm.item.list", select=["name"], params=params)
        before = app.stats()["requests"]
        chained = await client.list_all("crm.item.list", select=["id"], params=params, chained=True)
        assert app.stats()["requests"] - before == 1
    assert [row["id"] for row in plain] == ids
    assert plain[0]["name"] == "Имя 0-0"
    assert [row["id"] for row in chained] == ids


async def test_task_lists_page_by_id_fifty_pages_per_batch(make_app, make_client):
    """tasks.task.list (tasks-task-list.md): ``order``/``filter`` by ``ID``, rows in ``tasks``
    with a lowerCamel ``id``, 50 a page; chained like the CRM lists, one request for 3 pages."""
    app = make_app()
    adds = [Command(f"t{i}", "tasks.task.add", {"fields": {"TITLE": f"Задача {i}",
            "RESPONSIBLE_ID": 1}}) for i in range(130)]  # fmt: skip
    async with make_client(app) as client:
        result = await client.batch(adds)
        assert result.ok
        ids = [int(item.result["task"]["id"]) for item in result]
        await client.call("tasks.task.delete", {"taskId": ids[60]})
        before = app.stats()["requests"]
        chained = await client.list_all("tasks.task.list", select=["TITLE"], chained=True)
        assert app.stats()["requests"] - before == 1
        plain = await client.list_all("tasks.task.list", {">ID": ids[99]}, ["TITLE"])
    kept = [i for i in ids if i != ids[60]]
    assert [int(t["id"]) for t in chained] == kept
    assert chained[0]["title"] == "Задача 0"
    assert [int(t["id"]) for t in plain] == ids[100:]
