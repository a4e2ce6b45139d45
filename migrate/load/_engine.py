"""The load: reconcile what was left ``sending``, then send ready work batch by batch.

Each batch is one `batch` request. Its records are committed ``sending`` before the request
leaves and its replies are applied in one transaction after; several batches are in flight at
once (the client spaces them by the leaky bucket). Ctrl-C (the ``stop`` event) stops new
batches, lets those in flight finish and raises :class:`~migrate.errors.Interrupted`.

A portal that stops answering does not end the load: while it is down one batch at a time
probes it (the client retries with back-off), the load says so (:class:`LoadWatch`) and goes
on when it answers; after ``max_outage`` seconds without an answer it stops with
:class:`~migrate.errors.PortalTransientError` (exit 4: the ledger is consistent, `load`
resumes).
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
from migrate.errors import Interrupted, PortalTerminalError, PortalTransientError
from migrate.ledger import Batch, Ledger, NotSent, Outcome, Refused, Unknown, Written
from migrate.ledger._store import utc_now
from migrate.load._file_sets import refresh_file_sets
from migrate.load._outcomes import error_text, outcomes_for_error, outcomes_for_result
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS, ReconcileReport, reconcile
from migrate.load._schedule import FILE_SETS, Pick, Route, Scheduler, Work
from migrate.load._structure import StructureReport, create_structure
from migrate.load._watch import DEFAULT_PORTAL_WAIT, LoadWatch, Note, is_outage

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
        max_outage: seconds without an answer from the portal after which the load stops
            (exit 4, resumable) instead of waiting on.
    """

    route: Route = "add"
    in_flight: int | None = None
    batch_size: int = 50
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    max_reconcile_rounds: int = 10
    max_outage: float = DEFAULT_PORTAL_WAIT


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What one load did (counts of records by outcome)."""

    run_id: int
    reconciled: ReconcileReport
    batches: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    unsendable: int = 0
    outages: int = 0  # times the portal stopped answering during the load
    retries: int = 0  # requests the client sent again (5xx, limits, lost connections)
    structure: StructureReport = field(default_factory=StructureReport)

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
    note: Note | None = None,
    command: str = "load",
    language: str = "en",
) -> LoadReport:
    """Load everything the ledger holds as planned (or the records it has selected); see
    the module docstring. ``note`` is told what the load waits for, one line at a time, in
    ``language``.

    Raises:
        Interrupted: ``stop`` was set; the ledger is consistent, `load` resumes.
        PortalTerminalError: the portal refused the credentials or blocked REST.
        PortalTransientError: the portal stopped answering for longer than
            ``options.max_outage``; the ledger is consistent, `load` resumes (exit 4).
    """
    options = options or LoadOptions()
    with ledger.exclusive(command):
        ledger.close_stale_runs()
        ledger.recount_unresolved()
        run = ledger.start_run("load")
        watch = LoadWatch(
            ledger, run.id, command=command, note=note, max_outage=options.max_outage,
            clock=clock, language=language,
        )  # fmt: skip
        status, detail = "failed", ""
        try:
            loader = _Loader(ledger, client, options, run.id, stop, clock, sleep, watch)
            report = await loader.run()
            status = "interrupted" if stop is not None and stop.is_set() else "finished"
        except PortalTransientError as exc:
            status, detail = "interrupted", exc.message
            raise
        except (KeyboardInterrupt, asyncio.CancelledError):
            status = "interrupted"  # abandoned in flight: those records stay `sending`
            raise
        except BaseException as exc:
            detail = str(exc)[:200]
            raise
        finally:
            ledger.finish_run(run.id, status)
            watch.end(status, detail or ("stopped by Ctrl-C" if status == "interrupted" else ""))
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
        watch: LoadWatch,
    ) -> None:
        self.ledger, self.client, self.options = ledger, client, options
        self.run_id, self.stop, self.clock, self.sleep = run_id, stop, clock, sleep
        self.watch = watch
        self.scheduler = Scheduler(ledger, options.route, options.batch_size)
        self.in_flight = options.in_flight or client.concurrency
        self.running: dict[asyncio.Task[list[Outcome]], tuple[Batch, tuple[Work, ...]]] = {}
        self.counts: Counter[str] = Counter()
        self.batches = 0
        self.unsendable = 0
        self.fatal: PortalError | None = None
        self.reconciled = ReconcileReport()
        self.structure = StructureReport()
        self.unknown_dated: set[str] = set()
        self.rounds_at_last_write = 0

    async def run(self) -> LoadReport:
        listeners = self.client.on_retry, self.client.on_reply
        self.client.on_retry, self.client.on_reply = self.watch.retrying, self.watch.answered
        retries = self.client.stats.retries
        try:
            self.structure = await create_structure(
                self.ledger, self.client, self.run_id, settle_seconds=self.options.settle_seconds,
                clock=self.clock, sleep=self._pause,
            )  # fmt: skip
            self.reconciled = await self._reconcile()
            await self._loop()
        finally:
            self.client.on_retry, self.client.on_reply = listeners
            for task in self.running:
                task.cancel()  # on an error, a give-up or a second Ctrl-C: records stay `sending`
        if self.fatal is not None:
            raise PortalTerminalError(
                f"the portal refused the load: {error_text(self.fatal)}",
                next_step="fix the webhook's permissions or wait for the portal, then run "
                "`b24migrate load` again",
            ) from self.fatal
        if self.watch.gave_up():
            raise PortalTransientError(
                f"{self.watch.outage_text()}; the load stopped waiting "
                f"(--wait-for-portal {self.options.max_outage:.0f}); the ledger is consistent",
                next_step="run `b24migrate load` again when the portal answers: it first looks "
                "up the records whose reply was lost, so nothing is sent twice",
            )
        return LoadReport(
            self.run_id, self.reconciled, self.batches, dict(self.counts), self.unsendable,
            self.watch.outages, self.client.stats.retries - retries, self.structure,
        )  # fmt: skip

    async def _reconcile(self) -> ReconcileReport:
        """Look up the records left ``sending``; while the portal does not answer, wait (and
        say so) until it does or the load gives up."""
        pause = 2.0
        while True:
            try:
                return await reconcile(
                    self.ledger, self.client, settle_seconds=self.options.settle_seconds,
                    clock=self.clock, sleep=self._pause, watch=self.watch,
                    stopped=self._stopping,
                )  # fmt: skip
            except PortalTransientError as exc:
                cause = exc.__cause__
                if not isinstance(cause, PortalError) or not is_outage(cause):
                    raise
                self.watch.unreachable(cause, pause)
                if self.watch.gave_up() or self._stopping():
                    return ReconcileReport()
                await self._pause(pause)
                pause = min(pause * 2, 30.0)

    async def _pause(self, seconds: float) -> None:
        """Sleep in steps of at most a second, keeping the heartbeat and watching for Ctrl-C."""
        if seconds <= 0:
            await self.sleep(0)  # let the other tasks run
            return
        left = seconds
        while left > 0 and not self._stopping():
            await self.sleep(min(left, 1.0))
            left -= 1.0
            self.watch.beat()

    def _stopping(self) -> bool:
        return (
            self.fatal is not None
            or (self.stop is not None and self.stop.is_set())
            or self.watch.gave_up()
        )

    async def _loop(self) -> None:
        while True:
            waiting: frozenset[str] = frozenset()
            room = 1 if self.watch.down else self.in_flight  # while down, one batch probes
            while not self._stopping() and len(self.running) < room:
                await self._check_file_sets()
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
                await self._pause(min(self.client.budget.wait_time(m) for m in waiting))
                continue
            timeout = min((self.client.budget.wait_time(m) for m in waiting), default=1.0)
            done, _ = await asyncio.wait(
                self.running, timeout=min(timeout, 1.0), return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                self._finish(task)
            self.watch.beat()
            if self.watch.gave_up():
                return

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

    async def _check_file_sets(self) -> None:
        """Read again the file fields of the ``record_files`` sets about to be sent (a file a
        portal user added since the plan is kept; :mod:`migrate.load._file_sets`)."""
        fresh = self.scheduler.fresh
        ready = [r for r in self.ledger.ready(FILE_SETS, 10_000) if r.id not in fresh]
        if not ready:
            return
        found = await refresh_file_sets(self.client, ready, self.watch.language)
        fresh.update(found.fields)
        if found.held:
            self.ledger.refuse_planned(found.held)
            self.counts["refused"] += len(found.held)
        if found.sent:  # an attempt whose reply was lost sent every file: nothing to send
            batch = self.ledger.mark_sending(self.run_id, [r.id for r in found.sent])
            self.ledger.apply_results(batch.id, [Written(r.id) for r in found.sent])
            self.counts["written"] += len(found.sent)

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
            elif is_outage(error):
                self.watch.unreachable(error)
            return outcomes_for_error(works, error)
        finally:
            for method, seconds in reserved:
                self.client.budget.done(method, seconds)
        by_key = {item.key: item for item in result}
        return [o for w in works for o in outcomes_for_result(w, by_key[w.key])]

    def _finish(self, task: asyncio.Task[list[Outcome]]) -> None:
        batch, works = self.running.pop(task)
        for work in works:  # a set sent again (its reply lost) is checked again first
            for record in work.records:
                self.scheduler.fresh.pop(record.id, None)
        outcomes = task.result()
        self.ledger.apply_results(batch.id, outcomes)
        if any(isinstance(o, Written) for o in outcomes):
            self.rounds_at_last_write = self.reconciled.rounds
        unknown = {o.record_id for o in outcomes if isinstance(o, Unknown)}
        self.unknown_dated |= {
            w.entity for w in works if w.dated and any(r.id in unknown for r in w.records)
        }
        self.counts.update(_NAMES[type(o)] for o in outcomes)
