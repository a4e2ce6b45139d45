"""The load stage for a workspace: check the plan, connect, load what the ledger holds.

It writes no report: the orchestrator renders ``reports/load.xlsx`` from the ledger whatever
happened, and turns records left failed into the exit code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from migrate.errors import ConfigError, MigrationError, ValidationFailed
from migrate.ledger import Ledger, State
from migrate.ledger.blockers import check_plan_current, plan_blockers
from migrate.load._dates import check_dates_hold
from migrate.load._engine import LoadOptions, LoadReport
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS
from migrate.load._rollback import RollbackReport, rollback, rollback_targets
from migrate.load._signals import load_until_stopped
from migrate.portal.connect import open_portal
from migrate.progress import ProgressCallback, emit
from migrate.workspace.config import MigrationConfig, Workspace
from migrate.workspace.inputs import inputs_fingerprint

__all__ = [
    "LoadProgress",
    "WorkspaceLoad",
    "load_workspace",
    "rollback_preview",
    "rollback_workspace",
]


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """Records the ledger holds (``total``) and those with a final state (done or failed)."""

    total: int
    finished: int
    failed: int


@dataclass(frozen=True, slots=True)
class WorkspaceLoad:
    """What `load`/`retry` did: the engine's report and what the ledger holds after it."""

    report: LoadReport
    requeued: int
    failed: int
    left: int = 0  # records still planned or sending (blocked ones included)
    blocked: int = 0  # planned records whose references can never resolve


def progress_of(ledger: Ledger) -> LoadProgress:
    """How far the ledger's records are."""
    total = finished = failed = 0
    for count in ledger.counts():
        total += count.count
        if count.state in (State.DONE, State.FAILED):
            finished += count.count
        if count.state is State.FAILED:
            failed += count.count
    return LoadProgress(total, finished, failed)


async def load_workspace(
    workspace: Workspace,
    *,
    retry: bool = False,
    entities: Sequence[str] = (),
    skip_blocked: bool = False,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    on_progress: ProgressCallback | None = None,
) -> WorkspaceLoad:
    """Load what the workspace's ledger holds as planned.

    With ``retry`` the failed records (of ``entities``, or all) are re-queued first: the plan
    stage has no per-record re-plan yet, so they are sent again with the content they have;
    after a fix to the data or mapping, run `b24migrate plan` first so they carry the new one.

    ``on_progress`` gets ticks of step ``load``: records finished of the ledger's total.

    Raises:
        ValidationFailed: the plan has blocking problems (and ``skip_blocked`` is off).
        Interrupted: Ctrl-C; the ledger is consistent (exit 4).
    """
    config = workspace.load_config()
    with Ledger.open(workspace.ledger_path) as ledger:
        check_plan_current(ledger, _fingerprint(workspace, config))
        blockers = plan_blockers(ledger)
        if blockers and not skip_blocked:
            first = blockers[0]
            rows = sum(b.count for b in blockers)
            source, row, key = first.rows[0]
            where = f"{first.entity} `{key}`" + (f" `{first.field}`" if first.field else "")
            where += f" ({source}, row {row})" if source and row else ""
            raise ValidationFailed(
                f"the plan has {len(blockers)} blocking problem(s) in {rows} rows, e.g. "
                f"{where}: {first.message}",
                next_step="fix the portal, data or mapping and run `b24migrate plan` again (see "
                "reports/plan.xlsx), or leave those rows out: `b24migrate plan --skip-refused` "
                "or `b24migrate load --skip-blocked`",
            )
        requeued = ledger.retry_failed(list(entities) or None) if retry else 0
        options = LoadOptions(
            route="import" if config.load.route == "import" else "add",
            batch_size=config.load.batch_size,
            settle_seconds=settle_seconds,
        )
        async with open_portal(workspace, config) as client:
            await check_dates_hold(ledger, client, options.route)
            watcher = _watch(ledger, on_progress)
            try:
                report = await load_until_stopped(ledger, client, options)
            finally:
                watcher.cancel()
                _tick(ledger, on_progress)
        figures = progress_of(ledger)
        left, blocked = figures.total - figures.finished, len(ledger.blocked())
    return WorkspaceLoad(report, requeued, figures.failed, left, blocked)


def _fingerprint(workspace: Workspace, config: MigrationConfig) -> str | None:
    try:
        return inputs_fingerprint(workspace, config)
    except MigrationError:
        return None  # a source gone since the plan: not the plan's inputs either


def _tick(ledger: Ledger, on_progress: ProgressCallback | None) -> None:
    figures = progress_of(ledger)
    emit(on_progress, "load", figures.finished, figures.total, unit="records")


def _watch(ledger: Ledger, on_progress: ProgressCallback | None) -> asyncio.Task[None]:
    async def poll() -> None:
        while on_progress is not None:
            _tick(ledger, on_progress)
            await asyncio.sleep(0.5)

    return asyncio.create_task(poll())


def rollback_preview(workspace: Workspace, run_id: int | None) -> dict[str, int]:
    """How many records of each entity a rollback of ``run_id`` would delete."""
    with Ledger.open(workspace.ledger_path) as ledger:
        targets = rollback_targets(ledger, run_id)
    counts: dict[str, int] = {}
    for record in targets:
        counts[record.entity] = counts.get(record.entity, 0) + 1
    return counts


async def rollback_workspace(workspace: Workspace, run_id: int | None) -> RollbackReport:
    """Delete what ``run_id`` (or every run) created in the workspace's portal."""
    config = workspace.load_config()
    with Ledger.open(workspace.ledger_path) as ledger:
        if run_id is not None and ledger.run(run_id) is None:
            raise ConfigError(
                f"there is no run {run_id} in this workspace",
                next_step="`b24migrate status` shows the last run; omit --run to undo all",
            )
        async with open_portal(workspace, config) as client:
            return await rollback(ledger, client, run_id)
