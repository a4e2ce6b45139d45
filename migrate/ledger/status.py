"""What `b24migrate status` shows: per entity and state, blocked records, the last run, an ETA."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mappings.entities import LOAD_ORDER
from migrate.ledger._ledger import Ledger
from migrate.ledger._model import LedgerRecord, Run, State
from migrate.ledger._store import utc_now
from migrate.ledger.blockers import plan_blockers

__all__ = ["EntityStatus", "LoadStatus", "ledger_status"]


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """Records of one entity per state; ``blocked`` are planned records that cannot be sent."""

    entity: str
    planned: int = 0
    sending: int = 0
    done: int = 0
    failed: int = 0
    blocked: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.sending + self.done + self.failed


@dataclass(frozen=True, slots=True)
class LoadStatus:
    """The whole ledger at a glance."""

    migration: str
    entities: tuple[EntityStatus, ...]
    last_run: Run | None
    running_rate: float | None  # records per second of the load now running
    eta_seconds: float | None
    failed: tuple[LedgerRecord, ...]
    blocking_issues: int  # rows kept out by problems that stop `load` (plan_blockers)

    @property
    def remaining(self) -> int:
        return sum(e.planned + e.sending for e in self.entities)


def ledger_status(
    ledger: Ledger, *, failed_limit: int = 20, clock: Callable[[], datetime] = utc_now
) -> LoadStatus:
    """Summarise ``ledger``; ``failed_limit`` failed records are listed with their errors."""
    counts: dict[str, dict[State, int]] = defaultdict(lambda: defaultdict(int))
    for row in ledger.counts():
        counts[row.entity][row.state] += row.count
    blocked: dict[str, int] = defaultdict(int)
    for record in ledger.blocked():
        blocked[record.entity] += 1
    order = [e for e in LOAD_ORDER if e in counts] + sorted(set(counts) - set(LOAD_ORDER))
    entities = tuple(
        EntityStatus(
            entity,
            counts[entity][State.PLANNED],
            counts[entity][State.SENDING],
            counts[entity][State.DONE],
            counts[entity][State.FAILED],
            blocked[entity],
        )
        for entity in order
    )
    runs = ledger.runs()
    last = runs[-1] if runs else None
    rate = _rate(ledger, last, clock)
    remaining = sum(e.planned + e.sending - e.blocked for e in entities)
    return LoadStatus(
        migration=ledger.originator,
        entities=entities,
        last_run=last,
        running_rate=rate,
        eta_seconds=remaining / rate if rate else None,
        failed=tuple(ledger.failed()[:failed_limit]),
        blocking_issues=sum(b.count for b in plan_blockers(ledger)),
    )


def _rate(ledger: Ledger, run: Run | None, clock: Callable[[], datetime]) -> float | None:
    if run is None or run.kind != "load" or run.status != "running":
        return None
    _, records = ledger.run_progress(run.id)
    elapsed = (clock() - run.started_at).total_seconds()
    return records / elapsed if records and elapsed > 0 else None
