"""Files a source added to a loaded record's file fields (cut-over): planned as a set of
their own, sent exactly once.

A record's files go with its create only (:mod:`migrate.plan._files`), and an update never
carries them. A fresh export may name more files in a loaded record's file user field; they
become a ``record_files`` set (the record's entity and key), written by ``crm.item.update``
(how-to-update-files.md: the legacy updates are not recommended for file fields; in a
multiple field the files it holds are kept by naming their ids, the new ones go as
``[name, base64]``, and a file whose id is not named is deleted).

Exactly once:

* the record's own file hint stays what its create sent, so what the portal got with the
  record stays known and a new file alone does not make the record an update;
* the set lists the files added since (by name and SHA-256) that no earlier set sent, and the
  ids the field holds now (read when planned: ``crm.item.list`` by id, 50 ids a command);
* a set that was sent is planned again only when another file appears (otherwise its fields
  are taken over as they are: the ledger sees it unchanged);
* re-sent after an unknown outcome (a lost reply), it leaves each file in the field once: the
  first attempt's copy is not among the ids it keeps, so the portal deletes it.

Only records this migration wrote are considered (a record held by a cut-over conflict is not
planned, and neither are its new files).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import (
    ENTITY_TYPE_HINT,
    FIELD_FILES,
    FILE_FIELDS_SET,
    camel_field,
    entity_type_of,
)
from migrate.ledger import LedgerRecord, Op, PlannedRecord, Ref, State
from migrate.portal.read import item_files, read_items

__all__ = ["ADDED_FILES", "keep_created_files", "plan_added_files", "set_key"]

#: (entity, key) → the file hint the sources give a loaded record now.
SourceFiles = dict[tuple[str, str], dict[str, Any]]

ADDED_FILES = "record_files"
#: CRM objects by entity (crm.item.* names them by entityTypeId); smart processes by their hint.
_TYPES = {"lead": 1, "deal": 2, "contact": 3, "company": 4}
_SENT = "_SENT"  # every file (name and SHA-256) the sets of a record have sent, this one's too


def set_key(entity: str, source_key: str) -> str:
    """The ``record_files`` key of a record (keys of two entities may be the same text)."""
    return f"{entity}:{source_key}"


def keep_created_files(
    records: Sequence[PlannedRecord], previous: Mapping[tuple[str, str], LedgerRecord]
) -> tuple[list[PlannedRecord], SourceFiles]:
    """``records`` with each loaded record's file hint as its create sent it (a new file alone
    does not make it an update), and the hints the sources give those records now."""
    out: list[PlannedRecord] = []
    now: SourceFiles = {}
    for record in records:
        old = previous.get((record.entity, record.source_key))
        if _loaded(record, old):
            assert old is not None
            now[(record.entity, record.source_key)] = dict(record.fields.get(FIELD_FILES) or {})
            record = _kept_hint(record, old)
        out.append(record)
    return out, now


async def plan_added_files(
    client: Bitrix24Client,
    records: Sequence[PlannedRecord],
    previous: Mapping[tuple[str, str], LedgerRecord],
    earlier: Mapping[str, LedgerRecord],
    now: SourceFiles,
) -> list[PlannedRecord]:
    """``records`` plus a ``record_files`` set for each loaded record whose source added files
    since its create (module docstring). ``previous``: the ledger's records by (entity, key);
    ``earlier``: its sets by key; ``now``: :func:`keep_created_files`' second value."""
    out: list[PlannedRecord] = list(records)
    wanted: list[tuple[PlannedRecord, LedgerRecord, dict[str, Any], list[str]]] = []
    for record in records:
        old = previous.get((record.entity, record.source_key))
        files = now.get((record.entity, record.source_key))
        if old is None or files is None:
            continue
        before = earlier.get(set_key(record.entity, record.source_key))
        added, sent = _added(files, old), _sent(before)
        todo = {n: [f for f in fs if _id(f) not in sent] for n, fs in added.items()}
        todo = {n: fs for n, fs in todo.items() if fs}
        if todo:
            wanted.append((record, old, todo, sorted(sent | {_id(f) for f in _all(todo)})))
        elif before is not None:
            out.append(_again(before, record))
    keep = await _held_files(client, [(r, o, t) for r, o, t, _ in wanted])
    for record, old, todo, sent_ids in wanted:
        held = keep.get((_type_of(record), int(old.b24_id or 0)), {})
        out.append(_set(record, now[(record.entity, record.source_key)], todo, sent_ids, held))
    planned = {r.source_key for r in out if r.entity == ADDED_FILES}
    for key, before in sorted(earlier.items()):
        if key not in planned:  # its record is held or gone: what it sent stays known
            entity, _, owner = key.partition(":")
            out.append(PlannedRecord(ADDED_FILES, key, Op.SET, dict(before.fields),
                                     (Ref("OWNER_ID", entity, owner),)))  # fmt: skip
    return out


def _loaded(record: PlannedRecord, old: LedgerRecord | None) -> bool:
    """A record of a CRM object or a smart process this migration wrote, with files."""
    if old is None or old.b24_id is None or old.state is not State.DONE or old.op is Op.SKIP:
        return False
    if record.entity not in _TYPES and not record.fields.get(ENTITY_TYPE_HINT):
        return False
    return bool(record.fields.get(FIELD_FILES) or old.fields.get(FIELD_FILES))


def _kept_hint(record: PlannedRecord, old: LedgerRecord) -> PlannedRecord:
    """The record with the file hint it was created with (files sent with it), if any."""
    fields = dict(record.fields)
    sent = old.fields.get(FIELD_FILES) if old.created_run_id is not None else None
    if sent:
        fields[FIELD_FILES] = sent
    else:
        fields.pop(FIELD_FILES, None)
    return replace(record, fields=fields)


def _added(now: Mapping[str, Any], old: LedgerRecord) -> dict[str, list[dict[str, Any]]]:
    """field → the files the source names now that the record's create did not send."""
    created = old.fields.get(FIELD_FILES) if old.created_run_id is not None else None
    sent = {_id(f) for f in _all({n: v["files"] for n, v in (created or {}).items()})}
    return {name: [f for f in field["files"] if _id(f) not in sent] for name, field in now.items()}


def _sent(before: LedgerRecord | None) -> set[str]:
    """The files earlier sets of the record have sent (a set not yet done: without its own)."""
    if before is None:
        return set()
    sent = set(before.fields.get(_SENT) or [])
    if before.state is not State.DONE:
        sent -= {_id(f) for f in _all(_files_of(before.fields))}
    return sent


def _files_of(fields: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {n: list(v["files"]) for n, v in (fields.get(FILE_FIELDS_SET) or {}).items()}


def _all(files: Mapping[str, Iterable[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [f for field in files.values() for f in field]


def _id(file: Mapping[str, Any]) -> str:
    return f"{file['sha256']}:{file['name']}"


def _type_of(record: PlannedRecord) -> int:
    return _TYPES.get(record.entity) or entity_type_of(record.fields)


def _refs(record: PlannedRecord) -> tuple[Ref, ...]:
    """The set refers to its record (its portal id is the set's ``OWNER_ID``)."""
    return (Ref("OWNER_ID", record.entity, record.source_key),)


def _again(before: LedgerRecord, record: PlannedRecord) -> PlannedRecord:
    """The earlier set as it is (the same content: the ledger keeps its state)."""
    return PlannedRecord(ADDED_FILES, before.source_key, Op.SET, dict(before.fields),
                         _refs(record))  # fmt: skip


def _set(
    record: PlannedRecord,
    files: Mapping[str, Any],
    todo: Mapping[str, list[dict[str, Any]]],
    sent: list[str],
    held: Mapping[str, list[int]],
) -> PlannedRecord:
    multiple = {n: bool(v["multiple"]) for n, v in files.items()}
    fields = {
        "ENTITY_TYPE_ID": _type_of(record),
        FILE_FIELDS_SET: {n: {"multiple": multiple.get(n, True), "keep": held.get(n, []),
                              "files": files} for n, files in sorted(todo.items())},
        _SENT: sent,
    }  # fmt: skip
    return PlannedRecord(ADDED_FILES, set_key(record.entity, record.source_key), Op.SET,
                         fields, _refs(record))  # fmt: skip


async def _held_files(
    client: Bitrix24Client,
    wanted: Sequence[tuple[PlannedRecord, LedgerRecord, Mapping[str, Any]]],
) -> dict[tuple[int, int], dict[str, list[int]]]:
    """(entityTypeId, portal id) → file field → the file ids it holds now."""
    by_type: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record, old, todo in wanted:
        by_type[_type_of(record)][int(old.b24_id or 0)].update(todo)
    rows = await read_items(client, by_type)
    return {
        key: {f: list(item_files(row.get(camel_field(f)))) for f in by_type[key[0]][key[1]]}
        for key, row in rows.items()
    }
