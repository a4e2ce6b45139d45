"""The load stage: from the ledger to the portal, exactly once (see :mod:`migrate.ledger`).

:func:`load` reconciles records left ``sending`` (look-ups by ``ORIGINATOR_ID`` +
``ORIGIN_ID``), then lets the :class:`Scheduler` deal ready records into batches that mix
methods within their operating budgets, marks each batch ``sending``, sends it through the
client and applies the replies. :class:`LoadWatch` says what it waits for (a portal that does
not answer, records being looked up) and keeps the ledger's heartbeat. :func:`choose_retry`
picks what `retry` re-sends; :func:`rollback` undoes a load.
"""

from migrate.load._engine import LoadOptions, LoadReport, load
from migrate.load._outcomes import error_text, outcomes_for_error, outcomes_for_result
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS, Duplicate, ReconcileReport, reconcile
from migrate.load._retry import RetryChoice, choose_retry, failed_keys
from migrate.load._rollback import RollbackReport, rollback
from migrate.load._schedule import Pick, Route, Scheduler, Work
from migrate.load._signals import load_until_stopped, stop_on_signals
from migrate.load._undo import (
    EditedRecord,
    ForeignLink,
    RollbackPreview,
    RollbackResult,
    rollback_preview,
    rollback_workspace,
)
from migrate.load._watch import DEFAULT_PORTAL_WAIT, LoadWatch
from migrate.load._workspace import LoadProgress, WorkspaceLoad, load_workspace, progress_of

__all__ = [
    "DEFAULT_PORTAL_WAIT",
    "DEFAULT_SETTLE_SECONDS",
    "Duplicate",
    "EditedRecord",
    "ForeignLink",
    "LoadOptions",
    "LoadProgress",
    "LoadReport",
    "LoadWatch",
    "Pick",
    "ReconcileReport",
    "RetryChoice",
    "RollbackPreview",
    "RollbackReport",
    "RollbackResult",
    "Route",
    "Scheduler",
    "Work",
    "WorkspaceLoad",
    "choose_retry",
    "error_text",
    "failed_keys",
    "load",
    "load_until_stopped",
    "load_workspace",
    "outcomes_for_error",
    "outcomes_for_result",
    "progress_of",
    "reconcile",
    "rollback",
    "rollback_preview",
    "rollback_workspace",
    "stop_on_signals",
]
