"""The load stage: from the ledger to the portal, exactly once (see :mod:`migrate.ledger`).

:func:`load` reconciles records left ``sending`` (look-ups by ``ORIGINATOR_ID`` +
``ORIGIN_ID``), then lets the :class:`Scheduler` deal ready records into batches that mix
methods within their operating budgets, marks each batch ``sending``, sends it through the
client and applies the replies.
"""

from migrate.load._engine import LoadOptions, LoadReport, load
from migrate.load._outcomes import error_text, outcomes_for_error, outcomes_for_result
from migrate.load._reconcile import DEFAULT_SETTLE_SECONDS, Duplicate, ReconcileReport, reconcile
from migrate.load._schedule import ENTITY_ORDER, Pick, Route, Scheduler, Work

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "ENTITY_ORDER",
    "Duplicate",
    "LoadOptions",
    "LoadReport",
    "Pick",
    "ReconcileReport",
    "Route",
    "Scheduler",
    "Work",
    "error_text",
    "load",
    "outcomes_for_error",
    "outcomes_for_result",
    "reconcile",
]
