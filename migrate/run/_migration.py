"""`Migration`: one workspace, its stages in order, every report (see the package docstring)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx

from migrate.dedupe.decided import load_merges, record_merges, unshown_merges
from migrate.dedupe.decisions import Decisions, DecisionStore
from migrate.dedupe.stage import DedupedTables, dedupe_tables
from migrate.errors import CheckpointError, ConfigError, Interrupted, LoadError, MigrationError
from migrate.issues import concat_issues
from migrate.ledger import Ledger
from migrate.ledger.blockers import blocking_error, plan_choices
from migrate.ledger.cutover import cutover_counts
from migrate.ledger.heartbeat import record_outcome
from migrate.ledger.next_step import WorkState, next_step
from migrate.ledger.reasons import group_failures
from migrate.ledger.status import LoadStatus, ledger_status, work_state
from migrate.load import (
    DEFAULT_PORTAL_WAIT,
    DEFAULT_SETTLE_SECONDS,
    RollbackPreview,
    RollbackResult,
    choose_retry,
    failed_keys,
    load_workspace,
    rollback_preview,
    rollback_workspace,
)
from migrate.plan import OwnerChoiceStore, plan_workspace
from migrate.portal.connect import open_source_portal
from migrate.portal.source import SourceRead, TableRead, read_source_portal
from migrate.portal.verify import PortalCheck, check_portal_sync
from migrate.prepare import PreparedData, prepare
from migrate.progress import ProgressCallback
from migrate.reports._summary_sources import ledger_reconciliation
from migrate.reports.duplicates_xlsx import (
    read_decisions,
    unread_decisions,
    write_duplicates_xlsx,
)
from migrate.reports.errors_xlsx import write_errors_xlsx
from migrate.reports.load_xlsx import write_load_report
from migrate.reports.owners_xlsx import (
    read_owner_choices,
    unread_owner_choices,
    write_owners_xlsx,
)
from migrate.reports.plan_xlsx import unread_choices, write_plan_xlsx
from migrate.reports.summary_build import SummaryInputs, build_summary, write_workspace_summary
from migrate.run._outcomes import (
    Deduplicated,
    Loaded,
    LoadScope,
    OwnersReviewed,
    Planned,
    Reported,
    Retried,
    Validated,
)
from migrate.workspace.config import MigrationConfig, Workspace
from migrate.workspace.scaffold import check_not_sample
from migrate.workspace.stages import StageStore

__all__ = ["Migration"]

log = logging.getLogger("migrate.run")


class Migration:
    """The library object behind every command: a workspace and its stages.

    Args:
        workspace: the workspace (or its folder).
        environ: environment for ``env:`` values of `migration.yaml` (default `os.environ`).
        transport: replaces the network for the portal (tests mount a sandbox app).
        on_progress: told of every stage's progress (:mod:`migrate.progress`).
        keep_results: keep the pure stages' results in the workspace's stage store and reuse
            them when their inputs did not change (the default).
        source_transport: replaces the network for the source portal (``source_portal``).
    """

    def __init__(
        self,
        workspace: Workspace | Path | str,
        *,
        environ: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_progress: ProgressCallback | None = None,
        keep_results: bool = True,
        source_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.workspace = workspace if isinstance(workspace, Workspace) else Workspace.at(workspace)
        self.environ = environ
        self.transport = transport
        self.source_transport = source_transport
        self.source_read: SourceRead | None = None
        self.on_progress = on_progress
        self.store = StageStore(self.workspace.root) if keep_results else None
        self.timings: dict[str, float] = {}
        self._config: MigrationConfig | None = None
        self._prepared: PreparedData | None = None
        self._deduped: DedupedTables | None = None

    @property
    def config(self) -> MigrationConfig:
        """`migration.yaml`, loaded once (a missing or bad file raises ``ConfigError``)."""
        if self._config is None:
            self._config = self.workspace.load_config(self.environ)
        return self._config

    # The pure stages: computed once per object, reused from the stage store across commands.

    def portal_tables(self) -> tuple[str, ...]:
        """The tables `migration.yaml` reads from the source portal (none without one)."""
        return tuple(dict.fromkeys(s.portal for s in self.config.sources.values() if s.portal))

    def read_source(self, *, full: bool = False, missing_only: bool = False) -> SourceRead | None:
        """Read the source portal's tables into the workspace's snapshots (only the changes
        since the last read, unless ``full``); with ``missing_only``, only when a table has
        never been read. ``None`` when nothing is read from a portal."""
        tables = self.portal_tables()
        folder = self.workspace.source_portal_dir
        if missing_only:
            tables = tuple(t for t in tables if not (folder / f"{t}.parquet").is_file())
        if not tables:
            return None
        options = {} if self.source_transport is None else {"transport": self.source_transport}
        shown = self.config.source_portal.display if self.config.source_portal else ""

        async def read() -> SourceRead:
            async with open_source_portal(self.workspace, self.config, **options) as client:
                return await read_source_portal(client, tables, self.workspace.root,
                                                portal=shown, full=full,
                                                on_progress=self.on_progress)  # fmt: skip

        with self._stage("read portal"):
            self.source_read = asyncio.run(read())
        counts = ", ".join(f"{t.table} {t.read}" + _read_notes(t) for t in self.source_read.tables)
        log.info(f"read portal: {counts}", extra={"event": "stage", "stage": "read portal"})
        self._prepared = self._deduped = None
        return self.source_read

    def prepared(self) -> PreparedData:
        """The prepare stage's result: clean tables and issues of every entity (a table of
        the source portal never read is read first)."""
        if self._prepared is None:
            self.read_source(missing_only=True)
            with self._stage("prepare"):
                self._prepared = prepare(
                    self.workspace, environ=self.environ, on_progress=self.on_progress,
                    store=self.store,
                )  # fmt: skip
            self._logged("prepare", self._prepared.tables, self._prepared.reused)
        return self._prepared

    def deduplicated(self) -> DedupedTables:
        """The dedupe stage's result on :meth:`prepared`, under every stored decision."""
        if self._deduped is None:
            self._deduped = self._dedupe(DecisionStore.for_workspace(self.workspace.root).load())
        return self._deduped

    def decided(self) -> DedupedTables | None:
        """The merges the `dedupe` command decided, as a dedupe result: ``None`` when it has
        not run in this workspace; otherwise :meth:`deduplicated`, with any merge found since
        that the client was not shown kept apart (:mod:`migrate.dedupe.decided`)."""
        shown = load_merges(self.workspace.root)
        if shown is None:
            return None
        deduped = self.deduplicated()
        apart = unshown_merges(deduped.key_maps(), shown)
        if not apart:
            return deduped
        stored = DecisionStore.for_workspace(self.workspace.root).load()
        decisions = {e: stored.get(e, Decisions()).updated_by(d) for e, d in apart.items()}
        return self._dedupe({**stored, **decisions})

    def _dedupe(self, decisions: Mapping[str, Decisions]) -> DedupedTables:
        prepared = self.prepared()
        with self._stage("dedupe"):
            deduped = dedupe_tables(
                prepared.tables, self.config, decisions, store=self.store,
                on_progress=self.on_progress,
            )  # fmt: skip
        self._logged("dedupe", deduped.results, deduped.reused)
        return deduped

    # The commands.

    def validate(self) -> Validated:
        """Read what changed in the source portal (if any), prepare every entity and write
        ``reports/errors.xlsx``."""
        self.read_source()
        prepared = self.prepared()
        report = write_errors_xlsx(
            self.workspace.reports_dir / "errors.xlsx", prepared.issues, stats=prepared.stats,
            language=self.config.language,
        )  # fmt: skip
        return Validated(prepared, report)

    def dedupe(self, decisions: Path | None = None) -> Deduplicated:
        """Dedupe (after storing the decisions of an edited workbook, if given) and write
        ``reports/duplicates.xlsx``.

        The workbook about to be replaced is the client's work: without ``decisions``, the
        decisions it holds that the store has not seen are read first (and bind this run); one
        that cannot be read is kept aside under a new name (``Deduplicated.kept_aside``).
        """
        store = DecisionStore.for_workspace(self.workspace.root)
        path = self.workspace.reports_dir / "duplicates.xlsx"
        kept = None
        if decisions:
            read = read_decisions(decisions)
        else:
            read, kept = unread_decisions(path, store.load())
        stored = store.record(read) if read else store.load()
        self._deduped = self._dedupe(stored)
        record_merges(self.workspace.root, self._deduped.key_maps())
        report = write_duplicates_xlsx(
            path, self._deduped.results, self.prepared().tables, language=self.config.language
        )
        if len(self._deduped.damaged_phones):  # dedupe's warnings beside the validation's
            prepared = self.prepared()
            write_errors_xlsx(
                self.workspace.reports_dir / "errors.xlsx",
                concat_issues([prepared.issues, self._deduped.damaged_phones]),
                stats=prepared.stats, language=self.config.language,
            )  # fmt: skip
        return Deduplicated(self._deduped, read, report, kept, bool(read) and not decisions)

    def plan(
        self, *, skip_refused: bool = False, dedupe: bool = True, accept_structure: bool = False
    ) -> Planned:
        """The dry run: plan the clean tables, with the merges `dedupe` decided, against the
        portal into the ledger, and write ``reports/plan.xlsx`` with the reconciliation and
        ``reports/owners.xlsx``. ``accept_structure`` accepts the proposed user fields,
        pipelines and stages.

        The plan.xlsx about to be replaced holds the client's conflict decisions (cut-over):
        they are read first and bind this plan; one that cannot be read is kept aside under a
        new name (``Planned.kept_aside``). The owners workbook is the client's work too: the
        choices it holds that the store has not seen are read first and bind this plan (a cell
        that is not a choice, or a choice that is no active portal user, raises
        ``ConfigError`` with the cell and leaves the workbook as it is); one that cannot be
        opened is kept aside under a new name (``Planned.owners.kept_aside``).
        """
        check_not_sample(self.workspace, self.config)  # before minutes of preparing
        owners_path = self.workspace.reports_dir / "owners.xlsx"
        store = OwnerChoiceStore.for_workspace(self.workspace.root)
        owners_read, owners_kept = unread_owner_choices(owners_path, store.load())  # first
        owner_choices = store.apply(owners_read) if owners_read else store.load()
        prepared = self.prepared()
        deduped = self.decided() if dedupe else None
        path = self.workspace.reports_dir / "plan.xlsx"
        choices, kept = unread_choices(path) if self._conflicts_listed() else ({}, None)
        with self._stage("plan"):
            result = plan_workspace(
                self.workspace, prepared, deduped, skip_refused=skip_refused,
                accept_structure=accept_structure, owner_choices=owner_choices,
                transport=self.transport, on_progress=self.on_progress, choices=choices,
            )  # fmt: skip
        merged = Counter(m.entity for m in result.merges)
        reconciliation = ledger_reconciliation(self.workspace, prepared, merged, with_load=False)
        report = write_plan_xlsx(
            path, result, language=self.config.language, reconciliation=reconciliation
        )
        owners = write_owners_xlsx(
            owners_path, result.owners, owner_choices, result.portal_users,
            language=self.config.language,
        )  # fmt: skip
        reviewed = OwnersReviewed(owners, len(owners_read), owners_kept)
        return Planned(result, report, reconciliation, deduped is not None, kept, reviewed)

    def _conflicts_listed(self) -> bool:
        """Whether the last plan listed conflicts (only then can plan.xlsx hold decisions)."""
        if not self.workspace.ledger_path.is_file():
            return False
        with Ledger.open(self.workspace.ledger_path) as ledger:
            return any(conflicts for conflicts, _ in cutover_counts(ledger).values())

    def load(
        self,
        *,
        skip_blocked: bool = False,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        max_outage: float = DEFAULT_PORTAL_WAIT,
    ) -> Loaded:
        """Load what the ledger holds as planned; write ``reports/load.xlsx`` whatever happens.

        Raises:
            CheckpointError: the client corrected owners in owners.xlsx since the plan.
            LoadError: records failed for good (exit 3); they are listed in load.xlsx.
            PortalTransientError: the portal stopped answering (exit 4; `load` resumes).
            Interrupted: Ctrl-C (exit 4).
        """
        with self._told("load"):
            self._check_owners_planned()
            return self._load(
                LoadScope(), skip_blocked=skip_blocked, settle_seconds=settle_seconds,
                max_outage=max_outage,
            )  # fmt: skip

    def _check_owners_planned(self) -> None:
        """Owner corrections the client wrote into owners.xlsx after the plan must be planned
        before anything is loaded (else their records would go to the owners they corrected)."""
        path = self.workspace.reports_dir / "owners.xlsx"
        if not path.is_file():
            return
        try:
            read = read_owner_choices(path)
        except ConfigError:
            return  # damaged or not a choice: `plan` says so, keeping the workbook
        stored = OwnerChoiceStore.for_workspace(self.workspace.root).load()
        new = [c for k, c in read.items() if c.value != (stored[k].value if k in stored else "")]
        if new:
            raise CheckpointError(
                f"`{path}` holds {len(new)} owner correction(s) not planned yet (e.g. "
                f"«{new[0].legacy}» → `{new[0].value or 'as proposed'}`)",
                next_step="run `b24migrate plan` again (it reads them), then `b24migrate load`",
            )

    def retry(
        self,
        *,
        replan: bool = True,
        skip_refused: bool | None = None,
        entities: Sequence[str] = (),
        keys: Sequence[tuple[str | None, str]] = (),
        include_changes: bool = False,
        dry_run: bool = False,
        skip_blocked: bool = False,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        max_outage: float = DEFAULT_PORTAL_WAIT,
    ) -> Retried:
        """Re-send the failed records (of ``entities``, or the ``keys`` given), after a re-plan
        that carries a fix of the data or mapping into them.

        Only those records go, with the records they need first and those that wait on them;
        every other change the re-plan finds is listed (:attr:`RetryChoice.others`) and sent
        only with ``include_changes``. The re-plan repeats the last plan's choices
        (``--skip-refused``, ``--no-dedupe``) unless ``skip_refused`` says otherwise. With
        ``dry_run`` nothing is sent (the re-plan still updates the ledger, as `plan` does).
        """
        with self._told("retry"):
            with Ledger.open(self.workspace.ledger_path) as ledger:
                asked, unknown = failed_keys(ledger, entities, keys)
                choices = plan_choices(ledger)
            planned = None
            if replan:
                skip = choices.skip_refused if skip_refused is None else skip_refused
                planned = self.plan(skip_refused=skip, dedupe=choices.dedupe,
                                    accept_structure=choices.accept_structure)  # fmt: skip
                if planned.result.blockers and not skip_blocked:
                    raise blocking_error(planned.result.blockers, "retry")
            with Ledger.open(self.workspace.ledger_path) as ledger:
                choice = choose_retry(ledger, asked, unknown)
            if dry_run or not choice.ids:
                return Retried(choice, planned, None, self.next_step("retry"))
            scope = LoadScope(choice.requeue, None if include_changes else choice.ids, "retry")
            loaded = self._load(
                scope, skip_blocked=skip_blocked, settle_seconds=settle_seconds,
                max_outage=max_outage,
            )  # fmt: skip
            return Retried(choice, planned, loaded, loaded.next_step)

    def _load(
        self, scope: LoadScope, *, skip_blocked: bool, settle_seconds: float, max_outage: float
    ) -> Loaded:
        report = self.workspace.reports_dir / "load.xlsx"
        try:
            with self._stage("load"):
                result = asyncio.run(
                    load_workspace(
                        self.workspace, requeue=scope.requeue, only=scope.only,
                        skip_blocked=skip_blocked, settle_seconds=settle_seconds,
                        max_outage=max_outage, on_progress=self.on_progress,
                        command=scope.command,
                    )
                )  # fmt: skip
        except (LoadError, Interrupted) as exc:
            exc.next_step = self.next_step(scope.command, "en")  # errors speak English
            raise
        finally:
            if self.workspace.ledger_path.is_file():
                with Ledger.open(self.workspace.ledger_path) as ledger:
                    report = write_load_report(
                        ledger, self.workspace.reports_dir, self.config.language
                    )
        if result.failed:
            raise LoadError(
                f"{result.failed} records failed ({self._reasons()}); every reason with its "
                f"records is in `{report}`",
                next_step=self.next_step(scope.command, "en"),
            )
        return Loaded(result, report, self.next_step(scope.command))

    def _reasons(self, shown: int = 3) -> str:
        """The biggest failure groups in one line: ``9 × deal: ERROR_CORE: …; 2 × …``."""
        with Ledger.open(self.workspace.ledger_path) as ledger:
            groups = group_failures(ledger.failed())
        text = "; ".join(f"{g.count:,} × {g.entity}: {g.reason}" for g in groups[:shown])
        return text + (f"; {len(groups) - shown} more reasons" if len(groups) > shown else "")

    def status(self, *, failed_limit: int = 20) -> LoadStatus:
        """The ledger per entity and state, whether a load is alive, failures by reason, the
        load's rate and ETA, and the next step."""
        with Ledger.open(self.workspace.ledger_path) as ledger:
            return ledger_status(ledger, failed_limit=failed_limit, language=self.language)

    @property
    def language(self) -> str:
        """The workspace's language for what commands print (`ru` unless `migration.yaml`
        says `en`, or when it cannot be read: `status` works on a bare ledger too)."""
        try:
            return self.config.language
        except MigrationError:
            return "ru"

    def next_step(self, command: str = "", language: str | None = None) -> str:
        """What to do now (the "Next:" line `load`, `retry` and `status` share), in
        ``language`` (the workspace's by default)."""
        language = language or self.language
        if not self.workspace.ledger_path.is_file():
            return next_step(WorkState(planned=False), command, language)
        with Ledger.open(self.workspace.ledger_path) as ledger:
            status = ledger_status(ledger, failed_limit=0)
            state = work_state(
                status.entities, status.activity, status.blocking_issues,
                planned=any(r.kind == "plan" for r in ledger.runs()),
            )  # fmt: skip
        return next_step(state, command, language)

    def rollback_preview(
        self, run_id: int | None = None, entities: Sequence[str] = (), *, read_portal: bool = True
    ) -> RollbackPreview:
        """What :meth:`rollback` would delete, the records edited in the portal since our write
        and the others' records that refer to ours (read from the portal)."""
        return rollback_preview(
            self.workspace, run_id, entities, read_portal=read_portal, **self._client_options()
        )

    def rollback(self, run_id: int | None = None, entities: Sequence[str] = ()) -> RollbackResult:
        """Delete from the portal what ``run_id`` (or every run) created (of ``entities`` and
        what refers to them), then count what the portal still holds of the migration."""
        with self._told("rollback"):
            return asyncio.run(
                rollback_workspace(
                    self.workspace, run_id, entities, on_progress=self.on_progress,
                    **self._client_options(),
                )
            )  # fmt: skip

    def _client_options(self) -> dict[str, object]:
        return {} if self.transport is None else {"transport": self.transport}

    @contextmanager
    def _told(self, command: str) -> Iterator[None]:
        """Remember in the ledger how ``command`` ended (`status` shows it)."""
        try:
            yield
        except MigrationError as exc:
            self._record(command, exc.exit_code, exc.message)
            raise
        except KeyboardInterrupt:
            self._record(command, 4, "interrupted (Ctrl-C)")
            raise
        self._record(command, 0)

    def _record(self, command: str, code: int, text: str = "") -> None:
        if self.workspace.ledger_path.is_file():
            with Ledger.open(self.workspace.ledger_path) as ledger:
                record_outcome(ledger, command, code, text[:300])

    def check_portal(self) -> PortalCheck:
        """Count the loaded records in the portal against the ledger (lost / duplicated)."""
        return check_portal_sync(self.workspace)

    def report(
        self, *, timings: Mapping[str, float] | None = None, started_at: datetime | None = None
    ) -> Reported:
        """Write ``reports/summary.html`` from the stages' results and the ledger."""
        deduped = self.decided()
        stats = {e: r.stats for e, r in deduped.results.items()} if deduped else {}
        inputs = SummaryInputs(self.prepared(), stats, timings, started_at)
        summary = build_summary(self.workspace, inputs)
        path = write_workspace_summary(summary, self.workspace, self.config.language)
        return Reported(summary, path)

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - started, 3)

    def _logged(self, stage: str, done: Mapping[str, object], reused: Sequence[str]) -> None:
        computed = [e for e in done if e not in reused]
        log.info(
            f"{stage}: computed {', '.join(computed) or 'nothing'}; "
            f"reused {', '.join(reused) or 'nothing'}",
            extra={"event": "stage", "stage": stage, "computed": computed,
                   "reused": list(reused), "seconds": self.timings.get(stage)},
        )  # fmt: skip


def _read_notes(read: TableRead) -> str:
    """What a table's read dropped or could not carry, for the run log (empty: nothing)."""
    notes = [f"{read.gone} gone"] if read.gone else []
    if read.left_out:
        notes.append(f"{read.left_out} requisites beyond a company's first not carried")
    return f" ({'; '.join(notes)})" if notes else ""
