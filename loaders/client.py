"""`Bitrix24Client`: calls, batches and lists against a Bitrix24 portal, at its limits.

```python
async with Bitrix24Client("https://example.bitrix24.ru/rest/1/CODE/") as client:
    reply = await client.call("crm.contact.add", {"fields": {"NAME": "Иван"}})
    results = await client.batch([Command("c1", "crm.contact.add", {"fields": {...}}), ...])
    rows = await client.list_all("crm.contact.list", {"ORIGINATOR_ID": "amo"}, ["ID"])
```

Every HTTP request goes through one pipeline: a concurrency slot, the leaky-bucket mirror,
the request with secrets swapped in by the transport, the reply read into a typed result or
a typed error, and tenacity retrying only what is transient and safe to repeat.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)

from loaders._pagination import iter_pages
from loaders._proxy import environment_transport
from loaders._scheduler import run_commands
from loaders._transport import (
    CallResult,
    ClientStats,
    SecretTransport,
    admission,
    as_int,
    is_retryable,
    not_rest_reply,
)
from loaders.auth import Auth, OAuth, OAuthTokens, WebhookAuth
from loaders.batch import BatchResult, Command, ReplyTime, is_read_method, parse_batch_reply
from loaders.errors import (
    AmbiguousWrite,
    PortalAuthError,
    PortalError,
    PortalNotRest,
    PortalOperationLimited,
    PortalRateLimited,
    PortalReadOnly,
    PortalUnavailable,
    PortalUnreachable,
    error_from_reply,
    redact,
)
from loaders.ratelimit import PLANS, LeakyBucket, OperatingBudget, Plan

__all__ = ["Bitrix24Client", "CallResult", "ClientStats", "disposition_name"]

log = logging.getLogger("loaders.client")

try:
    _VERSION = version("b24migrate")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    _VERSION = "0"

Sleep = Callable[[float], Awaitable[None]]
#: Told before the client waits to retry a request: the error, the attempt that failed, the
#: seconds it waits now.
RetryListener = Callable[[PortalError, int, float], None]


class Bitrix24Client:
    """An async Bitrix24 REST client that runs at the portal's limits without bouncing.

    Args:
        webhook_url: an inbound webhook, ``https://PORTAL/rest/USER_ID/CODE/``; or pass ``auth``.
        auth: a :class:`~loaders.auth.WebhookAuth` or :class:`~loaders.auth.OAuth`.
        transport: the httpx transport (tests mount the sandbox with ``httpx.ASGITransport``).
        plan: ``standard`` (burst 50, 2 req/s), ``enterprise`` (250, 5/s), ``unlimited`` or a
            :class:`~loaders.ratelimit.Plan`.
        concurrency: requests in flight at most; default: the plan's burst (50 if unlimited).
        timeout: seconds to wait for a reply (the portal itself stops a request at 60 s).
        max_attempts: tries per request for transient failures.
        operating_limit, operating_window: the per-method budget (default 480 s per 600 s).
        bucket_margin: requests of headroom kept below the burst, for skew in counting.
        clock, sleep, wall_clock: injected time (monotonic seconds, async sleep, unix time).
        on_retry: told before each wait for a retry (:data:`RetryListener`), so a caller can
            say what it waits for (the portal down, a spent budget) instead of freezing.
        on_reply: told whenever the portal answered a request (any reply below 500), so a
            caller waiting for a portal that was down knows it is back.
        read_only: refuse (:class:`~loaders.errors.PortalReadOnly`, nothing sent) every method
            that is not a read (``*.list``, ``*.get``, ``*.fields``…): the connection to a
            portal a migration reads from.
    """

    def __init__(
        self,
        webhook_url: str | None = None,
        *,
        auth: Auth | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        plan: str | Plan = "standard",
        concurrency: int | None = None,
        timeout: float = 65.0,
        max_attempts: int = 6,
        operating_limit: float | None = None,
        operating_window: float | None = None,
        operating_prior: float = 0.1,
        bucket_margin: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
        on_retry: RetryListener | None = None,
        on_reply: Callable[[], None] | None = None,
        read_only: bool = False,
    ) -> None:
        if (webhook_url is None) == (auth is None):
            raise ValueError("pass either a webhook URL or `auth=`")
        self.auth: Auth = auth if auth is not None else WebhookAuth(str(webhook_url))
        self.plan = plan if isinstance(plan, Plan) else PLANS[plan]
        self.concurrency = concurrency or int(self.plan.capacity or 50)
        self.max_attempts = max_attempts
        self.stats = ClientStats()
        self.on_retry = on_retry
        self.on_reply = on_reply
        self.read_only = read_only
        self._sleep = sleep
        self._wall = wall_clock
        self._skew: float | None = None
        self._bucket = (
            LeakyBucket(
                self.plan.capacity,
                self.plan.rate,
                clock=clock,
                margin=bucket_margin,
                server_clock=self._portal_time,
            )
            if self.plan.capacity and self.plan.rate
            else None
        )
        self.budget = OperatingBudget(
            operating_limit or self.plan.operating_limit,
            operating_window or self.plan.operating_window,
            clock=self._portal_time,
            prior=operating_prior,
        )
        self._slots = asyncio.Semaphore(self.concurrency)
        self._refresh_lock = asyncio.Lock()
        self._bucket_turn = asyncio.Lock()
        inner = transport or environment_transport(  # HTTP(S)_PROXY / NO_PROXY honoured
            httpx.Limits(
                max_connections=self.concurrency, max_keepalive_connections=self.concurrency
            )
        )
        self._http = httpx.AsyncClient(
            transport=SecretTransport(inner, self.auth),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"b24migrate/{_VERSION}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"Bitrix24Client({self.auth!r}, plan={self.plan.name!r})"

    async def __aenter__(self) -> Bitrix24Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    # ---------------------------------------------------------------- public calls

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> CallResult:
        """Call one REST method with JSON ``params``.

        Raises:
            PortalError: a subclass says what happened; :class:`AmbiguousWrite` when a write
                was sent and its outcome is unknown (it is not retried).
        """
        command = Command(method, method, dict(params or {}))
        await self._wait_budget(method, command.items)
        reserved = self.budget.send(method, 1, command.items)
        try:
            body = await self._request(method, dict(params or {}), (command,))
        finally:
            self.budget.done(method, reserved)
        timing = ReplyTime.from_raw(body.get("time"))
        self._observe([(method, timing)])
        return CallResult(
            body.get("result"), as_int(body.get("total")), as_int(body.get("next")), timing
        )

    async def batch(self, commands: Sequence[Command], *, halt: bool = False) -> BatchResult:
        """Run any number of commands in batches of at most 50; results in input order.

        Commands that reference each other with ``$result[KEY]...`` travel in one batch.
        Commands refused by the operating budget are sent again when it resets. A failure
        of a whole batch request is reported on each of its commands (an
        :class:`AmbiguousWrite` when writes may have happened). With ``halt`` the batches go
        one at a time and the first failing command stops the rest (they are ``skipped``).

        Raises:
            PortalAuthError: the credentials were refused (nothing more can run).
        """
        return await run_commands(self, list(commands), halt=halt)

    async def send_batch(self, commands: Sequence[Command], *, halt: bool = False) -> BatchResult:
        """Send exactly one ``batch`` request (at most 50 commands) and read its reply.

        Raises:
            PortalError: the batch request as a whole failed (see :meth:`call`).
        """
        payload = {"cmd": {c.key: c.to_cmd() for c in commands}, "halt": 1 if halt else 0}
        body = await self._request("batch", payload, tuple(commands))
        result = parse_batch_reply(body, commands)
        self._observe([(r.command.method, r.time) for r in result])
        for item in result.errors:
            if isinstance(item.error, PortalOperationLimited):
                self.stats.operation_limited += 1
                self.budget.block(item.command.method, item.error.reset_at)
        return result

    async def list_all(
        self,
        method: str,
        filter: Mapping[str, Any] | None = None,
        select: Sequence[str] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        chained: bool = False,
    ) -> list[dict[str, Any]]:
        """Every row of a list method, in ID order, by fast pagination.

        Args:
            method: e.g. ``crm.contact.list`` or ``crm.item.list`` (give ``entityTypeId``
                in ``params``).
            filter: the method's filter; a ``>ID`` in it is where reading starts.
            select: fields to return (``ID`` is added).
            params: any other parameters of the method.
            chained: read up to 50 pages per ``batch`` request, each page's filter pointing
                at the previous page's last row (fewer requests; pages are read in sequence
                on the portal).
        """
        rows: list[dict[str, Any]] = []
        async for page in self.iter_pages(method, filter, select, params=params, chained=chained):
            rows.extend(page)
        return rows

    async def download(self, url: str) -> tuple[bytes, str | None]:
        """A file the portal serves (an activity's ``FILES[].url``, a comment's
        ``urlDownload``, a file field's ``urlMachine``): its bytes and the name the reply gives
        (``Content-Disposition``), if any.

        A relative address is taken from the portal's own; an OAuth connection fills the
        empty ``auth=`` the portal leaves in such links (crm-activity-list.md, «Retrieving
        Attachments») with its access token. Not a REST call: it goes outside the request
        bucket, a connection error or a 5xx is tried again up to ``max_attempts`` times.
        """
        endpoint = urlsplit(self.auth.method_url("server.time"))
        target = urlsplit(urljoin(f"{endpoint.scheme}://{endpoint.netloc}/", url))
        query = parse_qsl(target.query, keep_blank_values=True)
        if isinstance(self.auth, OAuth):
            token = dict(parse_qsl(endpoint.query)).get("auth", "")
            query = [(k, token if k == "auth" and not v else v) for k, v in query]
        address = urlunsplit(target._replace(query=urlencode(query, safe="%<>")))
        for attempt in range(1, self.max_attempts + 1):
            async with self._slots:
                try:
                    response = await self._http.get(address)
                except httpx.TransportError as exc:
                    failed = self._redact(f"download failed: {exc!r}")
                    error = PortalUnavailable(failed, method="download")
                else:
                    status, what = response.status_code, f"download of {target.path}"
                    # a redirect or a login page is not the file (a link that wants a browser
                    # session): never kept as if it were
                    html = "html" in response.headers.get("content-type", "")
                    page = not_rest_reply(response) if html or 300 <= status < 400 else None
                    if status < 300 and page is None:
                        return response.content, disposition_name(response)
                    if status < 500:  # gone, not allowed or not a file: waiting does not help
                        raise PortalError(f"{what}: {page or f'answered {status}'}",
                                          method="download", code="FILE_NOT_DOWNLOADED",
                                          http_status=status)  # fmt: skip
                    error = PortalUnavailable(f"{what} answered {status}", method="download",
                                              http_status=status)  # fmt: skip
            if attempt < self.max_attempts:
                await self._sleep(min(20.0, 0.5 * 2.0 ** (attempt - 1)))
        raise error

    def iter_pages(
        self,
        method: str,
        filter: Mapping[str, Any] | None = None,
        select: Sequence[str] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        chained: bool = False,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The pages of :meth:`list_all` as they arrive (each a list of up to 50 rows)."""
        return iter_pages(self, method, filter, select, params=params, chained=chained)

    # ---------------------------------------------------------------- throttle

    def _portal_time(self) -> float:
        return self._wall() + (self._skew or 0.0)

    @property
    def clock_skew(self) -> float:
        """The portal's clock minus ours, in seconds, as learned from replies (0 before any)."""
        return self._skew or 0.0

    async def _wait_budget(self, method: str, items: int) -> None:
        while not self.budget.fits(method, 1, items):
            await self._sleep(self.budget.wait_time(method, items))

    def _observe(self, entries: Sequence[tuple[str, ReplyTime | None]]) -> None:
        figures = []
        for method, timing in entries:
            if timing is None or timing.operating is None:
                continue
            at = timing.start or timing.finish or self._portal_time()
            figures.append((method, timing.operating, at, timing.operating_reset_at))
        self.budget.observe(figures)

    # ---------------------------------------------------------------- one request

    async def _request(
        self, method: str, payload: dict[str, Any], commands: Sequence[Command]
    ) -> dict[str, Any]:
        if self.read_only:
            self._refuse_writes(method, commands)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._retry_wait,
            retry=retry_if_exception(is_retryable),
            sleep=self._sleep,
            before_sleep=self._before_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send(method, payload, commands)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _refuse_writes(method: str, commands: Sequence[Command]) -> None:
        """Raise before sending when a read-only connection is asked to run a non-read."""
        methods = [c.method for c in commands] if method == "batch" else [method]
        writes = [m for m in methods if not is_read_method(m)]
        if writes:
            raise PortalReadOnly(
                f"`{writes[0]}` is not a read: this connection only reads (a source portal)",
                method=writes[0],
            )

    def _retry_wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, PortalRateLimited):
            return 0.05  # the resynced bucket holds the next attempt back
        if isinstance(error, PortalOperationLimited):  # blocked in the budget until the reset
            return self.budget.wait_time(error.method or "") + random.uniform(0.0, 0.2)
        backoff = min(20.0, 0.5 * 2.0 ** (state.attempt_number - 1))
        return backoff + random.uniform(0.0, backoff / 2)  # jitter: clients do not move in step

    def _before_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("retrying after %s (attempt %d, in %.1f s)", error, state.attempt_number, wait)
        if self.on_retry is not None and isinstance(error, PortalError):
            self.on_retry(error, state.attempt_number, wait)

    async def _send(
        self, method: str, payload: dict[str, Any], commands: Sequence[Command]
    ) -> dict[str, Any]:
        safe = all(c.retry_safe for c in commands) if method == "batch" else is_read_method(method)
        for _ in range(self.max_attempts):  # a pass after the first follows a token refresh
            generation = getattr(self.auth, "generation", 0)
            response, body = await self._post(method, payload, commands, safe)
            try:
                return self._read(response, body, method, commands, safe)
            except PortalAuthError as error:
                if error.code.lower() != "expired_token" or not isinstance(self.auth, OAuth):
                    raise
                await self._refresh(generation)
        raise PortalAuthError(
            "the access token expired again right after a refresh",
            method=method,
            code="expired_token",
            http_status=401,
        )

    async def _post(
        self, method: str, payload: dict[str, Any], commands: Sequence[Command], safe: bool
    ) -> tuple[httpx.Response, Any]:
        """Send one request when the bucket allows; the reply and its JSON (``None`` if none)."""
        bucket = self._bucket
        async with self._slots:
            if bucket is not None:
                async with self._bucket_turn:  # one waiter at a time, first come first served
                    while (delay := bucket.delay()) > 0:
                        await self._sleep(delay)
                    bucket.sent()
            self.stats.requests += 1
            sent_at = self._wall()
            try:
                response = await self._http.post(self.auth.method_url(method), json=payload)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if bucket is not None:
                    bucket.answered(None, counted=False)
                raise PortalUnreachable(
                    self._redact(f"could not connect: {exc!r}"), method=method
                ) from None
            except httpx.TransportError as exc:
                if bucket is not None:
                    bucket.answered(None)
                raise self._unknown_outcome(
                    f"no reply ({type(exc).__name__}: {exc})", None, method, commands, safe
                ) from None
        if self.on_reply is not None and response.status_code < 500:
            self.on_reply()  # a 5xx may be a gateway speaking for a portal that is down
        try:
            body = response.json()
        except ValueError:
            body = None
        self._learn_skew(body, sent_at)
        admitted_at, counted = admission(body, response.status_code)
        if admitted_at is not None:
            self.stats.admitted(admitted_at)
        if bucket is not None:
            bucket.answered(admitted_at, counted=counted)
        return response, body

    def _learn_skew(self, body: Any, sent_at: float) -> None:
        """The portal's clock minus ours: the smallest ``time.start`` minus our send time seen
        (the true skew plus the shortest trip there: a few milliseconds too far ahead)."""
        timing = ReplyTime.from_raw(body.get("time")) if isinstance(body, dict) else None
        if timing is not None and timing.start is not None:
            skew = timing.start - sent_at
            self._skew = skew if self._skew is None else min(self._skew, skew)

    def _read(
        self,
        response: httpx.Response,
        body: Any,
        method: str,
        commands: Sequence[Command],
        safe: bool,
    ) -> dict[str, Any]:
        status = response.status_code
        if not isinstance(body, dict) or not ("result" in body or "error" in body):
            misdirected = not_rest_reply(response)
            if misdirected is not None:
                raise PortalNotRest(self._redact(misdirected), method=method, http_status=status)
            text = " ".join(response.text[:80].split())
            raise self._unknown_outcome(
                f"a reply that is not Bitrix24 JSON: {text!r}", status, method, commands, safe
            )
        if "error" not in body and status < 400:
            return body
        error = error_from_reply(
            str(body.get("error", "")),
            self._redact(str(body.get("error_description", ""))),
            http_status=status,
            method=method,
        )
        if isinstance(error, PortalRateLimited):
            self.stats.rate_limited += 1
            if self._bucket is not None:
                self._bucket.resync()
        elif isinstance(error, PortalOperationLimited):
            self.stats.operation_limited += 1
            for name in {c.method for c in commands} if method == "batch" else {method}:
                self.budget.block(name, error.reset_at)
        elif isinstance(error, PortalUnavailable):
            raise self._unknown_outcome(error.description, status, method, commands, safe)
        raise error

    def _unknown_outcome(
        self,
        description: str,
        status: int | None,
        method: str,
        commands: Sequence[Command],
        safe: bool,
    ) -> PortalError:
        text = self._redact(description)
        if safe:
            return PortalUnavailable(text, method=method, http_status=status)
        self.stats.ambiguous += 1
        writes = [c for c in commands if not c.retry_safe]
        return AmbiguousWrite(text, method=method, http_status=status, commands=writes)

    def _redact(self, text: str) -> str:
        return redact(text, self.auth.secrets())

    # ---------------------------------------------------------------- OAuth

    async def refresh_token(self) -> None:
        """OAuth: fetch a new token pair now (when only a refresh token is known).

        Raises:
            PortalAuthError: the token server refused the refresh token.
            PortalUnavailable: the token server did not answer.
        """
        if not isinstance(self.auth, OAuth):
            raise TypeError("refresh_token() needs OAuth authentication")
        await self._refresh(self.auth.generation)

    async def _refresh(self, generation: int) -> None:
        auth = self.auth
        assert isinstance(auth, OAuth)
        async with self._refresh_lock:
            if auth.generation != generation:
                return  # another request refreshed meanwhile
            try:
                response = await self._http.get(auth.refresh_url())
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise PortalUnavailable(
                    self._redact(f"the token endpoint failed: {type(exc).__name__}"),
                    method="oauth/token",
                ) from None
            if not isinstance(body, dict) or "access_token" not in body:
                code = str(body.get("error", "")) if isinstance(body, dict) else ""
                raise PortalAuthError(
                    self._redact(
                        str(body.get("error_description", "")) if isinstance(body, dict) else ""
                    )
                    or "the token endpoint refused the refresh token",
                    method="oauth/token",
                    code=code or "invalid_grant",
                    http_status=response.status_code,
                )
            auth.update(OAuthTokens.from_reply(body))
            self.stats.refreshes += 1
            log.info("refreshed the OAuth access token")


def disposition_name(response: httpx.Response) -> str | None:
    """The file name a download reply gives (a portal's or any web server's):
    ``filename*=UTF-8''…`` first (RFC 6266), else ``filename=``."""
    header = response.headers.get("content-disposition", "")
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename*" and "''" in value:
            return unquote(value.split("''", 1)[1]) or None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename":
            return value.strip().strip('"') or None
    return None
