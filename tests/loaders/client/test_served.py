"""The client over real HTTP: the sandbox served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest

from loaders import (
    AmbiguousWrite,
    Bitrix24Client,
    Command,
    PortalUnavailable,
    SyncBitrix24Client,
)
from loaders.sandbox import FaultSpec, SandboxConfig
from loaders.sandbox.testing import running_sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]


async def test_batches_and_lists_over_http():
    with running_sandbox(SandboxConfig(token="served-secret", plan="standard")) as portal:
        async with Bitrix24Client(portal.webhook_url) as client:
            commands = [
                Command(f"c{i}", "crm.contact.add", {"fields": {"NAME": f"Имя {i}"}})
                for i in range(120)
            ]
            result = await client.batch(commands)
            rows = await client.list_all("crm.contact.list", select=["ID", "NAME"])
        assert result.ok
        # the three batches travel at once, so the portal may run them in any order; each
        # command's result is the id of the contact that command created
        names = {int(r["ID"]): r["NAME"] for r in rows}
        assert len(names) == 120
        assert all(names[int(result[f"c{i}"].result)] == f"Имя {i}" for i in range(120))
        assert portal.stats()["requests"] == 3 + 3


async def test_a_timeout_after_sending_a_write_is_ambiguous_and_reads_are_retried():
    faults = FaultSpec({"timeout": 1.0}, timeout_delay_s=3.0)
    with running_sandbox(
        SandboxConfig(token="served-hook-code", plan="unlimited", faults=faults)
    ) as portal:
        async with Bitrix24Client(portal.webhook_url, timeout=0.5, max_attempts=2) as client:
            with pytest.raises(AmbiguousWrite) as caught:
                await client.call("crm.contact.add", {"fields": {"NAME": "Иван"}})
            assert "ReadTimeout" in str(caught.value)
            with pytest.raises(PortalUnavailable):
                await client.call("crm.contact.list")
        stats = portal.stats()
    assert stats["entities"]["contact"] == 1  # the write did happen
    assert stats["requests"] == 1 + 2  # the write once, the read twice


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_connection_refused_is_retried_then_unavailable():
    async def no_wait(seconds: float) -> None:
        return None

    url = f"http://127.0.0.1:{_closed_port()}/rest/1/x/"
    async with Bitrix24Client(url, max_attempts=3, sleep=no_wait) as client:
        with pytest.raises(PortalUnavailable, match="could not connect"):
            await client.call("crm.contact.add", {"fields": {"NAME": "x"}})  # never sent
    assert client.stats.requests == 3
    assert client.stats.ambiguous == 0


def test_sync_facade_over_http():
    config = SandboxConfig(token="served-hook-code", plan="standard")
    with running_sandbox(config) as portal, SyncBitrix24Client(portal.webhook_url) as client:
        new_id = client.call("crm.company.add", {"fields": {"TITLE": "ООО Ромашка"}}).result
        result = client.batch([Command("get", "crm.company.get", {"id": new_id})])
        assert result["get"].result["TITLE"] == "ООО Ромашка"
        assert [int(r["ID"]) for r in client.list_all("crm.company.list")] == [new_id]
        assert client.stats.requests == 3
