"""What a method handler gets (:class:`Ctx`) and returns (:class:`Reply`), and the registry."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from loaders.sandbox._errors import RestError
from loaders.sandbox._params import param_id
from loaders.sandbox._store import Store
from loaders.sandbox.config import SandboxConfig

__all__ = ["METHODS", "ORIGIN", "PORTAL_TZ", "Ctx", "Handler", "Reply", "format_dt", "method"]

#: Scheme and host the current request came to (``http://127.0.0.1:8024``): the portal's own
#: address, which absolute links in replies (a file's ``urlDownload``) start with.
ORIGIN: ContextVar[str] = ContextVar("sandbox_origin", default="")

#: The portal's time zone (Moscow): dates are written with this offset.
PORTAL_TZ = timezone(timedelta(hours=3))


def format_dt(ts: float) -> str:
    """``2024-10-23T18:18:09+03:00`` for a unix time."""
    return _format_second(int(ts))


@lru_cache(maxsize=256)
def _format_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).astimezone(PORTAL_TZ).isoformat()


@dataclass(slots=True)
class Ctx:
    """One method call: the store, settings, time of the call, calling user, items touched."""

    store: Store
    config: SandboxConfig
    now: float
    user_id: int
    method: str = ""
    items: int = 0
    credential: str = ""  # "hook:UID:TOKEN" (inbound webhook) or "app" (OAuth application)

    def existing(
        self, kind: str, params: dict[str, Any], missing: RestError | None = None
    ) -> tuple[int, dict[str, Any]]:
        """The record named by the call's ``id``: "ID is not defined or invalid." when there is
        none, ``missing`` (default: the legacy "Not found") when no such record exists."""
        rid = param_id(params)
        record = self.store.get(kind, rid)
        if record is None:
            raise missing or RestError(400, "", "Not found")
        return rid, record

    def touch(self, count: int = 1) -> None:
        """Count items written or read; operating time and item latency are charged per item."""
        self.items += count


@dataclass(slots=True)
class Reply:
    """A successful result; ``total``/``next`` for list methods (``total=None``: not a list)."""

    result: Any
    total: int | None = None
    next: int | None = None


Handler = Callable[[Ctx, dict[str, Any]], Reply]

#: Every REST method by its lower-case name.
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more method names (matched case-insensitively)."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register
