"""Errors raised (or reported per command) by the Bitrix24 REST client.

```
PortalError                     base: method, command key, portal code and description, HTTP status
├── PortalRateLimited           503 QUERY_LIMIT_EXCEEDED: refused before execution        transient
├── PortalOperationLimited      429 OPERATION_TIME_LIMIT: the method's budget is spent    transient
├── PortalUnavailable           500/502/504, connection errors, non-JSON proxy bodies      transient
│   └── PortalUnreachable       no connection at all: the request never left               transient
├── PortalBlocked               503 OVERLOAD_LIMIT: REST blocked by Bitrix24 support      terminal
├── PortalAuthError             401/403: bad or expired credentials, missing scope         terminal
│   └── PortalNotRest           a redirect or an HTML (login) page: not the REST API       terminal
├── PortalFieldError            the portal refused the command's data (400, batch errors)  terminal
├── PortalReadOnly              a write asked of a read-only source connection: not sent   terminal
└── AmbiguousWrite              a write was sent and its outcome is unknown                terminal
```

``transient`` tells the retry policy whether waiting can help. An :class:`AmbiguousWrite` is
never retried by the client: the caller reconciles (by ``ORIGIN_ID``) before sending again.

No message built here ever holds a secret: the client passes every text through
:func:`redact` with its webhook code and OAuth tokens before it reaches an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from loaders.batch import Command

__all__ = [
    "AmbiguousWrite",
    "PortalAuthError",
    "PortalBlocked",
    "PortalError",
    "PortalFieldError",
    "PortalNotRest",
    "PortalOperationLimited",
    "PortalRateLimited",
    "PortalReadOnly",
    "PortalUnavailable",
    "PortalUnreachable",
    "error_from_reply",
    "redact",
]

REDACTED = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every non-empty secret replaced by ``***``.

    Longer secrets are replaced first so that a secret containing another is hidden whole.
    """
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PortalError(Exception):
    """The portal (or the way to it) refused or failed a call.

    Attributes:
        description: the portal's ``error_description`` (or what went wrong on the way).
        method: the REST method (for a batch command: the command's own method).
        key: the command key inside a batch, ``None`` for a plain call.
        code: the portal's ``error`` code as sent (may be ``""`` for legacy CRM errors).
        http_status: the HTTP status of the reply that carried the error, if any.
    """

    transient: ClassVar[bool] = False
    next_step: ClassVar[str] = "check the portal's reply above"

    def __init__(
        self,
        description: str,
        *,
        method: str | None = None,
        key: str | None = None,
        code: str = "",
        http_status: int | None = None,
    ) -> None:
        self.description = description
        self.method = method
        self.key = key
        self.code = code
        self.http_status = http_status
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"`{self.method}`" if self.method else "the portal"
        if self.key is not None:
            where += f" (command `{self.key}`)"
        status = f"HTTP {self.http_status}, " if self.http_status is not None else ""
        code = self.code or "error"
        what = _shorten(self.description.strip().removesuffix("<br>").rstrip("."))
        return f"{where}: {status}{code}: {what}. Next: {self.next_step}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.description, self._state()))

    def _state(self) -> dict[str, object]:
        return {
            "method": self.method,
            "key": self.key,
            "code": self.code,
            "http_status": self.http_status,
        }


def _rebuild(cls: type[PortalError], description: str, state: dict[str, object]) -> PortalError:
    return cls(description, **state)  # type: ignore[arg-type]


class PortalRateLimited(PortalError):
    """The request-intensity limit refused the request (503 ``QUERY_LIMIT_EXCEEDED``)."""

    transient = True
    next_step = "wait for the request bucket to drain; the client retries by itself"


class PortalOperationLimited(PortalError):
    """The method's operating-time budget is spent (429 ``OPERATION_TIME_LIMIT``).

    ``reset_at`` is the portal's unix time at which the oldest budget bucket expires, if known.
    """

    transient = True
    next_step = "wait until the method's operating budget resets; the client waits by itself"

    def __init__(
        self,
        description: str,
        *,
        reset_at: float | None = None,
        method: str | None = None,
        key: str | None = None,
        code: str = "",
        http_status: int | None = None,
    ) -> None:
        self.reset_at = reset_at
        super().__init__(description, method=method, key=key, code=code, http_status=http_status)

    def _state(self) -> dict[str, object]:
        return {**super()._state(), "reset_at": self.reset_at}


class PortalUnavailable(PortalError):
    """The portal did not answer usefully: 5xx, connection failure, timeout, a non-JSON body."""

    transient = True
    next_step = "retry later; if it persists, check the portal URL and its status page"


class PortalUnreachable(PortalUnavailable):
    """No connection could be made (refused, DNS, connect timeout): nothing was sent, so
    nothing was written, whatever the request was."""


class PortalBlocked(PortalError):
    """REST is blocked for this portal by Bitrix24 support (503 ``OVERLOAD_LIMIT``)."""

    next_step = "contact Bitrix24 support; waiting does not lift this block"


class PortalAuthError(PortalError):
    """The credentials are wrong, expired beyond refresh, or lack a scope or permission."""

    next_step = "check the webhook URL (or OAuth app) and its scopes, then run again"


class PortalNotRest(PortalAuthError):
    """The address answers, but not as the REST API: a redirect (to a login page, another
    domain, https) or an HTML page. Nothing was executed; waiting does not help."""

    next_step = (
        "check the portal address: copy the inbound webhook URL again (Developer resources → "
        "Other → Inbound webhook); a login page means the URL is not a webhook"
    )


class PortalFieldError(PortalError):
    """The portal refused the command's data; retrying the same data gives the same answer."""

    next_step = "fix the record's data or mapping, then `b24migrate retry`"


class PortalReadOnly(PortalError):
    """A method that is not a read was asked of a read-only connection (a *source* portal).

    Raised before anything is sent: the portal a migration reads from is never written to.
    """

    next_step = "a source portal is only read; this is a bug in b24migrate, please report it"


class AmbiguousWrite(PortalError):
    """A write was sent but its outcome is unknown (timeout, reset connection, 5xx).

    ``commands`` holds the commands whose effect is unknown. They were not retried: the caller
    must look the records up (by ``ORIGIN_ID``) before sending them again.
    """

    next_step = "reconcile these records by ORIGIN_ID before sending them again (`b24migrate load`)"

    def __init__(
        self,
        description: str,
        *,
        commands: Sequence[Command] = (),
        method: str | None = None,
        key: str | None = None,
        code: str = "",
        http_status: int | None = None,
    ) -> None:
        self.commands = tuple(commands)
        super().__init__(description, method=method, key=key, code=code, http_status=http_status)

    def _message(self) -> str:
        keys = ", ".join(c.key for c in self.commands[:10])
        more = f" and {len(self.commands) - 10} more" if len(self.commands) > 10 else ""
        base = super()._message()
        return f"{base} (commands: {keys}{more})" if keys else base

    def _state(self) -> dict[str, object]:
        return {**super()._state(), "commands": self.commands}


_AUTH_CODES = frozenset(
    {
        "expired_token",
        "invalid_token",
        "no_auth_found",
        "invalid_credentials",
        "insufficient_scope",
        "wrong_auth_type",
        "user_access_error",
        "payment_required",
        "error_oauth",
        "application_not_found",
        "authorization_error",
        "invalid_grant",
        "invalid_client",
        "invalid_request",
        "invalid_scope",
    }
)
_UNAVAILABLE_CODES = frozenset({"internal_server_error", "error_unexpected_answer"})
_UNAVAILABLE_STATUSES = frozenset({500, 502, 504})


def error_from_reply(
    code: str,
    description: str,
    *,
    http_status: int | None,
    method: str | None,
    key: str | None = None,
    reset_at: float | None = None,
) -> PortalError:
    """Build the typed error for an ``{"error", "error_description"}`` pair.

    Codes are compared case-insensitively (the portal sends both ``expired_token`` and
    ``QUERY_LIMIT_EXCEEDED``). A batch command's error has no HTTP status of its own; it is a
    field error unless its code says otherwise.
    """
    low = code.lower()
    cls: type[PortalError] = PortalError
    if low == "operation_time_limit":
        return PortalOperationLimited(
            description,
            reset_at=reset_at,
            method=method,
            key=key,
            code=code,
            http_status=http_status,
        )
    if low == "query_limit_exceeded":
        cls = PortalRateLimited
    elif low == "overload_limit":
        cls = PortalBlocked
    elif low in _AUTH_CODES or http_status in (401, 403):
        cls = PortalAuthError
    elif low in _UNAVAILABLE_CODES or http_status in _UNAVAILABLE_STATUSES:
        cls = PortalUnavailable
    elif http_status is None or http_status == 400:
        cls = PortalFieldError
    return cls(description, method=method, key=key, code=code, http_status=http_status)
