"""The :class:`Ledger`: runs, the record state machine, and the queries load and status need."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType

from migrate.errors import CheckpointError
from migrate.ledger._lock import try_lock, unlock
from migrate.ledger._model import (
    Batch,
    LedgerRecord,
    NotSent,
    Op,
    Outcome,
    PlanIssue,
    PlannedRecord,
    PlanSummary,
    Refused,
    Run,
    State,
    StateCount,
    Unknown,
    Written,
)
from migrate.ledger._plan import apply_plan, requeued_failures
from migrate.ledger._select import dependents, needed, select, selected, unselect
from migrate.ledger._store import (
    RECORD_COLUMNS,
    SCHEMA_VERSION,
    Clock,
    Store,
    batch_from_row,
    from_row,
    record_from_row,
    recount_unresolved,
    resolve_referrers,
    rowid,
    run_from_row,
    utc_now,
)

__all__ = ["LEDGER_PATH", "Ledger"]

LEDGER_PATH = Path(".b24migrate") / "ledger.sqlite"

_READY_SQL = f"""
SELECT {RECORD_COLUMNS} FROM records
WHERE state = 'planned' AND entity = ? AND unresolved = 0{{only}}
ORDER BY sort_key, id
LIMIT ?
"""
#: Added to the load's queries while `retry` has chosen the records it sends.
_ONLY = " AND id IN (SELECT id FROM temp.selected)"

_BLOCKED_WHERE = """
WHERE r.state = 'planned'
  AND EXISTS (
      SELECT 1 FROM refs AS f
      LEFT JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key
      WHERE f.record_id = r.id AND t.b24_id IS NULL
        AND (t.id IS NULL OR t.state = 'failed' OR (t.state = 'done' AND t.op = 'set')))
"""
_BLOCKED_SQL = f"SELECT {RECORD_COLUMNS} FROM records AS r {_BLOCKED_WHERE} ORDER BY r.entity, r.id"
_BLOCKED_COUNT_SQL = (
    f"SELECT r.entity, COUNT(*) FROM records AS r {_BLOCKED_WHERE}{{only}} GROUP BY r.entity"
)


#: A create that sends its own creation date (`IMPORT=Y` / ``createdTime``): the plan keeps
#: `DATE_CREATE` in the fields only for a date the portal will take (:mod:`migrate.plan._backdate`).
_SENDS_DATE = "r.op = 'create' AND COALESCE(json_extract(r.fields, '$.DATE_CREATE'), '') != ''"

_KEPT_LEFT_SQL = f"""
SELECT 1 FROM records AS r
WHERE r.entity = ? AND r.state IN ('planned', 'sending') AND {_SENDS_DATE}
  AND NOT EXISTS (
      SELECT 1 FROM refs AS f
      LEFT JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key
      WHERE f.record_id = r.id AND t.b24_id IS NULL
        AND (t.id IS NULL OR t.state = 'failed' OR (t.state = 'done' AND t.op = 'set')))
LIMIT 1
"""

_FLOOR_SQL = """
SELECT MIN(r.sort_key) FROM records AS r
WHERE r.entity = ? AND r.state IN ('planned', 'sending') AND r.unresolved > 0{only}
  AND NOT EXISTS (
      SELECT 1 FROM refs AS f
      LEFT JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key
      WHERE f.record_id = r.id AND t.b24_id IS NULL
        AND (t.id IS NULL OR t.state = 'failed' OR (t.state = 'done' AND t.op = 'set')))
"""


class Ledger:
    """The durable state of one workspace's migration (see :mod:`migrate.ledger`).

    Open it with :meth:`open` (or :meth:`for_workspace`) and close it, or use it as a context
    manager. Every method that changes something runs in one SQLite transaction.
    """

    def __init__(self, store: Store, originator: str) -> None:
        self._store = store
        self.originator = originator
        self._only = ""

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path, originator: str | None = None, *, clock: Clock = utc_now) -> Ledger:
        """Open (and create if missing) the ledger at ``path``.

        ``originator`` is the migration's name, written to every created record as
        `ORIGINATOR_ID`; it is fixed when the ledger is created (``None`` reads it back).
        """
        if originator is None and not path.exists():
            raise CheckpointError(
                f"there is no ledger at `{path}` yet",
                next_step="run `b24migrate plan` first",
            )
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        new = not path.exists()
        store = Store(path, clock)
        if new:
            path.chmod(0o600)  # every record of the client as JSON: the user's eyes only
        try:
            return cls(store, _bind_meta(store, originator))
        except BaseException:
            store.close()
            raise

    @classmethod
    def for_workspace(
        cls, workspace: Path, originator: str | None = None, *, clock: Clock = utc_now
    ) -> Ledger:
        """Open ``WORKSPACE/.b24migrate/ledger.sqlite``."""
        return cls.open(workspace / LEDGER_PATH, originator, clock=clock)

    @property
    def path(self) -> Path:
        return self._store.path

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def exclusive(self, command: str) -> Iterator[None]:
        """Hold the workspace's writer lock: one `plan`/`load`/`retry` at a time.

        Readers (`status`) never need it. The lock is an ``flock`` (Windows: ``msvcrt``) on
        ``ledger.sqlite.lock``, so the operating system releases it when the process dies,
        even by SIGKILL (:mod:`migrate.ledger._lock`).
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if not try_lock(fd):
            os.close(fd)
            raise CheckpointError(
                f"`b24migrate {command}`: another command is writing this workspace's ledger",
                next_step="wait for it to finish (see `b24migrate status`) and run this again",
            ) from None
        try:
            yield
        finally:
            unlock(fd)
            os.close(fd)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every change made inside commits together, or none does (a kill rolls back).

        The plan writes its run, records, withdrawals, issues and settings in one of these, so
        a plan interrupted at any point leaves the previous plan whole, never half of each.
        """
        with self._store.write():
            yield

    # ------------------------------------------------------------------ runs
    def start_run(self, kind: str) -> Run:
        """Record the start of a command that changes the ledger."""
        with self._store.write() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (kind, started_at) VALUES (?, ?)", (kind, self._store.now())
            )
        run = self.run(rowid(cursor))
        assert run is not None
        return run

    def finish_run(self, run_id: int, status: str = "finished") -> None:
        """Close a run as ``finished``, ``interrupted`` or ``failed``."""
        with self._store.write() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = ?, status = ? WHERE id = ?",
                (self._store.now(), status, run_id),
            )

    def close_stale_runs(self) -> int:
        """Mark runs left ``running`` by a killed process as ``interrupted`` (hold the lock)."""
        with self._store.write() as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
                (self._store.now(),),
            )
        return cursor.rowcount

    def recount_unresolved(self) -> None:
        """Recount what every planned record waits for (the load does this when it starts)."""
        with self._store.write() as conn:
            recount_unresolved(conn)

    def run(self, run_id: int) -> Run | None:
        row = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else run_from_row(row)

    def runs(self) -> list[Run]:
        return [run_from_row(r) for r in self._conn.execute("SELECT * FROM runs ORDER BY id")]

    # ------------------------------------------------------------------ plan
    def apply_plan(self, run_id: int, records: Iterable[PlannedRecord]) -> PlanSummary:
        """Write the plan's records in one transaction; unchanged done records stay done.

        A record already ``done`` whose content hash differs is planned again as an update
        (or a ``set``); one ``sending`` is left for the next load to reconcile; a ``failed``
        one is re-queued only when its content changed (otherwise `retry` does it).
        """
        return apply_plan(self._store, run_id, records)

    def replace_issues(self, run_id: int, issues: Iterable[PlanIssue]) -> None:
        """Replace the plan's issues with this run's."""
        with self._store.write() as conn:
            conn.execute("DELETE FROM plan_issues")
            conn.executemany(
                "INSERT INTO plan_issues (run_id, entity, source_key, rule, message, severity, "
                "field, value, source, sheet, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        run_id,
                        i.entity,
                        i.source_key,
                        i.rule,
                        i.message,
                        i.severity,
                        i.field,
                        i.value,
                        i.source,
                        i.sheet,
                        i.row,
                    )
                    for i in issues
                ],
            )

    def withdraw_absent(self, keep: Iterable[tuple[str, str]]) -> int:
        """Delete ``planned``/``failed`` records the latest plan no longer holds.

        A row refused (or removed from the sources) since an earlier plan must not be sent;
        ``done`` and ``sending`` records stay (the portal holds them, or may). Returns how many
        were withdrawn.
        """
        with self._store.write() as conn:
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS keep "
                "(entity TEXT, source_key TEXT, PRIMARY KEY (entity, source_key))"
            )
            conn.execute("DELETE FROM keep")
            conn.executemany("INSERT OR IGNORE INTO keep VALUES (?, ?)", list(keep))
            cursor = conn.execute(
                "DELETE FROM records WHERE state IN ('planned', 'failed') AND NOT EXISTS "
                "(SELECT 1 FROM keep k WHERE k.entity = records.entity "
                "AND k.source_key = records.source_key)"
            )
            conn.execute("DELETE FROM keep")
            recount_unresolved(conn)
            return int(cursor.rowcount)

    def set_meta(self, key: str, value: str | None) -> None:
        """Store (or with ``None`` remove) a workspace-wide setting, e.g. a plan's acceptance."""
        with self._store.write() as conn:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            if value is not None:
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> str | None:
        """A setting stored with :meth:`set_meta` (``None`` when absent)."""
        return self._store.meta(key)

    def issues(self, severity: str | None = None) -> list[PlanIssue]:
        """The last plan's issues (all, or of one severity) in the order they were written."""
        sql = "SELECT * FROM plan_issues" + (" WHERE severity = ?" if severity else "")
        rows = self._conn.execute(sql + " ORDER BY id", (severity,) if severity else ())
        return [from_row(PlanIssue, r) for r in rows]

    # ------------------------------------------------------------------ load: transitions
    def mark_sending(self, run_id: int, record_ids: Sequence[int]) -> Batch:
        """planned → sending for one batch, committed before the request leaves.

        Raises :class:`CheckpointError` (and changes nothing) if any record is not
        ``planned`` — a second writer or a bug, never something to paper over.
        """
        if not record_ids:
            raise CheckpointError("a batch needs at least one record")
        with self._store.write() as conn:
            now = self._store.now()
            cursor = conn.execute(
                "INSERT INTO batches (run_id, sent_at, size) VALUES (?, ?, ?)",
                (run_id, now, len(record_ids)),
            )
            batch_id = rowid(cursor)
            changed = 0
            for chunk in _chunks(record_ids):
                marks = ",".join("?" * len(chunk))
                changed += conn.execute(
                    "UPDATE records SET state = 'sending', batch_id = ?, attempts = attempts + 1, "
                    f"updated_at = ? WHERE state = 'planned' AND id IN ({marks})",
                    (batch_id, now, *chunk),
                ).rowcount
            if changed != len(set(record_ids)):
                raise CheckpointError(
                    f"batch {batch_id}: {len(record_ids) - changed} of {len(record_ids)} records "
                    "are no longer `planned`",
                    next_step="make sure only one `b24migrate load` runs on this workspace",
                )
        batch = self.batch(batch_id)
        assert batch is not None
        return batch

    def apply_results(self, batch_id: int, outcomes: Iterable[Outcome]) -> None:
        """sending → done | failed for one batch's replies, in one transaction.

        ``NotSent`` (refused before execution) goes back to ``planned``; ``Unknown`` outcomes
        (and records of the batch with no outcome) stay ``sending``.
        """
        with self._store.write() as conn:
            now = self._store.now()
            run_id = self._batch_run(conn, batch_id)
            for outcome in outcomes:
                self._check_in_batch(conn, outcome.record_id, batch_id)
                _apply_outcome(conn, outcome, run_id, now)
            conn.execute("UPDATE batches SET finished_at = ? WHERE id = ?", (now, batch_id))

    def reconcile(self, found: Mapping[int, int | None]) -> None:
        """sending → done (portal id found) | planned (not found), in one transaction.

        ``found`` maps a ``sending`` record's id to the portal id that the look-up found for
        its origin key, or to ``None`` when the portal has no such record (then it is sent
        again). An idempotent op (update, set) is simply mapped to ``None``.
        """
        with self._store.write() as conn:
            now = self._store.now()
            for record_id, b24_id in found.items():
                row = conn.execute(
                    "SELECT r.state, r.op, b.run_id FROM records AS r "
                    "JOIN batches AS b ON b.id = r.batch_id WHERE r.id = ?",
                    (record_id,),
                ).fetchone()
                if row is None or row["state"] != State.SENDING:
                    raise CheckpointError(f"record {record_id} is not `sending`")
                outcome: Outcome = (
                    NotSent(record_id, "not in the portal after an unknown outcome: sent again")
                    if b24_id is None
                    else Written(record_id, b24_id)
                )
                _apply_outcome(conn, outcome, row["run_id"], now)

    def refuse_planned(self, errors: Mapping[int, str]) -> None:
        """planned → failed for records that cannot even be turned into a command."""
        with self._store.write() as conn:
            now = self._store.now()
            for record_id, error in errors.items():
                changed = conn.execute(
                    "UPDATE records SET state = 'failed', last_error = ?, updated_at = ? "
                    "WHERE id = ? AND state = 'planned'",
                    (error, now, record_id),
                ).rowcount
                if not changed:
                    raise CheckpointError(f"record {record_id} is not `planned`")

    def forget_portal_ids(self, record_ids: Sequence[int]) -> None:
        """done → planned without a portal id (rollback deleted them), in one transaction.

        Records that referred to them wait for a new id again; a create stays a create.
        """
        with self._store.write() as conn:
            now = self._store.now()
            for chunk in _chunks(record_ids):
                marks = ",".join("?" * len(chunk))
                conn.execute(
                    "UPDATE records SET state = 'planned', b24_id = CASE WHEN op IN "
                    "('create', 'set') THEN NULL ELSE b24_id END, created_run_id = NULL, "
                    "batch_id = NULL, "
                    f"attempts = 0, last_error = NULL, updated_at = ? WHERE id IN ({marks})",
                    (now, *chunk),
                )
            recount_unresolved(conn)

    def retry_failed(
        self, entities: Sequence[str] | None = None, *, ids: Sequence[int] | None = None
    ) -> int:
        """failed → planned (all, of some entities, or the records ``ids``); returns how many."""
        sql = "UPDATE records SET state = 'planned', batch_id = NULL WHERE state = 'failed'"
        params: tuple[str, ...] = ()
        if entities:
            sql += f" AND entity IN ({','.join('?' * len(entities))})"
            params = tuple(entities)
        with self._store.write() as conn:
            if ids is None:
                count = conn.execute(sql, params).rowcount
            else:
                count = 0
                for chunk in _chunks(ids):
                    marks = ",".join("?" * len(chunk))
                    count += conn.execute(f"{sql} AND id IN ({marks})", (*params, *chunk)).rowcount
            recount_unresolved(conn)
        return count

    # ------------------------------------------------------------------ retry: a chosen part
    def select(self, record_ids: Iterable[int]) -> None:
        """Send only these records until :meth:`unselect` (this connection only; see
        :mod:`migrate.ledger._select`)."""
        select(self._conn, record_ids)
        self._only = _ONLY

    def unselect(self) -> None:
        """Send every planned record again."""
        unselect(self._conn)
        self._only = ""

    def selection(self) -> list[int]:
        """The chosen record ids (empty when nothing is chosen)."""
        if not selected(self._conn):
            return []
        return [r[0] for r in self._conn.execute("SELECT id FROM temp.selected ORDER BY id")]

    def dependents(
        self, record_ids: Iterable[int], states: Sequence[State] = (State.PLANNED,)
    ) -> set[int]:
        """Records (planned, unless ``states`` says) that refer, directly or through others,
        to the records ``record_ids``."""
        return dependents(self._conn, record_ids, [str(s) for s in states])

    def written_at(self, record_ids: Iterable[int]) -> dict[int, datetime]:
        """When each record last changed state in the ledger (for a written record: just
        after the portal's reply), in UTC."""
        out: dict[int, datetime] = {}
        for chunk in _chunks(list(record_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT id, updated_at FROM records WHERE id IN ({marks})", chunk
            ):
                out[int(row[0])] = datetime.fromisoformat(row[1])
        return out

    def needed(self, record_ids: Iterable[int]) -> set[int]:
        """Records without a portal id that ``record_ids`` need first (planned or failed)."""
        return needed(self._conn, record_ids)

    # ------------------------------------------------------------------ load: queries
    def ready(self, entity: str, limit: int) -> list[LedgerRecord]:
        """Planned records of ``entity`` whose references all have portal ids.

        Ordered by ``sort_key`` then plan order; each carries its resolved ``ref_ids``.
        """
        rows = self._conn.execute(_READY_SQL.format(only=self._only), (entity, limit)).fetchall()
        return self._with_refs(rows)

    def waiting_floor(self, entity: str) -> str | None:
        """The lowest ``sort_key`` of ``entity``'s planned records that wait for a reference
        that will get an id (blocked ones excluded); ``None`` when none waits.

        Back-dated creates must reach the portal in ``sort_key`` order: a ready record above
        this floor waits for the older ones.
        """
        row = self._conn.execute(_FLOOR_SQL.format(only=self._only), (entity,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def pending_entities(self) -> list[str]:
        """Entities that still have ``planned`` records (ready or not)."""
        rows = self._conn.execute(
            f"SELECT DISTINCT entity FROM records WHERE state = 'planned'{self._only} "
            "ORDER BY entity"
        )
        return [r[0] for r in rows]

    def blocked(self) -> list[LedgerRecord]:
        """Planned records that can never become ready as things stand.

        A reference points at a record that is missing from the plan, ``failed`` without a
        portal id, or has no id of its own.
        """
        return self._with_refs(self._conn.execute(_BLOCKED_SQL).fetchall())

    def blocked_ids(self) -> set[int]:
        """The ids of the :meth:`blocked` records (without reading them)."""
        return {
            int(r[0]) for r in self._conn.execute(f"SELECT r.id FROM records AS r {_BLOCKED_WHERE}")
        }

    def records_by_ids(self, record_ids: Iterable[int]) -> list[LedgerRecord]:
        """The records with these ids, in plan order."""
        rows: list[sqlite3.Row] = []
        for chunk in _chunks(sorted(set(record_ids))):
            marks = ",".join("?" * len(chunk))
            rows += self._conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM records WHERE id IN ({marks}) ORDER BY id", chunk
            ).fetchall()
        return self._with_refs(rows)

    def blocked_counts(self, *, only_selected: bool = False) -> dict[str, int]:
        """How many :meth:`blocked` records each entity has (without reading them)."""
        only = _ONLY if only_selected and self._only else ""
        rows = self._conn.execute(_BLOCKED_COUNT_SQL.format(only=only))
        return {r[0]: int(r[1]) for r in rows}

    def waits_for(self, record_id: int) -> list[tuple[str, str, str]]:
        """What a blocked record waits for: ``(entity, source key, state)`` of each referenced
        record without a portal id (state ``missing`` when the plan does not hold it)."""
        rows = self._conn.execute(
            "SELECT f.ref_entity, f.ref_key, COALESCE(t.state, 'missing') FROM refs AS f "
            "LEFT JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key "
            "WHERE f.record_id = ? AND t.b24_id IS NULL ORDER BY f.path",
            (record_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def sending(self) -> list[LedgerRecord]:
        """Records left ``sending`` (to reconcile), oldest batch first."""
        rows = self._conn.execute(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE state = 'sending' ORDER BY batch_id, id"
        ).fetchall()
        return self._with_refs(rows)

    def get(self, entity: str, source_key: str) -> LedgerRecord | None:
        row = self._conn.execute(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE entity = ? AND source_key = ?",
            (entity, source_key),
        ).fetchone()
        return None if row is None else self._with_refs([row])[0]

    def records(self, entity: str | None = None, state: State | None = None) -> list[LedgerRecord]:
        """Records, optionally of one entity and/or state, in plan order."""
        clauses, params = [], []
        if entity is not None:
            clauses.append("entity = ?")
            params.append(entity)
        if state is not None:
            clauses.append("state = ?")
            params.append(str(state))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._conn.execute(
            f"SELECT {RECORD_COLUMNS} FROM records{where} ORDER BY id", params
        ).fetchall()
        return self._with_refs(rows)

    def failed(self, entity: str | None = None) -> list[LedgerRecord]:
        """Failed records with the portal's error text in ``last_error``."""
        return self.records(entity, State.FAILED)

    def requeued_failures(self) -> list[LedgerRecord]:
        """Records that had failed and that the latest plan planned again with new content
        (a fix reached them), while they are still planned."""
        ids = set(requeued_failures(self._store))
        return [r for r in self.records(state=State.PLANNED) if r.id in ids] if ids else []

    def counts(self, *, only_selected: bool = False) -> list[StateCount]:
        """How many records per entity, op and state (of the selected ones only: see
        :meth:`select`)."""
        where = f" WHERE 1{_ONLY}" if only_selected and self._only else ""
        rows = self._conn.execute(
            f"SELECT entity, op, state, COUNT(*) FROM records{where} "
            "GROUP BY entity, op, state ORDER BY entity, op, state"
        )
        return [StateCount(r[0], Op(r[1]), State(r[2]), r[3]) for r in rows]

    def earliest_kept_date(self, entity: str) -> str | None:
        """The oldest creation date (``sort_key``, UTC ISO) that ``entity``'s planned creates
        will still send to the portal; ``None`` when none sends one.

        Only creates that carry `DATE_CREATE` count: a record without one is dated "now" by
        the portal, whatever its ``sort_key`` says.
        """
        row = self._conn.execute(
            "SELECT MIN(r.sort_key) FROM records AS r "
            f"WHERE r.entity = ? AND r.state = 'planned' AND {_SENDS_DATE}",
            (entity,),
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def kept_dates_left(self, entity: str) -> bool:
        """Whether a create of ``entity`` that sends its creation date is still to be written
        (planned and not blocked, or ``sending``: in flight or its reply lost).

        The portal refuses a date older than the newest record of the type, ours included:
        while one is left, creates the portal dates "now" wait (whatever the selection).
        """
        return self._conn.execute(_KEPT_LEFT_SQL, (entity,)).fetchone() is not None

    def b24_ids(self, entity: str) -> dict[str, int]:
        """source key → portal id for every record of ``entity`` that has one."""
        rows = self._conn.execute(
            "SELECT source_key, b24_id FROM records WHERE entity = ? AND b24_id IS NOT NULL",
            (entity,),
        )
        return {r[0]: r[1] for r in rows}

    def created_in_run(self, run_id: int) -> list[LedgerRecord]:
        """Records whose portal record this run created (for `rollback`), newest first."""
        rows = self._conn.execute(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE created_run_id = ? ORDER BY id DESC",
            (run_id,),
        ).fetchall()
        return self._with_refs(rows)

    def run_progress(self, run_id: int) -> tuple[int, int]:
        """``(batches, records)`` whose replies a run has applied, for rates and ETAs."""
        row = self._conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM batches "
            "WHERE run_id = ? AND finished_at IS NOT NULL",
            (run_id,),
        ).fetchone()
        return int(row[0]), int(row[1])

    def batch(self, batch_id: int) -> Batch | None:
        row = self._conn.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return None if row is None else batch_from_row(row)

    # ------------------------------------------------------------------ internals
    @property
    def _conn(self) -> sqlite3.Connection:
        return self._store.conn

    def _with_refs(self, rows: list[sqlite3.Row]) -> list[LedgerRecord]:
        by_record: dict[int, list[tuple[str, int | None]]] = {}
        ids = [row["id"] for row in rows]
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for ref in self._conn.execute(
                "SELECT f.record_id, f.path, t.b24_id FROM refs AS f "
                "LEFT JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key "
                f"WHERE f.record_id IN ({marks}) ORDER BY f.record_id, f.path",
                chunk,
            ):
                by_record.setdefault(ref[0], []).append((ref[1], ref[2]))
        return [record_from_row(row, tuple(by_record.get(row["id"], ()))) for row in rows]

    @staticmethod
    def _batch_run(conn: sqlite3.Connection, batch_id: int) -> int:
        row = conn.execute("SELECT run_id FROM batches WHERE id = ?", (batch_id,)).fetchone()
        if row is None:
            raise CheckpointError(f"batch {batch_id} is not in the ledger")
        return int(row[0])

    @staticmethod
    def _check_in_batch(conn: sqlite3.Connection, record_id: int, batch_id: int) -> None:
        row = conn.execute(
            "SELECT state, batch_id FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        if row is None or row["state"] != State.SENDING or row["batch_id"] != batch_id:
            raise CheckpointError(f"record {record_id} is not `sending` in batch {batch_id}")


def _apply_outcome(conn: sqlite3.Connection, outcome: Outcome, run_id: int, now: str) -> None:
    if isinstance(outcome, Written):
        before = conn.execute(
            "SELECT entity, source_key, b24_id FROM records WHERE id = ?", (outcome.record_id,)
        ).fetchone()
        if before["b24_id"] is None and outcome.b24_id is not None:
            resolve_referrers(conn, before["entity"], before["source_key"])
        conn.execute(
            "UPDATE records SET state = 'done', last_error = NULL, updated_at = :now, "
            "b24_id = COALESCE(:b24_id, b24_id), "
            "created_run_id = CASE WHEN op = 'create' THEN :run_id ELSE created_run_id END "
            "WHERE id = :id",
            {"now": now, "b24_id": outcome.b24_id, "run_id": run_id, "id": outcome.record_id},
        )
    elif isinstance(outcome, NotSent):
        conn.execute(
            "UPDATE records SET state = 'planned', batch_id = NULL, last_error = ?, "
            "updated_at = ? WHERE id = ?",
            (outcome.reason, now, outcome.record_id),
        )
    elif isinstance(outcome, Refused):
        conn.execute(
            "UPDATE records SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?",
            (outcome.error, now, outcome.record_id),
        )
    else:
        assert isinstance(outcome, Unknown)
        conn.execute(
            "UPDATE records SET last_error = ?, updated_at = ? WHERE id = ?",
            (outcome.reason, now, outcome.record_id),
        )


def _bind_meta(store: Store, originator: str | None) -> str:
    version = store.meta("schema_version")
    if version is not None and int(version) > SCHEMA_VERSION:
        raise CheckpointError(
            f"the ledger `{store.path}` was written by a newer b24migrate "
            f"(schema {version}, this one reads {SCHEMA_VERSION})",
            next_step="upgrade b24migrate",
        )
    stored = store.meta("originator")
    if stored is None:
        if originator is None:
            raise CheckpointError(f"the ledger `{store.path}` has no migration name")
        with store.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) "
                "VALUES ('originator', ?), ('schema_version', ?)",
                (originator, str(SCHEMA_VERSION)),
            )
        stored = store.meta("originator")
        assert stored is not None
    if originator is not None and originator != stored:
        raise CheckpointError(
            f"the ledger `{store.path}` belongs to migration `{stored}`, not `{originator}`",
            next_step="keep the migration name in `migration.yaml` unchanged for the life of "
            "the workspace: records already loaded are found by it",
        )
    return stored


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
