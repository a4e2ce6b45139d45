"""Connecting to the workspace's portal: the embedded sandbox or a webhook.

```python
async with open_portal(workspace, config) as client:
    meta = await read_portal_metadata(client)
```

``portal.url: sandbox`` is a sandbox portal kept in the workspace
(``.b24migrate/sandbox/portal.sqlite``), mounted in-process: records loaded into it survive
between commands, so `plan` → `load` → `plan` behaves as it would against a real portal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from loaders.client import Bitrix24Client
from migrate.config import MigrationConfig, Workspace
from migrate.errors import ConfigError

__all__ = ["SANDBOX_WEBHOOK", "open_portal", "sandbox_dir"]

SANDBOX_WEBHOOK = "http://sandbox.local/rest/1/sandbox/"


def sandbox_dir(workspace: Workspace) -> str:
    """Where the embedded sandbox of ``workspace`` keeps its data."""
    return str(workspace.state_dir / "sandbox")


@asynccontextmanager
async def open_portal(
    workspace: Workspace,
    config: MigrationConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Bitrix24Client]:
    """A client for the portal `migration.yaml` names; closed (and the sandbox too) on exit.

    ``transport`` replaces the network (tests mount a sandbox app with
    ``httpx.ASGITransport``); for ``portal.url: sandbox`` without one, the workspace's own
    sandbox is started in-process.
    """
    portal = config.portal
    if portal.kind == "sandbox":
        async with _sandbox_client(workspace, transport) as client:
            yield client
        return
    if portal.kind == "webhook" and portal.webhook is not None:
        client = Bitrix24Client(portal.webhook.reveal(), transport=transport)
    else:
        raise ConfigError(
            f"`portal` in `{config.file}`: {portal.display} cannot be opened here (OAuth "
            "portals are not supported yet)",
            next_step="set `portal.url` to `sandbox`, `env:B24_WEBHOOK_URL` or a webhook URL",
        )
    async with client:
        yield client


@asynccontextmanager
async def _sandbox_client(
    workspace: Workspace, transport: httpx.AsyncBaseTransport | None
) -> AsyncIterator[Bitrix24Client]:
    if transport is not None:
        async with Bitrix24Client(SANDBOX_WEBHOOK, transport=transport, plan="unlimited") as c:
            yield c
        return
    from loaders.sandbox import SandboxConfig, create_app

    workspace.state_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(SandboxConfig(data_dir=workspace.state_dir / "sandbox", plan="unlimited"))
    try:
        async with Bitrix24Client(
            SANDBOX_WEBHOOK,
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            plan="unlimited",
        ) as client:
            yield client
    finally:
        app.close()
