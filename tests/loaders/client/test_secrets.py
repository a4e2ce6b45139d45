"""No secret in a repr, a log line or an exception text (captured logs are grepped)."""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest

from loaders import (
    AmbiguousWrite,
    Bitrix24Client,
    Command,
    OAuth,
    OAuthTokens,
    PortalError,
    SyncBitrix24Client,
    WebhookAuth,
)
from loaders.errors import redact
from loaders.sandbox import FaultSpec, OAuthConfig

from .conftest import TOKEN, WEBHOOK

pytestmark = pytest.mark.anyio

ACCESS, REFRESH, CLIENT_SECRET = "at-5f1e2d3c4b", "rt-9a8b7c6d5e", "cs-1q2w3e4r5t"


def assert_clean(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


async def test_webhook_code_never_leaks(make_app, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    faults = FaultSpec({"503": 0.2, "drop": 0.2, "500": 0.1}, timeout_delay_s=0)
    app = make_app(faults=faults, seed=4)
    texts = []
    async with make_client(app, max_attempts=2, sleep=_no_sleep) as client:
        texts.append(repr(client))
        result = await client.batch(
            [Command(f"c{i}", "crm.contact.add", {"fields": {"NAME": "x"}}) for i in range(300)]
        )
        for _ in range(20):
            try:
                await client.call("crm.contact.add", {"fields": {"NAME": TOKEN}})
            except PortalError as error:
                texts += [str(error), repr(error), repr(pickle.loads(pickle.dumps(error)))]
    texts += [str(r.error) for r in result if r.error is not None]
    assert any("502" in t for t in texts)  # the faults did happen
    assert caplog.records
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)
    assert_clean(caplog.text + "\n".join(texts), [TOKEN])
    assert "/rest/1/REDACTED-WEBHOOK/" in caplog.text


async def test_oauth_tokens_never_leak(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    oauth = OAuthConfig(client_id="app.2", client_secret=CLIENT_SECRET, refresh_token=REFRESH)
    app = make_app(
        oauth=oauth, token=ACCESS, faults=FaultSpec({"expire": 0.3, "drop": 0.1}), seed=9
    )
    seen: list[OAuthTokens] = []
    auth = OAuth(
        "http://portal.test/rest/", OAuthTokens(ACCESS, REFRESH), client_id="app.2",
        client_secret=CLIENT_SECRET, token_url="http://portal.test/oauth/token/",
        on_tokens=seen.append,
    )  # fmt: skip
    texts = [repr(auth), repr(auth.tokens)]
    async with Bitrix24Client(
        auth=auth, transport=httpx.ASGITransport(app=app), plan="unlimited"
    ) as client:
        texts.append(repr(client))
        for i in range(20):
            try:
                await client.call("crm.contact.add", {"fields": {"NAME": f"n{i}"}})
            except AmbiguousWrite as error:
                texts.append(str(error))
    assert seen, "the token was refreshed at least once"
    secrets = (
        [ACCESS, REFRESH, CLIENT_SECRET]
        + [t.access_token for t in seen]
        + [t.refresh_token for t in seen]
    )
    texts += [repr(t) for t in seen]
    assert_clean(caplog.text + "\n".join(texts), secrets)


async def test_transport_failure_texts_are_redacted():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    async with Bitrix24Client(
        WEBHOOK, transport=httpx.MockTransport(handler), max_attempts=1
    ) as client:
        with pytest.raises(PortalError) as caught:
            await client.call("user.current")
    assert TOKEN not in str(caught.value)
    assert "***" in str(caught.value)


def test_reprs_hide_secrets():
    hook = WebhookAuth(WEBHOOK)
    assert TOKEN not in repr(hook)
    assert hook.user_id == 1
    with SyncBitrix24Client(
        WEBHOOK, transport=httpx.MockTransport(lambda r: httpx.Response(200))
    ) as sync:
        assert TOKEN not in repr(sync)


def test_redact_replaces_longest_first():
    assert redact("a=abc b=ab", ["ab", "abc", ""]) == "a=*** b=***"


@pytest.mark.parametrize("url", ["http://portal/rest/", "ftp://x/rest/1/y/", "https://x/rest/a/b/"])
def test_bad_webhook_urls(url):
    with pytest.raises(ValueError, match="webhook URL"):
        WebhookAuth(url)


async def _no_sleep(seconds: float) -> None:
    return None
