"""The summary's reconciliation from the ledger: planned and loaded records against the sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from migrate.ledger import Ledger, State
from migrate.reports.reconcile import LedgerRow, Reconciliation, reconcile
from migrate.workspace.config import Workspace

__all__ = ["summary_reconciliation"]


def summary_reconciliation(
    workspace: Workspace, prepared: Any, validation_refused: set[tuple[str, str]]
) -> Reconciliation | None:
    """Source → plan → portal, or ``None`` before the first plan."""
    from migrate.dedupe.decided import load_merges

    if not workspace.ledger_path.is_file():
        return None
    with Ledger.open(workspace.ledger_path) as ledger:
        runs = ledger.runs()
        if not any(run.kind == "plan" for run in runs):
            return None
        rows = [LedgerRow(r.entity, r.source_key, r.fields, r.state is State.DONE)
                for r in ledger.records()]  # fmt: skip
        refused = _refused(ledger.issues("error"), validation_refused)
    loaded = any(run.kind in ("load", "retry") for run in runs)
    merges = load_merges(workspace.root) or {}
    merged = {
        e: sum(1 for a in m if a in set(prepared.tables[e]["_key"].astype(str)))
        for e, m in merges.items()
        if e in prepared.tables
    }
    language = prepared.config.language
    return reconcile(prepared, rows, refused, merged, loaded=loaded, language=language)


def _refused(issues: Iterable[Any], validation: set[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for issue in issues:
        entity = "note" if issue.entity == "comment" else issue.entity
        if (entity, issue.source_key) not in validation:
            out.setdefault(entity, set()).add(issue.source_key)
    return out
