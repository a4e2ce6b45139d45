"""Count the loaded records in the portal against the ledger: nothing lost, nothing twice.

For companies, contacts, deals, leads and activities the portal is listed by ``ORIGINATOR_ID``
(the migration's name) and each record's ``ORIGIN_ID`` (its source key) is compared with the
ledger (requisites and bank details: their ``XML_ID``; an address, which has neither, by its
type on the requisite the ledger put it on): a record the ledger says is done must be there
exactly once (``lost``: missing; ``duplicated``: extra copies), and the portal must hold
nothing the ledger does not know as done (``unaccounted``: written but recorded as failed,
planned or in flight).
A smart process's items have no ``ORIGINATOR_ID``: they are listed by the ``xmlId`` of every
key the ledger holds (so an item written under a key the ledger never planned is not seen).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from loaders.client import Bitrix24Client
from loaders.entities import (
    ENTITY_TYPE_HINT,
    build_address_lookups,
    build_lookups,
    entity_type_of,
    parse_address_rows,
    parse_lookup,
    spec_for,
    unwrap_rows,
)
from mappings.entities import where
from migrate.ledger import Ledger, LedgerRecord, Op, State
from migrate.portal.connect import open_portal
from migrate.portal.read import read_all
from migrate.workspace.config import Workspace

__all__ = ["CHECKED_ENTITIES", "EntityCheck", "PortalCheck", "check_portal", "check_portal_sync"]

CHECKED_ENTITIES = where(counted=True)


@dataclass(frozen=True, slots=True)
class EntityCheck:
    """One entity: records the ledger holds as written, what the portal holds, the gaps."""

    entity: str
    expected: int
    found: int
    lost: int
    duplicated: int
    unaccounted: int


@dataclass(frozen=True, slots=True)
class PortalCheck:
    """Every checked entity, and the totals."""

    entities: tuple[EntityCheck, ...]

    @property
    def lost(self) -> int:
        return sum(e.lost for e in self.entities)

    @property
    def duplicated(self) -> int:
        return sum(e.duplicated for e in self.entities)

    @property
    def unaccounted(self) -> int:
        return sum(e.unaccounted for e in self.entities)

    @property
    def expected(self) -> int:
        return sum(e.expected for e in self.entities)


async def check_portal(ledger: Ledger, client: Bitrix24Client) -> PortalCheck:
    """Compare the portal's records of this migration with the ledger (module docstring)."""
    out = []
    for entity in CHECKED_ENTITIES:
        records = ledger.records(entity)
        if not records:
            continue
        done = {r.source_key for r in records if r.state is State.DONE and r.op is not Op.SKIP}
        known = {r.source_key for r in records if r.state is State.DONE}
        seen = await _portal_keys(ledger, client, entity, records)
        out.append(
            EntityCheck(
                entity,
                expected=len(done),
                found=sum(1 for key in done if seen[key]),
                lost=sum(1 for key in done if not seen[key]),
                duplicated=sum(n - 1 for n in seen.values() if n > 1),
                unaccounted=sum(1 for key in seen if key not in known),
            )
        )
    return PortalCheck(tuple(out))


async def _portal_keys(
    ledger: Ledger, client: Bitrix24Client, entity: str, records: Sequence[LedgerRecord]
) -> Counter[str]:
    """Source key → how many portal records carry it."""
    spec = spec_for(entity)
    if spec.origin == "natural_key":
        return await _address_keys(client, records)
    if not spec.item:
        key = "ORIGIN_ID" if spec.origin == "origin_id" else "XML_ID"
        rows = await client.list_all(spec.list, {"ORIGINATOR_ID": ledger.originator}, [key])
        return Counter(str(row.get(key) or "") for row in rows)
    typed = [r for r in records if r.fields.get(ENTITY_TYPE_HINT)]
    if not typed:
        return Counter()
    keys = sorted({r.source_key for r in records})
    lookups = build_lookups(entity, ledger.originator, keys,
                            entity_type_id=entity_type_of(typed[0].fields))  # fmt: skip
    pages = await read_all(client, [(lk.command.method, lk.command.params) for lk in lookups])
    found = parse_lookup(entity, ledger.originator, [r for p in pages for r in unwrap_rows(p)])
    return Counter({key: len(ids) for key, ids in found.items()})


async def _address_keys(client: Bitrix24Client, records: Sequence[LedgerRecord]) -> Counter[str]:
    """An address has no origin key: the addresses of the requisites the ledger's addresses
    are on, by (requisite id, type) → the ledger's key (another address there: its own)."""
    keys = {
        (r.b24_id, int(r.fields["TYPE_ID"])): r.source_key
        for r in records
        if r.b24_id is not None and r.fields.get("TYPE_ID") is not None
    }
    commands = build_address_lookups([k[0] for k in keys])
    pages = await read_all(client, [(c.method, c.params) for c in commands])
    held = parse_address_rows([row for page in pages for row in unwrap_rows(page)])
    return Counter(keys.get(k, f"{k[0]}/{k[1]}") for k in held)


def check_portal_sync(workspace: Workspace) -> PortalCheck:
    """:func:`check_portal` for a workspace's ledger and portal."""

    async def go() -> PortalCheck:
        config = workspace.load_config()
        with Ledger.open(workspace.ledger_path) as ledger:
            async with open_portal(workspace, config) as client:
                return await check_portal(ledger, client)

    return asyncio.run(go())
