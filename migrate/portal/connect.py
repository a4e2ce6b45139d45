"""Connecting to the portal a workspace names: the embedded sandbox, a webhook or OAuth.

```python
async with open_portal(workspace, config) as client:
    await client.call("user.current")
```

* ``portal.url: sandbox`` — a sandbox portal whose data lives in
  ``WORKSPACE/.b24migrate/sandbox/portal.sqlite``, served in this process through
  ``httpx.ASGITransport`` with the configured plan's limits. `plan` and `load` are separate
  processes and open the same data one after the other (`b24migrate sandbox serve --data
  WORKSPACE/.b24migrate/sandbox` shows it in between).
* a webhook (``env:B24_WEBHOOK_URL`` or the URL itself) — checked with one `user.current`
  call, so a wrong code or an unreachable portal is one clear line before anything starts.
* OAuth — tokens rotate on every refresh; the newest pair is kept in
  ``WORKSPACE/.b24migrate/oauth-tokens.json`` (mode 0600) and never logged.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from loaders.auth import OAuth, OAuthTokens
from loaders.client import Bitrix24Client
from loaders.errors import (
    PortalAuthError,
    PortalBlocked,
    PortalError,
    PortalNotRest,
    PortalUnavailable,
)
from loaders.sandbox import SandboxConfig, create_app
from migrate.errors import ConfigError, PortalTerminalError, PortalTransientError
from migrate.workspace.config import MigrationConfig, PortalConfig, Workspace

__all__ = ["SANDBOX_DIR", "SOURCE_TOKENS_FILE", "TOKENS_FILE", "open_portal", "open_source_portal"]

SANDBOX_DIR = Path(".b24migrate") / "sandbox"
TOKENS_FILE = Path(".b24migrate") / "oauth-tokens.json"
SOURCE_TOKENS_FILE = Path(".b24migrate") / "source-oauth-tokens.json"  # the source portal's
_SANDBOX_URL = "http://sandbox.local/rest/1/sandbox/"


@asynccontextmanager
async def open_portal(
    workspace: Workspace, config: MigrationConfig, **client_options: Any
) -> AsyncIterator[Bitrix24Client]:
    """A connected :class:`Bitrix24Client` for the workspace's ``portal`` block.

    ``client_options`` go to the client (``concurrency``, ``timeout`` …); a ``transport``
    given for a ``sandbox`` portal replaces the embedded one (tests mount their own app).

    Raises:
        ConfigError: the webhook URL is malformed.
        PortalTerminalError: the portal refused the credentials (exit 3).
        PortalTransientError: the portal did not answer.
    """
    portal = config.portal
    if portal.kind == "sandbox":
        async with _sandbox(workspace, portal, client_options) as client:
            yield client
        return
    client = _remote_client(workspace, portal, client_options)
    async with client:
        await _check(client, portal)
        yield client


@asynccontextmanager
async def open_source_portal(
    workspace: Workspace, config: MigrationConfig, **client_options: Any
) -> AsyncIterator[Bitrix24Client]:
    """A connected, **read-only** client for the workspace's ``source_portal`` block.

    The client refuses every method that is not a read before sending it
    (:class:`~loaders.errors.PortalReadOnly`): the portal a migration reads from is never
    written to. Its OAuth tokens are kept apart from the target's.

    Raises:
        ConfigError: `migration.yaml` has no ``source_portal`` (or its URL is malformed).
        PortalTerminalError, PortalTransientError: as :func:`open_portal`.
    """
    portal = config.source_portal
    if portal is None:
        raise ConfigError(
            "`migration.yaml` has sources read from a portal but no `source_portal:` block",
            next_step="add `source_portal: {url: env:B24_SOURCE_WEBHOOK_URL}` to `migration.yaml`",
        )
    if portal.kind == "webhook" and portal.webhook is not None and not portal.webhook.reveal():
        raise ConfigError(
            f"environment variable `{portal.env}` (the source portal's webhook) is not set",
            next_step=f"export {portal.env}=https://<source portal>/rest/<user>/<code>/ and run "
            "the command again",
        )
    options = {**client_options, "read_only": True}
    client = _remote_client(workspace, portal, options, SOURCE_TOKENS_FILE, "source_portal")
    async with client:
        await _check(client, portal)
        yield client


@asynccontextmanager
async def _sandbox(
    workspace: Workspace, portal: PortalConfig, options: dict[str, Any]
) -> AsyncIterator[Bitrix24Client]:
    if options.get("transport") is not None:  # a sandbox the caller mounted (tests)
        async with Bitrix24Client(_SANDBOX_URL, plan=portal.plan, **options) as client:
            yield client
        return
    app = create_app(SandboxConfig(data_dir=workspace.root / SANDBOX_DIR, plan=portal.plan))
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # dict scope
        async with Bitrix24Client(
            _SANDBOX_URL, transport=transport, plan=portal.plan, **options
        ) as client:
            yield client
    finally:
        app.close()


def _remote_client(
    workspace: Workspace,
    portal: PortalConfig,
    options: dict[str, Any],
    tokens_file: Path = TOKENS_FILE,
    name: str = "portal",
) -> Bitrix24Client:
    if portal.kind == "webhook":
        assert portal.webhook is not None
        try:
            return Bitrix24Client(portal.webhook.reveal(), plan=portal.plan, **options)
        except ValueError as exc:
            raise ConfigError(
                f"`{name}.url` ({portal.display}): {exc}",
                next_step="copy the webhook URL again into `migration.yaml` or its variable",
            ) from None
    assert portal.oauth is not None
    block = portal.oauth
    path = workspace.root / tokens_file
    tokens = _read_tokens(path) or OAuthTokens("", block.refresh_token.reveal(), 0.0)
    auth = OAuth(
        block.endpoint,
        tokens,
        client_id=block.client_id,
        client_secret=block.client_secret.reveal(),
        token_url=block.token_url,
        on_tokens=lambda new: _write_tokens(path, new),
    )
    return Bitrix24Client(auth=auth, plan=portal.plan, **options)


async def _check(client: Bitrix24Client, portal: PortalConfig) -> None:
    """One cheap call, so that bad credentials or no network stop us before any work."""
    try:
        if isinstance(client.auth, OAuth) and not client.auth.tokens.access_token:
            await client.refresh_token()
        await client.call("user.current")
    except PortalNotRest as exc:
        raise PortalTerminalError(
            f"{portal.display} is not the Bitrix24 REST API: {exc.description}",
            next_step=PortalNotRest.next_step,
        ) from None
    except (PortalAuthError, PortalBlocked) as exc:
        raise PortalTerminalError(
            f"the portal refused the credentials of {portal.display} "
            f"({exc.code or type(exc).__name__})",
            next_step="check the webhook URL (or the OAuth block) in `migration.yaml` and that "
            "the webhook has the `crm` and `user` permissions",
        ) from None
    except PortalUnavailable as exc:
        raise PortalTransientError(
            f"the portal at {portal.display} does not answer ({exc.description[:80]})",
            next_step="check the address and your network, then run the command again",
        ) from None
    except PortalError as exc:  # it answered, so waiting will not help: the address is wrong
        raise PortalTerminalError(
            f"the portal at {portal.display} answered `user.current` with an error "
            f"({exc.code or type(exc).__name__})",
            next_step="check the portal's address in `migration.yaml`",
        ) from None


def _read_tokens(path: Path) -> OAuthTokens | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return OAuthTokens.from_reply(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_tokens(path: Path, tokens: OAuthTokens) -> None:
    """Persist the rotated pair atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires": tokens.expires,
    }
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(body, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
