"""The sandbox portal as an ASGI application.

``create_app(config)`` returns a :class:`SandboxApp`: mount it in-process with
``httpx.ASGITransport(app=app)`` or serve it with uvicorn (:func:`loaders.sandbox.serve`).

Routes: ``/rest/USER_ID/TOKEN/METHOD[.json]`` (inbound webhook), ``/rest/METHOD?auth=TOKEN``
(OAuth mode), ``/oauth/token/`` (token refresh), ``GET /sandbox/stats`` (inspection).

One REST request goes: auth → leaky bucket → injected refusals (503/500/expire) → operating
budget → execute in one transaction → injected reply loss (drop/timeout/crash) → latency → reply.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from loaders.sandbox import (  # noqa: F401 (modules that register methods)
    _addresses,
    _bankdetails,
    _bindings,
    _catalog,
    _disk,
    _iblock,
    _items,
    _legacy,
    _productrows,
    _refs,
    _relations,
    _requisites,
    _smart,
    _stages,
    _tasks,
    _userfieldconfig,
    _userfields,
)
from loaders.sandbox._batch import run_batch
from loaders.sandbox._context import METHODS, ORIGIN, Ctx, Reply, format_dt
from loaders.sandbox._errors import RestError
from loaders.sandbox._faults import FaultRoller
from loaders.sandbox._files import download
from loaders.sandbox._limits import LeakyBucket, OperatingBudget
from loaders.sandbox._oauth import OAuthTokens
from loaders.sandbox._params import as_int, parse_php_query
from loaders.sandbox._seed import seed_portal, set_required_fields
from loaders.sandbox._smart import seed_smart_process
from loaders.sandbox._store import Store
from loaders.sandbox.config import PLANS, SandboxConfig

__all__ = ["SandboxApp", "create_app"]

log = logging.getLogger("loaders.sandbox")

_HTML = {
    502: b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>",
    504: b"<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
    b"Time-out</h1></center><hr><center>nginx</center></body></html>",
    413: b"<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 "
    b"Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>",
}
MAX_BODY = 32 << 20
"""Largest request body read (a front proxy's ``client_max_body_size``); larger ones get 413."""
_INTERNAL = RestError(500, "INTERNAL_SERVER_ERROR", "Internal server error")
_BATCH = "batch"
_NOT_IN_BATCH = frozenset({"batch"})
_CRM_KINDS = ("contact", "company", "deal", "lead", "requisite", "bankdetail", "address",
              "product", "productsection", "productrow", "comment", "activity", "task", "file",
              "userfield", "user")  # fmt: skip


class _Refusal(Exception):
    """A reply decided before or instead of the JSON answer (HTML error page, dropped reply)."""

    def __init__(self, status: int, kind: str, delay: float = 0.0) -> None:
        super().__init__(kind)
        self.status, self.kind, self.delay = status, kind, delay


class SandboxApp:
    """An ASGI app emulating one Bitrix24 cloud portal; see the module docstring."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.data_dir)
        if config.seed_portal:
            seed_portal(self.store, config.clock())
        for title in config.smart_processes:
            seed_smart_process(self.store, title, config.clock())
        if config.required_fields:
            with self.store.transaction():
                set_required_fields(self.store, config.required_fields)
        limits = PLANS[config.plan]
        self._bucket_size, self._bucket_rate = limits if limits else (0, 0.0)
        self._buckets: dict[str, LeakyBucket] = {}
        self.budget = OperatingBudget(config.operating_limit_s, config.operating_window_s)
        self.faults = FaultRoller(config.faults, config.seed)
        self.oauth = OAuthTokens(self.store, config) if config.oauth else None
        self.counters: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.methods: Counter[str] = Counter()
        self._fault: str | None = None  # rolled before execution, applied after it

    def close(self) -> None:
        self.store.close()

    # -- ASGI ---------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith("/rest/"):
            await self._rest(scope, receive, send)
        elif path.rstrip("/") == "/sandbox/stats":
            await _send_json(send, 200, self.stats())
        elif path.startswith("/disk/downloadFile/"):
            await self._download(path, send)
        elif path == "/bitrix/tools/disk/uf.php":
            await self._download_attached(scope, send)
        elif path.rstrip("/") == "/oauth/token" and self.oauth is not None:
            try:
                params = await _read_params(scope, receive)
            except _Refusal as ref:
                await self._refuse(send, ref)
                return
            except RestError as exc:
                await _send_json(send, exc.status, exc.body())
                return
            status, body = self.oauth.grant(params, _base_url(scope))
            await _send_json(send, status, body)
        else:
            await _send_json(send, 404, {"error": "NOT_FOUND", "error_description": "Not found"})

    async def _download(self, path: str, send: Any) -> None:
        """A stored file's bytes, as the portal's ``urlDownload`` serves them."""
        number = path[len("/disk/downloadFile/") :].strip("/")
        found = download(self.store, int(number)) if number.isdigit() else None
        if found is None:
            await _send_json(send, 404, {"error": "NOT_FOUND", "error_description": "Not found"})
            return
        await _send_file(send, *found)

    async def _download_attached(self, scope: dict[str, Any], send: Any) -> None:
        """A task's attached file, as the portal's ``uf.php?attachedId=…&action=download``."""
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        number = query.get("attachedId", "")
        found = _disk.attached_download(self.store, int(number)) if number.isdigit() else None
        if found is None or query.get("action") != "download":
            await _send_json(send, 404, {"error": "NOT_FOUND", "error_description": "Not found"})
            return
        await _send_file(send, *found)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- REST ---------------------------------------------------------------------------------
    async def _rest(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.counters["requests"] += 1
        start = self.config.clock()
        items = 0
        let_in = False  # past the bucket and the injected refusals
        try:
            params = await _read_params(scope, receive)
            user_id, credential, name = self._route(scope["path"], params)
            self._admit(scope, start)
            self._inject_before(params)
            let_in = True
            origin = ORIGIN.set(_base_url(scope))
            try:
                reply, items = self._execute(credential, user_id, name, params, start)
            finally:
                ORIGIN.reset(origin)
            fault = self._inject_after()
        except RestError as exc:
            self.counters["admitted"] += let_in and exc.code != "OPERATION_TIME_LIMIT"
            if not exc.counted:
                self.errors[str(exc.code) or "(empty)"] += 1
            await self._sleep(0)
            await _send_json(send, exc.status, exc.body())
            return
        except _Refusal as ref:
            await self._refuse(send, ref)
            return
        except Exception:  # a sandbox bug: count it, answer like the portal's 500
            log.exception("sandbox: request to %s failed", scope["path"])
            self.counters["internal_errors"] += 1
            await _send_json(send, 500, _INTERNAL.body())
            return
        self.counters["admitted"] += 1
        await self._sleep(items)
        if fault is not None:
            await self._refuse(send, fault)
            return
        await _send_json(send, 200, reply, compress=_accepts_gzip(scope))

    async def _sleep(self, items: int) -> None:
        delay = (self.config.latency_ms + self.config.item_latency_ms * items) / 1000
        if delay > 0:
            await asyncio.sleep(delay)

    async def _refuse(self, send: Any, ref: _Refusal) -> None:
        if ref.delay:
            await asyncio.sleep(ref.delay)
        await _send_raw(send, ref.status, _HTML[ref.status], b"text/html")

    def _route(self, path: str, params: dict[str, Any]) -> tuple[int, str, str]:
        """(user id, credential key, method) for a REST path, or an auth/route error."""
        parts = [p for p in path[len("/rest/") :].split("/") if p]
        if len(parts) == 3 and parts[0] != "api":
            uid, token, name = parts
            if self.config.webhooks.get(token, -1) != as_int(uid):
                raise RestError(401, "INVALID_CREDENTIALS", "Invalid request credentials")
            credential = f"hook:{uid}:{token}"
        elif len(parts) == 1 and self.oauth is not None:
            self.oauth.check(params.pop("auth", None), self.config.clock())
            uid, credential, name = str(self.config.user_id), "app", parts[0]
        elif len(parts) == 1:
            raise RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")
        else:
            raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        name = name.lower().removesuffix(".json")
        if name != _BATCH and name not in METHODS:
            raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        return int(uid), credential, name

    def _admit(self, scope: dict[str, Any], now: float) -> None:
        if not self._bucket_size:
            return
        client = (scope.get("client") or ("local", 0))[0]
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = LeakyBucket(self._bucket_size, self._bucket_rate)
        if not bucket.admit(now):
            raise RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")

    def _inject_before(self, params: dict[str, Any]) -> None:
        if self.faults.crashed:
            self.counters["refused_while_down"] += 1
            raise _Refusal(502, "down")
        fault = self._fault = self.faults.roll()
        if fault in ("503", "500") or (fault == "expire" and self.oauth is not None):
            self.injected[fault] += 1
            self._fault = None
            raise self._injected_error(fault)

    def _injected_error(self, fault: str) -> RestError:
        """The reply of a refusal fault; counted under ``faults``, not ``errors``, in stats."""
        if fault == "503":
            error = RestError(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
        elif fault == "500":
            error = RestError(500, "INTERNAL_SERVER_ERROR", "Internal server error")
        else:
            assert self.oauth is not None
            self.oauth.expire_all()
            error = RestError(401, "expired_token", "The access token provided has expired.")
        error.counted = True
        return error

    def _inject_after(self) -> _Refusal | None:
        fault, self._fault = self._fault, None
        if fault == "drop":
            self.injected["drop"] += 1
            return _Refusal(502, "drop")
        if fault == "timeout":
            self.injected["timeout"] += 1
            return _Refusal(504, "timeout", self.config.faults.timeout_delay_s)
        if fault == "crash":
            self.injected["crash"] += 1
            return _Refusal(502, "crash")
        return None

    # -- execution ----------------------------------------------------------------------------
    def _execute(
        self, credential: str, user_id: int, name: str, params: dict[str, Any], start: float
    ) -> tuple[dict[str, Any], int]:
        items = 0

        def run(key: str, method: str, cmd_params: dict[str, Any]) -> Any:
            nonlocal items
            if method in _NOT_IN_BATCH and key:
                raise RestError(
                    405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"
                )
            if method not in METHODS:
                raise RestError(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
            reply, used, took = self._call(credential, user_id, method, cmd_params)
            items += used
            return reply.result, reply.total, reply.next, took

        with self.store.transaction():
            if name == _BATCH:
                result: Any = run_batch(params, run)
                total = nxt = None
                took = self._time_block(start, credential, _BATCH)
            else:
                result, total, nxt, took = run("", name, params)
        body: dict[str, Any] = {"result": result}
        if total is not None:
            body["total"] = total
            if nxt is not None:
                body["next"] = nxt
        body["time"] = took
        return body, items

    def _call(
        self, credential: str, user_id: int, method: str, params: dict[str, Any]
    ) -> tuple[Reply, int, dict[str, Any]]:
        clock = self.config.clock
        start = clock()
        key = (credential, method)
        if not self.budget.allowed(key, start):
            refused = RestError(
                429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."
            )
            self.errors[str(refused.code)] += 1  # counted here: a batch keeps nested refusals
            refused.counted = True
            raise refused
        ctx = Ctx(self.store, self.config, start, user_id, method, credential=credential)
        self.methods[method] += 1
        try:
            reply = METHODS[method](ctx, params)
        except RestError as exc:
            self.errors[str(exc.code) or "(empty)"] += 1
            exc.counted = True
            raise
        except Exception:  # a sandbox bug must not look like a portal answer
            log.exception("sandbox: %s failed", method)
            self.counters["internal_errors"] += 1
            raise RestError(500, "INTERNAL_SERVER_ERROR", "Internal server error") from None
        cost = self.config.cost_ms(method) * max(ctx.items, 1) / 1000
        self.budget.charge(key, start, cost)
        self.counters["commands"] += 1
        self.counters["items"] += ctx.items
        return reply, ctx.items, self._time_block(start, credential, method)

    def _time_block(self, start: float, credential: str, method: str) -> dict[str, Any]:
        finish = max(self.config.clock(), start)
        operating, reset_at = self.budget.state((credential, method), finish)
        return {
            "start": start,
            "finish": finish,
            "duration": finish - start,
            "processing": finish - start,
            "date_start": format_dt(start),
            "date_finish": format_dt(finish),
            "operating_reset_at": reset_at,
            "operating": operating,
        }

    # -- inspection ---------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts for tests and benchmarks (``GET /sandbox/stats``)."""
        now = self.config.clock()
        return {
            "entities": {kind: self.store.count(kind) for kind in _CRM_KINDS},
            "requests": self.counters["requests"],
            "admitted": self.counters["admitted"],
            "commands": self.counters["commands"],
            "items": self.counters["items"],
            "internal_errors": self.counters["internal_errors"],
            "methods": dict(self.methods),
            "errors": dict(self.errors),
            "refusals": {
                "QUERY_LIMIT_EXCEEDED": self.errors["QUERY_LIMIT_EXCEEDED"],
                "OPERATION_TIME_LIMIT": self.errors["OPERATION_TIME_LIMIT"],
                "auth": sum(
                    self.errors[c]
                    for c in (
                        "INVALID_CREDENTIALS",
                        "NO_AUTH_FOUND",
                        "invalid_token",
                        "expired_token",
                    )
                ),
            },
            "faults": dict(self.injected),
            "operating": self.budget.snapshot(now),
            "down": self.faults.crashed,
            "limits": self._limits(),
        }

    def _limits(self) -> dict[str, Any]:
        """The settings that bound a client's speed, for benchmarks to compute their bounds."""
        return {
            "plan": self.config.plan,
            "bucket_size": self._bucket_size,
            "drain_per_s": self._bucket_rate,
            "operating_limit_s": self.config.operating_limit_s,
            "operating_window_s": self.config.operating_window_s,
            "item_cost_ms": self.config.item_cost_ms,
            "item_cost_by_method": dict(self.config.item_cost_by_method),
        }


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a sandbox portal; state is loaded from (or created in) ``config.data_dir``."""
    return SandboxApp(config or SandboxConfig())


# -- HTTP helpers ---------------------------------------------------------------------------------
def _base_url(scope: dict[str, Any]) -> str:
    """Scheme and host the client used (its ``Host`` header), e.g. ``https://127.0.0.1:8024``."""
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    if not host:
        server, port = scope.get("server") or ("127.0.0.1", None)
        host = f"{server}:{port}" if port else str(server)
    return f"{scope.get('scheme', 'http')}://{host}"


async def _read_body(receive: Any) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY:
            raise _Refusal(413, "too_large")
        if not message.get("more_body"):
            return b"".join(chunks)


async def _read_params(scope: dict[str, Any], receive: Any) -> dict[str, Any]:
    """Query string and body merged; bodies: JSON, urlencoded or multipart (PHP brackets)."""
    params = parse_php_query(scope.get("query_string", b""))
    headers = dict(scope.get("headers") or [])
    ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _Refusal(413, "too_large")
    if ctype.startswith("multipart/form-data"):
        try:
            form = await Request(scope, receive).form()
        except (HTTPException, MultiPartException):
            raise RestError(400, "INVALID_REQUEST", "The multipart body cannot be read.") from None
        pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        params.update(parse_php_query(urlencode(pairs)))
        return params
    body = await _read_body(receive)
    if not body.strip() or scope.get("method") == "GET":
        return params  # a GET's body is not read (recorded: b24-rest-docs issue 223)
    if "json" in ctype or (not ctype and body.lstrip()[:1] in (b"{", b"[")):
        try:
            data = json.loads(body)
        except ValueError:
            raise RestError(400, "INVALID_REQUEST", "The request body is not valid JSON.") from None
        if isinstance(data, list):  # a PHP array with keys 0..n-1: positional parameters
            data = {str(i): v for i, v in enumerate(data)}
        if isinstance(data, dict):  # a scalar body decodes to no parameters, as in PHP
            params.update(data)
    else:
        params.update(parse_php_query(body))
    return params


def _default(value: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


#: Replies at least this long are gzip-compressed when the client accepts it (as the cloud's
#: nginx does); short ones go plain.
_GZIP_MIN_BYTES = 1024


def _accepts_gzip(scope: dict[str, Any]) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"accept-encoding":
            return b"gzip" in value.lower()
    return False


async def _send_json(send: Any, status: int, body: Any, *, compress: bool = False) -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_default).encode()
    ctype = b"application/json; charset=utf-8"
    if compress and len(data) >= _GZIP_MIN_BYTES:
        packed = gzip.compress(data, compresslevel=1, mtime=0)
        await _send_raw(send, status, packed, ctype, [(b"content-encoding", b"gzip"),
                                                       (b"vary", b"Accept-Encoding")])  # fmt: skip
        return
    await _send_raw(send, status, data, ctype)


async def _send_file(send: Any, name: str, data: bytes) -> None:
    """A file's bytes as portals send a download: the name in Content-Disposition (RFC 6266,
    UTF-8)."""
    disposition = b"attachment; filename*=UTF-8''" + quote(name, safe="").encode("ascii")
    await _send_raw(send, 200, data, b"application/octet-stream",
                    [(b"content-disposition", disposition)])  # fmt: skip


async def _send_raw(
    send: Any,
    status: int,
    data: bytes,
    ctype: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(data)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": data})
