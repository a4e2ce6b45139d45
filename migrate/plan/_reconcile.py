"""The plan's reconciliation: the prepared sources against the records planned (no portal)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from migrate.ledger import PlannedRecord
from migrate.reports.reconcile import LedgerRow, Reconciliation, reconcile

__all__ = ["plan_reconciliation"]


def plan_reconciliation(
    data: Any,
    records: Sequence[PlannedRecord],
    refused: Mapping[str, set[str]],
    decided: Any,
) -> Reconciliation:
    """Source vs plan for plan.xlsx (``decided``: the merges applied, if any)."""
    merged = Counter(m.entity for m in decided.merges) if decided else Counter()
    rows = [LedgerRow(r.entity, r.source_key, r.fields) for r in records]
    return reconcile(data, rows, refused, merged, language=data.config.language)
