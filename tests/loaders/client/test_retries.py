"""Every retry path, driven by the sandbox's fault injection (in-process)."""

from __future__ import annotations

import time

import httpx
import pytest

from loaders import (
    AmbiguousWrite,
    Bitrix24Client,
    Command,
    OAuth,
    OAuthTokens,
    PortalBlocked,
    PortalUnavailable,
)
from loaders.sandbox import FaultSpec, OAuthConfig

pytestmark = pytest.mark.anyio


def faults(**rates: float) -> FaultSpec:
    return FaultSpec({k.lstrip("_"): v for k, v in rates.items()}, timeout_delay_s=0.05)


def contacts(n: int, prefix: str = "c") -> list[Command]:
    return [
        Command(f"{prefix}{i}", "crm.contact.add", {"fields": {"NAME": f"{prefix}{i}"}})
        for i in range(n)
    ]


async def fast_sleep(seconds: float) -> None:  # retries back off by real time otherwise
    import asyncio

    await asyncio.sleep(min(seconds, 0.01))


@pytest.mark.parametrize("kind", ["503", "500", "drop", "timeout"])
async def test_reads_are_retried_until_they_succeed(make_app, make_client, kind):
    app = make_app(faults=faults(**{f"_{kind}": 0.4}), seed=7)
    async with make_client(app, sleep=fast_sleep, max_attempts=10) as client:
        for _ in range(15):
            reply = await client.call("user.current")
            assert reply.result["ID"] == "1"
    assert app.stats()["faults"].get(kind, 0) > 0
    assert client.stats.retries == app.stats()["faults"][kind]


async def test_rate_limit_refusals_of_batches_are_resent(make_app, make_client):
    app = make_app(faults=faults(_503=0.3), seed=3)
    async with make_client(app, sleep=fast_sleep, max_attempts=10) as client:
        result = await client.batch(contacts(400))
    assert result.ok
    assert app.stats()["entities"]["contact"] == 400  # refused before execution: no duplicates
    assert client.stats.rate_limited == app.stats()["faults"]["503"] > 0


@pytest.mark.parametrize("kind", ["drop", "timeout", "500"])
async def test_a_write_with_unknown_outcome_is_reported_not_retried(make_app, make_client, kind):
    app = make_app(faults=faults(**{f"_{kind}": 0.3}), seed=11)
    async with make_client(app, sleep=fast_sleep) as client:
        result = await client.batch(contacts(500))
    ambiguous = [r for r in result if isinstance(r.error, AmbiguousWrite)]
    faulted = app.stats()["faults"][kind]
    assert len(ambiguous) == 50 * faulted > 0
    assert app.stats()["requests"] == 10  # nothing was sent twice
    written = app.stats()["entities"]["contact"]
    if kind == "500":  # the sandbox refuses before executing
        assert written == 500 - len(ambiguous)
    else:  # the portal wrote them; only the reply was lost
        assert written == 500
    error = ambiguous[0].error
    assert not error.transient
    assert len(error.commands) == 50
    assert {c.key for c in error.commands} == {r.key for r in ambiguous[:50]}
    assert "ORIGIN_ID" in str(error)


async def test_a_single_write_raises_ambiguous_write(make_app, make_client):
    app = make_app(faults=faults(_drop=1.0))
    async with make_client(app) as client:
        with pytest.raises(AmbiguousWrite) as caught:
            await client.call("crm.contact.add", {"fields": {"NAME": "Иван"}})
    assert caught.value.http_status == 502
    assert [c.method for c in caught.value.commands] == ["crm.contact.add"]
    assert app.stats()["entities"]["contact"] == 1
    assert app.stats()["requests"] == 1


async def test_idempotent_writes_are_retried(make_app, make_client):
    app = make_app(faults=faults(_drop=0.5), seed=5)
    async with make_client(app, sleep=fast_sleep, max_attempts=10) as client:
        first = await client.batch(contacts(1))
        assert first.ok or isinstance(first["c0"].error, AmbiguousWrite)
        update = Command(
            "u", "crm.contact.update", {"id": 1, "fields": {"NAME": "Пётр"}}, idempotent=True
        )
        for _ in range(5):
            assert (await client.batch([update])).ok


async def test_transient_failures_give_up_after_max_attempts(make_app, make_client):
    app = make_app(faults=faults(_500=1.0))
    async with make_client(app, sleep=fast_sleep, max_attempts=3) as client:
        with pytest.raises(PortalUnavailable) as caught:
            await client.call("crm.contact.list")
    assert app.stats()["requests"] == 3
    assert caught.value.transient


async def test_expired_token_is_refreshed_and_the_rotated_token_persisted(make_app):
    oauth = OAuthConfig(client_id="app.1", client_secret="cs-9d8e7f", refresh_token="rt-0001")
    app = make_app(oauth=oauth, token="at-0001", faults=faults(expire=0.2), seed=2)
    saved: list[OAuthTokens] = []
    auth = OAuth(
        "http://portal.test/rest/",
        OAuthTokens("at-0001", "rt-0001"),
        client_id="app.1",
        client_secret="cs-9d8e7f",
        token_url="http://portal.test/oauth/token/",
        on_tokens=saved.append,
    )
    async with Bitrix24Client(
        auth=auth, transport=httpx.ASGITransport(app=app), plan="unlimited"
    ) as client:
        result = await client.batch(contacts(300))
        assert result.ok
        for _ in range(10):
            await client.call("user.current")
    expired = app.stats()["faults"]["expire"]
    assert expired > 0
    assert client.stats.refreshes == expired == len(saved)
    assert len({t.refresh_token for t in saved}) == len(saved)  # rotated every time
    assert auth.tokens == saved[-1]
    assert saved[-1].refresh_token != "rt-0001"
    assert app.stats()["entities"]["contact"] == 300


async def test_a_revoked_refresh_token_is_an_auth_error(make_app):
    from loaders import PortalAuthError

    app = make_app(oauth=OAuthConfig(), token="at-1", faults=faults(expire=1.0))
    auth = OAuth(
        "http://portal.test/rest/", OAuthTokens("at-1", "not-the-refresh-token"),
        client_id="local.sandbox", client_secret="sandbox-secret",
        token_url="http://portal.test/oauth/token/",
    )  # fmt: skip
    async with Bitrix24Client(auth=auth, transport=httpx.ASGITransport(app=app)) as client:
        with pytest.raises(PortalAuthError) as caught:
            await client.call("user.current")
    assert caught.value.code == "invalid_grant"


async def test_operating_budget_is_respected_without_refusals(make_app, make_client):
    app = make_app(operating_limit_s=1.0, operating_window_s=3.0, item_cost_ms=250.0)
    started = time.monotonic()
    async with make_client(app, operating_limit=1.0, operating_window=3.0) as client:
        # the first reply tells the client what a command costs; until then it cannot know
        await client.call("crm.contact.add", {"fields": {"NAME": "first"}})
        result = await client.batch(contacts(11))
    elapsed = time.monotonic() - started
    assert result.ok
    assert app.stats()["entities"]["contact"] == 12
    assert app.stats()["refusals"]["OPERATION_TIME_LIMIT"] == 0
    assert 5.5 < elapsed < 15  # 4 commands per 3-second window: 3 windows


async def test_operation_time_limit_waits_for_the_reset(make_app, make_client):
    """A client that believes in a larger budget is refused and waits for the reset."""
    app = make_app(operating_limit_s=2.0, operating_window_s=6.0, item_cost_ms=1000.0)
    async with make_client(app, operating_limit=100.0, operating_window=6.0) as client:
        started = time.monotonic()
        for i in range(3):  # 2 s of budget: the third call is refused until the reset
            await client.call("crm.contact.add", {"fields": {"NAME": f"n{i}"}})
        elapsed = time.monotonic() - started
    assert app.stats()["refusals"]["OPERATION_TIME_LIMIT"] == 1
    assert client.stats.operation_limited == 1
    assert 5.0 < elapsed < 15


async def test_budget_refusals_inside_a_batch_are_sent_again(make_app, make_client):
    app = make_app(operating_limit_s=2.0, operating_window_s=3.0, item_cost_ms=500.0)
    async with make_client(app, operating_limit=100.0, operating_window=3.0) as client:
        commands = contacts(6)
        commands.append(Command("get", "crm.contact.get", {"id": "$result[c5]"}))
        result = await client.batch(commands)
    assert result.ok, [str(r.error) for r in result.errors]
    assert result["get"].result["NAME"] == "c5"
    assert app.stats()["entities"]["contact"] == 6
    assert client.stats.operation_limited >= 1


async def test_two_clients_sharing_the_bucket_resync_after_503(make_app, make_client):
    app = make_app(plan="standard")
    async with make_client(app) as first, make_client(app) as second:
        for _ in range(50):
            await first.call("user.current")
        started = time.monotonic()
        for _ in range(3):
            await second.call("user.current")
        elapsed = time.monotonic() - started
    assert second.stats.rate_limited == app.stats()["refusals"]["QUERY_LIMIT_EXCEEDED"] == 1
    assert 0.7 < elapsed < 6.0


async def test_overload_block_is_not_spun_on():
    """The sandbox cannot block REST as support does; a mock reply stands in for it."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            503,
            json={
                "error": "OVERLOAD_LIMIT",
                "error_description": "REST API is blocked due to overload",
            },
        )

    async with Bitrix24Client(
        "http://portal.test/rest/1/x/", transport=httpx.MockTransport(handler), sleep=fast_sleep
    ) as client:
        with pytest.raises(PortalBlocked) as caught:
            await client.call("user.current")
    assert len(calls) == 1
    assert "support" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, b"<html>maintenance</html>"), (502, b""), (200, b'{"unexpected": 1}')],
)
async def test_bodies_that_are_not_bitrix_json(status, body):
    """Odd proxy replies the sandbox does not produce: retried for reads, ambiguous for writes."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, content=body)

    async with Bitrix24Client(
        "http://portal.test/rest/1/x/", transport=httpx.MockTransport(handler),
        sleep=fast_sleep, max_attempts=2,
    ) as client:  # fmt: skip
        with pytest.raises(PortalUnavailable):
            await client.call("crm.contact.list")
        assert len(calls) == 2
        with pytest.raises(AmbiguousWrite):
            await client.call("crm.contact.add", {"fields": {"NAME": "x"}})
        assert len(calls) == 3
