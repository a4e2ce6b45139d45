"""How the client authenticates: an inbound webhook, or an OAuth app with token refresh.

Secrets never enter the URLs the HTTP layer sees (and logs): the client builds URLs with
placeholders such as ``REDACTED-WEBHOOK`` and its transport swaps in the real values at the
last moment (:meth:`Auth.reveal`). ``repr`` of these objects shows ``***`` in their place.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from loaders.errors import REDACTED

__all__ = ["Auth", "OAuth", "OAuthTokens", "WebhookAuth"]

_WEBHOOK = "REDACTED-WEBHOOK"
_ACCESS = "REDACTED-ACCESS"
_REFRESH = "REDACTED-REFRESH"
_CLIENT_SECRET = "REDACTED-CLIENT-SECRET"
_HOOK_PATH = re.compile(r"^(?P<prefix>.*/rest/)(?P<user>\d+)/(?P<code>[^/]+)/?$")


class Auth(Protocol):
    """What the client needs from an authentication method."""

    def method_url(self, method: str) -> str:
        """The URL of ``method`` with placeholders instead of secrets."""
        ...

    def reveal(self, url: str) -> str:
        """``url`` with the placeholders replaced by the current secrets."""
        ...

    def secrets(self) -> list[str]:
        """Every secret value, for redacting texts."""
        ...


class WebhookAuth:
    """An inbound webhook: ``https://PORTAL/rest/USER_ID/CODE/``; the code is the secret."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url.strip())
        match = _HOOK_PATH.match(parts.path)
        if parts.scheme not in ("http", "https") or not parts.netloc or not match:
            raise ValueError(
                "a webhook URL looks like https://PORTAL/rest/USER_ID/CODE/ "
                "(copy it from Developer resources → Inbound webhook)"
            )
        self.base = f"{parts.scheme}://{parts.netloc}{match['prefix']}{match['user']}/"
        self.user_id = int(match["user"])
        self._code = match["code"]

    def method_url(self, method: str) -> str:
        return f"{self.base}{_WEBHOOK}/{method}"

    def reveal(self, url: str) -> str:
        return url.replace(_WEBHOOK, quote(self._code, safe=""))

    def secrets(self) -> list[str]:
        return [self._code]

    def __repr__(self) -> str:
        return f"WebhookAuth('{self.base}{REDACTED}/')"


@dataclass(frozen=True, slots=True)
class OAuthTokens:
    """An OAuth token pair; ``expires`` is the unix time the access token dies, if known."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires: float | None = None

    @classmethod
    def from_reply(cls, reply: Mapping[str, Any]) -> OAuthTokens:
        """Read the authorization server's token reply (``access_token``, ``refresh_token``…)."""
        expires = reply.get("expires")
        return cls(
            str(reply["access_token"]),
            str(reply["refresh_token"]),
            float(expires) if isinstance(expires, int | float | str) and expires != "" else None,
        )


class OAuth:
    """An OAuth application's tokens for one portal.

    Args:
        portal_url: the portal's REST endpoint (``client_endpoint``), e.g.
            ``https://example.bitrix24.ru/rest/``.
        tokens: the current access and refresh tokens.
        client_id, client_secret: the application's credentials.
        token_url: the authorization server's token endpoint.
        on_tokens: called with the new :class:`OAuthTokens` after every refresh. Bitrix24
            rotates the refresh token on each refresh, so this callback must persist them.
    """

    def __init__(
        self,
        portal_url: str,
        tokens: OAuthTokens,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = "https://oauth.bitrix.info/oauth/token/",
        on_tokens: Callable[[OAuthTokens], None] | None = None,
    ) -> None:
        self.base = portal_url if portal_url.endswith("/") else portal_url + "/"
        self.client_id = client_id
        self.token_url = token_url
        self.on_tokens = on_tokens
        self._client_secret = client_secret
        self._tokens = tokens
        self._retired: list[str] = []
        self._lock = threading.Lock()
        self.generation = 0

    @property
    def tokens(self) -> OAuthTokens:
        return self._tokens

    def method_url(self, method: str) -> str:
        return f"{self.base}{method}?auth={_ACCESS}"

    def refresh_url(self) -> str:
        """The token endpoint URL for a refresh, with placeholders for the secrets."""
        return (
            f"{self.token_url}?grant_type=refresh_token&client_id={quote(self.client_id)}"
            f"&client_secret={_CLIENT_SECRET}&refresh_token={_REFRESH}"
        )

    def reveal(self, url: str) -> str:
        with self._lock:
            tokens = self._tokens
        return (
            url.replace(_ACCESS, quote(tokens.access_token, safe=""))
            .replace(_REFRESH, quote(tokens.refresh_token, safe=""))
            .replace(_CLIENT_SECRET, quote(self._client_secret, safe=""))
        )

    def secrets(self) -> list[str]:
        tokens = self._tokens
        return [tokens.access_token, tokens.refresh_token, self._client_secret, *self._retired]

    def update(self, tokens: OAuthTokens) -> None:
        """Take new tokens (after a refresh) and hand them to ``on_tokens``."""
        with self._lock:
            old = self._tokens
            self._retired = [old.access_token, old.refresh_token, *self._retired][:20]
            self._tokens = tokens
            self.generation += 1
        if self.on_tokens is not None:
            self.on_tokens(tokens)

    def __repr__(self) -> str:
        return f"OAuth('{self.base}', client_id='{self.client_id}', tokens={REDACTED})"
