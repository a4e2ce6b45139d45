"""`rollback`: delete what a run (or the whole migration) created, children first.

Order: timeline comments, activities, tasks, deal product rows (cleared), smart-process items
(``crm.item.delete``: they link to deals, contacts and companies) and a requisite's bank
details and addresses before deals and leads, deals before contacts, requisites with (before)
their companies, companies, then products before product sections (subsections before their
parents), and last the structure the load created (stages and user fields — their list items go
with them — then pipelines), once nothing of ours uses it. Only what the ledger says a load
created is deleted: a field, pipeline or stage that existed before is never touched. Every
record deleted, or found already gone, goes back to ``planned`` without a portal id in the same
transaction as its level's replies, so a rollback that was interrupted resumes and a second
rollback of the same run finds nothing to do. Relation sets (deal contacts, contact companies,
product rows) of deleted owners are re-planned with them.

With ``entities`` only records of those entities are deleted, and with them every record of
the rollback that refers to one of them (a company's contacts, deals, requisites and their
history): a contact left in the portal without its company would point at nothing when the
company is loaded again under a new id.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from loaders.batch import Command as ClientCommand
from loaders.client import Bitrix24Client
from loaders.entities import (
    build_address_delete,
    build_structure_delete,
    entity_type_of,
    spec_for,
)
from mappings.entities import ROLLBACK_LEVELS, STRUCTURE
from migrate.errors import PortalTransientError
from migrate.ledger import Ledger, LedgerRecord, Op, State
from migrate.load._outcomes import error_text, portal_errors
from migrate.progress import ProgressCallback, emit

__all__ = ["DELETE_METHODS", "RollbackReport", "rollback"]

DELETE_METHODS = {
    "comment": "crm.timeline.comment.delete",
    "activity": "crm.activity.delete",
    "task": "tasks.task.delete",
    "smart_process": "crm.item.delete",
    "deal": "crm.deal.delete",
    "lead": "crm.lead.delete",
    "contact": "crm.contact.delete",
    "bank_detail": "crm.requisite.bankdetail.delete",
    "address": "crm.address.delete",
    "requisite": "crm.requisite.delete",
    "company": "crm.company.delete",
    "product": "catalog.product.delete",
    "product_section": "catalog.section.delete",
    "stage": "crm.status.delete",
    "user_field": "crm.<entity>.userfield.delete",
    "pipeline": "crm.category.delete",
}

# "not found" (CRM, in several wordings), "does not exist" (the catalogue: catalog-product-get.md)
_GONE = ("not found", "not_found", "not exist")


@dataclass(frozen=True, slots=True)
class RollbackReport:
    """What a rollback deleted (per entity), found already gone, and could not delete."""

    run_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    gone: int = 0
    errors: tuple[tuple[str, str, str], ...] = ()  # entity, source key, portal's text


def rollback_targets(
    ledger: Ledger, run_id: int | None, entities: Collection[str] = ()
) -> list[LedgerRecord]:
    """Records whose portal record ``run_id`` created (any run when ``None``); with
    ``entities``, those of these entities and the records of the rollback that refer to them."""
    if run_id is not None:
        targets = [r for r in ledger.created_in_run(run_id) if r.b24_id is not None]
    else:
        targets = [
            r
            for r in ledger.records()
            if r.created_run_id is not None and r.b24_id is not None and r.op is Op.CREATE
        ]
    if not entities:
        return targets
    chosen = {r.id for r in targets if r.entity in entities}
    chosen |= ledger.dependents(chosen, (State.DONE,)) & {r.id for r in targets}
    return [r for r in targets if r.id in chosen]


async def rollback(
    ledger: Ledger,
    client: Bitrix24Client,
    run_id: int | None,
    *,
    entities: Collection[str] = (),
    on_progress: ProgressCallback | None = None,
) -> RollbackReport:
    """Delete what ``run_id`` created (everything when ``None``; see the module docstring).

    ``on_progress`` gets ticks of step ``rollback``: records deleted (or found gone) of all.
    """
    with ledger.exclusive("rollback"):
        ledger.close_stale_runs()
        if ledger.sending():
            raise PortalTransientError(
                "records are still `sending` from an interrupted load",
                next_step="run `b24migrate load` first (it reconciles them), then roll back",
            )
        run = ledger.start_run("rollback")
        status = "failed"
        try:
            targets = rollback_targets(ledger, run_id, entities)
            report = await _Rollback(ledger, client, run.id, on_progress).run(targets)
            status = "finished"
        finally:
            ledger.finish_run(run.id, status)
    return report


class _Rollback:
    def __init__(
        self,
        ledger: Ledger,
        client: Bitrix24Client,
        run_id: int,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.ledger, self.client, self.run_id = ledger, client, run_id
        self.on_progress = on_progress
        self.deleted: dict[str, int] = {}
        self.gone = 0
        self.errors: list[tuple[str, str, str]] = []
        self.done = self.total = 0

    async def run(self, targets: list[LedgerRecord]) -> RollbackReport:
        relations = self._relations(targets)
        levels = []
        for level in ROLLBACK_LEVELS:  # within a level, in batches of 50
            work = [r for r in targets if r.entity in level and r.entity in DELETE_METHODS]
            if "deal_products" in level:
                work += [r for r in relations if r.entity == "deal_products"]
            levels.append(sorted(work, key=_depth_first(self.ledger)))
        self.total = sum(len(work) for work in levels)
        emit(self.on_progress, "rollback", 0, self.total, unit="records")
        for work in levels:
            for start in range(0, len(work), 50):
                await self._delete(work[start : start + 50])
        self.ledger.forget_portal_ids([r.id for r in relations if r.entity != "deal_products"])
        self.ledger.forget_portal_ids(_items_of_deleted_fields(self.ledger, targets))
        emit(self.on_progress, "rollback", self.done, self.total, unit="records", finished=True)
        return RollbackReport(self.run_id, self.deleted, self.gone, tuple(self.errors))

    def _relations(self, targets: Sequence[LedgerRecord]) -> list[LedgerRecord]:
        """Relation sets (product rows, deal contacts, contact companies) whose owner or
        target goes: they are cleared or planned again with it."""
        ids = self.ledger.dependents([r.id for r in targets], (State.DONE,))
        return [r for r in self.ledger.records(state=State.DONE) if r.op is Op.SET and r.id in ids]

    async def _delete(self, records: Sequence[LedgerRecord]) -> None:
        commands = [_command(i, r) for i, r in enumerate(records)]
        with portal_errors(
            "rollback: the deletes", "b24migrate rollback", "what was deleted is recorded"
        ):
            replies = await self.client.batch(commands)
        forgotten = []
        for record, reply in zip(records, replies, strict=True):
            if reply.error is None:
                self.deleted[record.entity] = self.deleted.get(record.entity, 0) + 1
            elif _gone(record, error_text(reply.error)):
                self.gone += 1
            else:
                self.errors.append((record.entity, record.source_key, error_text(reply.error)))
                continue
            forgotten.append(record.id)
        self.ledger.forget_portal_ids(forgotten)
        self.done += len(records)
        emit(self.on_progress, "rollback", self.done, self.total, unit="records")


def _gone(record: LedgerRecord, text: str) -> bool:
    """Whether the portal's refusal says the record is not there (an address whose requisite
    is gone is refused for its ``ENTITY_ID``: crm-address-delete.md)."""
    lowered = text.lower()
    if record.entity == "address" and "entity_id is not defined" in lowered:
        return True
    return any(word in lowered for word in _GONE)


def _items_of_deleted_fields(ledger: Ledger, targets: Sequence[LedgerRecord]) -> list[int]:
    """List items of the user fields the rollback deleted: they went with their field."""
    gone = {r.source_key for r in ledger.records("user_field") if r.b24_id is None}
    return [
        r.id for r in targets if r.entity == "field_item" and str(r.fields.get("FIELD")) in gone
    ]


def _command(index: int, record: LedgerRecord) -> ClientCommand:
    if record.entity == "deal_products":
        rows = {"id": record.resolved_fields()["OWNER_ID"], "rows": []}
        return ClientCommand(f"d{index}", "crm.deal.productrows.set", rows)
    if record.entity == "address":  # no id: its type and its requisite (the ledger's b24_id)
        assert record.b24_id is not None
        built = build_address_delete(int(record.fields["TYPE_ID"]), record.b24_id)
        return ClientCommand(f"d{index}", built.method, dict(built.params))
    if record.entity in STRUCTURE:
        assert record.b24_id is not None
        built = build_structure_delete(record.entity, record.resolved_fields(), record.b24_id)
        return ClientCommand(f"d{index}", built.method, dict(built.params))
    key = "taskId" if record.entity == "task" else "id"  # tasks-task-delete.md
    params: dict[str, Any] = {key: record.b24_id}
    if spec_for(record.entity).item:  # a smart process's item: within its type
        params["entityTypeId"] = entity_type_of(record.fields)
    return ClientCommand(f"d{index}", DELETE_METHODS[record.entity], params)


def _depth_first(ledger: Ledger) -> Callable[[LedgerRecord], tuple[int, int]]:
    """Sort key: product sections deepest first (children before parents), others newest first."""
    sections = ledger.records("product_section")
    key_of = {r.b24_id: r.source_key for r in sections}
    parent_of = {
        r.source_key: key_of.get(target)
        for r in sections
        for path, target in r.ref_ids
        if path == "SECTION_ID" and target is not None
    }

    def depth(key: str | None) -> int:
        level = 0
        while key is not None and level < 100:
            key, level = parent_of.get(key), level + 1
        return level

    def sort_key(record: LedgerRecord) -> tuple[int, int]:
        level = -depth(record.source_key) if record.entity == "product_section" else 0
        return (level, -record.id)

    return sort_key
