"""Fixtures: a sandbox portal mounted in-process and a client on it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from loaders import Bitrix24Client
from loaders.sandbox import SandboxApp, SandboxConfig, create_app

TOKEN = "hook-s3cr3t-7f2a9c"
WEBHOOK = f"http://portal.test/rest/1/{TOKEN}/"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_app() -> Iterator[Callable[..., SandboxApp]]:
    """``make_app(plan="standard", faults=...)``: a fresh in-memory sandbox portal."""
    apps: list[SandboxApp] = []

    def make(**changes: Any) -> SandboxApp:
        config = dataclasses.replace(SandboxConfig(token=TOKEN, plan="unlimited"), **changes)
        app = create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def make_client() -> Callable[..., Bitrix24Client]:
    """``make_client(app, plan=..., ...)``: a client mounted on ``app`` in-process."""
    clients: list[Bitrix24Client] = []

    def make(app: SandboxApp, url: str | None = WEBHOOK, **options: Any) -> Bitrix24Client:
        options.setdefault("plan", app.config.plan)
        client = Bitrix24Client(url, transport=httpx.ASGITransport(app=app), **options)
        clients.append(client)
        return client

    return make


@pytest.fixture
def app(make_app: Callable[..., SandboxApp]) -> SandboxApp:
    return make_app()


@pytest.fixture
async def client(
    app: SandboxApp, make_client: Callable[..., Bitrix24Client]
) -> AsyncIterator[Bitrix24Client]:
    async with make_client(app) as client:
        yield client
