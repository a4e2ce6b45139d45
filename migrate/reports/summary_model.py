"""What `reports/summary.html` shows: a plain, frozen model of one migration run.

The model holds counts only, per entity and stage, so any stage can fill its part and a test or
a script can build one from JSON::

    summary = summary_from_dict(json.loads(Path("summary.json").read_text("utf-8")))
    write_summary(Path("reports/summary.html"), summary, language="ru")

A stage that did not run is ``None`` (the page says so instead of showing zeros). Counts mean:

* ``sources``: rows read from each source file (and sheet) of the entity.
* ``validation``: issues by severity, the most frequent rules, and rows kept (no blocking
  error) or refused (at least one error) — ``rows_kept + rows_refused`` is the rows read.
* ``dedupe``: clusters of duplicates, records merged into a survivor (absorbed, not counting
  the survivors themselves) and pairs still waiting for the client's decision.
* ``plan``: ops the plan decided (create / update / skip, where skip means the portal already
  holds the record unchanged) and records it refused, with the most frequent reasons.
* ``load``: records by ledger state after the load — ``done`` written by the load (created or
  updated; plan skips are not counted here), ``failed``, ``sending`` (unknown outcome, resolved
  by the next run), ``planned`` (not sent yet) — with the most frequent failure reasons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from migrate.plan import RouteChoice
from migrate.reports.reconcile import Reconciliation, reconciliation_from_dict
from migrate.workspace.config import redact_url

__all__ = [
    "WORKBOOKS",
    "DedupeCounts",
    "EntitySummary",
    "LoadCounts",
    "PlanCounts",
    "ReasonCount",
    "RuleCount",
    "RunSummary",
    "SourceCount",
    "StageTiming",
    "ValidationCounts",
    "keep_existing_workbooks",
    "redact_url",
    "summary_from_dict",
    "summary_to_dict",
]

WORKBOOKS = ("errors.xlsx", "duplicates.xlsx", "plan.xlsx", "owners.xlsx", "load.xlsx")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SourceCount:
    """Rows read from one source file (``sheet`` is ``""`` for CSV and XML)."""

    file: str
    rows: int
    sheet: str = ""


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many issues one validation rule raised; ``label`` is its plain-words meaning."""

    rule: str
    count: int
    severity: Literal["error", "warning"] = "error"
    label: str = ""


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """How many records one reason (a plan refusal or a portal error text) stopped."""

    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class ValidationCounts:
    """What validation found: issues by severity, top rules, rows kept and refused."""

    rows_kept: int = 0
    rows_refused: int = 0
    errors: int = 0
    warnings: int = 0
    top_rules: tuple[RuleCount, ...] = ()


@dataclass(frozen=True, slots=True)
class DedupeCounts:
    """Duplicates: clusters found, records merged into survivors, pairs awaiting review."""

    clusters: int = 0
    records_merged: int = 0
    review_pending: int = 0


@dataclass(frozen=True, slots=True)
class PlanCounts:
    """Ops the plan decided and records it refused (with the most frequent reasons)."""

    create: int = 0
    update: int = 0
    skip: int = 0
    refused: int = 0
    top_reasons: tuple[ReasonCount, ...] = ()
    conflicts: int = 0  # edited in the portal since our load: the client decides (cut-over)
    gone: int = 0  # loaded, no longer in the source: left in the portal, listed
    no_owner: int = 0  # the source names no owner: the «(не указан)» row of owners.xlsx


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """Records by ledger state after the load, with the most frequent failure reasons."""

    done: int = 0
    failed: int = 0
    sending: int = 0
    planned: int = 0
    top_failures: tuple[ReasonCount, ...] = ()

    @property
    def pending(self) -> int:
        """Records not finished yet (planned or with an unknown outcome)."""
        return self.planned + self.sending


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """One entity (``company``, ``contact``, ``deal`` …) through every stage that ran."""

    entity: str
    sources: tuple[SourceCount, ...] = ()
    validation: ValidationCounts | None = None
    dedupe: DedupeCounts | None = None
    plan: PlanCounts | None = None
    load: LoadCounts | None = None

    @property
    def rows_read(self) -> int:
        return sum(source.rows for source in self.sources)

    @property
    def refused(self) -> int:
        """Rows or records kept out: by validation, by the plan and by the portal."""
        return (
            (self.validation.rows_refused if self.validation else 0)
            + (self.plan.refused if self.plan else 0)
            + (self.load.failed if self.load else 0)
        )


@dataclass(frozen=True, slots=True)
class StageTiming:
    """Wall time one stage took, in seconds."""

    stage: str
    seconds: float


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One run of a migration, as the client's summary page shows it.

    Attributes:
        name: the migration's name (``ORIGINATOR_ID``).
        started_at, finished_at: timezone-aware; ``finished_at`` is ``None`` while running.
        portal: where it loads, already safe to show (:func:`redact_url` is applied again
            when rendering); ``"sandbox"`` for the embedded portal.
        entities: in load order.
        timings: stage wall times, in stage order.
        workbooks: relative links to the workbooks beside the page; :func:`write_summary`
            keeps only those that exist.
        reconciliation: source → plan → portal (records, deal amounts, product lines).
        route: the load's route the plan chose (its warning leads the page when the portal's
            automation fires).
        read_from: where the sources were read: ``files``, ``portal`` (another Bitrix24
            over REST) or ``both``; it words the «read» figure.
    """

    name: str
    started_at: datetime
    entities: tuple[EntitySummary, ...]
    finished_at: datetime | None = None
    portal: str = "sandbox"
    timings: tuple[StageTiming, ...] = ()
    workbooks: tuple[str, ...] = WORKBOOKS
    reconciliation: Reconciliation | None = None
    route: RouteChoice | None = None
    read_from: str = "files"

    def __post_init__(self) -> None:
        for link in self.workbooks:
            path = PurePosixPath(link)
            if _SCHEME_RE.match(link) or path.is_absolute() or ".." in path.parts or "\\" in link:
                raise ValueError(f"workbook link `{link}` must be a relative path beside the page")

    def entity(self, name: str) -> EntitySummary | None:
        """The summary of entity ``name``, if the run has one."""
        return next((e for e in self.entities if e.entity == name), None)


def keep_existing_workbooks(summary: RunSummary, directory: Path) -> RunSummary:
    """``summary`` linking only the workbooks that exist in ``directory``."""
    present = tuple(link for link in summary.workbooks if (directory / link).is_file())
    return replace(summary, workbooks=present)


def summary_to_dict(summary: RunSummary) -> dict[str, Any]:
    """A JSON-able dict that :func:`summary_from_dict` turns back into ``summary``."""
    data = asdict(summary)
    data["started_at"] = summary.started_at.isoformat()
    data["finished_at"] = summary.finished_at.isoformat() if summary.finished_at else None
    data["timings"] = {t.stage: t.seconds for t in summary.timings}
    data["workbooks"] = list(summary.workbooks)
    return data


def summary_from_dict(data: Mapping[str, Any]) -> RunSummary:
    """Build a :class:`RunSummary` from plain data (as parsed from JSON).

    ``started_at``/``finished_at`` are ISO 8601 texts, ``timings`` maps stage → seconds, each
    stage block of an entity is a mapping or absent. Unknown keys raise ``ValueError`` naming
    where they are, so a typo never silently drops a count.
    """
    top = _known(data, RunSummary, "summary")
    timings = top.get("timings", {})
    return RunSummary(
        name=str(top["name"]),
        started_at=_datetime(top["started_at"], "started_at"),
        finished_at=_datetime(top["finished_at"], "finished_at")
        if top.get("finished_at")
        else None,
        portal=redact_url(str(top.get("portal", "sandbox"))),
        entities=tuple(_entity(e, i) for i, e in enumerate(top.get("entities", ()))),
        timings=tuple(StageTiming(str(k), float(v)) for k, v in dict(timings).items()),
        workbooks=tuple(str(w) for w in top.get("workbooks", WORKBOOKS)),
        reconciliation=reconciliation_from_dict(top["reconciliation"])
        if top.get("reconciliation")
        else None,
        route=RouteChoice(**_known(top["route"], RouteChoice, "route"))
        if top.get("route")
        else None,
        read_from=_read_from(top.get("read_from", "files")),
    )


def _read_from(value: Any) -> str:
    if value not in ("files", "portal", "both"):
        raise ValueError(f"summary.read_from: {value!r} is not files, portal or both")
    return str(value)


def _route(data: Any) -> RouteChoice | None:
    return RouteChoice(**_known(data, RouteChoice, "route")) if data else None


_STAGES: dict[str, tuple[type[Any], str, type[Any]]] = {
    "validation": (ValidationCounts, "top_rules", RuleCount),
    "dedupe": (DedupeCounts, "", RuleCount),
    "plan": (PlanCounts, "top_reasons", ReasonCount),
    "load": (LoadCounts, "top_failures", ReasonCount),
}


def _entity(data: Mapping[str, Any], index: int) -> EntitySummary:
    where = f"entities[{index}]"
    top = _known(data, EntitySummary, where)
    stages: dict[str, Any] = {}
    for stage, (cls, list_key, item_cls) in _STAGES.items():
        block = top.get(stage)
        if block is None:
            continue
        values = dict(_known(block, cls, f"{where}.{stage}"))
        if list_key:
            items = values.get(list_key, ())
            values[list_key] = tuple(
                item_cls(**_known(item, item_cls, f"{where}.{stage}.{list_key}[{n}]"))
                for n, item in enumerate(items)
            )
        stages[stage] = cls(**values)
    sources = tuple(
        SourceCount(**_known(s, SourceCount, f"{where}.sources[{n}]"))
        for n, s in enumerate(top.get("sources", ()))
    )
    return EntitySummary(entity=str(top["entity"]), sources=sources, **stages)


def _known(data: Any, cls: type[Any], where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(f"`{where}` must be a mapping, not {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"`{where}` has unknown keys {unknown}; known: {sorted(names)}")
    required = {
        f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    }
    missing = sorted(required - set(data))
    if missing:
        raise ValueError(f"`{where}` lacks {missing}")
    return data


def _datetime(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"`{where}` is not an ISO 8601 date-time: {str(value)[:80]!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"`{where}` needs a time zone offset: {value!r}")
    return moment
