"""Portal state: SQLite (WAL) on disk or in memory, with an in-memory copy for fast reads.

Every record is a JSON document in table ``records(kind, id)``; id sequences live beside it.
All writes of one HTTP request (one batch) go into one transaction: :meth:`Store.transaction`
commits them together or rolls the database and the memory copy back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
"""

Record = dict[str, Any]


class Store:
    """Records by kind (``contact``, ``company``, ``user``, …) and id, plus id sequences."""

    def __init__(self, data_dir: Path | None) -> None:
        if data_dir is None:
            target = ":memory:"
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            target = str(data_dir / "portal.sqlite")
        self.path = None if data_dir is None else Path(target)
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._tables: dict[str, dict[int, Record]] = {}
        self._seq: dict[str, int] = {}
        for kind, rid, data in self._db.execute("SELECT kind, id, data FROM records ORDER BY id"):
            self._tables.setdefault(kind, {})[rid] = json.loads(data)
        for kind, next_id in self._db.execute("SELECT kind, next_id FROM sequences"):
            self._seq[kind] = next_id
        self._undo: list[tuple[str, int, Record | None]] | None = None
        self._dirty: dict[tuple[str, int], Record | None] = {}
        self._seq_dirty: set[str] = set()
        self._seq_undo: dict[str, int] = {}

    def close(self) -> None:
        self._db.close()

    # -- reads ------------------------------------------------------------------------------
    def table(self, kind: str) -> dict[int, Record]:
        """All records of ``kind`` by id, in id order (do not mutate)."""
        return self._tables.get(kind, {})

    def get(self, kind: str, rid: int) -> Record | None:
        return self._tables.get(kind, {}).get(rid)

    def count(self, kind: str) -> int:
        return len(self._tables.get(kind, {}))

    def kinds(self) -> list[str]:
        return sorted(k for k, t in self._tables.items() if t)

    # -- writes -----------------------------------------------------------------------------
    def next_id(self, kind: str) -> int:
        if kind not in self._seq_undo:
            self._seq_undo[kind] = self._seq.get(kind, 1)
        rid = self._seq.get(kind, 1)
        self._seq[kind] = rid + 1
        self._seq_dirty.add(kind)
        return rid

    def insert(self, kind: str, record: Record) -> int:
        rid = self.next_id(kind)
        record["ID"] = rid
        self.put(kind, rid, record)
        return rid

    def put(self, kind: str, rid: int, record: Record) -> None:
        table = self._tables.setdefault(kind, {})
        self._remember(kind, rid, table.get(rid))
        table[rid] = record
        self._dirty[(kind, rid)] = record

    def delete(self, kind: str, rid: int) -> None:
        table = self._tables.get(kind, {})
        if rid in table:
            self._remember(kind, rid, table.pop(rid))
            self._dirty[(kind, rid)] = None

    def _remember(self, kind: str, rid: int, old: Record | None) -> None:
        if self._undo is not None:
            self._undo.append((kind, rid, old))

    # -- transactions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Apply everything done inside to memory and disk together, or to neither."""
        self._undo, self._dirty, self._seq_dirty, self._seq_undo = [], {}, set(), {}
        try:
            yield
            self._flush()
        except BaseException:
            self._rollback()
            raise
        finally:
            self._undo = None

    def _flush(self) -> None:
        if not self._dirty and not self._seq_dirty:
            return
        upserts = [
            (kind, rid, json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            for (kind, rid), rec in self._dirty.items()
            if rec is not None
        ]
        deletes = [(kind, rid) for (kind, rid), rec in self._dirty.items() if rec is None]
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", upserts)
            db.executemany("DELETE FROM records WHERE kind = ? AND id = ?", deletes)
            db.executemany(
                "INSERT OR REPLACE INTO sequences VALUES (?, ?)",
                [(kind, self._seq[kind]) for kind in self._seq_dirty],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._dirty, self._seq_dirty = {}, set()

    def _rollback(self) -> None:
        touched: set[str] = set()
        for kind, rid, old in reversed(self._undo or []):
            table = self._tables.setdefault(kind, {})
            touched.add(kind)
            if old is None:
                table.pop(rid, None)
            else:
                table[rid] = old
        for kind in touched:  # keep every table in id order
            self._tables[kind] = dict(sorted(self._tables[kind].items()))
        self._seq.update(self._seq_undo)
        self._dirty, self._seq_dirty, self._seq_undo = {}, set(), {}
