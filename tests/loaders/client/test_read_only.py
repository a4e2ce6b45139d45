"""A read-only client (the connection to a source portal) never sends a write."""

from __future__ import annotations

import pytest

from loaders import Command, PortalReadOnly

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "method",
    ["crm.contact.add", "crm.deal.update", "crm.company.delete", "crm.deal.productrows.set",
     "crm.item.batchImport", "crm.timeline.comment.add", "user.admin"],
)  # fmt: skip
async def test_a_write_is_refused_before_it_is_sent(app, make_client, method):
    async with make_client(app, read_only=True) as client:
        with pytest.raises(PortalReadOnly, match=method.replace(".", r"\.")):
            await client.call(method, {"fields": {"NAME": "x"}})
    assert app.stats()["requests"] == 0
    assert app.stats()["entities"]["contact"] == 0


async def test_a_batch_with_one_write_among_reads_sends_nothing(app, make_client):
    commands = [
        Command("a", "crm.contact.list", {}),
        Command("b", "crm.contact.add", {"fields": {"NAME": "x"}}),
    ]
    async with make_client(app, read_only=True) as client:
        result = await client.batch(commands)
    assert all(isinstance(item.error, PortalReadOnly) for item in result)
    assert app.stats()["requests"] == 0


async def test_reads_pass_and_the_portal_counts_only_reads(app, make_client):
    async with make_client(app) as writer:
        await writer.call("crm.contact.add", {"fields": {"NAME": "Иван"}})
    before = dict(app.stats()["methods"])
    async with make_client(app, read_only=True) as client:
        rows = await client.list_all("crm.contact.list", select=["NAME"])
        await client.call("crm.contact.fields")
        await client.batch([Command("u", "user.get", {})])
    assert [r["NAME"] for r in rows] == ["Иван"]
    used = {m: n - before.get(m, 0) for m, n in app.stats()["methods"].items()}
    assert {m for m, n in used.items() if n} == {"crm.contact.list", "crm.contact.fields",
                                                  "user.get"}  # fmt: skip
