"""Cut-over: product prices edited in the portal since our write are conflicts.

A price edit (``catalog.price.modify`` or the product card) does not move the product's
``timestampX``, so the product's own conflict check does not see it. For each product whose
prices the delta would write (its ``product_prices`` set's content changed), the plan reads
the prices the portal holds now (``catalog.price.list`` by ``productId``, one command a
product, 50 a batch) and compares them with what the ledger says we wrote last; different →
the set is an edited row for :func:`migrate.plan._cutover.apply_conflicts` (a conflict on the
same sheet, held until the client decides; the decision is bound to the newest price's
``timestampX``, so a later edit asks again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from loaders.client import Bitrix24Client
from migrate.ledger import LedgerRecord, PlannedRecord, State
from migrate.plan._backdate import SOURCE_HASH
from migrate.portal.read import read_all

__all__ = ["PRICES", "keep_taken_prices", "read_price_edits"]

PRICES = "product_prices"


def keep_taken_prices(
    records: Sequence[PlannedRecord], previous: Mapping[str, LedgerRecord]
) -> list[PlannedRecord]:
    """``records`` with each price set written from the same source prices as it was written
    (a "take source" set keeps its marks, so the next plan sees it unchanged)."""
    out = []
    for record in records:
        old = previous.get(record.source_key) if record.entity == PRICES else None
        if old is not None and old.fields.get(SOURCE_HASH) == record.content_hash:
            record = replace(record, fields=dict(old.fields))
        out.append(record)
    return out


async def read_price_edits(
    client: Bitrix24Client,
    records: Sequence[PlannedRecord],
    previous: Mapping[str, LedgerRecord],
) -> dict[tuple[str, str], dict[str, Any]]:
    """(``product_prices``, key) → the portal's prices of the products whose prices the
    delta would write and the portal changed since our write. ``previous``: the ledger's
    ``product_prices`` sets by key."""
    wanted: list[tuple[PlannedRecord, LedgerRecord, int]] = []
    for record in records:
        old = previous.get(record.source_key) if record.entity == PRICES else None
        if old is None or old.state is not State.DONE or old.content_hash == record.content_hash:
            continue
        owner = str(old.resolved_fields().get("OWNER_ID") or "")
        if owner.isdigit():
            wanted.append((record, old, int(owner)))
    if not wanted:
        return {}
    select = ["id", "productId", "catalogGroupId", "price", "currency", "timestampX"]
    calls = [("catalog.price.list", {"filter": {"productId": product}, "select": select})
             for _, _, product in wanted]  # fmt: skip
    names = {
        r.source_key: str(r.fields.get("NAME") or "") for r in records if r.entity == "product"
    }
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for (record, old, product), result in zip(wanted, await read_all(client, calls), strict=True):
        rows = result.get("prices", []) if isinstance(result, Mapping) else []
        portal = [{"CATALOG_GROUP_ID": r.get("catalogGroupId"), "PRICE": r.get("price"),
                   "CURRENCY_ID": r.get("currency")} for r in rows]  # fmt: skip
        if _prices(portal) != _prices(old.fields.get("PRICES") or []):
            stamps = sorted(str(r.get("timestampX") or "") for r in rows)
            out[(PRICES, record.source_key)] = {
                "PRICES": portal,
                "DATE_MODIFY": stamps[-1] if stamps else "",
                "TITLE": names.get(record.source_key) or record.source_key,
                "ID": product,  # the product's portal id (a set has none of its own)
            }
    return out


def _prices(prices: Sequence[Mapping[str, Any]]) -> dict[int, tuple[float, str]]:
    """price type → (price, currency), comparable whether written or read."""
    out: dict[int, tuple[float, str]] = {}
    for price in prices:
        try:
            out[int(price["CATALOG_GROUP_ID"])] = (round(float(price["PRICE"]), 2),
                                                   str(price["CURRENCY_ID"] or ""))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            continue
    return out
