"""The network side (issue #15): the sandbox bounds what a request may cost and warns when it is
exposed with a guessable code; a busy port is one line; the real-portal client honours
HTTP(S)_PROXY while loopback stays direct; a redirect or a login page is named as such."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from loaders.sandbox.app import MAX_BODY
from loaders.sandbox.testing import running_sandbox
from migrate.cli.sandbox_cmd import exposure_warning
from tests.migrate.plan.workspace import make_workspace
from tests.migrate.test_cli_load import run

TOKEN = "n3tw0rk-t0ken-abcdef"

# -- the sandbox --------------------------------------------------------------------------------


def _post(content: bytes, *, content_type: str) -> httpx.Response:
    app = create_app(SandboxConfig(plan="unlimited"))

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            url = "http://sandbox/rest/1/sandbox/user.current"
            return await client.post(url, content=content, headers={"content-type": content_type})

    try:
        return asyncio.run(go())
    finally:
        app.close()


def test_a_body_over_the_limit_gets_413():
    reply = _post(b"x=" + b"a" * MAX_BODY, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 413
    assert b"413 Request Entity Too Large" in reply.content


def test_thirty_thousand_appends_are_answered_at_once():
    body = b"&".join(b"a[]=%d" % i for i in range(30_000))  # 289 KB; was 43 s of parsing
    started = time.perf_counter()
    reply = _post(body, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 200
    assert time.perf_counter() - started < 5


def test_brackets_nested_deeper_than_php_allows_are_dropped_not_a_500():
    reply = _post(
        b"fields" + b"[x]" * 40_000 + b"=1", content_type="application/x-www-form-urlencoded"
    )
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    ("host", "token", "warned"),
    [("0.0.0.0", "sandbox", True), ("192.168.1.5", "short", True),
     ("0.0.0.0", "a" * 32, False), ("127.0.0.1", "sandbox", False), ("::1", "sandbox", False)],
)  # fmt: skip
def test_a_guessable_code_beyond_loopback_is_warned_about(host, token, warned):
    warning = exposure_warning(host, SandboxConfig(token=token))
    assert (warning is not None) is warned
    if warning:
        assert "reachable from other machines" in warning
        assert "--token" in warning


def test_serve_on_a_busy_port_is_one_line_after_the_warning(capsys):
    taken = socket.socket()
    taken.bind(("0.0.0.0", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        code, out, err = run(capsys, "sandbox", "serve", "--host", "0.0.0.0", "--port", str(port))
    finally:
        taken.close()
    assert code == 2
    assert "Traceback" not in out + err
    warning, error, next_step = err.strip().splitlines()
    assert warning.startswith("Warning: the sandbox listens on 0.0.0.0")
    assert error.startswith(f"Error: the sandbox cannot listen on 0.0.0.0:{port}")
    assert next_step.startswith("Next: choose another `--port`")


# -- proxies ------------------------------------------------------------------------------------


@contextmanager
def _server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _proxy_to(target: str, seen: list[str]) -> type[BaseHTTPRequestHandler]:
    """An HTTP proxy (absolute-form requests) that forwards everything to ``target``."""

    class Proxy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.path)
            url = httpx.URL(self.path)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            reply = httpx.post(target + url.raw_path.decode(), content=body, trust_env=False,
                               headers={"content-type": self.headers["content-type"]})  # fmt: skip
            self.send_response(reply.status_code)
            self.send_header("content-type", reply.headers["content-type"])
            self.send_header("content-length", str(len(reply.content)))
            self.end_headers()
            self.wfile.write(reply.content)

        def log_message(self, *args: Any) -> None:
            pass

    return Proxy


async def _user_current(url: str) -> Any:
    async with Bitrix24Client(url, plan="unlimited") as client:
        return (await client.call("user.current")).result


def test_the_real_portal_client_goes_through_the_environments_proxy(monkeypatch):
    seen: list[str] = []
    with running_sandbox(SandboxConfig(plan="unlimited", token=TOKEN)) as portal, \
            _server(_proxy_to(portal.base_url, seen)) as proxy:  # fmt: skip
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        user = asyncio.run(_user_current(f"http://portal.example.test/rest/1/{TOKEN}/"))
    assert user["ID"] == "1"
    assert seen == [f"http://portal.example.test/rest/1/{TOKEN}/user.current"]


def test_loopback_and_no_proxy_hosts_go_direct(monkeypatch):
    from loaders._proxy import environment_transport

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", ".corp.example,10.0.0.0/8")
    router = environment_transport(httpx.Limits())
    direct = router.route(httpx.URL("https://127.0.0.1/rest/"))  # type: ignore[attr-defined]
    for url in ("https://crm.corp.example/rest/", "https://10.1.2.3/rest/", "https://localhost/"):
        assert router.route(httpx.URL(url)) is direct  # type: ignore[attr-defined]
    assert router.route(httpx.URL("https://acme.bitrix24.ru/rest/")) is not direct  # type: ignore[attr-defined]
    with running_sandbox(SandboxConfig(plan="unlimited", token=TOKEN)) as portal:
        assert asyncio.run(_user_current(portal.webhook_url))["ID"] == "1"  # not via :9


# -- a redirect or a login page -----------------------------------------------------------------


def _answering(status: int, body: bytes = b"", location: str = "") -> type[BaseHTTPRequestHandler]:
    class Page(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(status)
            if location:
                self.send_header("location", location.replace("PATH", self.path))
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return Page


LOGIN = (
    "<html><head><title>Авторизация</title></head><body><form method=post action=/auth/>"
    "<input name=USER_LOGIN><input type=password name=USER_PASSWORD></form></body></html>"
)


@pytest.mark.parametrize(
    ("page", "said"),
    [
        (_answering(302, location="https://acme.bitrix24.ru/auth/?backurl=PATH"),
         "redirects (302) to https://acme.bitrix24.ru/auth/?backurl=/rest/1/***/"),
        (_answering(200, LOGIN.encode()), "answers with a login page «Авторизация» (200)"),
    ],
    ids=["redirect", "login page"],
)  # fmt: skip
def test_a_redirect_or_a_login_page_is_named_as_such(page, said, tmp_path, capsys, monkeypatch):
    with _server(page) as base:
        workspace = make_workspace(tmp_path / "w")
        text = workspace.config_path.read_text(encoding="utf-8")
        url = f"{base}/rest/1/{TOKEN}/"
        workspace.config_path.write_text(text.replace("url: sandbox", f"url: '{url}'"), "utf-8")
        code, out, err = run(capsys, "plan", "-w", str(workspace.root))
    assert code == 3
    first, next_step, log = err.strip().splitlines()
    assert log.startswith("Log: ")  # the details of what went wrong
    assert "is not the Bitrix24 REST API" in first
    assert said in first
    assert "does not answer" not in err
    assert TOKEN not in out + err
    assert next_step.startswith("Next: check the portal address")
