"""Serving the sandbox portal over HTTP with uvicorn (127.0.0.1 by default)."""

from __future__ import annotations

import socket

import uvicorn

from loaders.sandbox.app import SandboxApp, create_app
from loaders.sandbox.config import SandboxConfig

__all__ = ["bind_socket", "serve", "uvicorn_server", "webhook_url"]


def webhook_url(host: str, port: int, config: SandboxConfig) -> str:
    """The inbound-webhook base URL, ``http://127.0.0.1:8024/rest/1/TOKEN/``."""
    return f"http://{host}:{port}/rest/{config.user_id}/{config.token}/"


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket (``port=0`` picks a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_server(app: SandboxApp, *, log_level: str = "warning") -> uvicorn.Server:
    """A uvicorn server for ``app`` without access logs (run it with ``sockets=[...]``)."""
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def serve(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8024) -> None:
    """Serve a sandbox portal until interrupted (used by ``b24migrate sandbox serve``)."""
    app = create_app(config)
    sock = bind_socket(host, port)
    try:
        uvicorn_server(app).run(sockets=[sock])
    finally:
        sock.close()
        app.close()
