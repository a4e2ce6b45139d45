"""The ledger: the only hand-off from `plan` to `load`, and what makes loading exactly-once.

One SQLite file per workspace (``.b24migrate/ledger.sqlite``), WAL mode, ``synchronous=FULL``.
Tables: ``runs`` (every command that changed the ledger), ``records`` (one row per
``(entity, source_key)``: op, state, fields as JSON, content hash, portal id, attempts, last
error, batch, the run that created the portal record), ``refs`` (where a record needs another
record's portal id), ``batches`` (one per `batch` request), ``plan_issues`` (rows the plan
cannot load, with the reason), ``meta`` (schema version, migration name = ``ORIGINATOR_ID``).

State machine of a record::

    planned ──mark_sending──▶ sending ──Written──▶ done
       ▲ ▲ ▲                   │ │ │ └──Refused──▶ failed ──retry_failed / new content──▶ planned
       │ │ └─reconcile: absent─┘ │ └──Unknown (timeout, 5xx, dropped reply, crash): stays sending
       │ └───NotSent (refused before execution: limits, auth)─┘
       └──── apply_plan: content changed (done → planned as update/set)

Every transition is one SQLite transaction: a batch's records become ``sending`` together with
the new batch row, and a batch's replies are applied together.

Why nothing is lost or sent twice
---------------------------------
Invariants: (1) a record is sent only from ``planned``, and ``planned → sending`` is committed
(fsync'd) before the request leaves; (2) every ``create`` carries ``ORIGINATOR_ID`` (the
migration name, bound to this file) and ``ORIGIN_ID`` (the source key; products and sections
``XML_ID``; timeline comments a tag in their text), so the portal can be asked whether it
holds the record; (3) a ``sending`` record leaves that state only through a reply
(``apply_results``) or a look-up (``reconcile``); (4) one writer at a time
(:meth:`Ledger.exclusive`, an ``flock`` the OS drops when the process dies).

The windows of one batch, and what a crash (SIGKILL, power cut) or a lost reply in each leaves:

1. before ``mark_sending`` commits: the transaction rolls back, records are ``planned``,
   nothing left the machine → they are sent later. Nothing lost, nothing doubled.
2. committed ``sending``, request not yet sent (or refused before execution: 503
   QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT, connection refused): records are
   ``sending``; the look-up finds nothing → ``planned`` → sent again. A refusal the client
   knows happened before execution is applied at once as ``NotSent`` (→ ``planned``).
3. sent, the portal is executing or has written, the reply is lost (timeout, reset, 5xx,
   process killed): records stay ``sending``. The look-up by ``ORIGINATOR_ID`` + ``ORIGIN_ID``
   finds the ones written (→ ``done`` with their ids) and not the others (→ ``planned``). A
   batch may be half written (commands run one after another); each record is decided alone.
   The look-up is trusted only once the request can no longer be running on the portal: a
   cloud request is cut at 60 s, so the load waits until ``batch.sent_at`` + a settle time
   (75 s by default) before it treats "absent" as "never written". Otherwise a slow request
   could commit after the look-up and the re-send would duplicate it.
4. reply received, crash before ``apply_results`` commits: as in 3; refused records are
   found absent, sent once more and refused again (one extra attempt, no duplicate).
5. after ``apply_results`` commits: ``done`` with the portal id, ``failed`` with the text.

Idempotent ops (``update``, ``set`` = product rows, deal contacts) are simply re-sent when
unsure, except an update that appends multi-field values (phones, e-mails without an entry
``ID``): the portal appends them again on every send, so the load reads the record and counts
the update as done when the values are there. The load reconciles at its start and again
whenever only unknown outcomes are left, so one `load` normally ends with nothing ``sending``.

With ``synchronous=FULL`` a committed ``sending`` survives a power cut; with NORMAL the last
commits could vanish after the request had left, which is exactly window 3 without the mark.
``sending`` goes back to ``planned`` only when the portal said it did not execute the command
(``NotSent``) or a settled look-up found nothing.

Plans are deltas: ``apply_plan`` hashes each record's fields and references (by source key);
an unchanged ``done`` record stays done, a changed one becomes an ``update`` (it keeps its
portal id), a ``sending`` one is left for the next load to reconcile.
"""

from migrate.ledger._ledger import LEDGER_PATH, Ledger
from migrate.ledger._model import (
    PROVENANCE_KEYS,
    STAGE_CODE,
    UNDATED,
    Batch,
    LedgerRecord,
    NotSent,
    Op,
    Outcome,
    PlanIssue,
    PlannedRecord,
    PlanSummary,
    Ref,
    Refused,
    Run,
    State,
    StateCount,
    Unknown,
    Written,
    content_hash,
)

__all__ = [
    "LEDGER_PATH",
    "PROVENANCE_KEYS",
    "STAGE_CODE",
    "UNDATED",
    "Batch",
    "Ledger",
    "LedgerRecord",
    "NotSent",
    "Op",
    "Outcome",
    "PlanIssue",
    "PlanSummary",
    "PlannedRecord",
    "Ref",
    "Refused",
    "Run",
    "State",
    "StateCount",
    "Unknown",
    "Written",
    "content_hash",
]
