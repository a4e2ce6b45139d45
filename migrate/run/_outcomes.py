"""What each command of :class:`~migrate.run.Migration` returns: a stage's result and the
report the orchestrator wrote from it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from migrate.dedupe.decisions import Decisions
from migrate.dedupe.engine import DedupeResult
from migrate.dedupe.stage import DedupedTables
from migrate.load import RetryChoice, WorkspaceLoad
from migrate.plan import PlanResult
from migrate.prepare import PreparedData
from migrate.reports.reconcile import Reconciliation
from migrate.reports.summary_model import RunSummary

__all__ = [
    "Deduplicated",
    "LoadScope",
    "Loaded",
    "OwnersReviewed",
    "Planned",
    "Reported",
    "Retried",
    "Validated",
]


@dataclass(frozen=True, slots=True)
class Validated:
    """`validate`: the prepare stage's result and ``reports/errors.xlsx``."""

    prepared: PreparedData
    report: Path


@dataclass(frozen=True, slots=True)
class Deduplicated:
    """`dedupe`: the dedupe stage's result, the decisions read from the client's workbook
    (empty without ``--decisions``) and ``reports/duplicates.xlsx``."""

    deduped: DedupedTables
    decisions_read: Mapping[str, Decisions]
    report: Path
    kept_aside: Path | None = None  # an edited workbook that could not be read, moved here
    read_unasked: bool = False  # the decisions came from the workbook about to be replaced

    @property
    def results(self) -> Mapping[str, DedupeResult]:
        """The result per deduplicated entity."""
        return self.deduped.results


@dataclass(frozen=True, slots=True)
class OwnersReviewed:
    """``reports/owners.xlsx`` as `plan` left it: the choices it read from the client's
    workbook before replacing it, and where an unreadable one was kept aside."""

    report: Path
    choices_read: int = 0
    kept_aside: Path | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    """`plan`: the plan stage's result, ``reports/plan.xlsx``, the reconciliation of source
    and plan written into it, whether `dedupe` had run (without it nothing is merged), where
    the previous plan.xlsx went when its conflict decisions could not be read, and the owners
    workbook."""

    result: PlanResult
    report: Path
    reconciliation: Reconciliation | None = None
    dedupe_ran: bool = False
    kept_aside: Path | None = None
    owners: OwnersReviewed | None = None


@dataclass(frozen=True, slots=True)
class LoadScope:
    """What a load sends: every planned record (`load`), or what `retry` chose."""

    requeue: Sequence[int] | None = ()  # failed records planned again first
    only: Collection[int] | None = None  # ``None``: every planned record
    command: str = "load"


@dataclass(frozen=True, slots=True)
class Loaded:
    """`load`/`retry`: the load stage's result, ``reports/load.xlsx`` and the next step."""

    result: WorkspaceLoad
    report: Path
    next_step: str = ""


@dataclass(frozen=True, slots=True)
class Retried:
    """`retry`: what it chose, the re-plan, the load (``None`` for a dry run or when there was
    nothing to re-send) and the next step."""

    choice: RetryChoice
    planned: Planned | None
    loaded: Loaded | None
    next_step: str = ""


@dataclass(frozen=True, slots=True)
class Reported:
    """`report`: the client's summary and ``reports/summary.html``."""

    summary: RunSummary
    report: Path
