"""Reconciliation: decide every record left ``sending`` by asking the portal what it holds."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loaders.batch import Command as ClientCommand
from loaders.client import Bitrix24Client
from loaders.entities import (
    Command,
    appended_values,
    build_address_lookups,
    build_comment_lookup,
    build_lookups,
    build_task_lookup,
    entity_type_of,
    parse_address_rows,
    parse_lookup,
    spec_for,
    unwrap_rows,
)
from migrate.ledger import Ledger, LedgerRecord, Op
from migrate.load._outcomes import portal_errors
from migrate.load._watch import LoadWatch
from migrate.portal.read import read_all

__all__ = ["DEFAULT_SETTLE_SECONDS", "Duplicate", "ReconcileReport", "reconcile", "settle_wait"]

#: A cloud request is cut at 60 s; after this long a request we lost track of cannot still
#: be writing, so "not found" means "never written".
DEFAULT_SETTLE_SECONDS = 75.0

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The portal holds several records under one origin key (the lowest id is kept)."""

    entity: str
    source_key: str
    b24_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What reconciliation decided."""

    found: int = 0
    requeued: int = 0
    duplicates: tuple[Duplicate, ...] = ()
    rounds: int = 0

    def __add__(self, other: ReconcileReport) -> ReconcileReport:
        return ReconcileReport(
            self.found + other.found,
            self.requeued + other.requeued,
            self.duplicates + other.duplicates,
            self.rounds + other.rounds,
        )


async def reconcile(
    ledger: Ledger,
    client: Bitrix24Client,
    *,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    clock: Clock,
    sleep: Sleep = asyncio.sleep,
    watch: LoadWatch | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> ReconcileReport:
    """Move every ``sending`` record to ``done`` (found in the portal) or ``planned``.

    Waits first until the newest of their batches left ``settle_seconds`` ago; when
    ``stopped()`` says the wait was cut short (Ctrl-C) they all stay ``sending``: a look-up
    before that moment could miss a write still under way. Idempotent ops (update, set) are
    simply planned again. Nothing is changed if a look-up fails. ``watch`` is told what
    happens (notes).
    """
    sending = ledger.sending()
    if not sending:
        return ReconcileReport()
    wait = settle_wait(ledger, sending, settle_seconds, clock)
    if watch is not None:
        watch.reconciling(len(sending), wait)
    if wait > 0:
        await sleep(wait)
        if stopped():
            return ReconcileReport()
    found: dict[int, int | None] = {}
    duplicates: list[Duplicate] = []
    creates: dict[str, list[LedgerRecord]] = defaultdict(list)
    appending: list[LedgerRecord] = []
    for record in sending:
        if record.op is Op.CREATE:
            creates[record.entity].append(record)
        elif record.op is Op.UPDATE and appended_values(record.fields):
            appending.append(record)
        else:
            found[record.id] = None  # idempotent: simply sent again
    found.update(await _updates_applied(client, appending))
    for entity, records in creates.items():
        if spec_for(entity).origin == "natural_key":
            found.update(await _addresses_found(client, records))
            continue
        ids = await _look_up(client, ledger.originator, entity, records)
        for record in records:
            matches = ids.get(record.source_key, [])
            found[record.id] = matches[0] if matches else None
            if len(matches) > 1:
                duplicates.append(Duplicate(entity, record.source_key, tuple(matches)))
    ledger.reconcile(found)
    hits = sum(1 for value in found.values() if value is not None)
    if watch is not None:
        watch.reconciled(hits, len(found) - hits)
    return ReconcileReport(hits, len(found) - hits, tuple(duplicates), 1)


def settle_wait(
    ledger: Ledger, records: Sequence[LedgerRecord], settle_seconds: float, clock: Clock
) -> float:
    """Seconds until the newest batch of ``records`` left ``settle_seconds`` ago."""
    batches = (ledger.batch(i) for i in {r.batch_id for r in records if r.batch_id})
    sent = [batch.sent_at for batch in batches if batch is not None]
    return (max(sent) - clock()).total_seconds() + settle_seconds if sent else 0.0


async def _look_up(
    client: Bitrix24Client, originator: str, entity: str, records: Sequence[LedgerRecord]
) -> dict[str, list[int]]:
    if spec_for(entity).origin == "comment_tag":
        commands = _comment_lookups(records)
    elif spec_for(entity).origin == "task_marker":
        commands = _task_lookups(records)
    else:
        keys = [r.source_key for r in records]
        iblock = type_id = None
        if spec_for(entity).catalog:
            iblock = _iblock(records) or await _portal_catalogue(client)
        if spec_for(entity).item:  # a smart process: the plan kept its entityTypeId
            type_id = entity_type_of(records[0].fields)
        commands = [
            lookup.command
            for lookup in build_lookups(
                entity, originator, keys, iblock=iblock, entity_type_id=type_id
            )
        ]
    rows = await _list_rows(client, commands)
    return parse_lookup(entity, originator, rows)


async def _addresses_found(
    client: Bitrix24Client, records: Sequence[LedgerRecord]
) -> dict[int, int | None]:
    """An address is there iff its requisite has an address of its type (it has no id, and no
    origin key: one address of a type per requisite, so that one is ours, written by the add
    whose reply was lost — the requisite is one this migration created or matched)."""
    wanted = {r.id: _address_key(r) for r in records}
    commands = build_address_lookups([k[0] for k in wanted.values() if k is not None])
    rows = await _list_rows(client, commands)
    held = parse_address_rows(rows)
    return {rid: key[0] if key in held else None for rid, key in wanted.items() if key}


def _address_key(record: LedgerRecord) -> tuple[int, int] | None:
    fields = record.resolved_fields()
    try:
        return int(fields["ENTITY_ID"]), int(fields["TYPE_ID"])
    except (KeyError, TypeError, ValueError):
        return None


def _iblock(records: Sequence[LedgerRecord]) -> int | None:
    """The catalogue a product or section record was written into (the plan keeps it)."""
    return next((int(r.fields["CATALOG_ID"]) for r in records if r.fields.get("CATALOG_ID")), None)


async def _portal_catalogue(client: Bitrix24Client) -> int | None:
    """The CRM product catalogue, for records planned before the plan kept it."""
    select = {"select": ["iblockId", "productIblockId"]}
    (catalogs,) = await _read(client, [("catalog.catalog.list", select)])
    rows = unwrap_rows(catalogs or [])
    return next((int(c["iblockId"]) for c in rows if not c.get("productIblockId")), None)


async def _updates_applied(
    client: Bitrix24Client, records: Sequence[LedgerRecord]
) -> dict[int, int | None]:
    """An update that appends multi-field values happened iff the values are there now.

    A record the portal cannot return (deleted meanwhile) is sent again and fails there.
    """
    if not records:
        return {}
    commands = [
        ClientCommand(f"get{i}", spec_for(r.entity).get, {"id": r.b24_id})
        for i, r in enumerate(records)
    ]
    with _lookup_errors():
        replies = await client.batch(commands)
    return {
        record.id: record.b24_id
        if _has_values(reply.result, appended_values(record.fields))
        else None
        for record, reply in zip(records, replies, strict=True)
    }


def _has_values(portal: Any, wanted: dict[str, list[str]]) -> bool:
    if not isinstance(portal, dict):
        return False
    for name, values in wanted.items():
        present = {_norm(e.get("VALUE")) for e in portal.get(name) or [] if isinstance(e, dict)}
        if any(_norm(v) not in present for v in values):
            return False
    return True


def _norm(value: Any) -> str:
    return str(value or "").strip().lower()


def _comment_lookups(records: Iterable[LedgerRecord]) -> list[Command]:
    owners = set()
    for record in records:
        fields = record.resolved_fields()
        owners.add((str(fields["ENTITY_TYPE"]), int(fields["ENTITY_ID"])))
    return [build_comment_lookup(kind, owner) for kind, owner in sorted(owners)]


def _task_lookups(records: Iterable[LedgerRecord]) -> list[Command]:
    """The tasks bound to each owner of ``records`` (a task is found by its XML_ID there)."""
    owners = set()
    for record in records:
        fields = record.resolved_fields()
        owners.add((str(fields["OWNER_TYPE"]), int(fields["OWNER_ID"])))
    return [build_task_lookup(kind, owner) for kind, owner in sorted(owners)]


async def _list_rows(client: Bitrix24Client, commands: Sequence[Command]) -> list[Any]:
    """Every row the list commands return, all pages."""
    pages = await _read(client, [(c.method, c.params) for c in commands])
    return [row for page in pages for row in unwrap_rows(page or [])]


async def _read(client: Bitrix24Client, calls: list[tuple[str, Any]]) -> list[Any]:
    with _lookup_errors():
        return await read_all(client, calls)


def _lookup_errors() -> AbstractContextManager[None]:
    return portal_errors(
        "reconciliation: a look-up",
        "b24migrate load",
        "records left `sending` are kept as they are",
    )
