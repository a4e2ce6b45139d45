"""Choosing part of the ledger: what `retry` re-sends, and what waits on it.

A load normally sends every ``planned`` record. `retry` sends exactly the records it chose
(the failed ones, what they need and what waits on them): :func:`select` puts their ids in a
temporary table of the load's own connection, and the queries that feed the scheduler read
only those while it exists. Nothing of the choice is stored: a later `load` sends everything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

__all__ = ["dependents", "needed", "select", "selected", "unselect"]

_TEMP = "CREATE TEMP TABLE IF NOT EXISTS selected (id INTEGER PRIMARY KEY)"


def select(conn: sqlite3.Connection, ids: Iterable[int]) -> None:
    """Restrict the load's queries to ``ids`` (replacing an earlier choice)."""
    conn.execute(_TEMP)
    conn.execute("DELETE FROM temp.selected")
    conn.executemany("INSERT OR IGNORE INTO temp.selected VALUES (?)", [(i,) for i in ids])


def unselect(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS temp.selected")


def selected(conn: sqlite3.Connection) -> bool:
    """Whether a choice is in force."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'selected'"
    ).fetchone()
    return row is not None


def dependents(
    conn: sqlite3.Connection, ids: Iterable[int], states: Sequence[str] = ("planned",)
) -> set[int]:
    """Records in ``states`` that refer, directly or through others, to the records ``ids``."""
    wanted = ", ".join(f"'{state}'" for state in states if state.isalpha())
    return _closure(
        conn,
        ids,
        # from the targets by id, through the index on refs' targets (CROSS JOIN keeps SQLite
        # from scanning every reference instead)
        "SELECT DISTINCT f.record_id FROM records AS t "
        "CROSS JOIN refs AS f ON f.ref_entity = t.entity AND f.ref_key = t.source_key "
        "CROSS JOIN records AS r ON r.id = f.record_id "
        f"WHERE t.id IN ({{marks}}) AND r.state IN ({wanted})",
    )


def needed(conn: sqlite3.Connection, ids: Iterable[int]) -> set[int]:
    """Records without a portal id that the records ``ids`` refer to, transitively, and that
    a load can still send (planned or failed): they must go first."""
    return _closure(
        conn,
        ids,
        "SELECT DISTINCT t.id FROM refs AS f "
        "CROSS JOIN records AS t ON t.entity = f.ref_entity AND t.source_key = f.ref_key "
        "WHERE f.record_id IN ({marks}) "
        "AND t.b24_id IS NULL AND t.state IN ('planned', 'failed')",
    )


def _closure(conn: sqlite3.Connection, ids: Iterable[int], sql: str) -> set[int]:
    found: set[int] = set()
    frontier = list(dict.fromkeys(ids))
    seen = set(frontier)
    while frontier:
        following: list[int] = []
        for chunk in _chunks(frontier):
            for (record_id,) in conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk):
                if record_id not in seen:
                    seen.add(record_id)
                    found.add(record_id)
                    following.append(record_id)
        frontier = following
    return found


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
