"""The values the ledger takes and gives: frozen dataclasses and the two enums."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "PROVENANCE_KEYS",
    "STAGE_CODE",
    "UNDATED",
    "Batch",
    "LedgerRecord",
    "NotSent",
    "Op",
    "Outcome",
    "PlanIssue",
    "PlanSummary",
    "PlannedRecord",
    "Ref",
    "Refused",
    "Run",
    "State",
    "StateCount",
    "Unknown",
    "Written",
    "content_hash",
    "dump_json",
    "resolve_refs",
]


class Op(StrEnum):
    """What the load does with a record."""

    CREATE = "create"  # write a new portal record; NOT idempotent, reconciled by its origin key
    UPDATE = "update"  # overwrite fields of a known portal id; idempotent, re-sent when unsure
    SET = "set"  # replace a relation of a known owner (product rows, deal contacts); idempotent
    SKIP = "skip"  # nothing to send: the portal already holds it (b24_id known); done at plan time


class State(StrEnum):
    """Where a record is in the load (see the state machine in :mod:`migrate.ledger`)."""

    PLANNED = "planned"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"


IDEMPOTENT_OPS = frozenset({Op.UPDATE, Op.SET})


def dump_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept (hashing and storage)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference from a record to another record, resolved to a Bitrix24 id at send time.

    ``path`` says where the id goes in the record's fields: keys and list indexes joined by
    dots (``"COMPANY_ID"``, ``"CONTACT_IDS.1"``, ``"rows.0.PRODUCT_ID"``). The record is ready
    only when every record it refers to has a Bitrix24 id.
    """

    path: str
    entity: str
    source_key: str


#: Field hints saying where a record came from (file, sheet, 1-based row); never sent and
#: not part of the content hash (a row that moved in the file is not a changed record).
PROVENANCE_KEYS = ("_source", "_sheet", "_row")
UNDATED = "~"
#: A deal's stage in a pipeline the load creates: its STATUS_ID without the ``C<n>:`` prefix
#: (the pipeline's id is known only once created); the load writes ``STAGE_ID`` from it.
STAGE_CODE = "_stage_code"
"""``sort_key`` of a create the portal dates "now": after every ISO date, so it is sent after the
back-dated creates of its entity (the portal refuses a date older than one it holds)."""


def content_hash(fields: Mapping[str, Any], refs: tuple[Ref, ...]) -> str:
    """SHA-256 of the fields and the references (by source key, not by portal id)."""
    refs_part = sorted((r.path, r.entity, r.source_key) for r in refs)
    content = {k: v for k, v in fields.items() if k not in PROVENANCE_KEYS}
    text = dump_json({"fields": content, "refs": refs_part})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PlannedRecord:
    """One op the plan wants the load to perform.

    Attributes:
        entity: ledger entity name (``company``, ``contact``, ``deal``, ``deal_products`` …).
        source_key: the key in the source system (becomes ``ORIGIN_ID`` / ``XML_ID``).
        op: the intended op; the ledger turns ``create`` into ``update`` when the record
            already has a portal id.
        fields: Bitrix24 legacy fields as JSON-able values; a referenced id's slot may hold
            anything (it is overwritten from ``refs`` at send time).
        refs: references to other records, resolved when they have a portal id.
        b24_id: the portal id when the plan matched an existing portal record.
        sort_key: order within the entity (ISO creation time for `crm.item.batchImport`).
    """

    entity: str
    source_key: str
    op: Op
    fields: Mapping[str, Any]
    refs: tuple[Ref, ...] = ()
    b24_id: int | None = None
    sort_key: str = ""

    @property
    def content_hash(self) -> str:
        return content_hash(self.fields, self.refs)


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """A record as the ledger holds it.

    ``ref_ids`` pairs each reference path with the referenced record's portal id (``None``
    while that record has none); :meth:`resolved_fields` puts them into ``fields``.
    """

    id: int
    entity: str
    source_key: str
    op: Op
    state: State
    fields: Mapping[str, Any]
    content_hash: str
    b24_id: int | None
    attempts: int
    last_error: str | None
    batch_id: int | None
    sort_key: str
    created_run_id: int | None
    ref_ids: tuple[tuple[str, int | None], ...] = ()

    def resolved_fields(self) -> dict[str, Any]:
        """The fields with every reference replaced by the referenced portal id."""
        return resolve_refs(self.fields, self.ref_ids)

    @property
    def provenance(self) -> tuple[str, str, int | None]:
        """``(file, sheet, row)`` of the source row, from the plan's hints (``""``/None if none)."""
        row = self.fields.get("_row")
        return (
            str(self.fields.get("_source") or ""),
            str(self.fields.get("_sheet") or ""),
            int(row) if isinstance(row, int | float | str) and str(row).isdigit() else None,
        )


def resolve_refs(
    fields: Mapping[str, Any], ref_ids: tuple[tuple[str, int | None], ...]
) -> dict[str, Any]:
    """Return a deep copy of ``fields`` with each ``(path, id)`` written at its path."""
    result: dict[str, Any] = json.loads(dump_json(fields))
    for path, b24_id in ref_ids:
        _put(result, path.split("."), b24_id)
    return result


def _put(node: Any, parts: list[str], value: Any) -> None:
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        index = int(head)
        while len(node) <= index:
            node.append(None)
        if rest:
            if not isinstance(node[index], dict | list):
                node[index] = [] if rest[0].isdigit() else {}
            _put(node[index], rest, value)
        else:
            node[index] = value
        return
    if rest:
        if not isinstance(node.get(head), dict | list):
            node[head] = [] if rest[0].isdigit() else {}
        _put(node[head], rest, value)
    else:
        node[head] = value


@dataclass(frozen=True, slots=True)
class Run:
    """One command that changed the ledger (`plan`, `load`, `retry`, `rollback`)."""

    id: int
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: str  # running | finished | interrupted | failed


@dataclass(frozen=True, slots=True)
class Batch:
    """One `batch` request: its records were marked ``sending`` before it left."""

    id: int
    run_id: int
    sent_at: datetime
    finished_at: datetime | None
    size: int


@dataclass(frozen=True, slots=True)
class Written:
    """The portal wrote the record (``b24_id`` is the new id; ``None`` keeps the known id)."""

    record_id: int
    b24_id: int | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """The portal refused the record for a reason that will not pass by re-sending."""

    record_id: int
    error: str


@dataclass(frozen=True, slots=True)
class NotSent:
    """The portal refused the command before executing it (rate or operating limit, auth,
    a batch cut short): nothing was written, the record goes back to ``planned``."""

    record_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """Nobody knows whether the portal wrote the record: it stays ``sending``."""

    record_id: int
    reason: str


Outcome = Written | Refused | NotSent | Unknown


@dataclass(frozen=True, slots=True)
class StateCount:
    """How many records of an entity have an op and a state."""

    entity: str
    op: Op
    state: State
    count: int


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """A row the plan cannot load, or a warning about it, with the reason."""

    entity: str
    source_key: str
    rule: str
    message: str
    severity: str = "error"  # error | warning
    field: str = ""
    value: str = ""
    source: str = ""
    sheet: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What :meth:`Ledger.apply_plan` did, as counts per ``(entity, outcome)``.

    Outcomes: ``new`` (first time planned), ``changed`` (content differs: planned again, as an
    update when it has a portal id), ``unchanged`` (done and the same: nothing to send),
    ``replanned`` (was planned or failed and now carries the new content), ``still_failed``
    (failed with the same content: `retry` re-queues it), ``in_flight`` (``sending``: left
    alone until the next load reconciles it).
    """

    counts: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def get(self, entity: str, outcome: str) -> int:
        return self.counts.get((entity, outcome), 0)
