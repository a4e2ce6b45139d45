"""Reading from the portal through the client: every page of several list calls at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from loaders.batch import Command
from loaders.client import Bitrix24Client
from loaders.entities import camel_field, unwrap_rows

__all__ = ["item_files", "read_all", "read_items"]

_CHUNK = 50
"""Ids per ``crm.item.list`` command (its page size)."""


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


async def read_items(
    client: Bitrix24Client, wanted: Mapping[int, Mapping[int, Iterable[str]]]
) -> dict[tuple[int, int], dict[str, Any]]:
    """``(entityTypeId, id)`` → the item as ``crm.item.list`` shows it, with the fields named.

    ``wanted``: entityTypeId → item id → the (UPPER_CASE) fields wanted of it; one type's
    items are read by id, 50 per command, with the union of their fields selected. An item
    the portal no longer has is absent from the result.
    """
    calls: list[tuple[str, Mapping[str, Any]]] = []
    types: list[int] = []
    for type_id, owners in sorted(wanted.items()):
        ids = sorted(owners)
        select = ["id", *sorted({camel_field(n) for names in owners.values() for n in names})]
        for start in range(0, len(ids), _CHUNK):
            calls.append(("crm.item.list", {"entityTypeId": type_id,
                                            "filter": {"@id": ids[start : start + _CHUNK]},
                                            "select": select}))  # fmt: skip
            types.append(type_id)
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for result, type_id in zip(await read_all(client, calls), types, strict=True):
        for row in unwrap_rows(result):
            if isinstance(row, Mapping):
                out[(type_id, int(row["id"]))] = dict(row)
    return out


def item_files(value: Any) -> dict[int, str]:
    """file id → download URL, of a file field as ``crm.item.list`` shows it (``{"id",
    "url", "urlMachine"}`` per file; one such mapping for a single field)."""
    items = value if isinstance(value, list) else [value]
    return {
        int(v["id"]): str(v.get("urlMachine") or v.get("url") or "")
        for v in items
        if isinstance(v, Mapping) and str(v.get("id", "")).isdigit()
    }
