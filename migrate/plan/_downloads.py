"""Attachments named by a link: downloaded at plan time into the workspace's files cache.

A ``FILES`` cell or a file user field may hold ``http(s)://`` links (exports of cloud CRMs do:
amoCRM and HubSpot give file URLs). The plan downloads each one once, streaming, with a
timeout and the same size limit as a local file (``load.max_file_mb``, checked against
``Content-Length`` first and again while reading), hashes it (SHA-256) and keeps it as
``.b24migrate/files/<sha256>/<name>``; from there the load sends it like a file beside the
export (read again, size and hash checked, sent with the record's create only).

What cannot be fetched is a warning naming the link (the row's file, row and field are added
by the plan) and the record loads without it: a link that does not answer (timeout, refused,
an error status), a link to a web page rather than a file (``text/html`` for a name that is
not ``.html``: a login or preview page of a file host), a file over the limit, a scheme other
than http and https.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from loaders.client import disposition_name
from migrate.plan._files import Attachment, FileProblem

__all__ = ["DOWNLOAD_TIMEOUT", "UrlFetcher"]

DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""Per read and per connect: a link that stalls is reported, not waited for forever."""

_CHUNK = 1 << 16
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_PAGES = (".htm", ".html", ".xhtml")


class UrlFetcher:
    """Downloads links into ``cache`` (a folder of the workspace), each URL once per plan.

    Args:
        cache: where the files go (``<cache>/<sha256>/<name>``).
        max_bytes: the largest file taken (bytes of the file itself).
        transport: replaces the network (tests); ``None``: the real one.
    """

    def __init__(
        self,
        cache: Path,
        max_bytes: int,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DOWNLOAD_TIMEOUT,
    ) -> None:
        self.cache, self.max_bytes = cache, max_bytes
        self._transport, self._timeout = transport, timeout
        self._seen: dict[str, Attachment | FileProblem] = {}
        self._client: httpx.Client | None = None

    def fetch(self, url: str) -> Attachment | FileProblem:
        """The file at ``url`` in the cache, or why it is not there."""
        if url not in self._seen:
            self._seen[url] = self._fetch(url)
        return self._seen[url]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> UrlFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fetch(self, url: str) -> Attachment | FileProblem:
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return FileProblem("file.url", url)
        try:
            with self._http().stream("GET", url) as response:
                return self._save(url, response)
        except httpx.HTTPError as exc:
            return FileProblem("file.url_failed", url, detail=_reason(exc))

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                transport=self._transport, timeout=self._timeout, follow_redirects=True
            )
        return self._client

    def _save(self, url: str, response: httpx.Response) -> Attachment | FileProblem:
        if response.status_code != 200:
            return FileProblem("file.url_failed", url, detail=f"HTTP {response.status_code}")
        name = _file_name(url, response)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "text/html" and not name.lower().endswith(_PAGES):
            return FileProblem("file.url_page", url, detail=kind)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return FileProblem("file.too_large", url, int(declared), self.max_bytes)
        return self._stream(url, name, response)

    def _stream(self, url: str, name: str, response: httpx.Response) -> Attachment | FileProblem:
        self.cache.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        handle, partial = tempfile.mkstemp(prefix=".partial-", dir=self.cache)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in response.iter_bytes(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        return FileProblem("file.too_large", url, size, self.max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
            target = self.cache / digest.hexdigest() / name
            target.parent.mkdir(exist_ok=True)
            os.replace(partial, target)
        finally:
            Path(partial).unlink(missing_ok=True)
        return Attachment(str(target), name, size, digest.hexdigest())


def _file_name(url: str, response: httpx.Response) -> str:
    """The name the server gives (``Content-Disposition``), else the link's last segment."""
    name = disposition_name(response) or ""
    if not name:
        name = unquote(PurePosixPath(urlsplit(str(response.url or url)).path).name)
    name = _UNSAFE.sub("_", name).strip(" .")
    return name or "file"


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return type(exc).__name__ + (f": {exc}" if str(exc) else "")
