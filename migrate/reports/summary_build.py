"""Build the client's :class:`RunSummary` from what the stages produced.

* sources and validation: the prepare stage's result (rows read per file, rows kept, issues by
  severity and the most frequent rules);
* dedupe: the dedupe stage's stats (clusters, records merged into a survivor, pairs awaiting
  the client's decision);
* plan and load: the ledger (``.b24migrate/ledger.sqlite``): ops per entity, the plan's
  refusals (rows the plan itself refused; rows validation refused are counted there), and
  records per state through :func:`migrate.ledger.status.ledger_status` (records that can never
  be sent because a record they refer to was refused count as refused by the plan, not pending).

The builder runs no stage: the orchestrator hands it the results (reused from the workspace's
stage store when nothing changed). The ledger's entity names are the load's (`comment` for the
notes, `requisite`, `deal_products` …); notes are shown under the source entity `note`
(:func:`mappings.entities.shown_entity`), the relation entities as rows of their own. A ``set``
op (product rows, deal contacts) counts as a create: it writes the relation for the first time
or again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mappings.entities import shown_entity
from migrate.ledger import Ledger, Op, State
from migrate.ledger.blockers import ROUTE_META
from migrate.ledger.cutover import cutover_counts, no_owner_counts
from migrate.plan import RouteChoice
from migrate.prepare.stage import PreparedData
from migrate.reports._summary_sources import ledger_reconciliation, validation_refused
from migrate.reports.summary_html import write_summary
from migrate.reports.summary_model import (
    DedupeCounts,
    EntitySummary,
    LoadCounts,
    PlanCounts,
    ReasonCount,
    RuleCount,
    RunSummary,
    SourceCount,
    StageTiming,
    ValidationCounts,
)
from migrate.workspace.config import Workspace

__all__ = ["SummaryInputs", "build_summary", "write_workspace_summary"]

_TOP = 5


@dataclass(frozen=True, slots=True)
class SummaryInputs:
    """What the stages produced: the prepare result, the dedupe stats per entity (empty when
    dedupe did not run), the wall time per stage and when the run started."""

    prepared: PreparedData
    dedupe_stats: Mapping[str, Any] = field(default_factory=dict)  # entity → DedupeStats
    timings: Mapping[str, float] | None = None
    started_at: datetime | None = None


def build_summary(
    workspace: Workspace,
    inputs: SummaryInputs,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RunSummary:
    """The summary of ``workspace`` as its stages left it (see the module docstring)."""
    prepared = inputs.prepared
    language = prepared.config.language
    ledger_counts = _ledger_counts(workspace, validation_refused(prepared), language)
    started = inputs.started_at or _first_run(workspace) or clock()
    return RunSummary(
        name=prepared.config.name,
        started_at=started,
        finished_at=clock(),
        portal=prepared.config.portal.display,
        entities=_entities(prepared, inputs.dedupe_stats, ledger_counts),
        timings=tuple(StageTiming(k, float(v)) for k, v in (inputs.timings or {}).items()),
        reconciliation=ledger_reconciliation(
            workspace, prepared, {e: s.merged_records for e, s in inputs.dedupe_stats.items()}
        ),
        route=_route(workspace),
        read_from=_read_from(prepared),
    )


def _read_from(prepared: PreparedData) -> str:
    """``files``, ``portal`` or ``both``: where the workspace's sources were read."""
    kinds = {"portal" if s.portal else "files" for s in prepared.config.sources.values()}
    return kinds.pop() if len(kinds) == 1 else "both" if kinds else "files"


def write_workspace_summary(summary: RunSummary, workspace: Workspace, language: str) -> Path:
    """Write ``reports/summary.html`` of ``workspace`` (linking the workbooks that exist)."""
    return write_summary(workspace.reports_dir / "summary.html", summary, language)


@dataclass(frozen=True, slots=True)
class _LedgerCounts:
    plan: Mapping[str, PlanCounts]
    load: Mapping[str, LoadCounts]


def _entities(
    prepared: PreparedData, dedupe_stats: Mapping[str, Any], ledger: _LedgerCounts | None
) -> tuple[EntitySummary, ...]:
    names = [s.entity for s in prepared.stats]
    if ledger is not None:
        names += [e for e in ledger.plan if e not in names]
    out = []
    for entity in names:
        stats = next((s for s in prepared.stats if s.entity == entity), None)
        dedupe = dedupe_stats.get(entity)
        out.append(
            EntitySummary(
                entity=entity,
                sources=_sources(prepared, entity),
                validation=_validation(prepared, entity) if stats else None,
                dedupe=DedupeCounts(dedupe.clusters, dedupe.merged_records, dedupe.review_pairs)
                if dedupe is not None
                else None,
                plan=ledger.plan.get(entity) if ledger else None,
                load=ledger.load.get(entity) if ledger else None,
            )
        )
    return tuple(out)


def _sources(prepared: PreparedData, entity: str) -> tuple[SourceCount, ...]:
    """Rows read per source file and sheet (from the issues' provenance and the stats)."""
    stats = next((s for s in prepared.stats if s.entity == entity), None)
    if stats is None:
        return ()
    if len(stats.files) == 1:
        return (SourceCount(stats.files[0], stats.rows_read),)
    table = prepared.tables.get(entity)
    kept: Counter[str] = Counter(table["_source"]) if table is not None else Counter()
    issues = prepared.issues
    refused = issues[(issues["entity"] == entity) & (issues["severity"] == "error")]
    lost: Counter[str] = Counter(
        refused.drop_duplicates(["source", "row"])["source"].astype(str).tolist()
    )
    return tuple(SourceCount(f, kept[f] + lost[f]) for f in stats.files)


def _validation(prepared: PreparedData, entity: str) -> ValidationCounts:
    stats = next(s for s in prepared.stats if s.entity == entity)
    issues = prepared.issues[prepared.issues["entity"] == entity]
    top: list[RuleCount] = []
    if not issues.empty:
        grouped = (
            issues.assign(_n=1)
            .groupby(["rule", "severity"], sort=False)
            .agg(label=("message", "first"), count=("_n", "sum"))
            .reset_index()
            .sort_values("count", ascending=False, kind="stable")
            .head(_TOP)
        )
        top = [
            RuleCount(str(r), int(n), "error" if s == "error" else "warning", str(label)[:120])
            for r, s, label, n in grouped[["rule", "severity", "label", "count"]].itertuples(
                index=False, name=None
            )
        ]
    return ValidationCounts(
        rows_kept=stats.rows_clean,
        rows_refused=stats.rows_read - stats.rows_clean,
        errors=stats.errors,
        warnings=stats.warnings,
        top_rules=tuple(top),
    )


def _route(workspace: Workspace) -> RouteChoice | None:
    """The load's route the latest plan chose (``None`` before a plan)."""
    if not workspace.ledger_path.is_file():
        return None
    with Ledger.open(workspace.ledger_path) as ledger:
        return RouteChoice.from_json(ledger.meta(ROUTE_META))


def _ledger_counts(
    workspace: Workspace, validation_refused: set[tuple[str, str]], language: str
) -> _LedgerCounts | None:
    """Plan ops, plan refusals and load states per entity; ``None`` when no plan ran."""
    if not workspace.ledger_path.is_file():
        return None
    from migrate.ledger.status import ledger_status

    with Ledger.open(workspace.ledger_path) as ledger:
        if not any(run.kind == "plan" for run in ledger.runs()):
            return None
        ops: dict[str, Counter[str]] = defaultdict(Counter)
        skipped_done: Counter[str] = Counter()
        for row in ledger.counts():
            entity = shown_entity(row.entity)
            op = "skip" if row.op is Op.SKIP else "update" if row.op is Op.UPDATE else "create"
            ops[entity][op] += row.count
            if row.op is Op.SKIP and row.state is State.DONE:
                skipped_done[entity] += row.count
        refused = _plan_refusals(ledger.issues("error"), validation_refused)
        failures = _failures((r.entity, r.last_error or "") for r in ledger.failed())
        loads_ran = any(run.kind in ("load", "retry") for run in ledger.runs())
        status = ledger_status(ledger)
        cut = cutover_counts(ledger)
        ownerless = no_owner_counts(ledger)
    plan = {
        e: PlanCounts(c["create"], c["update"], c["skip"], *refused.get(e, (0, ())))
        for e, c in ops.items()
    }
    for entity, (count, reasons) in refused.items():
        plan.setdefault(entity, PlanCounts(refused=count, top_reasons=reasons))
    for entity, (conflicts, gone) in cut.items():
        plan[entity] = replace(plan.get(entity, PlanCounts()), conflicts=conflicts, gone=gone)
    for entity, count in ownerless.items():
        shown = shown_entity(entity)
        plan[shown] = replace(plan.get(shown, PlanCounts()), no_owner=count)
    load: dict[str, LoadCounts] = {}
    if loads_ran:
        by_entity: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for s in status.entities:
            totals = by_entity[shown_entity(s.entity)]
            for i, n in enumerate((s.done, s.failed, s.sending, s.planned, s.blocked)):
                totals[i] += n
        for entity, (done, failed, sending, planned, blocked) in by_entity.items():
            load[entity] = LoadCounts(
                done - skipped_done[entity],
                failed,
                sending,
                planned - blocked,
                failures.get(entity, ()),
            )
            if blocked:
                plan[entity] = _with_blocked(plan[entity], blocked, language)
    return _LedgerCounts(plan, load)


_BLOCKED_REASON = {
    "ru": "ссылается на запись, которая не будет загружена",
    "en": "refers to a record that will not be loaded",
}


def _with_blocked(plan: PlanCounts, blocked: int, language: str) -> PlanCounts:
    """Records that can never be sent (a record they refer to was refused) are refused too,
    not waiting: a next `load` will not send them."""
    reason = ReasonCount(_BLOCKED_REASON.get(language, _BLOCKED_REASON["ru"]), blocked)
    reasons = sorted((*plan.top_reasons, reason), key=lambda r: -r.count)[:_TOP]
    return replace(plan, refused=plan.refused + blocked, top_reasons=tuple(reasons))


def _plan_refusals(
    issues: Iterable[Any], validation_refused: set[tuple[str, str]]
) -> dict[str, tuple[int, tuple[ReasonCount, ...]]]:
    """Records the plan refused for its own reasons (not validation's) and the top texts.

    The plan copies validation's refusals into its issues; rows validation refused are counted
    under validation, so they are left out here.
    """
    keys: dict[str, set[str]] = defaultdict(set)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for issue in issues:
        entity = shown_entity(issue.entity)
        if (entity, issue.source_key) in validation_refused:
            continue
        keys[entity].add(issue.source_key)
        reasons[entity][issue.message[:160]] += 1
    return {
        e: (
            len(k),
            tuple(ReasonCount(text, n) for text, n in reasons[e].most_common(_TOP)),
        )
        for e, k in keys.items()
    }


def _failures(rows: Iterable[tuple[str, str]]) -> dict[str, tuple[ReasonCount, ...]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for entity, error in rows:
        counts[shown_entity(entity)][error[:160] or "?"] += 1
    return {e: tuple(ReasonCount(t, n) for t, n in c.most_common(_TOP)) for e, c in counts.items()}


def _first_run(workspace: Workspace) -> datetime | None:
    if not workspace.ledger_path.is_file():
        return None
    with Ledger.open(workspace.ledger_path) as ledger:
        runs = ledger.runs()
    return runs[0].started_at if runs else None
