"""Serving the sandbox portal over HTTP with uvicorn (127.0.0.1 by default), or over HTTPS.

Public SDKs refuse plain http (b24pysdk builds ``https://DOMAIN/rest/...``, b24jssdk rejects
an http webhook), so the portal can also be served with a certificate: :class:`TlsFiles`.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from loaders.sandbox.app import SandboxApp, create_app
from loaders.sandbox.config import SandboxConfig

__all__ = ["TlsFiles", "bind_socket", "serve", "uvicorn_server", "webhook_url"]


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A PEM certificate and its private key: the portal answers on ``https://``.

    A self-signed one for 127.0.0.1 (trust it with ``REQUESTS_CA_BUNDLE`` for Python clients,
    ``NODE_EXTRA_CA_CERTS`` for Node): ``openssl req -x509 -newkey rsa:2048 -nodes -days 365
    -keyout key.pem -out cert.pem -subj /CN=localhost
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1``.
    """

    cert: Path
    key: Path


def webhook_url(host: str, port: int, config: SandboxConfig, *, tls: bool = False) -> str:
    """The inbound-webhook base URL, ``http://127.0.0.1:8024/rest/1/TOKEN/`` (or ``https``)."""
    scheme = "https" if tls else "http"
    return f"{scheme}://{host}:{port}/rest/{config.user_id}/{config.token}/"


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket (``port=0`` picks a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()  # a busy port: nothing left open behind the error
        raise
    sock.set_inheritable(True)
    return sock


def uvicorn_server(
    app: SandboxApp, *, log_level: str = "warning", tls: TlsFiles | None = None
) -> uvicorn.Server:
    """A uvicorn server for ``app`` without access logs (run it with ``sockets=[...]``)."""
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
        ssl_certfile=str(tls.cert) if tls else None,
        ssl_keyfile=str(tls.key) if tls else None,
    )
    return uvicorn.Server(config)


def serve(
    config: SandboxConfig, host: str = "127.0.0.1", port: int = 8024, tls: TlsFiles | None = None
) -> None:
    """Serve a sandbox portal until interrupted (used by ``b24migrate sandbox serve``)."""
    app = create_app(config)
    sock = bind_socket(host, port)
    try:
        uvicorn_server(app, tls=tls).run(sockets=[sock])
    finally:
        sock.close()
        app.close()
