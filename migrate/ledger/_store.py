"""The SQLite file under the ledger: schema, connection settings, transactions, row decoding."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from migrate.errors import CheckpointError
from migrate.ledger._model import Batch, LedgerRecord, Op, Run, State

__all__ = ["SCHEMA_VERSION", "Clock", "Store", "from_row", "utc_now"]

_T = TypeVar("_T")

SCHEMA_VERSION = 1

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
);
CREATE TABLE IF NOT EXISTS batches (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    sent_at     TEXT NOT NULL,
    finished_at TEXT,
    size        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id             INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL,
    source_key     TEXT NOT NULL,
    op             TEXT NOT NULL CHECK (op IN ('create', 'update', 'set', 'skip')),
    state          TEXT NOT NULL CHECK (state IN ('planned', 'sending', 'done', 'failed')),
    fields         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    b24_id         INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    batch_id       INTEGER REFERENCES batches(id),
    sort_key       TEXT NOT NULL DEFAULT '',
    plan_run_id    INTEGER REFERENCES runs(id),
    created_run_id INTEGER REFERENCES runs(id),
    unresolved     INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL,
    UNIQUE (entity, source_key),
    CHECK (state <> 'sending' OR batch_id IS NOT NULL),
    CHECK (state <> 'done' OR op = 'set' OR b24_id IS NOT NULL),
    CHECK (op = 'create' OR op = 'set' OR b24_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS records_work ON records (state, entity, unresolved, sort_key, id);
CREATE INDEX IF NOT EXISTS records_batch ON records (batch_id);
CREATE INDEX IF NOT EXISTS records_created ON records (created_run_id);
CREATE TABLE IF NOT EXISTS refs (
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    ref_entity TEXT NOT NULL,
    ref_key    TEXT NOT NULL,
    PRIMARY KEY (record_id, path)
);
CREATE INDEX IF NOT EXISTS refs_target ON refs (ref_entity, ref_key);
CREATE TABLE IF NOT EXISTS plan_issues (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id),
    entity     TEXT NOT NULL,
    source_key TEXT NOT NULL,
    rule       TEXT NOT NULL,
    message    TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    source     TEXT NOT NULL,
    sheet      TEXT NOT NULL,
    row        INTEGER
);
"""

RECORD_COLUMNS = (
    "id, entity, source_key, op, state, fields, content_hash, b24_id, attempts, last_error, "
    "batch_id, sort_key, created_run_id"
)


class Store:
    """One connection to the ledger file, in WAL mode with full fsync on commit."""

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        try:
            self.conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA busy_timeout = 30000")
            self.conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed `sending` mark survives a power cut, not only a killed process;
            # losing it after the request left would let a later load send the record twice.
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not self._has_schema():  # readers of an existing ledger never wait for a writer
                self.conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")
        except sqlite3.DatabaseError as exc:
            raise CheckpointError(
                f"the ledger `{path}` cannot be opened: {exc}",
                next_step="restore the file from a backup, or move it away and run "
                "`b24migrate plan` again (records already loaded are then matched by ORIGIN_ID)",
            ) from exc

    def _has_schema(self) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        return row is not None and self.meta("schema_version") is not None

    def close(self) -> None:
        self.conn.close()

    def now(self) -> str:
        return self.clock().astimezone(UTC).isoformat()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

        Inside an open transaction (:meth:`Ledger.transaction`) it joins that one: the writes
        commit with it, or not at all.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])


def recount_unresolved(conn: sqlite3.Connection) -> None:
    """Set every planned record's count of references whose target has no portal id yet.

    `ready` reads this count instead of joining the references, so that a million blocked
    records cost nothing per batch; it is kept up to date as targets get ids and recounted
    after every plan and at the start of every load.
    """
    conn.execute(
        "UPDATE records SET unresolved = ("
        " SELECT COUNT(*) FROM refs AS f"
        " LEFT JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key"
        " WHERE f.record_id = records.id AND t.b24_id IS NULL)"
        " WHERE state = 'planned'"
    )


def resolve_referrers(conn: sqlite3.Connection, entity: str, source_key: str) -> None:
    """A record just got its first portal id: its referrers wait for one reference less."""
    conn.execute(
        "UPDATE records SET unresolved = unresolved - ("
        " SELECT COUNT(*) FROM refs AS f WHERE f.record_id = records.id"
        " AND f.ref_entity = :entity AND f.ref_key = :key)"
        " WHERE id IN (SELECT record_id FROM refs WHERE ref_entity = :entity AND ref_key = :key)",
        {"entity": entity, "key": source_key},
    )


def to_datetime(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def from_row(cls: type[_T], row: sqlite3.Row, **converted: Any) -> _T:
    """An instance of the dataclass ``cls`` from the same-named columns of ``row``.

    ``converted`` gives the fields whose column needs decoding (enums, JSON, timestamps).
    """
    names = [f.name for f in dataclasses.fields(cls) if f.name not in converted]  # type: ignore[arg-type]
    return cls(**{name: row[name] for name in names}, **converted)


def record_from_row(
    row: sqlite3.Row, ref_ids: tuple[tuple[str, int | None], ...] = ()
) -> LedgerRecord:
    return from_row(
        LedgerRecord,
        row,
        op=Op(row["op"]),
        state=State(row["state"]),
        fields=json.loads(row["fields"]),
        ref_ids=ref_ids,
    )


def run_from_row(row: sqlite3.Row) -> Run:
    return from_row(
        Run,
        row,
        started_at=datetime.fromisoformat(row["started_at"]),
        finished_at=to_datetime(row["finished_at"]),
    )


def batch_from_row(row: sqlite3.Row) -> Batch:
    return from_row(
        Batch,
        row,
        sent_at=datetime.fromisoformat(row["sent_at"]),
        finished_at=to_datetime(row["finished_at"]),
    )


def rowid(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote."""
    value = cursor.lastrowid
    assert value is not None
    return value
