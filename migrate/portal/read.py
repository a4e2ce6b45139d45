"""Reading from the portal through the client: every page of several list calls at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from loaders.batch import Command
from loaders.client import Bitrix24Client

__all__ = ["read_all"]


async def read_all(
    client: Bitrix24Client, calls: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[Any]:
    """The results of read-only ``(method, params)`` calls, sent in batches, in order.

    A list result that has more pages (``next``) is completed page by page, so each entry
    is the whole list. A failed command raises its :class:`~loaders.errors.PortalError`.
    """
    commands = [Command(f"r{i}", method, dict(params)) for i, (method, params) in enumerate(calls)]
    replies = await client.batch(commands)
    results: list[Any] = []
    for item, (method, params) in zip(replies, calls, strict=True):
        if item.error is not None:
            raise item.error
        result, start = item.result, item.next
        while start:
            page = await client.call(method, {**params, "start": start})
            result = _joined(result, page.result)
            start = page.next
        results.append(result)
    return results


def _joined(first: Any, second: Any) -> Any:
    """Two pages of one list: plain lists, or ``{"items": [...]}``-style wrapped ones."""
    if isinstance(first, Mapping) and isinstance(second, Mapping) and len(first) == 1:
        key = next(iter(first))
        return {key: list(first[key] or []) + list(second.get(key) or [])}
    return list(first or []) + list(second or [])
