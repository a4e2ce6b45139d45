"""Records the portal already holds: found by origin key, INN, phone or e-mail.

A second migration into a live portal must update or skip what is there instead of
duplicating it. Look-ups, strongest first:

1. ``ORIGINATOR_ID`` + ``ORIGIN_ID`` (products and sections: ``XML_ID``): a record an earlier
   run of this migration created;
2. INN (``crm.requisite.list``): a company with a requisite of the same valid INN — a strong
   identifier, as in the dedupe rules;
3. phone and e-mail (``crm.duplicate.findbycomm``, ≤ 20 values per call and entity type); a
   candidate is dropped when a strong identifier contradicts it (the portal company has
   another INN) or, for people, when the last names differ. Several candidates → the oldest.

Only reads: nothing here writes to the portal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cleaners.keys import email_key, phone_key
from loaders.client import Bitrix24Client
from loaders.entities import build_lookups, parse_lookup, spec_for
from mappings.entities import where
from migrate.portal.read import read_all

__all__ = ["ExistingRecord", "PortalRecord", "match_existing", "normalize_comm", "read_records"]

ORIGIN_ENTITIES = where(origin=True)
COMM_ENTITIES = where(comm_matched=True)
_COMM_CHUNK = 20
_ID_CHUNK = 50


def normalize_comm(kind: str, value: str) -> str:
    """The match key of a phone or e-mail (:mod:`cleaners.keys`: the rule dedupe uses too)."""
    return email_key(value) if kind == "EMAIL" else phone_key(value)


@dataclass(frozen=True, slots=True)
class PortalRecord:
    """What the plan needs of an existing portal record."""

    id: int
    title: str
    last_name: str = ""
    comms: Mapping[str, frozenset[str]] = field(default_factory=dict)  # PHONE/EMAIL → normalised
    inns: frozenset[str] = frozenset()
    requisites: Mapping[str, int] = field(default_factory=dict)  # INN → requisite id


@dataclass(frozen=True, slots=True)
class ExistingRecord:
    """A source record the portal already holds, and how it was found."""

    entity: str
    source_key: str
    b24_id: int
    by: str  # origin | inn | phone | email
    value: str
    portal: PortalRecord | None = None
    candidates: int = 1


async def match_existing(
    client: Bitrix24Client,
    originator: str,
    tables: Mapping[str, Any],
    *,
    skip_keys: Mapping[str, Iterable[str]] | None = None,
    iblock: int | None = None,
    smart_type: int | None = None,
) -> dict[str, dict[str, ExistingRecord]]:
    """entity → source key → the portal record it matches (see the module docstring).

    ``tables`` are CleanTables (after dedupe); ``skip_keys`` are keys the ledger already
    knows the portal id of (they are not looked up again); ``iblock`` is the product
    catalogue products and sections are looked up in; ``smart_type`` the entityTypeId of the
    smart process whose items are looked up by ``xmlId``.
    """
    skip = {e: set(keys) for e, keys in (skip_keys or {}).items()}
    rows = {e: _rows(t) for e, t in tables.items()}
    found: dict[str, dict[str, ExistingRecord]] = {}
    for entity in ORIGIN_ENTITIES:
        keys = [k for k in rows.get(entity, {}) if k not in skip.get(entity, set())]
        spec = spec_for(entity)
        scope = iblock if spec.catalog else smart_type if spec.item else 0
        if keys and scope is not None:
            found[entity] = await _by_origin(client, entity, originator, keys, scope)
    for entity in COMM_ENTITIES:
        todo = {
            k: r
            for k, r in rows.get(entity, {}).items()
            if k not in skip.get(entity, set()) and k not in found.get(entity, {})
        }
        if todo:
            found.setdefault(entity, {}).update(await _by_identity(client, entity, todo))
    for entity in COMM_ENTITIES:
        await _attach_portal(client, entity, found.get(entity, {}))
    return found


def _rows(table: Any) -> dict[str, dict[str, Any]]:
    return {str(r["_key"]): r for r in table.to_dict("records")}


async def _by_origin(
    client: Bitrix24Client, entity: str, originator: str, keys: Sequence[str], scope: int
) -> dict[str, ExistingRecord]:
    """Records created under these keys; ``scope``: the catalogue's iblock or the smart
    process's entityTypeId the entity is listed within (unused for other entities)."""
    spec = spec_for(entity)
    lookups = build_lookups(
        entity, originator, list(keys), iblock=scope if spec.catalog else None,
        entity_type_id=scope if spec.item else None,
    )  # fmt: skip
    results = await read_all(client, [(lk.command.method, lk.command.params) for lk in lookups])
    out: dict[str, ExistingRecord] = {}
    for rows in results:
        for key, ids in parse_lookup(entity, originator, rows or []).items():
            out[key] = ExistingRecord(entity, key, ids[0], "origin", key, candidates=len(ids))
    return out


async def _by_identity(
    client: Bitrix24Client, entity: str, rows: Mapping[str, Mapping[str, Any]]
) -> dict[str, ExistingRecord]:
    wanted = {kind: _comm_values(rows, kind) for kind in ("PHONE", "EMAIL")}
    inns = {k: _inn(r) for k, r in rows.items() if entity == "company" and _inn(r)}
    ids = await _findbycomm(client, entity, wanted)
    by_inn = await _requisites(client, {"@RQ_INN": sorted(set(inns.values()))}) if inns else []
    ids |= {r["ENTITY_ID"] for r in by_inn}
    portal = await read_records(client, entity, sorted(ids))
    out: dict[str, ExistingRecord] = {}
    for key, row in rows.items():
        match = _choose(entity, key, row, inns.get(key), portal)
        if match is not None:
            out[key] = match
    return out


def _comm_values(rows: Mapping[str, Mapping[str, Any]], kind: str) -> list[str]:
    """The values to look for; a Russian phone also in its ``8…`` form, which portals that
    compare digits (rather than parsed numbers) hold for numbers typed that way."""
    values = {str(v[0]) for r in rows.values() for v in (r.get(kind) or ()) if v and v[0]}
    if kind == "PHONE":
        values |= {"8" + v[2:] for v in values if v.startswith("+7") and len(v) == 12}
    return sorted(values)


def _inn(row: Mapping[str, Any]) -> str:
    value = row.get("RQ_INN")
    return "" if value is None or value != value else str(value).strip()


async def _findbycomm(
    client: Bitrix24Client, entity: str, wanted: Mapping[str, Sequence[str]]
) -> set[int]:
    calls = [
        (
            "crm.duplicate.findbycomm",
            {
                "type": kind,
                "values": list(values[i : i + _COMM_CHUNK]),
                "entity_type": entity.upper(),
            },
        )
        for kind, values in wanted.items()
        for i in range(0, len(values), _COMM_CHUNK)
    ]
    ids: set[int] = set()
    for result in await read_all(client, calls) if calls else []:
        if isinstance(result, Mapping):
            ids.update(int(i) for i in result.get(entity.upper(), []))
    return ids


async def _requisites(client: Bitrix24Client, where: Mapping[str, Any]) -> list[dict[str, Any]]:
    values = next(iter(where.values()))
    name = next(iter(where))
    calls = [
        (
            "crm.requisite.list",
            {
                "filter": {"ENTITY_TYPE_ID": 4, name: list(values[i : i + _ID_CHUNK])},
                "select": ["ID", "ENTITY_ID", "RQ_INN"],
                "order": {"ID": "ASC"},
            },
        )
        for i in range(0, len(values), _ID_CHUNK)
    ]
    rows = [r for result in await read_all(client, calls) for r in result or []]
    return [{**r, "ID": int(r["ID"]), "ENTITY_ID": int(r["ENTITY_ID"])} for r in rows]


async def read_records(
    client: Bitrix24Client, entity: str, ids: Sequence[int]
) -> dict[int, PortalRecord]:
    """The portal records ``ids`` of a company/contact/lead: title, phones, e-mails, INNs."""
    if not ids:
        return {}
    select = ["ID", "TITLE", "NAME", "LAST_NAME", "PHONE", "EMAIL"]
    calls = [
        (
            f"crm.{entity}.list",
            {"filter": {"@ID": list(ids[i : i + _ID_CHUNK])}, "select": select},
        )
        for i in range(0, len(ids), _ID_CHUNK)
    ]
    rows = [r for result in await read_all(client, calls) for r in result or []]
    requisites: dict[int, dict[str, int]] = {}
    if entity == "company":
        for req in await _requisites(client, {"@ENTITY_ID": list(ids)}):
            inn = str(req.get("RQ_INN") or "").strip()
            if inn:
                requisites.setdefault(req["ENTITY_ID"], {}).setdefault(inn, req["ID"])
    return {int(r["ID"]): _portal_record(r, requisites.get(int(r["ID"]), {})) for r in rows}


def _portal_record(row: Mapping[str, Any], requisites: Mapping[str, int]) -> PortalRecord:
    comms = {
        kind: frozenset(
            normalize_comm(kind, str(e.get("VALUE") or "")) for e in row.get(kind) or []
        )
        for kind in ("PHONE", "EMAIL")
    }
    title = str(row.get("TITLE") or "").strip()
    if not title:
        title = " ".join(str(row.get(f) or "") for f in ("LAST_NAME", "NAME")).strip()
    return PortalRecord(
        id=int(row["ID"]),
        title=title,
        last_name=str(row.get("LAST_NAME") or ""),
        comms=comms,
        inns=frozenset(requisites),
        requisites=dict(requisites),
    )


def _choose(
    entity: str,
    key: str,
    row: Mapping[str, Any],
    inn: str | None,
    portal: Mapping[int, PortalRecord],
) -> ExistingRecord | None:
    if inn:
        same = sorted(p.id for p in portal.values() if inn in p.inns)
        if same:
            return ExistingRecord(entity, key, same[0], "inn", inn, portal[same[0]], len(same))
    for kind in ("PHONE", "EMAIL"):
        for value, *_ in row.get(kind) or ():
            norm = normalize_comm(kind, str(value))
            hits = sorted(
                p.id
                for p in portal.values()
                if norm in p.comms.get(kind, frozenset()) and _compatible(entity, row, inn, p)
            )
            if hits:
                by = kind.lower()
                return ExistingRecord(
                    entity, key, hits[0], by, str(value), portal[hits[0]], len(hits)
                )
    return None


def _compatible(entity: str, row: Mapping[str, Any], inn: str | None, portal: PortalRecord) -> bool:
    """A strong identifier that differs (another INN) or another surname rules a match out."""
    if entity == "company":
        return not (inn and portal.inns and inn not in portal.inns)
    ours = _surname(row.get("LAST_NAME"))
    theirs = _surname(portal.last_name)
    return not (ours and theirs and ours != theirs)


def _surname(value: Any) -> str:
    if value is None or value != value:
        return ""
    return str(value).strip().lower().replace("ё", "е")


async def _attach_portal(
    client: Bitrix24Client, entity: str, matches: dict[str, ExistingRecord]
) -> None:
    """Read the portal records of matches found by origin (for their phones and requisites)."""
    missing = sorted({m.b24_id for m in matches.values() if m.portal is None})
    portal = await read_records(client, entity, missing)
    for key, match in list(matches.items()):
        if match.portal is None and match.b24_id in portal:
            matches[key] = ExistingRecord(
                match.entity, key, match.b24_id, match.by, match.value,
                portal[match.b24_id], match.candidates,
            )  # fmt: skip
