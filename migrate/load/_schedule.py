"""Which commands go into the next batch: ready work, mixed across methods, within budgets.

The request rate is shared by the whole portal (one `batch` = one request, ≤ 50 commands), but
the operating-time budget is per method. A batch that holds one method only spends that
method's budget and leaves the others idle; so the scheduler deals commands round-robin from
every entity that has ready work (a record is ready once everything it refers to has a portal
id), each method capped by what its budget has room for now. Dependency order falls out of
readiness: companies, products and sections first; contacts when their companies have ids;
deals when their companies, contacts and products do; product rows, deal contacts and history
when their owner does.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from loaders.entities import (
    IMPORT_BATCH_SIZE,
    Command,
    WriteOp,
    WriteRequest,
    appended_values,
    build_imports,
    build_write,
    spec_for,
)
from mappings.entities import LOAD_ORDER, STRUCTURE
from migrate.ledger import STAGE_CODE, Ledger, LedgerRecord, Op
from migrate.load._files import BATCH_FILE_BYTES, file_bytes, with_file_data

__all__ = ["FILE_SETS", "Pick", "Route", "Scheduler", "Work"]

FILE_SETS = "record_files"

Route = Literal["add", "import"]


#: How many of a method's commands may go now (the client's operating-budget mirror).
Fits = Callable[[str, int], int]


@dataclass(frozen=True, slots=True)
class Work:
    """One command of a batch and the ledger records it writes (20 for a batchImport)."""

    entity: str
    records: tuple[LedgerRecord, ...]
    command: Command

    @property
    def key(self) -> str:
        return f"{self.entity}.{self.records[0].id}"

    @property
    def dated(self) -> bool:
        """A create the portal back-dates (``createdTime`` / ``IMPORT=Y``): the portal refuses
        one older than the newest of its entity, so these go in order, one batch at a time."""
        if self.command.method == "crm.item.batchImport":
            return True
        options = self.command.params.get("params")
        return isinstance(options, dict) and options.get("IMPORT") == "Y"

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice is harmless (updates that append multi-fields are not)."""
        return all(
            r.op in (Op.UPDATE, Op.SET) and not appended_values(r.fields) for r in self.records
        )


@dataclass(frozen=True, slots=True)
class Pick:
    """The next batch, the records that cannot become a command, and methods out of budget."""

    works: tuple[Work, ...] = ()
    unsendable: dict[int, str] = field(default_factory=dict)
    waiting: frozenset[str] = frozenset()


class Scheduler:
    """Builds batches from the ledger's ready records.

    Args:
        ledger: the workspace ledger.
        route: ``add`` (legacy adds) or ``import`` (`crm.item.batchImport` for creates of
            companies, contacts, deals and leads).
        batch_size: commands per batch (the portal takes at most 50).
    """

    def __init__(self, ledger: Ledger, route: Route = "add", batch_size: int = 50) -> None:
        self.ledger = ledger
        self.route = route
        self.batch_size = batch_size
        #: ``record_files`` sets as the portal's file fields are now (the load checks each
        #: right before it goes: :mod:`migrate.load._file_sets`); a set not checked waits.
        self.fresh: dict[int, dict[str, Any]] = {}

    def next_batch(self, fits: Fits, busy: Collection[str] = ()) -> Pick:
        """Up to ``batch_size`` commands from every entity with ready work, round-robin.

        ``busy`` entities are left out (an import route keeps one batch per entity in flight,
        so ``createdTime`` stays ascending).
        """
        queues: list[deque[Work]] = []
        unsendable: dict[int, str] = {}
        for entity in self._entities():
            if entity in busy:
                continue
            works, refused = self._works(entity)
            unsendable.update(refused)
            if works:
                queues.append(deque(works))
        room: dict[str, int] = {}
        taken: Counter[str] = Counter()
        chosen: list[Work] = []
        waiting: set[str] = set()
        payload = 0  # attachment bytes: a batch carries BATCH_FILE_BYTES at most
        for work in _round_robin(queues):
            method = work.command.method
            if method not in room:
                room[method] = fits(method, self.batch_size)
            if taken[method] >= room[method]:
                waiting.add(method)
                continue
            size = sum(file_bytes(r.fields) for r in work.records
                       if r.op is Op.CREATE or r.entity == FILE_SETS)  # fmt: skip
            if chosen and payload + size > BATCH_FILE_BYTES:
                continue  # ready for the next batch
            payload += size
            taken[method] += 1
            chosen.append(work)
            if len(chosen) == self.batch_size:
                break
        return Pick(tuple(chosen), unsendable, frozenset(waiting))

    def _entities(self) -> list[str]:
        pending = set(self.ledger.pending_entities()) - set(STRUCTURE)  # created before
        known = [e for e in LOAD_ORDER if e in pending]
        return known + sorted(pending - set(LOAD_ORDER))

    def _works(self, entity: str) -> tuple[list[Work], dict[int, str]]:
        importing = self.route == "import" and _importable(entity)
        limit = self.batch_size * (IMPORT_BATCH_SIZE if importing else 1)
        records = self.ledger.ready(entity, limit)
        if records and (importing or _history_import(entity)):
            floor = self.ledger.waiting_floor(entity)  # older records not ready yet go first
            records = [r for r in records if floor is None or r.sort_key <= floor]
            if self.ledger.kept_dates_left(entity):
                records = [r for r in records if not _dated_now(r)]
        works: list[Work] = []
        refused: dict[int, str] = {}
        creates = [r for r in records if r.op is Op.CREATE] if importing else []
        for record in records:
            if importing and record.op is Op.CREATE:
                continue
            if entity == FILE_SETS and record.id not in self.fresh:
                continue
            try:
                command = build_write(_request(record, self.fresh.get(record.id)),
                                      self.ledger.originator)  # fmt: skip
            except (KeyError, TypeError, ValueError) as exc:
                refused[record.id] = f"cannot build the command: {exc}"
                continue
            works.append(Work(entity, (record,), command))
        if creates:
            works = _imports(entity, creates, self.ledger.originator, refused) + works
        return works, refused


def _dated_now(record: LedgerRecord) -> bool:
    """A create the portal dates "now" (no `DATE_CREATE` sent).

    It waits until every create of its entity that keeps an older date is written: not in the
    same batch (a kept one refused or not run there would be older than it), nor while one is
    in flight or its reply lost (it may come back unsent), else the portal would refuse the
    kept date, and `load` would stop on its start check.
    """
    return record.op is Op.CREATE and not record.fields.get("DATE_CREATE")


def _history_import(entity: str) -> bool:
    try:
        return spec_for(entity).history_import
    except KeyError:
        return False


def _importable(entity: str) -> bool:
    """A CRM object or a smart process's item: crm.item.batchImport writes it."""
    try:
        spec = spec_for(entity)
    except KeyError:
        return False
    return spec.entity_type_id is not None or spec.item


_WRITE_OPS: dict[Op, WriteOp] = {Op.CREATE: "create", Op.UPDATE: "update", Op.SET: "set"}


def _request(record: LedgerRecord, fresh: dict[str, Any] | None = None) -> WriteRequest:
    """The record as a builder takes it (``fresh``: its fields checked against the portal);
    a create's attachments read from disk (checked)."""
    fields = fresh if fresh is not None else record.resolved_fields()
    fields = with_file_data(_with_stage(dict(fields)), record.op is Op.CREATE)
    return WriteRequest(record.entity, _WRITE_OPS[record.op], record.source_key, fields,
                        record.b24_id)  # fmt: skip


def _with_stage(fields: dict[str, Any]) -> dict[str, Any]:
    """A deal of a pipeline the load created: its STAGE_ID is the stage's code prefixed with
    the pipeline's id, known now (``C7:UC_…``), as the portal itself names it."""
    code = fields.pop(STAGE_CODE, None)
    if code is not None:
        category = int(fields.get("CATEGORY_ID") or 0)
        fields["STAGE_ID"] = f"C{category}:{code}" if category else str(code)
    return fields


def _imports(
    entity: str, records: list[LedgerRecord], originator: str, refused: dict[int, str]
) -> list[Work]:
    """batchImport works; a record whose item cannot be built is refused alone."""
    by_key = {r.source_key: r for r in records}
    try:
        commands = build_imports(entity, [_request(r) for r in records], originator)
    except (KeyError, TypeError, ValueError):
        good = []
        for record in records:
            try:
                build_imports(entity, [_request(record)], originator)
            except (KeyError, TypeError, ValueError) as exc:
                refused[record.id] = f"cannot build the command: {exc}"
            else:
                good.append(record)
        commands = build_imports(entity, [_request(r) for r in good], originator)
    return [Work(entity, tuple(by_key[k] for k in c.source_keys), c.command) for c in commands]


def _round_robin(queues: list[deque[Work]]) -> Iterator[Work]:
    while queues:
        for queue in list(queues):
            yield queue.popleft()
            if not queue:
                queues.remove(queue)
