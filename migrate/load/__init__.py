"""The load stage: from the ledger to the portal, exactly once (see :mod:`migrate.ledger`).

:func:`load` reconciles records left ``sending`` (look-ups by ``ORIGINATOR_ID`` +
``ORIGIN_ID``), then lets the :class:`Scheduler` deal ready records into batches that mix
methods within their operating budgets, marks each batch ``sending``, sends it through the
client and applies the replies.
"""

from migrate.load._engine import LoadOptions, LoadReport, load
from migrate.load._outcomes import error_text, outcomes_for_error, outcomes_for_result
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS, Duplicate, ReconcileReport, reconcile
from migrate.load._rollback import RollbackReport, rollback
from migrate.load._schedule import Pick, Route, Scheduler, Work
from migrate.load._signals import load_until_stopped, stop_on_signals
from migrate.load._workspace import (
    LoadProgress,
    WorkspaceLoad,
    load_workspace,
    rollback_preview,
    rollback_workspace,
)

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "Duplicate",
    "LoadOptions",
    "LoadProgress",
    "LoadReport",
    "Pick",
    "ReconcileReport",
    "RollbackReport",
    "Route",
    "Scheduler",
    "Work",
    "WorkspaceLoad",
    "error_text",
    "load",
    "load_until_stopped",
    "load_workspace",
    "outcomes_for_error",
    "outcomes_for_result",
    "reconcile",
    "rollback",
    "rollback_preview",
    "rollback_workspace",
    "stop_on_signals",
]
