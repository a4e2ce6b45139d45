"""Cut-over: a fresh export re-planned against a loaded workspace.

The client keeps working in the old CRM until the switch, and people may already work in the
portal. A re-plan of the new export creates the new records and updates the changed ones (the
ledger's content-hash delta); this module adds what must not happen silently:

* **conflicts**: records we wrote that someone edited in the portal afterwards. The portal's
  ``DATE_MODIFY`` is read in bulk (one ``>DATE_MODIFY`` list per entity, fast paging, never one
  get per record; then the fields of the edited ones only, 50 ids per list) and compared with
  the moment the load applied the portal's reply (the ledger's time plus the clock difference
  the client measured, with a second of slack for the portal's whole-second stamps: the rule
  `rollback` uses). A record is a conflict when a
  field we carry now differs in the portal from what we wrote; the portal edit wins until the
  client decides: ``portal`` (keep it) or ``source`` (send the source values). Meanwhile the
  record, and what hangs on it (its requisite, product rows), is *held*: not re-planned.
* **gone**: records we loaded whose source key is absent from the new export. Never deleted:
  listed for the client.

A decision is bound to the portal edit it was made about (the ``DATE_MODIFY`` listed with it):
a later edit in the portal asks again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from loaders.client import Bitrix24Client
from mappings.entities import MULTI_FIELDS, where
from migrate.ledger import Ledger, LedgerRecord, Op, PlannedRecord, State
from migrate.ledger.cutover import CHOICES_META, GONE_META, LISTED_META
from migrate.plan._backdate import SOURCE_HASH
from migrate.plan._edited import CAMEL_EDITED, read_camel_rows
from migrate.plan._existing import normalize_comm
from migrate.portal.read import read_all

__all__ = [
    "CHOICES",
    "CHOICES_META",
    "GONE_META",
    "LISTED_META",
    "Conflict",
    "Cutover",
    "FieldDiff",
    "GoneRecord",
    "apply_conflicts",
    "conflict_key",
    "gone_records",
    "listed_stamps",
    "merge_choices",
    "read_edited",
]

#: What the client may decide about a conflict.
CHOICES = ("portal", "source")
#: Entities whose records carry ``DATE_MODIFY`` (the legacy CRM objects).
DATED = where(crm=True)
#: Entities whose portal edits are conflicts: the legacy objects, catalogue products
#: (``timestampX``), smart-process items (``updatedTime``) and activities (``LAST_UPDATED``).
EDITABLE = (*DATED, *CAMEL_EDITED)
#: The field that marks a "take source" update (never sent: a leading underscore).
TAKEN = "_TAKEN_OVER"
_SLACK = timedelta(seconds=1)  # DATE_MODIFY is in whole seconds
_NOT_COMPARED = frozenset(
    {"ID", "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID", "ORIGINATOR_ID",
     "ORIGIN_ID", "IMPORT"}
)  # fmt: skip
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class FieldDiff:
    """One field of a conflict: what the source says now and what the portal holds."""

    field: str
    source: str
    portal: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """A record we wrote that someone changed in the portal afterwards.

    ``choice`` is the client's decision (``portal`` | ``source``) or ``""`` when undecided;
    ``source_changed``: the new export changes the record too.
    """

    entity: str
    source_key: str
    b24_id: int
    title: str
    modified_at: str
    modified_by: str
    diffs: tuple[FieldDiff, ...]
    choice: str = ""
    source_changed: bool = False


@dataclass(frozen=True, slots=True)
class GoneRecord:
    """A record we loaded whose source key the new export no longer has (left in the portal)."""

    entity: str
    source_key: str
    b24_id: int
    title: str


@dataclass(frozen=True, slots=True)
class Cutover:
    """What the plan found about a loaded workspace (empty on a first plan)."""

    conflicts: tuple[Conflict, ...] = ()
    gone: tuple[GoneRecord, ...] = ()

    @property
    def undecided(self) -> int:
        return sum(1 for c in self.conflicts if not c.choice)


def conflict_key(entity: str, source_key: str) -> str:
    """How a decision names its record in the ledger's settings."""
    return f"{entity}\t{source_key}"


# ---------------------------------------------------------------------------- portal edits


async def read_edited(
    client: Bitrix24Client, ledger: Ledger, previous: Mapping[tuple[str, str], LedgerRecord]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The portal rows of our written records modified after our write, by (entity, key).

    Legacy objects: two reads per entity, ``ID`` + ``DATE_MODIFY`` of every record modified
    since the earliest write (``>DATE_MODIFY``, fast paging, 50 pages per request), each
    compared with its own record's write time; then the fields we carry of those edited, by id
    (50 per list). Products and smart-process items: one read by id of the stamp and the
    fields (:mod:`migrate.plan._edited`).
    """
    written = [r for r in previous.values() if _ours(r)]
    if not written:
        return {}
    times = ledger.written_at(r.id for r in written)
    skew = timedelta(seconds=client.clock_skew)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in EDITABLE:
        mine = {int(r.b24_id or 0): r for r in written if r.entity == entity}
        if not mine:
            continue
        if entity in CAMEL_EDITED:
            rows = await read_camel_rows(client, entity, list(mine.values()),
                                         _fields_of(mine.values()))  # fmt: skip
        else:
            rows = await _read_legacy(client, entity, mine, times, skew)
        for row in rows:
            record = mine.get(int(row.get("ID") or 0))
            at = _moment(row.get("DATE_MODIFY"))
            if record is not None and at is not None and at > times[record.id] + skew + _SLACK:
                out[(entity, record.source_key)] = row
    return out


async def _read_legacy(
    client: Bitrix24Client,
    entity: str,
    mine: Mapping[int, LedgerRecord],
    times: Mapping[int, datetime],
    skew: timedelta,
) -> list[dict[str, Any]]:
    since = min(times[r.id] for r in mine.values()) + skew
    stamps = await client.list_all(
        f"crm.{entity}.list",
        {">DATE_MODIFY": since.astimezone(UTC).isoformat(timespec="seconds")},
        ["ID", "DATE_MODIFY"],
        chained=True,
    )
    edited = [mine[i] for i, at in _stamps(stamps) if i in mine
              and at > times[mine[i].id] + skew + _SLACK]  # fmt: skip
    return await _read_rows(client, entity, edited)


def _stamps(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, datetime]]:
    for row in rows:
        modified = _moment(row.get("DATE_MODIFY"))
        if modified is not None:
            yield int(row.get("ID") or 0), modified


async def _read_rows(
    client: Bitrix24Client, entity: str, records: Sequence[LedgerRecord]
) -> list[dict[str, Any]]:
    """The fields we carry (and a title) of ``records``, read by id, 50 per list command."""
    if not records:
        return []
    select = sorted({"ID", "DATE_MODIFY", "MODIFY_BY_ID", "TITLE", "NAME", "LAST_NAME",
                     *_fields_of(records)})  # fmt: skip
    ids = sorted(int(r.b24_id or 0) for r in records)
    calls = [(f"crm.{entity}.list", {"filter": {"@ID": ids[i : i + 50]}, "select": select})
             for i in range(0, len(ids), 50)]  # fmt: skip
    return [row for rows in await read_all(client, calls) for row in rows or []]


def _ours(record: LedgerRecord) -> bool:
    """A record this migration wrote (not one it only found and skipped)."""
    return (
        record.entity in EDITABLE
        and record.b24_id is not None
        and record.state is State.DONE
        and record.op is not Op.SKIP
    )


def _fields_of(records: Iterable[LedgerRecord]) -> set[str]:
    return {f for r in records for f in r.fields if not f.startswith("_")} - _NOT_COMPARED - {
        "CONTACT_IDS", "COMPANY_IDS"  # not in a legacy list's select
    }  # fmt: skip


# ---------------------------------------------------------------------------- conflicts


def apply_conflicts(
    records: Sequence[PlannedRecord],
    previous: Mapping[tuple[str, str], LedgerRecord],
    edited: Mapping[tuple[str, str], Mapping[str, Any]],
    choices: Mapping[str, Mapping[str, str]],
    known: Mapping[str, Mapping[str, int]],
) -> tuple[list[PlannedRecord], list[Conflict]]:
    """Hold the records edited in the portal, or turn them into updates where the client said
    "take source"; return the records to plan and the conflicts to list.

    ``choices`` maps :func:`conflict_key` to ``{"choice": …, "modified": DATE_MODIFY}``;
    ``known`` gives the portal ids of referenced records (to show a reference as an id).
    """
    conflicts: list[Conflict] = []
    held: set[tuple[str, str]] = set()
    out: list[PlannedRecord] = []
    for record in records:
        identity = (record.entity, record.source_key)
        row, old = edited.get(identity), previous.get(identity)
        if row is None or old is None:
            out.append(record)
            continue
        diffs = _diffs(record, old, row, known)
        if not diffs:
            out.append(record)
            continue
        modified = str(row.get("DATE_MODIFY") or "")
        decided = choices.get(conflict_key(*identity), {})
        choice = decided.get("choice", "") if decided.get("modified") == modified else ""
        changed = old.fields.get(SOURCE_HASH, old.content_hash) != _source_hash(record)
        conflicts.append(
            Conflict(record.entity, record.source_key, int(old.b24_id or row.get("ID") or 0),
                     _title(row),
                     modified, str(row.get("MODIFY_BY_ID") or ""), diffs, choice, changed)
        )  # fmt: skip
        if choice == "source":
            out.append(_taken(record, row, modified))
        else:
            held.add(identity)
    return [r for r in out if not _hangs_on(r, held)], conflicts


def _hangs_on(record: PlannedRecord, held: set[tuple[str, str]]) -> bool:
    """A held record, or one of its parts (same key, refers to it: requisite, product rows)."""
    if (record.entity, record.source_key) in held:
        return True
    return any(
        ref.source_key == record.source_key and (ref.entity, ref.source_key) in held
        for ref in record.refs
    )


def _source_hash(record: PlannedRecord) -> str:
    return str(record.fields.get(SOURCE_HASH) or record.content_hash)


def _taken(record: PlannedRecord, row: Mapping[str, Any], modified: str) -> PlannedRecord:
    """The source's values as an update over the portal edit ``modified`` (a new content hash,
    so the ledger plans it; phones and e-mails the portal has are not appended again)."""
    fields = dict(record.fields)
    fields.setdefault(SOURCE_HASH, record.content_hash)
    fields[TAKEN] = modified
    for kind in MULTI_FIELDS:
        have = _values(kind, row.get(kind))
        values = [v for v in fields.get(kind) or [] if _value_key(kind, v[0]) not in have]
        if values:
            fields[kind] = values
        else:
            fields.pop(kind, None)
    return replace(record, fields=fields, op=Op.SET if record.op is Op.SET else Op.UPDATE)


def _diffs(
    record: PlannedRecord,
    old: LedgerRecord,
    row: Mapping[str, Any],
    known: Mapping[str, Mapping[str, int]],
) -> tuple[FieldDiff, ...]:
    """Fields we carry whose portal value is no longer what we wrote."""
    written = old.resolved_fields()
    source = _with_ids(record, known)
    out = []
    for field in sorted(set(written) | set(source)):
        if field.startswith("_") or field in _NOT_COMPARED or field not in row:
            continue
        if field in MULTI_FIELDS:
            ours = {_value_key(field, v[0]) for v in written.get(field) or []}
            if ours <= _values(field, row[field]):
                continue
            portal = "; ".join(str(v.get("VALUE") or "") for v in row[field] or [])
            out.append(FieldDiff(field, "; ".join(str(v[0]) for v in source.get(field) or []),
                                 portal))  # fmt: skip
        elif field in written and _norm(written[field]) != _norm(row[field]):
            out.append(FieldDiff(field, _shown(source.get(field)), _shown(row[field])))
    return tuple(out)


def _values(kind: str, entries: Any) -> set[str]:
    """The match keys of a multi-field as a legacy list returns it (``[{VALUE, …}, …]``)."""
    if not isinstance(entries, list):
        return set()
    return {_value_key(kind, e.get("VALUE")) for e in entries if isinstance(e, Mapping)}


def _value_key(kind: str, value: Any) -> str:
    """Phones and e-mails by their match keys (:mod:`cleaners.keys`); sites and messengers
    as text, case and spaces aside."""
    text = str(value or "")
    return normalize_comm(kind, text) if kind in ("PHONE", "EMAIL") else text.strip().lower()


def _with_ids(record: PlannedRecord, known: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """The record's fields with each reference shown as the portal id (else its source key)."""
    fields = dict(record.fields)
    for ref in record.refs:
        if "." not in ref.path:
            fields[ref.path] = known.get(ref.entity, {}).get(ref.source_key, ref.source_key)
    return fields


def _norm(value: Any) -> Any:
    """Comparable form of a field value as we sent it or as a legacy list returns it."""
    if value is None or value is False or value == []:
        return ""
    if value is True:
        return "Y"
    if isinstance(value, list | tuple):
        return tuple(sorted(str(_norm(v)) for v in value))
    text = str(value).strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    if _DATE.match(text):
        return _moment(text) or text
    return text


def _moment(value: Any) -> datetime | None:
    """An aware datetime from ISO text; a date alone (or naive text) is taken as UTC."""
    try:
        moment = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, Mapping) and "PRICE" in value:  # a price: "1500 RUB (type 1)"
        return (
            f"{value['PRICE']} {value.get('CURRENCY_ID') or ''} ({value.get('CATALOG_GROUP_ID')})"
        )
    return str(value)


def _title(row: Mapping[str, Any]) -> str:
    name = " ".join(str(row.get(k) or "") for k in ("LAST_NAME", "NAME")).strip()
    return str(row.get("TITLE") or name)


# ---------------------------------------------------------------------------- decisions


def merge_choices(
    stored: str | None, listed: str | None, read: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The stored decisions with the workbook's on top, each bound to the portal edit the
    last plan listed for its record (``read``: :func:`conflict_key` → ``portal``|``source``;
    an empty value withdraws a decision)."""
    choices: dict[str, dict[str, str]] = _loads(stored)
    stamps: dict[str, str] = _loads(listed)
    for key, choice in read.items():
        if key not in stamps:
            continue  # a row of an older workbook about a conflict no longer listed
        if choice:
            choices[key] = {"choice": choice, "modified": stamps[key]}
        else:
            choices.pop(key, None)
    return choices


def listed_stamps(conflicts: Iterable[Conflict]) -> str:
    """The ledger setting :data:`LISTED_META` for the conflicts a plan lists."""
    return json.dumps(
        {conflict_key(c.entity, c.source_key): c.modified_at for c in conflicts},
        ensure_ascii=False, sort_keys=True,
    )  # fmt: skip


def _loads(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------- gone


def gone_records(
    previous: Mapping[tuple[str, str], LedgerRecord],
    present: Mapping[str, set[str]],
) -> list[GoneRecord]:
    """Records we loaded whose key the new export lacks (``present``: entity → keys in the
    sources, refused rows and absorbed duplicates included). Only for entities planned now."""
    out = []
    for (entity, key), record in sorted(previous.items()):
        if entity not in present or key in present[entity]:
            continue
        if record.b24_id is None or record.state is not State.DONE or record.op is Op.SKIP:
            continue
        title = (
            record.fields.get("TITLE")
            or " ".join(str(record.fields.get(k) or "") for k in ("LAST_NAME", "NAME")).strip()
        )
        out.append(GoneRecord(entity, key, int(record.b24_id), str(title or "")))
    return out
