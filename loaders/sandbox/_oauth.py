"""OAuth mode: access tokens that expire, and a refresh grant that rotates the refresh token."""

from __future__ import annotations

import secrets
from typing import Any

from loaders.sandbox._errors import RestError
from loaders.sandbox._store import Store
from loaders.sandbox.config import SandboxConfig

__all__ = ["OAuthTokens"]

_REFRESH_TTL = 180 * 86400


class OAuthTokens:
    """Tokens live in the store (kind ``token``), so a restarted portal still knows them."""

    def __init__(self, store: Store, config: SandboxConfig) -> None:
        assert config.oauth is not None
        self.store, self.config, self.oauth = store, config, config.oauth
        if not store.count("token"):
            now = config.clock()
            with store.transaction():
                self._issue("access", config.token, now + self.oauth.access_ttl_s)
                self._issue("refresh", self.oauth.refresh_token, now + _REFRESH_TTL)

    def _issue(self, kind: str, token: str, expires: float) -> None:
        self.store.insert("token", {"KIND": kind, "TOKEN": token, "EXPIRES": expires})

    def _find(self, kind: str, token: str) -> tuple[int, dict[str, Any]] | None:
        for rid, rec in self.store.table("token").items():
            if rec["KIND"] == kind and rec["TOKEN"] == token:
                return rid, rec
        return None

    def check(self, token: Any, now: float) -> None:
        """Accept a valid access token or raise the portal's 401."""
        if not token:
            raise RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")
        found = self._find("access", str(token))
        if found is None:
            raise RestError(401, "invalid_token", "Unable to get application by token")
        if found[1]["EXPIRES"] <= now:
            raise RestError(401, "expired_token", "The access token provided has expired.")

    def expire_all(self) -> None:
        """Injected ``expire`` fault: every current access token expires now."""
        now = self.config.clock()
        with self.store.transaction():
            for rid, rec in list(self.store.table("token").items()):
                if rec["KIND"] == "access" and rec["EXPIRES"] > now:
                    self.store.put("token", rid, {**rec, "EXPIRES": now})

    def grant(self, params: dict[str, Any], base_url: str) -> tuple[int, dict[str, Any]]:
        """``grant_type=refresh_token``: a new access token AND a new refresh token."""
        if params.get("grant_type") != "refresh_token":
            return 400, {"error": "invalid_request", "error_description": "Unsupported grant_type"}
        if (params.get("client_id"), params.get("client_secret")) != (
            self.oauth.client_id,
            self.oauth.client_secret,
        ):
            return 401, {"error": "invalid_client", "error_description": "Invalid client"}
        now = self.config.clock()
        found = self._find("refresh", str(params.get("refresh_token", "")))
        if found is None or found[1]["EXPIRES"] <= now:
            return 400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        with self.store.transaction():
            self.store.delete("token", found[0])
            self._issue("access", access, now + self.oauth.access_ttl_s)
            self._issue("refresh", refresh, now + _REFRESH_TTL)
        return 200, {
            "access_token": access,
            "refresh_token": refresh,
            "expires": int(now + self.oauth.access_ttl_s),
            "expires_in": int(self.oauth.access_ttl_s),
            "scope": "crm,user,catalog,task",
            "domain": "oauth.bitrix.info",
            # the authorization server's REST root (real: https://oauth.bitrix.info/rest/); the
            # sandbox is that server too. b24jssdk refreshes at server_endpoint - "/rest/" +
            # "/oauth/token/", so the path must be exactly /rest/.
            "server_endpoint": f"{base_url}/rest/",
            "client_endpoint": f"{base_url}/rest/",
            "member_id": "sandbox0000000000000000000000000",
            "status": "L",
            "user_id": self.config.user_id,
        }
