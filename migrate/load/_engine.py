"""The load: reconcile what was left ``sending``, then send ready work batch by batch.

Each batch is one `batch` request. Its records are committed ``sending`` before the request
leaves and its replies are applied in one transaction after; several batches are in flight at
once (the client spaces them by the leaky bucket). Ctrl-C (the ``stop`` event) stops new
batches, lets those in flight finish and raises :class:`~migrate.errors.Interrupted`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from loaders.batch import BatchResult
from loaders.batch import Command as ClientCommand
from loaders.client import Bitrix24Client
from loaders.errors import PortalAuthError, PortalBlocked, PortalError
from migrate.errors import Interrupted, PortalTerminalError
from migrate.ledger import Batch, Ledger, NotSent, Outcome, Refused, Unknown, Written
from migrate.ledger._store import utc_now
from migrate.load._outcomes import error_text, outcomes_for_error, outcomes_for_result
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS, ReconcileReport, reconcile
from migrate.load._schedule import Pick, Route, Scheduler, Work

__all__ = ["LoadOptions", "LoadReport", "load"]

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to load.

    Attributes:
        route: ``add`` (legacy adds; automation fires) or ``import`` (`crm.item.batchImport`).
        in_flight: batches in flight at most (default: the client's concurrency).
        batch_size: commands per batch (≤ 50).
        settle_seconds: how long after a lost request reconciliation trusts "not found".
        max_reconcile_rounds: reconciliations in a row without a record written in between
            (records whose outcome was unknown are reconciled when nothing else is left, then
            the load goes on; a portal that never answers ends the load after this many).
    """

    route: Route = "add"
    in_flight: int | None = None
    batch_size: int = 50
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    max_reconcile_rounds: int = 10


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What one load did (counts of records by outcome)."""

    run_id: int
    reconciled: ReconcileReport
    batches: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    unsendable: int = 0

    def count(self, outcome: str) -> int:
        """Records that ended a batch as ``written``, ``refused``, ``not_sent``, ``unknown``."""
        return self.outcomes.get(outcome, 0)


_NAMES = {Written: "written", Refused: "refused", NotSent: "not_sent", Unknown: "unknown"}


async def load(
    ledger: Ledger,
    client: Bitrix24Client,
    options: LoadOptions | None = None,
    *,
    stop: asyncio.Event | None = None,
    clock: Callable[[], datetime] = utc_now,
    sleep: Sleep = asyncio.sleep,
) -> LoadReport:
    """Load everything the ledger holds as planned; see the module docstring.

    Raises:
        Interrupted: ``stop`` was set; the ledger is consistent, `load` resumes.
        PortalTerminalError: the portal refused the credentials or blocked REST.
        PortalTransientError: a reconciliation look-up failed; nothing was sent.
    """
    options = options or LoadOptions()
    with ledger.exclusive("load"):
        ledger.close_stale_runs()
        ledger.recount_unresolved()
        run = ledger.start_run("load")
        status = "failed"
        try:
            report = await _Loader(ledger, client, options, run.id, stop, clock, sleep).run()
            status = "interrupted" if stop is not None and stop.is_set() else "finished"
        except (KeyboardInterrupt, asyncio.CancelledError):
            status = "interrupted"  # abandoned in flight: those records stay `sending`
            raise
        finally:
            ledger.finish_run(run.id, status)
    if status == "interrupted":
        raise Interrupted(
            f"load run {run.id} stopped after {report.batches} batches; the ledger is consistent",
            next_step="run `b24migrate load` again to resume",
        )
    return report


class _Loader:
    def __init__(
        self,
        ledger: Ledger,
        client: Bitrix24Client,
        options: LoadOptions,
        run_id: int,
        stop: asyncio.Event | None,
        clock: Callable[[], datetime],
        sleep: Sleep,
    ) -> None:
        self.ledger, self.client, self.options = ledger, client, options
        self.run_id, self.stop, self.clock, self.sleep = run_id, stop, clock, sleep
        self.scheduler = Scheduler(ledger, options.route, options.batch_size)
        self.in_flight = options.in_flight or client.concurrency
        self.running: dict[asyncio.Task[list[Outcome]], tuple[Batch, tuple[Work, ...]]] = {}
        self.counts: Counter[str] = Counter()
        self.batches = 0
        self.unsendable = 0
        self.fatal: PortalError | None = None
        self.reconciled = ReconcileReport()
        self.unknown_dated: set[str] = set()
        self.rounds_at_last_write = 0

    async def run(self) -> LoadReport:
        self.reconciled = await self._reconcile()
        try:
            await self._loop()
        finally:
            for task in self.running:
                task.cancel()  # only on an error or a second Ctrl-C: records stay `sending`
        if self.fatal is not None:
            raise PortalTerminalError(
                f"the portal refused the load: {error_text(self.fatal)}",
                next_step="fix the webhook's permissions or wait for the portal, then run "
                "`b24migrate load` again",
            ) from self.fatal
        return LoadReport(
            self.run_id, self.reconciled, self.batches, dict(self.counts), self.unsendable
        )

    async def _reconcile(self) -> ReconcileReport:
        return await reconcile(
            self.ledger,
            self.client,
            settle_seconds=self.options.settle_seconds,
            clock=self.clock,
            sleep=self.sleep,
        )

    def _stopping(self) -> bool:
        return self.fatal is not None or (self.stop is not None and self.stop.is_set())

    async def _loop(self) -> None:
        while True:
            waiting: frozenset[str] = frozenset()
            while not self._stopping() and len(self.running) < self.in_flight:
                pick = self._pick()
                waiting = pick.waiting
                if not pick.works or (self._partial(pick) and self.running):
                    break  # a part-filled batch waits while batches in flight may free more
                self._launch(pick.works)
            if not self.running:
                if self._stopping():
                    return
                if not waiting:
                    if not self._may_reconcile():
                        return
                    self.reconciled += await self._reconcile()
                    continue
                await self.sleep(min(self.client.budget.wait_time(m) for m in waiting))
                continue
            timeout = min((self.client.budget.wait_time(m) for m in waiting), default=None)
            done, _ = await asyncio.wait(
                self.running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                self._finish(task)

    def _partial(self, pick: Pick) -> bool:
        """Whether the batch has room left that no budget holds back (requests are scarce)."""
        return len(pick.works) < self.options.batch_size and not pick.waiting

    def _may_reconcile(self) -> bool:
        """Whether outcomes left unknown by this load should be reconciled now."""
        fruitless = self.reconciled.rounds - self.rounds_at_last_write
        return fruitless < self.options.max_reconcile_rounds and bool(self.ledger.sending())

    def _pick(self) -> Pick:
        """The next batch. Back-dated creates of an entity wait while one of its batches is in
        flight or its outcome is unknown (left ``sending``): if that batch turns out not
        written, its records must still reach the portal before any newer one."""
        busy = {w.entity for _, works in self.running.values() for w in works if w.dated}
        if self.unknown_dated:
            busy |= {r.entity for r in self.ledger.sending() if r.entity in self.unknown_dated}
            self.unknown_dated &= busy
        pick = self.scheduler.next_batch(self.client.budget.fits, busy)
        if pick.unsendable:
            self.ledger.refuse_planned(pick.unsendable)
            self.unsendable += len(pick.unsendable)
        return pick

    def _launch(self, works: Sequence[Work]) -> None:
        batch = self.ledger.mark_sending(self.run_id, [r.id for w in works for r in w.records])
        task = asyncio.create_task(self._send(tuple(works)))
        self.running[task] = (batch, tuple(works))
        self.batches += 1

    async def _send(self, works: tuple[Work, ...]) -> list[Outcome]:
        commands = [
            ClientCommand(w.key, w.command.method, w.command.params, idempotent=w.idempotent)
            for w in works
        ]
        counts = Counter(c.method for c in commands)
        reserved = [(m, self.client.budget.send(m, n)) for m, n in counts.items()]
        try:
            result: BatchResult = await self.client.send_batch(commands)
        except PortalError as error:
            if isinstance(error, PortalAuthError | PortalBlocked):
                self.fatal = error
            return outcomes_for_error(works, error)
        finally:
            for method, seconds in reserved:
                self.client.budget.done(method, seconds)
        by_key = {item.key: item for item in result}
        return [o for w in works for o in outcomes_for_result(w, by_key[w.key])]

    def _finish(self, task: asyncio.Task[list[Outcome]]) -> None:
        batch, works = self.running.pop(task)
        outcomes = task.result()
        self.ledger.apply_results(batch.id, outcomes)
        if any(isinstance(o, Written) for o in outcomes):
            self.rounds_at_last_write = self.reconciled.rounds
        unknown = {o.record_id for o in outcomes if isinstance(o, Unknown)}
        self.unknown_dated |= {
            w.entity for w in works if w.dated and any(r.id in unknown for r in w.records)
        }
        self.counts.update(_NAMES[type(o)] for o in outcomes)
