"""Writing a plan into the ledger: the content-hash delta that makes a re-run an update."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable

from migrate.errors import CheckpointError
from migrate.ledger._model import Op, PlannedRecord, PlanSummary, State, dump_json
from migrate.ledger._store import Store, recount_unresolved, rowid

__all__ = ["REQUEUED_META", "apply_plan", "requeued_failures"]

#: Ledger setting: ids of the failed records the latest plan gave new content (a fix reached
#: them: `retry` re-sends them although they are ``planned`` again, not ``failed``).
REQUEUED_META = "plan.requeued_failed"


def apply_plan(store: Store, run_id: int, records: Iterable[PlannedRecord]) -> PlanSummary:
    """Upsert every planned record in one transaction (see :meth:`Ledger.apply_plan`)."""
    counts: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str]] = set()
    fixed: list[int] = []
    with store.write() as conn:
        now = store.now()
        for record in records:
            identity = (record.entity, record.source_key)
            if identity in seen:
                raise CheckpointError(
                    f"the plan holds `{record.entity}` `{record.source_key}` twice",
                    next_step="make the source keys unique (dedupe maps absorbed keys to one "
                    "survivor) and run `b24migrate plan` again",
                )
            seen.add(identity)
            outcome = _upsert(conn, run_id, now, record, fixed)
            counts[(record.entity, outcome)] += 1
        recount_unresolved(conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (REQUEUED_META, json.dumps(fixed)),
        )
    return PlanSummary(counts=dict(counts))


def requeued_failures(store: Store) -> list[int]:
    """The ids the latest plan re-queued from ``failed`` (see :data:`REQUEUED_META`)."""
    try:
        return [int(i) for i in json.loads(store.meta(REQUEUED_META) or "[]")]
    except (ValueError, TypeError):
        return []


def _upsert(
    conn: sqlite3.Connection, run_id: int, now: str, record: PlannedRecord, fixed: list[int]
) -> str:
    row = conn.execute(
        "SELECT id, op, state, content_hash, b24_id FROM records "
        "WHERE entity = ? AND source_key = ?",
        (record.entity, record.source_key),
    ).fetchone()
    digest = record.content_hash
    if row is None:
        _insert(conn, run_id, now, record, digest)
        return "new"
    state, b24_id = State(row["state"]), row["b24_id"] or record.b24_id
    if state is State.SENDING:
        return "in_flight"
    same = row["content_hash"] == digest
    if state is State.DONE and (
        record.op is Op.SKIP or (same and not _skip_became_update(row["op"], record.op))
    ):
        return "unchanged"
    if state is State.FAILED and same and record.op is not Op.SKIP:
        return "still_failed"
    if state is State.PLANNED and same and record.op is not Op.SKIP:
        return "unchanged"
    _replace(conn, run_id, now, row["id"], record, digest, b24_id)
    if state is State.FAILED and record.op is not Op.SKIP:
        fixed.append(int(row["id"]))
    return "changed" if state is State.DONE else "replanned"


def _skip_became_update(old_op: str, new_op: Op) -> bool:
    return old_op == Op.SKIP and new_op is Op.UPDATE


def _op_for(op: Op, b24_id: int | None) -> Op:
    """A record that already has a portal id is updated, never created again."""
    return Op.UPDATE if op is Op.CREATE and b24_id is not None else op


def _insert(
    conn: sqlite3.Connection, run_id: int, now: str, record: PlannedRecord, digest: str
) -> None:
    _check_ids(record, record.b24_id)
    state = State.DONE if record.op is Op.SKIP else State.PLANNED
    cursor = conn.execute(
        "INSERT INTO records (entity, source_key, op, state, fields, content_hash, b24_id, "
        "sort_key, plan_run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.entity,
            record.source_key,
            str(_op_for(record.op, record.b24_id)),
            str(state),
            dump_json(record.fields),
            digest,
            record.b24_id,
            record.sort_key,
            run_id,
            now,
        ),
    )
    _write_refs(conn, rowid(cursor), record)


def _replace(
    conn: sqlite3.Connection,
    run_id: int,
    now: str,
    record_id: int,
    record: PlannedRecord,
    digest: str,
    b24_id: int | None,
) -> None:
    """Give a planned, failed or done record new content (and a skip its new state)."""
    _check_ids(record, b24_id)
    state = State.DONE if record.op is Op.SKIP else State.PLANNED
    conn.execute(
        "UPDATE records SET op = ?, state = ?, fields = ?, content_hash = ?, b24_id = ?, "
        "sort_key = ?, plan_run_id = ?, batch_id = NULL, updated_at = ?, "
        # a failed record keeps the portal's last text: `retry` shows why it is sent again
        "last_error = CASE WHEN state = 'failed' THEN last_error END "
        "WHERE id = ?",
        (
            str(_op_for(record.op, b24_id)),
            str(state),
            dump_json(record.fields),
            digest,
            b24_id,
            record.sort_key,
            run_id,
            now,
            record_id,
        ),
    )
    conn.execute("DELETE FROM refs WHERE record_id = ?", (record_id,))
    _write_refs(conn, record_id, record)


def _check_ids(record: PlannedRecord, b24_id: int | None) -> None:
    if record.op in (Op.UPDATE, Op.SKIP) and b24_id is None:
        raise CheckpointError(
            f"`{record.entity}` `{record.source_key}`: op `{record.op}` needs the portal id "
            "of the existing record",
            next_step="this is a bug in the plan stage; report it with the mapping files",
        )


def _write_refs(conn: sqlite3.Connection, record_id: int, record: PlannedRecord) -> None:
    conn.executemany(
        "INSERT INTO refs (record_id, path, ref_entity, ref_key) VALUES (?, ?, ?, ?)",
        [(record_id, ref.path, ref.entity, ref.source_key) for ref in record.refs],
    )
