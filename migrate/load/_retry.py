"""What `retry` re-sends: the failed records, what they need first, and what waits on them.

A retry must not send anything else. After a mapping edit the re-plan finds every deal
changed; sending those updates with the failed records would overwrite what users did in the
portal, so they are only listed (:attr:`RetryChoice.others`) and sent by `load` or by
`retry --include-changes`. The choice is made in two steps around the re-plan:

1. :func:`failed_keys` — before it: which failed records (all, of some entities, or some
   keys) the user wants again. Their keys survive the re-plan; their states may not.
2. :func:`choose_retry` — after it: those that are still to send (failed, or planned again by
   the re-plan because their content changed), the records they need that have no portal id
   yet, and the planned records that wait on them, directly or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from migrate.ledger import Ledger, LedgerRecord, State

__all__ = ["RetryChoice", "choose_retry", "failed_keys"]


@dataclass(frozen=True, slots=True)
class RetryChoice:
    """What a retry sends and what it leaves.

    Attributes:
        chosen: the failed records asked for that are still to send.
        needed: records without a portal id they need first (sent too).
        waiting: planned records that wait on them (sent too).
        others: records the retry does not send, by ``(entity, op)``: changes the re-plan
            found, records an earlier load left, failed records not asked for (records that
            wait for a record the plan refused are not counted: no load sends them).
        done: asked-for records that are loaded now (reconciled, or skipped by the plan).
        gone: asked-for ``(entity, key)`` the plan no longer holds (refused now, or removed).
        unknown: asked-for keys that are not failed records.
    """

    chosen: tuple[LedgerRecord, ...] = ()
    needed: tuple[LedgerRecord, ...] = ()
    waiting: tuple[LedgerRecord, ...] = ()
    others: Counter[tuple[str, str]] = field(default_factory=Counter)
    done: tuple[tuple[str, str], ...] = ()
    gone: tuple[tuple[str, str], ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def ids(self) -> set[int]:
        """Every record the retry sends."""
        return {r.id for r in (*self.chosen, *self.needed, *self.waiting)}

    @property
    def requeue(self) -> list[int]:
        """The failed ones among them (planned again before the load)."""
        return [r.id for r in (*self.chosen, *self.needed) if r.state is State.FAILED]

    def sends(self) -> Counter[str]:
        """Records sent per entity."""
        return Counter(r.entity for r in (*self.chosen, *self.needed, *self.waiting))


def failed_keys(
    ledger: Ledger,
    entities: Collection[str] = (),
    keys: Sequence[tuple[str | None, str]] = (),
) -> tuple[list[tuple[str, str]], list[str]]:
    """The failed records to retry, as ``(entity, source key)``, and the asked-for keys that
    are not failed.

    ``keys`` holds ``(entity or None, source key)`` pairs (``None``: any entity); empty means
    every failed record (of ``entities``, when given). Records a `plan` run since the failure
    has planned again with new content count as failed: they are what the fix was for.
    """
    failed = [
        r
        for r in (*ledger.failed(), *ledger.requeued_failures())
        if not entities or r.entity in entities
    ]
    if not keys:
        return [(r.entity, r.source_key) for r in failed], []
    by_key: dict[str, list[LedgerRecord]] = {}
    for record in failed:
        by_key.setdefault(record.source_key, []).append(record)
    chosen: list[tuple[str, str]] = []
    unknown: list[str] = []
    for entity, key in keys:
        found = [r for r in by_key.get(key, []) if entity is None or r.entity == entity]
        if not found:
            unknown.append(f"{entity}:{key}" if entity else key)
        chosen += [(r.entity, r.source_key) for r in found]
    return list(dict.fromkeys(chosen)), unknown


def choose_retry(
    ledger: Ledger, asked: Iterable[tuple[str, str]], unknown: Sequence[str] = ()
) -> RetryChoice:
    """After the re-plan: what of ``asked`` is still to send, with what it needs and what waits
    on it; everything else pending is listed in ``others`` (see :class:`RetryChoice`)."""
    chosen: list[LedgerRecord] = []
    done: list[tuple[str, str]] = []
    gone: list[tuple[str, str]] = []
    for entity, key in asked:
        record = ledger.get(entity, key)
        if record is None:
            gone.append((entity, key))
        elif record.state in (State.FAILED, State.PLANNED):
            chosen.append(record)
        else:
            done.append((entity, key))
    ids = {r.id for r in chosen}
    waiting = ledger.dependents(ids)
    needed = ledger.needed(ids | waiting) - ids
    return RetryChoice(
        tuple(chosen),
        tuple(ledger.records_by_ids(needed)),
        tuple(ledger.records_by_ids(waiting)),
        _others(ledger, ids | waiting | needed),
        tuple(done),
        tuple(gone),
        tuple(unknown),
    )


def _others(ledger: Ledger, picked: set[int]) -> Counter[tuple[str, str]]:
    """Pending records (planned or failed) by ``(entity, op)``, less the ``picked`` ones and
    those blocked by a record the plan refused (no load sends those)."""
    others: Counter[tuple[str, str]] = Counter()
    for count in ledger.counts():
        if count.state in (State.PLANNED, State.FAILED):
            others[(count.entity, str(count.op))] += count.count
    left_out = picked | ledger.blocked_ids()
    for record in ledger.records_by_ids(left_out):
        if record.state in (State.PLANNED, State.FAILED):
            others[(record.entity, str(record.op))] -= 1
    return +others
