"""The reconciliation from the ledger: planned (and loaded) records against the sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mappings.entities import shown_entity
from migrate.ledger import Ledger, State
from migrate.ledger.cutover import gone_keys
from migrate.reports.reconcile import LedgerRow, Reconciliation, reconcile
from migrate.workspace.config import Workspace

__all__ = ["ledger_reconciliation", "validation_refused"]


def ledger_reconciliation(
    workspace: Workspace,
    prepared: Any,
    merged: Mapping[str, int],
    *,
    with_load: bool = True,
) -> Reconciliation | None:
    """Source → plan (→ portal, ``with_load`` and after a load), or ``None`` before the first
    plan.

    Args:
        prepared: the prepare stage's result the plan worked on.
        merged: per entity, the records the plan merged into another.
    """
    if not workspace.ledger_path.is_file():
        return None
    validation = validation_refused(prepared)
    with Ledger.open(workspace.ledger_path) as ledger:
        runs = ledger.runs()
        if not any(run.kind == "plan" for run in runs):
            return None
        gone = gone_keys(ledger)  # loaded before, not in this export: listed apart
        rows = [LedgerRow(r.entity, r.source_key, r.fields, r.state is State.DONE)
                for r in ledger.records() if (r.entity, r.source_key) not in gone]  # fmt: skip
        refused = _refused(ledger.issues("error"), validation)
    loaded = with_load and any(run.kind in ("load", "retry") for run in runs)
    language = prepared.config.language
    return reconcile(prepared, rows, refused, merged, loaded=loaded, language=language)


def validation_refused(prepared: Any) -> set[tuple[str, str]]:
    """(entity, key) of every row validation refused (notes under `note`)."""
    issues = prepared.issues
    errors = issues[issues["severity"] == "error"]
    return {
        (shown_entity(str(e)), str(k or ""))
        for e, k in zip(errors["entity"], errors["key"], strict=True)
    }


def _refused(issues: Iterable[Any], validation: set[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for issue in issues:
        entity = shown_entity(issue.entity)
        if (entity, issue.source_key) not in validation:
            out.setdefault(entity, set()).add(issue.source_key)
    return out
