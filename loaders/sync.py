"""A blocking facade over :class:`~loaders.client.Bitrix24Client`, for scripts and the CLI.

```python
with SyncBitrix24Client("https://example.bitrix24.ru/rest/1/CODE/") as client:
    contact_id = client.call("crm.contact.add", {"fields": {"NAME": "Иван"}}).result
```

It owns a private event loop; do not use it from inside a running event loop (use the async
client there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from loaders.batch import BatchResult, Command
from loaders.client import Bitrix24Client, CallResult, ClientStats

__all__ = ["SyncBitrix24Client"]

T = TypeVar("T")


class SyncBitrix24Client:
    """The same calls as :class:`Bitrix24Client`, blocking; takes the same arguments."""

    def __init__(self, webhook_url: str | None = None, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._client = self._run(self._make(webhook_url, options))

    @staticmethod
    async def _make(webhook_url: str | None, options: dict[str, Any]) -> Bitrix24Client:
        return Bitrix24Client(webhook_url, **options)  # the semaphore binds to our loop

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coro)

    @property
    def stats(self) -> ClientStats:
        return self._client.stats

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> CallResult:
        """See :meth:`Bitrix24Client.call`."""
        return self._run(self._client.call(method, params))

    def batch(self, commands: Sequence[Command], *, halt: bool = False) -> BatchResult:
        """See :meth:`Bitrix24Client.batch`."""
        return self._run(self._client.batch(commands, halt=halt))

    def list_all(
        self,
        method: str,
        filter: Mapping[str, Any] | None = None,
        select: Sequence[str] | None = None,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """See :meth:`Bitrix24Client.list_all`."""
        return self._run(self._client.list_all(method, filter, select, **options))

    def close(self) -> None:
        """Close the connections and the private event loop."""
        if not self._loop.is_closed():
            self._run(self._client.aclose())
            self._loop.close()

    def __enter__(self) -> SyncBitrix24Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Sync{self._client!r}"
