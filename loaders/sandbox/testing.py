"""Serve a sandbox portal in a background thread, for tests (any package's) and the demo.

```python
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox

with running_sandbox(SandboxConfig(plan="unlimited")) as portal:
    httpx.post(portal.webhook_url + "crm.contact.add", json={"fields": {"NAME": "Иван"}})
    assert portal.stats()["entities"]["contact"] == 1
    portal.restart()          # same port, same data dir: a portal that was restarted
    portal.go_down()          # connections refused, as a portal (or the network) that is down
    portal.come_back()        # serving again: same port, same data dir
```
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from loaders.sandbox.app import SandboxApp, create_app
from loaders.sandbox.config import SandboxConfig
from loaders.sandbox.server import TlsFiles, bind_socket, uvicorn_server, webhook_url

__all__ = ["RunningSandbox", "running_sandbox"]


class RunningSandbox:
    """A sandbox served by uvicorn on 127.0.0.1 in a daemon thread."""

    def __init__(
        self,
        config: SandboxConfig,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TlsFiles | None = None,
    ) -> None:
        self.config = config
        self.host = host
        self.tls = tls
        self._sock = bind_socket(host, port)
        self.port: int = self._sock.getsockname()[1]
        self.app: SandboxApp = create_app(config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (OAuth calls go to ``base_url + "/rest/METHOD"``)."""
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def webhook_url(self) -> str:
        """``http://127.0.0.1:PORT/rest/1/TOKEN/``: append a method name to call it."""
        return webhook_url(self.host, self.port, self.config, tls=self.tls is not None)

    def stats(self) -> dict[str, Any]:
        """What ``GET /sandbox/stats`` answers, read directly."""
        return self.app.stats()

    def start(self) -> None:
        server = self._server = uvicorn_server(self.app, tls=self.tls)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._sock]}, daemon=True, name="sandbox"
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def restart(self, **changes: Any) -> None:
        """Stop, reopen the same data (config fields may change, e.g. ``faults``), serve again."""
        self.go_down()
        self.come_back(**changes)

    def go_down(self) -> None:
        """Stop serving and close the port: every connection is refused until
        :meth:`come_back` (requests in flight are cut)."""
        self.stop()
        self.app.close()
        self._sock.close()

    def come_back(self, **changes: Any) -> None:
        """Serve again on the same port, with the same data (config fields may change)."""
        self.config = dataclasses.replace(self.config, **changes)
        self._sock = bind_socket(self.host, self.port)
        self.app = create_app(self.config)
        self.start()

    def close(self) -> None:
        self.stop()
        self.app.close()
        self._sock.close()  # closing twice (after go_down) is harmless


@contextmanager
def running_sandbox(
    config: SandboxConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: TlsFiles | None = None,
) -> Iterator[RunningSandbox]:
    """Serve a sandbox portal for the duration of the ``with`` block (``port=0``: a free port)."""
    portal = RunningSandbox(config or SandboxConfig(), host, port, tls)
    try:
        portal.start()
        yield portal
    finally:
        portal.close()
