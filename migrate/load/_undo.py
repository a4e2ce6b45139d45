"""`rollback` for a workspace: what it would delete, and what that touches in the portal.

Before deleting, :func:`rollback_preview` reads the portal and says three things a rollback
on a portal people already use must not hide:

* what goes, per entity (with ``entities``: also what refers to them, see :mod:`._rollback`);
* records **edited in the portal since our write**: their ``DATE_MODIFY`` is later than the
  moment the load applied the portal's reply (the ledger's time plus the clock difference
  the client measured, with a second of slack for the portal's whole-second stamps);
* records **others created that refer to ours** (a deal a manager opened on an imported
  company): they stay and lose the link.

After deleting, :func:`rollback_workspace` counts what the portal still holds with the
migration's ``ORIGINATOR_ID`` against the ledger (:func:`~migrate.portal.verify.check_portal`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from loaders.client import Bitrix24Client
from migrate.errors import ConfigError
from migrate.ledger import Ledger, LedgerRecord
from migrate.load._outcomes import portal_errors
from migrate.load._rollback import RollbackReport, rollback, rollback_targets
from migrate.portal.connect import open_portal
from migrate.portal.read import read_all
from migrate.portal.verify import PortalCheck, check_portal
from migrate.progress import ProgressCallback
from migrate.workspace.config import Workspace

__all__ = [
    "EditedRecord",
    "ForeignLink",
    "RollbackPreview",
    "RollbackResult",
    "rollback_preview",
    "rollback_workspace",
]

#: Entities whose records carry ``DATE_MODIFY`` and can be found by what they refer to.
_DATED = ("company", "contact", "deal", "lead")
#: Who may refer to a record of an entity: (their entity, their field).
_LINKS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "company": (("contact", "COMPANY_ID"), ("deal", "COMPANY_ID"), ("lead", "COMPANY_ID")),
    "contact": (("deal", "CONTACT_ID"), ("lead", "CONTACT_ID")),
}
_SLACK = timedelta(seconds=1)  # DATE_MODIFY is in whole seconds


@dataclass(frozen=True, slots=True)
class EditedRecord:
    """A record we wrote that someone changed in the portal afterwards."""

    entity: str
    source_key: str
    b24_id: int
    title: str
    modified_at: datetime
    modified_by: str


@dataclass(frozen=True, slots=True)
class ForeignLink:
    """A portal record the rollback does not delete that refers to one it deletes."""

    entity: str
    b24_id: int
    title: str
    field: str
    target_entity: str
    target_id: int


@dataclass(frozen=True, slots=True)
class RollbackPreview:
    """What a rollback would delete and touch (see the module docstring)."""

    run_id: int | None
    counts: Mapping[str, int]
    dependents: Mapping[str, int]  # of ``counts``: included because they refer to the chosen
    edited: tuple[EditedRecord, ...] = ()
    foreign: tuple[ForeignLink, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class RollbackResult:
    """What a rollback deleted, and what the portal holds of the migration after it."""

    report: RollbackReport
    check: PortalCheck


def rollback_preview(
    workspace: Workspace,
    run_id: int | None,
    entities: Collection[str] = (),
    *,
    read_portal: bool = True,
    **client_options: Any,
) -> RollbackPreview:
    """What :func:`rollback_workspace` would delete; with ``read_portal``, also the records
    edited since our write and the others' records that refer to ours."""
    import asyncio

    with Ledger.open(workspace.ledger_path) as ledger:
        _check_run(ledger, run_id)
        targets = rollback_targets(ledger, run_id, entities)
        counts = _count(targets)
        extra = _count([r for r in targets if entities and r.entity not in entities])
        if not targets or not read_portal:
            return RollbackPreview(run_id, counts, extra)
        written = ledger.written_at(r.id for r in targets)

        async def read() -> RollbackPreview:
            config = workspace.load_config()
            async with open_portal(workspace, config, **client_options) as client:
                edited = await _edited(client, targets, written)
                foreign = await _foreign(client, targets)
            return RollbackPreview(run_id, counts, extra, tuple(edited), tuple(foreign))

        return asyncio.run(read())


async def rollback_workspace(
    workspace: Workspace,
    run_id: int | None,
    entities: Collection[str] = (),
    *,
    on_progress: ProgressCallback | None = None,
    **client_options: Any,
) -> RollbackResult:
    """Delete what ``run_id`` (or every run) created, then count what is left."""
    config = workspace.load_config()
    with Ledger.open(workspace.ledger_path) as ledger:
        _check_run(ledger, run_id)
        async with open_portal(workspace, config, **client_options) as client:
            report = await rollback(
                ledger, client, run_id, entities=entities, on_progress=on_progress
            )
            with portal_errors(
                "rollback: the check", "b24migrate status", "the deletes are recorded"
            ):
                check = await check_portal(ledger, client)
    return RollbackResult(report, check)


def _check_run(ledger: Ledger, run_id: int | None) -> None:
    if run_id is not None and ledger.run(run_id) is None:
        raise ConfigError(
            f"there is no run {run_id} in this workspace",
            next_step="`b24migrate status` shows the last run; omit --run to undo all",
        )


def _count(records: Sequence[LedgerRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.entity] = counts.get(record.entity, 0) + 1
    return counts


async def _edited(
    client: Bitrix24Client, targets: Sequence[LedgerRecord], written: Mapping[int, datetime]
) -> list[EditedRecord]:
    """Targets whose ``DATE_MODIFY`` is later than our last write (see the module docstring)."""
    mine = [r for r in targets if r.entity in _DATED and r.b24_id is not None]
    rows = await _read_by_ids(client, mine, ["ID", "DATE_MODIFY", "MODIFY_BY_ID", *_TITLE])
    skew = timedelta(seconds=client.clock_skew)
    out = []
    for record in mine:
        row = rows.get((record.entity, int(record.b24_id or 0)))
        modified = _when(row.get("DATE_MODIFY")) if row else None
        ours = written.get(record.id)
        if modified is None or ours is None or modified <= ours + skew + _SLACK:
            continue
        out.append(
            EditedRecord(record.entity, record.source_key, int(record.b24_id or 0), _title(row),
                         modified, str(row.get("MODIFY_BY_ID") or "") if row else "")
        )  # fmt: skip
    return out


async def _foreign(client: Bitrix24Client, targets: Sequence[LedgerRecord]) -> list[ForeignLink]:
    """Portal records outside the rollback that refer to a record it deletes."""
    deleted = {(r.entity, int(r.b24_id)) for r in targets if r.b24_id is not None}
    calls: list[tuple[str, Mapping[str, Any]]] = []
    asked: list[tuple[str, str, str]] = []
    for target, links in _LINKS.items():
        ids = sorted(i for e, i in deleted if e == target)
        for entity, field in links:
            for chunk in _chunks(ids):
                select = ["ID", field, *_TITLE]
                calls.append((f"crm.{entity}.list", {"filter": {field: chunk}, "select": select}))
                asked.append((entity, field, target))
    if not calls:
        return []
    with portal_errors("rollback: a look-up", "b24migrate rollback", "nothing was deleted"):
        results = await read_all(client, calls)
    out = []
    for (entity, field, target), rows in zip(asked, results, strict=True):
        for row in rows or []:
            b24_id = int(row["ID"])
            if (entity, b24_id) not in deleted:
                out.append(ForeignLink(entity, b24_id, _title(row), field, target,
                                       int(row.get(field) or 0)))  # fmt: skip
    return out


_TITLE = ("TITLE", "NAME", "LAST_NAME")


async def _read_by_ids(
    client: Bitrix24Client, records: Sequence[LedgerRecord], select: list[str]
) -> dict[tuple[str, int], dict[str, Any]]:
    calls: list[tuple[str, Mapping[str, Any]]] = []
    entities: list[str] = []
    for entity in _DATED:
        ids = sorted(int(r.b24_id or 0) for r in records if r.entity == entity)
        for chunk in _chunks(ids):
            calls.append((f"crm.{entity}.list", {"filter": {"ID": chunk}, "select": select}))
            entities.append(entity)
    if not calls:
        return {}
    with portal_errors("rollback: a look-up", "b24migrate rollback", "nothing was deleted"):
        results = await read_all(client, calls)
    return {
        (entity, int(row["ID"])): row
        for entity, rows in zip(entities, results, strict=True)
        for row in rows or []
    }


def _chunks(ids: Sequence[int], size: int = 50) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _when(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _title(row: Mapping[str, Any] | None) -> str:
    if not row:
        return ""
    name = " ".join(str(row.get(k) or "") for k in ("LAST_NAME", "NAME")).strip()
    return str(row.get("TITLE") or name)
