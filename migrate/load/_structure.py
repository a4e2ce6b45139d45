"""The load's first step: the structure the accepted plan proposed, created exactly once.

User fields (with their list items), pipelines and stages are few and everything else waits
for them (a deal's reference to its new pipeline, a company's to a list item), so they go one
call at a time, before any batch, through the same ledger states as every record:

1. records left ``sending`` (a load killed between the add and the ledger write, a reply
   lost) are looked up first — a field by ``FIELD_NAME``, a pipeline by name, a stage by
   ``STATUS_ID`` — after the usual settle time: found → ``done`` with the portal's id, not
   found → ``planned`` again. So a field or stage is never created twice;
2. each ``planned`` record is committed ``sending``, created, and its id committed ``done``
   (a user field together with its list items: their ids are read back by value; a list
   value added later goes to the existing field with ``userfield.update``, after reading the
   field's items: a value it lists already is taken with its id, never added twice; a smart
   process's field is not extended — the value is refused with what to do);
3. a record the portal refuses is ``failed`` with the portal's text; what depends on it is
   never sent (its reference has no id) and the load says so.

A structure record whose proposal changed since it was created (another sort, new list
values) is not sent again: new list values are item records of their own, and nothing that
exists is changed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import (
    Command,
    UnexpectedResult,
    build_item_add,
    build_item_read,
    build_structure_add,
    build_structure_lookup,
    find_structure,
    list_item_ids,
    parse_structure_id,
)
from loaders.errors import PortalAuthError, PortalBlocked, PortalError
from migrate.errors import PortalTerminalError, PortalTransientError
from migrate.ledger import (
    Ledger,
    LedgerRecord,
    Op,
    Outcome,
    Refused,
    State,
    Unknown,
    Written,
)
from migrate.load._outcomes import error_text, outcomes_for_error, portal_errors
from migrate.load._reconcile import settle_wait
from migrate.load._schedule import Work

__all__ = ["StructureReport", "create_structure"]

Sleep = Callable[[float], Awaitable[None]]
_ROUNDS = 3  # look-ups after unknown outcomes before the load stops (exit 4, resumable)
_LOAD = "b24migrate load"


@dataclass(frozen=True, slots=True)
class StructureReport:
    """What the structure step did: records created, found after an unknown outcome, refused."""

    created: dict[str, int] = field(default_factory=dict)
    found: int = 0
    refused: tuple[tuple[str, str, str], ...] = ()  # entity, key, the portal's text


async def create_structure(
    ledger: Ledger,
    client: Bitrix24Client,
    run_id: int,
    *,
    settle_seconds: float,
    clock: Callable[[], datetime],
    sleep: Sleep = asyncio.sleep,
) -> StructureReport:
    """Create the planned structure (see the module docstring).

    Raises:
        PortalTerminalError: the portal refused the credentials.
        PortalTransientError: outcomes stayed unknown after several look-ups (the records
            stay ``sending``; the next `load` looks them up first).
    """
    step = _Step(ledger, client, run_id)
    for _ in range(_ROUNDS):
        pending = step.sending()
        if pending:
            await sleep(max(0.0, settle_wait(ledger, pending, settle_seconds, clock)))
            await step.look_up(pending)
        await step.create_all()
        if not step.sending() and not step.ready():
            return step.report()
    if not step.sending():
        return step.report()  # refused before execution again and again: the next load
    raise PortalTransientError(
        "the portal did not confirm whether it created some user fields, pipelines or stages",
        next_step=f"run `{_LOAD}` again: it looks them up first, so nothing is created twice",
    )


class _Step:
    def __init__(self, ledger: Ledger, client: Bitrix24Client, run_id: int) -> None:
        self.ledger, self.client, self.run_id = ledger, client, run_id
        self.created: Counter[str] = Counter()
        self.found = 0
        self.refused: list[tuple[str, str, str]] = []
        self._batch = 0  # the ledger batch of the call in progress

    def report(self) -> StructureReport:
        return StructureReport(dict(self.created), self.found, tuple(self.refused))

    def sending(self) -> list[LedgerRecord]:
        return [r for r in self.ledger.sending() if r.entity in _ORDER]

    def ready(self) -> list[LedgerRecord]:
        """Planned structure that could be sent now (sent back by ``NotSent``)."""
        return [
            r
            for e in _ORDER
            for r in self.ledger.records(e, State.PLANNED)
            if all(i is not None for _, i in r.ref_ids)
            and (e != "field_item" or self._field_id(str(r.fields["FIELD"])) is not None)
        ]

    # ------------------------------------------------------------ after an unknown outcome

    async def look_up(self, records: Sequence[LedgerRecord]) -> None:
        """``sending`` → ``done`` (found in the portal) or ``planned`` (not found)."""
        found: dict[int, int | None] = {}
        items = [r for r in records if r.entity == "field_item"]
        for record in records:
            if record.entity == "field_item":
                continue
            if record.op is not Op.CREATE:
                found[record.id] = None  # never sent: settled without a call
                continue
            command = build_structure_lookup(record.entity, record.resolved_fields())
            found[record.id] = find_structure(
                record.entity, record.resolved_fields(), await self._read(command)
            )
        for key, group in _by_field(items).items():
            field_id = found.get(self._field_record(key).id) or self._field_id(key)
            ids = await self._items(key, field_id) if field_id else {}
            found.update({r.id: ids.get(str(r.fields["VALUE"])) for r in group})
        self.ledger.reconcile(found)
        self.found += sum(1 for v in found.values() if v is not None)

    # ------------------------------------------------------------------- creating

    async def create_all(self) -> None:
        for entity in _ORDER:
            for record in self.ledger.records(entity, State.PLANNED):
                if record.op is not Op.CREATE:
                    self._settle_changed(record)
                elif entity == "user_field":
                    await self._create_field(record)
                elif entity != "field_item" and all(i is not None for _, i in record.ref_ids):
                    await self._create(record)
        for key, group in _by_field(self.ledger.records("field_item", State.PLANNED)).items():
            field_id = self._field_id(key)
            if field_id is not None:
                await self._add_items(key, field_id, group)

    async def _create(self, record: LedgerRecord) -> None:
        command = build_structure_add(
            record.entity, record.resolved_fields(), self.ledger.originator
        )
        result = await self._send([record], command)
        if result is None:
            return
        outcome: Outcome
        try:
            outcome = Written(record.id, parse_structure_id(record.entity, result))
        except UnexpectedResult as exc:
            outcome = Unknown(record.id, str(exc))
        self._apply([outcome])

    async def _create_field(self, record: LedgerRecord) -> None:
        items = [
            r
            for r in self.ledger.records("field_item", State.PLANNED)
            if r.fields.get("FIELD") == record.source_key
        ]
        fields = record.resolved_fields()
        command = build_structure_add("user_field", fields, self.ledger.originator)
        result = await self._send([record, *items], command)
        if result is None:
            return
        try:
            field_id = parse_structure_id("user_field", result)
        except UnexpectedResult as exc:
            self._apply([Unknown(r.id, str(exc)) for r in (record, *items)])
            return
        ids = await self._items(record.source_key, field_id, quiet=True)
        self._apply([Written(record.id, field_id), *_item_outcomes(items, ids)])

    async def _add_items(self, key: str, field_id: int, items: list[LedgerRecord]) -> None:
        existing = await self._items(key, field_id)  # values the field lists already
        have = [r for r in items if str(r.fields["VALUE"]) in existing]
        if have:  # never added twice (a value the portal has is taken with its id)
            self._batch = self.ledger.mark_sending(self.run_id, [r.id for r in have]).id
            self._apply([Written(r.id, existing[str(r.fields["VALUE"])]) for r in have])
            self.found += len(have)
        items = [r for r in items if r not in have]
        if not items:
            return
        field = self._field_record(key).fields
        if field.get("UF_ENTITY"):  # a smart process's list: not extended by the load
            self._batch = self.ledger.mark_sending(self.run_id, [r.id for r in items]).id
            self._apply([Refused(r.id, _SMART_ITEM.format(value=r.fields["VALUE"], key=key))
                         for r in items])  # fmt: skip
            return
        entity = field["ENTITY"]
        values = [str(r.fields["VALUE"]) for r in items]
        result = await self._send(items, build_item_add(str(entity), field_id, values))
        if result is not None:
            self._apply(_item_outcomes(items, await self._items(key, field_id, quiet=True)))

    def _settle_changed(self, record: LedgerRecord) -> None:
        """A structure record whose proposal changed: nothing to send (see module docs)."""
        batch = self.ledger.mark_sending(self.run_id, [record.id])
        self.ledger.apply_results(batch.id, [Written(record.id, None)])

    # ------------------------------------------------------------------- plumbing

    async def _send(self, records: list[LedgerRecord], command: Command) -> Any:
        """Commit ``records`` sending, call ``command``: its result, or ``None`` when it
        failed (the outcomes are already in the ledger)."""
        batch = self.ledger.mark_sending(self.run_id, [r.id for r in records])
        self._batch = batch.id
        try:
            return (await self.client.call(command.method, command.params)).result
        except PortalError as error:
            outcomes = outcomes_for_error([Work(records[0].entity, tuple(records), command)], error)
            self._apply(outcomes)
            if isinstance(error, PortalAuthError | PortalBlocked):
                raise PortalTerminalError(
                    f"the portal refused to create structure: {error_text(error)}",
                    next_step="fix the webhook's permissions (an administrator's webhook "
                    f"creates user fields, pipelines and stages), then run `{_LOAD}` again",
                ) from error
            return None

    def _apply(self, outcomes: list[Outcome]) -> None:
        self.ledger.apply_results(self._batch, outcomes)
        records = {r.id: r for r in self.ledger.records_by_ids(o.record_id for o in outcomes)}
        for outcome in outcomes:
            record = records[outcome.record_id]
            if isinstance(outcome, Written) and outcome.b24_id is not None:
                self.created[record.entity] += 1
            elif isinstance(outcome, Refused):
                self.refused.append((record.entity, record.source_key, outcome.error))

    async def _items(self, key: str, field_id: int, *, quiet: bool = False) -> dict[str, int]:
        """The field's list items by value (empty when it cannot be read and ``quiet``)."""
        entity = str(self._field_record(key).fields["ENTITY"])
        try:
            result = await self._read(build_item_read(entity, field_id))
        except PortalTransientError:
            if not quiet:
                raise
            return {}
        return list_item_ids(result)

    async def _read(self, command: Command) -> object:
        with portal_errors(
            "structure: a look-up", _LOAD, "what was created is recorded in the ledger"
        ):
            return (await self.client.call(command.method, command.params)).result

    def _field_record(self, key: str) -> LedgerRecord:
        found = self.ledger.get("user_field", key)
        if found is None:
            raise KeyError(f"list items of `{key}` have no user field record")
        return found

    def _field_id(self, key: str) -> int | None:
        record = self._field_record(key)
        return record.b24_id if record.state is State.DONE else None


_ORDER = ("user_field", "field_item", "pipeline", "stage")
#: userfieldconfig.update's `enum` may replace the whole list (its docs do not say that items
#: without an id are added beside the others): the load does not risk the existing values.
_SMART_ITEM = (
    "the list value «{value}» is new for the smart process field {key} created earlier: add it "
    "on the portal (the smart process's field settings), then run `b24migrate load` again"
)


def _by_field(items: Sequence[LedgerRecord]) -> dict[str, list[LedgerRecord]]:
    groups: dict[str, list[LedgerRecord]] = {}
    for record in items:
        groups.setdefault(str(record.fields["FIELD"]), []).append(record)
    return groups


def _item_outcomes(items: Sequence[LedgerRecord], ids: dict[str, int]) -> list[Outcome]:
    """Each item's id by its value; one the field does not list stays unknown (looked up
    again) when nothing could be read, else is refused."""
    out: list[Outcome] = []
    for record in items:
        value = str(record.fields["VALUE"])
        if value in ids:
            out.append(Written(record.id, ids[value]))
        elif not ids:
            out.append(Unknown(record.id, "the field's list could not be read"))
        else:
            out.append(Refused(record.id, f"the portal did not add the list value «{value}»"))
    return out
