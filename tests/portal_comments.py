"""Every timeline comment of a portal, read per owner as a real portal requires.

``crm.timeline.comment.list`` takes ``ENTITY_ID`` and ``ENTITY_TYPE`` as mandatory filter
fields (crm-timeline-comment-list.md), so a test that checks every comment lists the owners
first and then their comments, 50 owners to a batch.
"""

from __future__ import annotations

from typing import Any

from loaders.batch import Command
from loaders.client import Bitrix24Client

OWNERS = ("company", "contact", "deal", "lead")


async def every_comment(client: Bitrix24Client, select: list[str]) -> list[dict[str, Any]]:
    """The comments of every company, contact, deal and lead (``select`` as the list takes)."""
    found: list[dict[str, Any]] = []
    for owner in OWNERS:
        ids = [r["ID"] for r in await client.list_all(f"crm.{owner}.list", {}, ["ID"])]
        calls = [{"filter": {"ENTITY_ID": rid, "ENTITY_TYPE": owner}, "select": select}
                 for rid in ids]  # fmt: skip
        commands = [Command(f"c{i}", "crm.timeline.comment.list", p) for i, p in enumerate(calls)]
        for item, params in zip(await client.batch(commands), calls, strict=True):
            if item.error is not None:
                raise item.error
            rows, start = list(item.result or []), item.next
            while start:
                page = await client.call("crm.timeline.comment.list", {**params, "start": start})
                rows, start = rows + list(page.result or []), page.next
            found += rows
    return found
