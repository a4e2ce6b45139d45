"""The HTTP-level pieces of the client: reply types, the secret-injecting transport, helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from loaders.auth import Auth
from loaders.batch import ReplyTime
from loaders.errors import PortalError

__all__ = [
    "CallResult",
    "ClientStats",
    "SecretTransport",
    "admission",
    "as_int",
    "is_retryable",
    "not_rest_reply",
]

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_LOGIN_FORM = re.compile(r"<input\b[^>]*type=[\"']?password|name=[\"']?USER_LOGIN", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CallResult:
    """A successful reply: ``result``, and ``total``/``next`` for list methods."""

    result: Any
    total: int | None = None
    next: int | None = None
    time: ReplyTime | None = None


@dataclass(slots=True)
class ClientStats:
    """What the client did, for benchmarks and logs."""

    requests: int = 0
    rate_limited: int = 0
    operation_limited: int = 0
    retries: int = 0
    refreshes: int = 0
    ambiguous: int = 0
    first_admitted: float | None = None
    """Portal time (``time.start``) of the earliest request the portal admitted."""
    last_admitted: float | None = None
    """Portal time of the latest one."""

    def admitted(self, at: float) -> None:
        """Note a request the portal admitted at ``at`` (its own clock)."""
        self.first_admitted = at if self.first_admitted is None else min(self.first_admitted, at)
        self.last_admitted = at if self.last_admitted is None else max(self.last_admitted, at)


class SecretTransport(httpx.AsyncBaseTransport):
    """Swaps the placeholders in the URL for the real secrets, after httpx has logged it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, auth: Auth) -> None:
        self._inner = inner
        self._auth = auth

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = self._auth.reveal(str(request.url))
        if url != str(request.url):
            request = httpx.Request(
                request.method,
                url,
                headers=request.headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def not_rest_reply(response: httpx.Response) -> str | None:
    """What a reply that is not the REST API is — a redirect, a login page — or ``None``.

    Other pages (a proxy's 502, "maintenance") stay ``None``: the portal being unavailable,
    which passes. Bitrix24 sends a browser that is not signed in to `/auth/` with a 302; a
    corporate proxy or a captive portal answers with its own page holding a password field.
    """
    status = response.status_code
    if 300 <= status < 400:
        where = response.headers.get("location", "")
        return f"the address redirects ({status}) to {where or 'another page'}, not the REST API"
    text = response.text[:65536] if status < 500 else ""
    if not _LOGIN_FORM.search(text):
        return None
    found = _TITLE.search(text)
    title = f" «{' '.join(found.group(1).split())[:80]}»" if found else ""
    return f"the address answers with a login page{title} ({status}), not the REST API"


def admission(body: Any, status: int) -> tuple[float | None, bool]:
    """(portal time the request was admitted, whether the portal counted it) from a reply."""
    if status == 503 and isinstance(body, dict):
        code = str(body.get("error", "")).upper()
        if code == "QUERY_LIMIT_EXCEEDED":
            return None, False  # refused by the bucket itself: not counted
    timing = ReplyTime.from_raw(body.get("time")) if isinstance(body, dict) else None
    return (timing.start if timing is not None else None), True


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, PortalError) and error.transient


def as_int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
