"""The load stage for a workspace: check the plan, connect, load what the ledger holds.

It writes no report: the orchestrator renders ``reports/load.xlsx`` from the ledger whatever
happened, and turns records left failed into the exit code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from loaders.client import Bitrix24Client
from migrate.errors import CheckpointError, MigrationError
from migrate.ledger import Ledger, State
from migrate.ledger.blockers import (
    ROUTE_META,
    blocking_error,
    check_plan_current,
    plan_blockers,
)
from migrate.load._dates import check_dates_hold
from migrate.load._engine import LoadOptions, LoadReport
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS
from migrate.load._signals import load_until_stopped
from migrate.load._watch import DEFAULT_PORTAL_WAIT, Note
from migrate.plan import RouteChoice
from migrate.portal.connect import open_portal
from migrate.progress import ProgressCallback, emit
from migrate.workspace.config import MigrationConfig, Workspace
from migrate.workspace.inputs import inputs_fingerprint

__all__ = ["LoadProgress", "WorkspaceLoad", "load_workspace", "progress_of"]


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """Records in scope (``total``) and those settled: done, failed, or blocked by a failure
    (a load cannot send those, so a load that did all it could ends at 100 %)."""

    total: int
    finished: int
    failed: int
    blocked: int = 0


@dataclass(frozen=True, slots=True)
class WorkspaceLoad:
    """What `load`/`retry` did: the engine's report and what the ledger holds after it.

    ``failed``, ``left`` and ``blocked`` count the records in scope (the whole ledger, or
    what `retry` chose).
    """

    report: LoadReport
    requeued: int
    failed: int
    left: int = 0  # records still planned or sending (blocked ones included)
    blocked: int = 0  # planned records whose references can never resolve


def progress_of(ledger: Ledger, *, selected: bool = False, settled: bool = False) -> LoadProgress:
    """How far the ledger's records (or the selected ones) are; with ``settled`` the blocked
    records count as finished (they wait for a fix, not for this load)."""
    total = finished = failed = 0
    for count in ledger.counts(only_selected=selected):
        total += count.count
        if count.state in (State.DONE, State.FAILED):
            finished += count.count
        if count.state is State.FAILED:
            failed += count.count
    blocked = sum(ledger.blocked_counts(only_selected=selected).values()) if settled else 0
    return LoadProgress(total, finished + blocked, failed, blocked)


async def load_workspace(
    workspace: Workspace,
    *,
    requeue: Sequence[int] | None = (),
    only: Collection[int] | None = None,
    skip_blocked: bool = False,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    max_outage: float = DEFAULT_PORTAL_WAIT,
    on_progress: ProgressCallback | None = None,
    command: str = "load",
) -> WorkspaceLoad:
    """Load what the workspace's ledger holds as planned.

    Args:
        requeue: failed records to plan again first (``None``: every failed record).
        only: send only these records (`retry`'s choice); ``None``: everything planned.
        skip_blocked: load although the plan has blocking problems.
        settle_seconds: how long after a lost reply a look-up may trust "not written".
        max_outage: seconds without an answer from the portal before the load stops (exit 4).
        on_progress: ticks of step ``load`` (records settled of those in scope) with notes
            saying what the load waits for.
        command: the command that loads (`load` or `retry`), for its own hints.

    Raises:
        ValidationFailed: the plan has blocking problems (and ``skip_blocked`` is off).
        Interrupted: Ctrl-C; the ledger is consistent (exit 4).
        PortalTransientError: the portal stopped answering for ``max_outage`` (exit 4).
    """
    config = workspace.load_config()
    with Ledger.open(workspace.ledger_path) as ledger:
        check_plan_current(ledger, _fingerprint(workspace, config))
        blockers = plan_blockers(ledger)
        if blockers and not skip_blocked:
            raise blocking_error(blockers, command)
        requeued = ledger.retry_failed(ids=requeue) if requeue is None or requeue else 0
        if only is not None:
            ledger.select(only)
        chosen = planned_route(ledger, config)
        options = LoadOptions(
            route="import" if chosen.route == "import" else "add",
            batch_size=config.load.batch_size,
            settle_seconds=settle_seconds,
            max_outage=max_outage,
        )
        selected = only is not None
        async with open_portal(workspace, config) as client:
            await _check_still_admin(client, chosen)
            await check_dates_hold(ledger, client, options.route)
            _say_limits(client, ledger, on_progress, selected, config.language)
            _say_route(chosen, ledger, on_progress, selected, config.language)
            watcher = _watch(ledger, on_progress, selected)
            try:
                report = await load_until_stopped(
                    ledger, client, options, note=_noter(ledger, on_progress, selected),
                    command=command, language=config.language,
                )  # fmt: skip
            finally:
                watcher.cancel()
                _tick(ledger, on_progress, selected, final=True)
        figures = progress_of(ledger, selected=selected, settled=True)
        left = figures.total - figures.finished + figures.blocked
    return WorkspaceLoad(report, requeued, figures.failed, left, figures.blocked)


def planned_route(ledger: Ledger, config: MigrationConfig) -> RouteChoice:
    """The route the plan chose (`load` does what the plan said); a ledger planned before
    plans chose one follows `migration.yaml` (``auto`` there: ``add``)."""
    stored = RouteChoice.from_json(ledger.meta(ROUTE_META))
    if stored is not None:
        return stored
    configured = config.load.route
    return RouteChoice("import" if configured == "import" else "add", configured)


async def _check_still_admin(client: Bitrix24Client, chosen: RouteChoice) -> None:
    """A plan that chose `import` because the webhook's user was an administrator holds only
    while it still is: otherwise every back-dated record would be refused."""
    if chosen.route != "import" or chosen.configured != "auto":
        return
    if (await client.call("user.admin", {})).result is True:
        return
    raise CheckpointError(
        "the plan chose the `import` route because the webhook's user was a portal "
        "administrator; `user.admin` now answers false for this webhook",
        next_step="run `b24migrate plan` again (it then plans the `add` route), or use an "
        "administrator's webhook",
    )


def _say_route(
    chosen: RouteChoice,
    ledger: Ledger,
    on_progress: ProgressCallback | None,
    selected: bool,
    language: str,
) -> None:
    """On the `add` route the load says again, as it starts, that the portal's automation
    fires for the records (the plan said it first)."""
    if not chosen.fires_automation:
        return
    figures = progress_of(ledger, selected=selected)
    for line in chosen.lines(language):
        emit(on_progress, "load", figures.finished, figures.total, unit="records", note=line)


def _say_limits(
    client: Bitrix24Client,
    ledger: Ledger,
    on_progress: ProgressCallback | None,
    selected: bool,
    language: str,
) -> None:
    """Say which request limits the load keeps to: a throttle nobody mentions looks like a
    slow portal (``portal.plan`` in `migration.yaml` decides)."""
    plan = client.plan
    if plan.rate is None:
        return
    figures = progress_of(ledger, selected=selected)
    text = _LIMITS[0 if language == "ru" else 1].format(
        plan=plan.name, rate=plan.rate, burst=plan.capacity, records=plan.rate * 50
    )
    emit(on_progress, "load", figures.finished, figures.total, unit="records", note=text)


_LIMITS = (
    "Загрузка держится лимитов тарифа `{plan}` ({rate:g} запроса/с, пачками до {burst:g}): "
    "не больше {records:g} записей/с (`portal.plan` в migration.yaml).",
    "Keeping to the `{plan}` plan's limits ({rate:g} requests/s, bursts of {burst:g}): at most "
    "about {records:g} records/s (`portal.plan` in migration.yaml).",
)


def _fingerprint(workspace: Workspace, config: MigrationConfig) -> str | None:
    try:
        return inputs_fingerprint(workspace, config)
    except MigrationError:
        return None  # a source gone since the plan: not the plan's inputs either


def _noter(ledger: Ledger, on_progress: ProgressCallback | None, selected: bool) -> Note | None:
    if on_progress is None:
        return None

    def note(text: str) -> None:
        figures = progress_of(ledger, selected=selected)
        emit(on_progress, "load", figures.finished, figures.total, unit="records", note=text)

    return note


def _tick(
    ledger: Ledger, on_progress: ProgressCallback | None, selected: bool, *, final: bool = False
) -> None:
    if on_progress is None:
        return
    figures = progress_of(ledger, selected=selected, settled=final)
    emit(on_progress, "load", figures.finished, figures.total, unit="records", finished=final)


def _watch(
    ledger: Ledger, on_progress: ProgressCallback | None, selected: bool
) -> asyncio.Task[None]:
    async def poll() -> None:
        while on_progress is not None:
            _tick(ledger, on_progress, selected)
            await asyncio.sleep(0.5)

    return asyncio.create_task(poll())
