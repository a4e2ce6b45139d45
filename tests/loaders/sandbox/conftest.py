"""Fixtures for the sandbox tests: a fake clock, an in-process portal, a served portal."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from loaders.sandbox import SandboxConfig, create_app
from loaders.sandbox.app import SandboxApp
from loaders.sandbox.testing import RunningSandbox, running_sandbox

START = 1_790_000_000.0  # 2026-09-21, a fixed "now" for tests


class FakeClock:
    """An injectable clock: tests advance it instead of sleeping."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Portal:
    """An in-process sandbox called through httpx.ASGITransport (sync wrapper for tests)."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.hook = f"/rest/{app.config.user_id}/{app.config.token}/"

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://portal") as c:
                return await c.request(method, url, **kw)

        return asyncio.run(go())

    def call(self, name: str, params: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        """POST a JSON body to the webhook URL."""
        return self.request("POST", self.hook + name, json=params or {}, **kw)

    def result(self, name: str, params: dict[str, Any] | None = None) -> Any:
        reply = self.call(name, params)
        assert reply.status_code == 200, reply.text
        return reply.json()["result"]

    def batch(self, cmd: Any, halt: int = 0) -> dict[str, Any]:
        reply = self.call("batch", {"cmd": cmd, "halt": halt})
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()["result"]
        return body


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_portal(clock: FakeClock) -> Iterator[Any]:
    apps: list[SandboxApp] = []

    def make(**changes: Any) -> Portal:
        config = dataclasses.replace(SandboxConfig(plan="unlimited", clock=clock), **changes)
        app = create_app(config)
        apps.append(app)
        return Portal(app)

    yield make
    for app in apps:
        assert app.stats()["internal_errors"] == 0, "a handler raised an unexpected exception"
        app.close()


@pytest.fixture
def portal(make_portal: Any) -> Portal:
    result: Portal = make_portal()
    return result


@pytest.fixture
def served(tmp_path: Any) -> Iterator[RunningSandbox]:
    """The sandbox served by uvicorn on 127.0.0.1 (free port), data on disk."""
    with running_sandbox(SandboxConfig(data_dir=tmp_path / "portal", plan="unlimited")) as p:
        yield p
