"""The client tells its caller what it waits for (each retry) and when the portal answered."""

from __future__ import annotations

import pytest

from loaders.errors import PortalUnavailable
from loaders.sandbox.config import FaultSpec

pytestmark = pytest.mark.anyio


async def no_sleep(seconds: float) -> None:
    return None


async def test_each_retry_is_told_with_the_wait_and_a_5xx_is_no_answer(make_app, make_client):
    app = make_app(faults=FaultSpec({"500": 1.0}))
    retries, replies = [], []
    client = make_client(app, max_attempts=3, sleep=no_sleep)
    client.on_retry = lambda error, attempt, wait: retries.append((type(error), attempt, wait > 0))
    client.on_reply = lambda: replies.append(1)
    async with client:
        with pytest.raises(PortalUnavailable):
            await client.call("crm.deal.fields")
    assert retries == [(PortalUnavailable, 1, True), (PortalUnavailable, 2, True)]
    assert replies == []  # a 500 may be a gateway speaking for a portal that is down


async def test_an_answer_is_told(app, make_client):
    replies = []
    async with make_client(app, on_reply=lambda: replies.append(1)) as client:
        await client.call("crm.deal.fields")
    assert replies == [1]
