"""Proxies from the environment for the real portal, as corporate networks need them.

`HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (either case) send the client's requests through a
proxy, and `NO_PROXY` lists hosts reached directly — the conventions curl and httpx follow. The
client takes its own transport (to inject secrets at the last moment), which turns httpx's
`trust_env` proxies off, so the client routes by itself here: per request, the proxy of its
scheme unless the host is exempt. Loopback hosts (a sandbox served on this machine) are always
reached directly, and a transport given by the caller (the in-process sandbox) is never touched.
"""

from __future__ import annotations

import ipaddress
import urllib.request

import httpx

__all__ = ["environment_transport"]


def environment_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    """A transport that uses the environment's proxies (a plain one when none is set)."""
    proxies = urllib.request.getproxies_environment()
    direct = httpx.AsyncHTTPTransport(limits=limits, retries=0)
    via: dict[str, httpx.AsyncBaseTransport] = {}
    for scheme in ("http", "https"):
        url = proxies.get(scheme) or proxies.get("all")
        if url:
            via[scheme] = httpx.AsyncHTTPTransport(proxy=url, limits=limits, retries=0)
    return _ProxyRouter(direct, via, proxies.get("no", "")) if via else direct


class _ProxyRouter(httpx.AsyncBaseTransport):
    def __init__(
        self,
        direct: httpx.AsyncBaseTransport,
        via: dict[str, httpx.AsyncBaseTransport],
        no_proxy: str,
    ) -> None:
        self._direct, self._via = direct, via
        self._exempt = [e.strip().lower() for e in no_proxy.split(",") if e.strip()]

    def route(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        """The transport for ``url``: its scheme's proxy, or direct for exempt hosts."""
        host = url.host.lower()
        if _loopback(host) or any(_exempts(entry, host) for entry in self._exempt):
            return self._direct
        return self._via.get(url.scheme, self._direct)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.route(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in (self._direct, *self._via.values()):
            await transport.aclose()


def _exempts(entry: str, host: str) -> bool:
    """`NO_PROXY` entry semantics of curl: `*`, a domain and its subdomains, an IP or CIDR."""
    if entry == "*":
        return True
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        pass
    domain = entry.split(":", 1)[0].lstrip(".")
    return host == domain or host.endswith("." + domain)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
