"""What `b24migrate status` shows: records per entity and state, whether a load is alive,
failures grouped by reason, and the one "Next:" line."""

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
from migrate.ledger.heartbeat import Activity, CommandOutcome, read_activity, read_outcome
from migrate.ledger.next_step import WorkState, next_step
from migrate.ledger.reasons import FailureGroup, group_failures

__all__ = ["EntityStatus", "LoadStatus", "ledger_status", "work_state"]


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """Records of one entity per state.

    ``planned`` are records a load can send; ``blocked`` ones are planned too but wait for a
    record that failed or that the plan refused, so no load sends them until that is fixed.
    """

    entity: str
    planned: int = 0
    sending: int = 0
    done: int = 0
    failed: int = 0
    blocked: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.blocked + self.sending + self.done + self.failed


@dataclass(frozen=True, slots=True)
class LoadStatus:
    """The whole ledger at a glance.

    Attributes:
        activity: whether the last load is alive (running, waiting for the portal …).
        running_rate, eta_seconds: records per second of a live load and the time left.
        failures: failed records grouped by entity and reason (all of them).
        failed: the first failed records with the portal's own texts.
        blocking_issues: rows kept out by problems that stop `load` (plan_blockers).
        next_step: what to do now (:func:`~migrate.ledger.next_step.next_step`).
        last_command: how the last ledger command ended (a `retry` stopped by the plan).
    """

    migration: str
    entities: tuple[EntityStatus, ...]
    last_run: Run | None
    activity: Activity
    running_rate: float | None
    eta_seconds: float | None
    failures: tuple[FailureGroup, ...]
    failed: tuple[LedgerRecord, ...]
    blocking_issues: int
    next_step: str
    last_command: CommandOutcome | None = None

    @property
    def remaining(self) -> int:
        """Records a load still sends (blocked ones excluded)."""
        return sum(e.planned + e.sending for e in self.entities)

    def total(self, state: str) -> int:
        """The sum of one column (``planned``, ``blocked``, ``done`` …) over the entities."""
        return sum(int(getattr(e, state)) for e in self.entities)


def ledger_status(
    ledger: Ledger,
    *,
    failed_limit: int = 20,
    clock: Callable[[], datetime] = utc_now,
    pid_alive: Callable[[int], bool] | None = None,
    language: str = "en",
) -> LoadStatus:
    """Summarise ``ledger``; ``failed_limit`` failed records are listed with their texts; the
    next step is said in ``language``."""
    entities = _entities(ledger)
    runs = ledger.runs()
    activity = read_activity(ledger, clock=clock, pid_alive=pid_alive)
    rate = _rate(ledger, activity, clock)
    remaining = sum(e.planned + e.sending for e in entities)
    failed = ledger.failed()
    blocking = sum(b.count for b in plan_blockers(ledger))
    state = work_state(entities, activity, blocking, planned=any(r.kind == "plan" for r in runs))
    return LoadStatus(
        migration=ledger.originator,
        entities=entities,
        last_run=runs[-1] if runs else None,
        activity=activity,
        running_rate=rate,
        eta_seconds=remaining / rate if rate else None,
        failures=tuple(group_failures(failed)),
        failed=tuple(failed[:failed_limit]),
        blocking_issues=blocking,
        next_step=next_step(state, language=language),
        last_command=read_outcome(ledger),
    )


def work_state(
    entities: tuple[EntityStatus, ...], activity: Activity, blocking: int, *, planned: bool
) -> WorkState:
    """The counts :func:`~migrate.ledger.next_step.next_step` decides on."""
    return WorkState(
        planned=planned,
        activity=activity.state,
        sending=sum(e.sending for e in entities),
        ready=sum(e.planned for e in entities),
        failed=sum(e.failed for e in entities),
        blocking=blocking,
    )


def _entities(ledger: Ledger) -> tuple[EntityStatus, ...]:
    counts: dict[str, dict[State, int]] = defaultdict(lambda: defaultdict(int))
    for row in ledger.counts():
        counts[row.entity][row.state] += row.count
    blocked = ledger.blocked_counts()
    order = [e for e in LOAD_ORDER if e in counts] + sorted(set(counts) - set(LOAD_ORDER))
    return tuple(
        EntityStatus(
            entity,
            counts[entity][State.PLANNED] - blocked.get(entity, 0),
            counts[entity][State.SENDING],
            counts[entity][State.DONE],
            counts[entity][State.FAILED],
            blocked.get(entity, 0),
        )
        for entity in order
    )


def _rate(ledger: Ledger, activity: Activity, clock: Callable[[], datetime]) -> float | None:
    """Records per second of a live, working load (none while it waits or is dead)."""
    beat = activity.heartbeat
    if activity.state != "running" or beat is None or beat.run_id is None:
        return None
    _, records = ledger.run_progress(beat.run_id)
    elapsed = (clock() - beat.started_at).total_seconds()
    return records / elapsed if records and elapsed > 0 else None
