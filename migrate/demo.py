"""The demo: the whole migration of the bundled sample export into a local sandbox portal.

:func:`run_demo` writes a workspace (`init --from sample` on ``sample_data/``), serves the
embedded sandbox portal on 127.0.0.1 (a free port; its data in the workspace, under
``.b24migrate/sandbox``) and runs validate → dedupe → plan → load → report against it over
HTTP through one :class:`~migrate.run.Migration`, the way a real migration runs against a real
portal (the sources are read, cleaned and deduplicated once; later steps reuse the results).
The workspace's `migration.yaml` reads the webhook from ``B24_WEBHOOK_URL`` (set for the
demo's own process).

With ``from_portal`` the source is not the sample export but a second sandbox portal, seeded
over REST (`sample_data.portal`: three pipelines, list user fields, requisites, product rows,
comments) and read through the read-only source client (preset `bitrix24_portal`); after the
load both portals are compared record by record (`sample_data.portal_compare`).

With ``faults`` the portal injects failures during the load (5% 503, 2% 500, 2% replies
dropped after the write, 1% gateway timeouts after the write); the client retries, the load
reconciles what it could not know, and :func:`check_portal` counts every loaded record in the
portal against the ledger (lost / duplicated must both be 0).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.sandbox import FaultSpec, SandboxConfig
from loaders.sandbox.testing import RunningSandbox, running_sandbox
from migrate.errors import ConfigError, MigrationError
from migrate.portal.connect import SANDBOX_DIR
from migrate.portal.verify import PortalCheck
from migrate.progress import ProgressCallback
from migrate.run import Migration
from migrate.workspace.config import Workspace
from migrate.workspace.runlog import RunLog, run_log
from migrate.workspace.sample import sample_subset

__all__ = ["DEMO_FAULTS", "DemoResult", "DemoSettings", "StepOutcome", "run_demo"]

log = logging.getLogger("migrate.demo")

DEMO_FAULTS = {"503": 0.05, "500": 0.02, "drop": 0.02, "timeout": 0.01}
ENV = "B24_WEBHOOK_URL"
SOURCE_ENV = "B24_SOURCE_WEBHOOK_URL"
SOURCE_SANDBOX_DIR = Path(".b24migrate") / "source_sandbox"


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """How to run the demo.

    Attributes:
        root: the workspace folder to write (must not hold a workspace yet).
        plan: the sandbox's REST limits: ``unlimited`` (fast), ``standard``, ``enterprise``.
        faults: inject failures during the load.
        rows: keep only the first N data rows of each sample file (a quick run).
        token: the sandbox webhook's code (a secret: never logged).
        seed: seed of the fault sequence.
        from_portal: migrate a seeded source sandbox portal instead of the sample export.
    """

    root: Path
    plan: str = "unlimited"
    faults: bool = False
    rows: int | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(12))
    seed: int = 7
    from_portal: bool = False


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """One stage of the demo: its name, wall time, a one-line result and its report."""

    name: str
    seconds: float
    line: str
    report: Path | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo did and where everything is."""

    workspace: Workspace
    webhook_url: str
    stats_url: str
    steps: tuple[StepOutcome, ...]
    check: PortalCheck | None
    retries: int
    portal_stats: dict[str, Any]
    log: RunLog
    differences: tuple[str, ...] | None = None  # --from-portal: source vs target, by record

    @property
    def failed(self) -> StepOutcome | None:
        """The step that stopped the demo, if any."""
        return next((s for s in self.steps if s.error), None)

    def report(self, name: str) -> Path | None:
        path = self.workspace.reports_dir / name
        return path if path.is_file() else None


Say = Callable[[str], None]


def run_demo(
    settings: DemoSettings,
    *,
    on_progress: ProgressCallback | None = None,
    say: Say = lambda _line: None,
    hold: Callable[[DemoResult], None] | None = None,
) -> DemoResult:
    """Run the demo (see the module docstring); ``say`` gets a line per step as it ends.

    ``hold`` is called with the result while the sandbox is still served (to keep it open
    for the user until they stop it); the portal stops when it returns.
    """
    from migrate.workspace.scaffold import init_workspace

    if (settings.root / "migration.yaml").exists():
        raise ConfigError(
            f"`{settings.root}` already holds a workspace",
            next_step="give `--workspace` a new folder, or leave it out for a temp folder",
        )
    if settings.from_portal:
        workspace = init_workspace(settings.root, "bitrix24_portal", name="demo").workspace
        _configure_portal(workspace, settings.plan)
    else:
        sources = sample_subset(settings.root, settings.rows) if settings.rows else ()
        workspace = init_workspace(settings.root, "sample", sources=sources, name="demo").workspace
        _configure(workspace, settings.plan)
    from sample_data.account import SAMPLE_SMART_PROCESS

    sandbox = SandboxConfig(
        data_dir=workspace.root / SANDBOX_DIR,
        token=settings.token,
        plan=settings.plan,
        seed=settings.seed,
        smart_processes=(SAMPLE_SMART_PROCESS,),  # set up on the client's portal before us
    )
    counter = _RetryCounter()
    try:
        return _served_run(workspace, sandbox, settings, counter, on_progress, say, hold)
    finally:
        _use_embedded_sandbox(workspace)


def _served_run(
    workspace: Workspace,
    sandbox: SandboxConfig,
    settings: DemoSettings,
    counter: _RetryCounter,
    on_progress: ProgressCallback | None,
    say: Say,
    hold: Callable[[DemoResult], None] | None,
) -> DemoResult:
    with (
        run_log(workspace.root, "demo", secrets=(settings.token,)) as logged,
        running_sandbox(sandbox) as portal,
        _environ(ENV, portal.webhook_url),
        _source_portal(workspace, settings) as source,
        counter.attached(),
    ):
        log.info(
            "demo started",
            extra={
                "event": "start",
                "plan": settings.plan,
                "faults": settings.faults,
                "rows": settings.rows,
            },
        )
        if source is not None:
            _prepare_portals(source.webhook_url, portal.webhook_url, say)
        stages = _Stages(workspace, portal, settings, on_progress, say)
        steps = stages.run()
        check = None
        if any(s.name == "load" for s in steps) and not any(s.error for s in steps[:3]):
            check = stages.migration.check_portal()
            log.info(
                "portal checked",
                extra={"event": "check", "lost": check.lost, "duplicated": check.duplicated},
            )
        differences = None
        if source is not None and check is not None:
            differences = _compared(source.webhook_url, portal, settings.faults)
        stats = portal.stats()
        log.info("demo finished", extra={"event": "end", "faults": stats["faults"]})
        result = DemoResult(
            workspace,
            portal.webhook_url,
            f"{portal.base_url}/sandbox/stats",
            tuple(steps),
            check,
            counter.count,
            stats,
            logged,
            differences,
        )
        if hold is not None:
            if settings.faults:
                portal.restart(faults=FaultSpec())  # the user looks at a healthy portal
            hold(result)
        return result


class _Stages:
    """validate → dedupe → plan → load → report through one :class:`Migration`, each timed;
    the first failure stops it. The pure stages run once: later steps reuse their results."""

    def __init__(
        self,
        workspace: Workspace,
        portal: RunningSandbox,
        settings: DemoSettings,
        on_progress: ProgressCallback | None,
        say: Say,
    ) -> None:
        self.portal, self.settings, self.say = portal, settings, say
        self.migration = Migration(workspace, on_progress=on_progress)
        self.steps: list[StepOutcome] = []

    def run(self) -> list[StepOutcome]:
        for name, stage in (
            ("validate", self.validate),
            ("dedupe", self.dedupe),
            ("plan", self.plan),
            ("load", self.load),
            ("report", self.report),
        ):
            if not self._step(name, stage) and name != "load":
                break
        return self.steps

    def _step(self, name: str, stage: Callable[[], tuple[str, Path | None]]) -> bool:
        log.info("stage started", extra={"event": "stage", "stage": name})
        started = time.perf_counter()
        try:
            line, report = stage()
            error = None
        except MigrationError as exc:
            line, report, error = exc.message, None, exc.next_step or ""
        seconds = time.perf_counter() - started
        self.steps.append(StepOutcome(name, seconds, line, report, error))
        log.info(
            "stage finished",
            extra={
                "event": "stage",
                "stage": name,
                "seconds": seconds,
                "result": line,
                "failed": error is not None,
            },
        )
        self.say(f"{name:<9} {seconds:6.1f} s  {line}")
        return error is None

    def validate(self) -> tuple[str, Path | None]:
        validated = self.migration.validate()
        data = validated.prepared
        read = sum(s.rows_read for s in data.stats)
        kept = sum(s.rows_clean for s in data.stats)
        return (
            f"{read:,} rows read, {kept:,} clean, {read - kept:,} refused; "
            f"{data.count('error'):,} errors, {data.count('warning'):,} warnings",
            validated.report,
        )

    def dedupe(self) -> tuple[str, Path | None]:
        done = self.migration.dedupe()
        parts = [
            f"{e}: {r.stats.clusters:,} clusters, {r.stats.merged_records:,} merged, "
            f"{r.stats.review_pairs:,} to review"
            for e, r in done.results.items()
        ]
        return "; ".join(parts) or "nothing to deduplicate", done.report

    def plan(self) -> tuple[str, Path | None]:
        planned = self.migration.plan(skip_refused=True)
        ops: dict[str, int] = {}
        for (_entity, op), n in planned.result.counts.items():
            ops[op] = ops.get(op, 0) + n
        text = ", ".join(f"{n:,} {op}" for op, n in sorted(ops.items()))
        owners = [o for o in planned.result.owners if o.legacy]
        matched = sum(1 for o in owners if not o.defaulted)
        unowned = sum(o.rows for o in planned.result.owners if not o.legacy)
        return (
            f"{text}; {len(planned.result.refused):,} rows refused (left out); route "
            f"{planned.result.route.route}; owners: {matched} of {len(owners)} matched, "
            f"{len(owners) - matched} to the default, {unowned:,} records with none "
            "(owners.xlsx)",
            planned.report,
        )

    def load(self) -> tuple[str, Path | None]:
        if self.settings.faults:
            self.portal.restart(faults=FaultSpec(DEMO_FAULTS, timeout_delay_s=1.0))
            self.say(
                "          the portal now fails on purpose: 5% 503, 2% 500, "
                "2% replies lost after the write, 1% timeouts after the write"
            )
        loaded = self.migration.load(settle_seconds=1.0)
        report = loaded.result.report
        return (
            f"{report.count('written'):,} records written in {report.batches:,} batches; "
            f"{report.reconciled.found:,} found by reconciliation, "
            f"{report.reconciled.requeued:,} re-sent",
            loaded.report,
        )

    def report(self) -> tuple[str, Path | None]:
        timings = {s.name: s.seconds for s in self.steps}
        reported = self.migration.report(timings=timings)
        return f"{len(reported.summary.entities)} entities summarised", reported.report


class _RetryCounter(logging.Handler):
    """Counts the client's retries (its ``retrying after …`` log lines)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("retrying after"):
            self.count += 1

    @contextmanager
    def attached(self) -> Iterator[None]:
        client_log = logging.getLogger("loaders.client")
        client_log.addHandler(self)
        try:
            yield
        finally:
            client_log.removeHandler(self)


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


#: The demo portal's head of sales (user 4 of the sandbox's seed): the default owner the
#: specialist names in `migration.yaml` for the records of legacy owners the portal cannot take
#: (Юлия Волкова has left, Никита Алексеев never had an account) — by e-mail, as docs/runbook.md
#: says, never by a bare id.
DEMO_DEFAULT_OWNER = "o.sokolov@sandbox.example"


def _configure(workspace: Workspace, plan: str) -> None:
    """What the specialist would edit for the demo: in `migration.yaml`, the portal is read
    from `B24_WEBHOOK_URL` (the secret stays out of files) with the demo's plan, the default
    owner is the head of sales (the sample's owners are matched to the portal's users by
    e-mail and name; `reports/owners.xlsx` lists the few that fall to the default), and the
    structure the plan proposes is accepted (`load.structure: create`: the user fields
    `UF_CRM_TAGS` with their list values, the sample account's own «Тендеры» pipeline and its
    stages are created by the load); in `mappings/deal.yaml`, «Тендеры», which the preset
    does not know, is kept by name so that the plan proposes it; the account's contracts go
    to the portal's smart process «Договоры» (`mappings/smart_process.yaml`)."""
    from sample_data.account import add_sample_contracts, keep_sample_pipelines

    keep_sample_pipelines(workspace.root / "mappings" / "deal.yaml")
    cut = workspace.root / "sources" / "amocrm" / "contracts.csv"  # a cut of the sample
    add_sample_contracts(workspace.root, *((cut,) if cut.exists() else ()))
    path = workspace.config_path
    text = (
        path.read_text(encoding="utf-8")
        .replace("  url: sandbox\n", f"  url: env:{ENV}\n")
        .replace("  plan: standard\n", f"  plan: {plan}\n")
        .replace("  default_owner: null\n", f"  default_owner: {DEMO_DEFAULT_OWNER}\n")
        .replace("  structure: ask\n", "  structure: create\n")
    )
    path.write_text(text, encoding="utf-8")


@contextmanager
def _source_portal(workspace: Workspace, settings: DemoSettings) -> Iterator[RunningSandbox | None]:
    """With ``from_portal``: the source portal, served with the demo's plan, its webhook in
    ``B24_SOURCE_WEBHOOK_URL`` (its data in ``.b24migrate/source_sandbox``)."""
    if not settings.from_portal:
        yield None
        return
    config = SandboxConfig(data_dir=workspace.root / SOURCE_SANDBOX_DIR,
                           token=secrets.token_hex(12), plan=settings.plan)  # fmt: skip
    with running_sandbox(config) as source, _environ(SOURCE_ENV, source.webhook_url):
        yield source


def _prepare_portals(source_url: str, target_url: str, say: Say) -> None:
    """Seed the source portal; give the target its pipeline and user fields (the set-up
    issue 12's plan will propose)."""
    import asyncio

    from loaders import Bitrix24Client
    from sample_data.portal import prepare_target_portal, seed_source_portal

    async def run() -> dict[str, int]:
        async with Bitrix24Client(source_url, plan="unlimited") as client:
            seeded = await seed_source_portal(client)
        async with Bitrix24Client(target_url, plan="unlimited") as client:
            await prepare_target_portal(client)
        return seeded.counts

    counts = asyncio.run(run())
    say("source    seeded: " + ", ".join(f"{n:,} {e}" for e, n in counts.items()))


def _compared(source_url: str, portal: RunningSandbox, faults: bool) -> tuple[str, ...]:
    """Every difference between the two portals (a healthy target is compared)."""
    import asyncio

    from sample_data.portal_compare import compare_portals

    if faults:
        portal.restart(faults=FaultSpec())
    return tuple(asyncio.run(compare_portals(source_url, portal.webhook_url)))


def _configure_portal(workspace: Workspace, plan: str) -> None:
    """`migration.yaml` for the portal demo (target from `B24_WEBHOOK_URL`, both portals
    with the demo's plan, owners the source's e-mails else the admin) and one mapping line
    per user field the seeded source has (the preset cannot know a portal's own fields)."""
    from sample_data.portal import user_field_lines

    path = workspace.config_path
    text = (
        path.read_text(encoding="utf-8")
        .replace("  url: sandbox\n", f"  url: env:{ENV}\n")
        .replace("  plan: standard\n", f"  plan: {plan}\n")
        .replace("  default_owner: null\n", "  default_owner: 1\n")
    )
    path.write_text(text, encoding="utf-8")
    for entity, lines in user_field_lines().items():
        mapping = workspace.root / "mappings" / f"{entity}.yaml"
        # JSON is YAML's flow style: a multiple field's `separator: "\n"` stays a line break
        added = "".join(f"  {name}: {json.dumps(spec, ensure_ascii=False)}\n"
                        for name, spec in lines.items())  # fmt: skip
        body = mapping.read_text(encoding="utf-8").replace("fields:\n", "fields:\n" + added, 1)
        mapping.write_text(body, encoding="utf-8")


def _use_embedded_sandbox(workspace: Workspace) -> None:
    """After the demo: `portal.url: sandbox` — the same data (`.b24migrate/sandbox`), opened
    in-process by every later command, so `status`, `report`, `plan`, `load` and `rollback`
    work on the demo workspace without a server or a variable."""
    path = workspace.config_path
    text = path.read_text(encoding="utf-8").replace(f"  url: env:{ENV}\n", "  url: sandbox\n")
    path.write_text(text, encoding="utf-8")
