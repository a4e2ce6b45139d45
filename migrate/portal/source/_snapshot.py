"""The source portal's tables kept in the workspace: Parquet snapshots and their watermarks.

``.b24migrate/source_portal/<table>.parquet`` holds what the last reads gave (text cells and
``_row``), ``state.json`` when each table was read, from which portal, and its watermark: the
portal's time when that read began. A later read asks only for records modified at or after the
watermark and merges them in by ``ID`` (a changed record replaces all its rows: a deal's
product lines come whole). A snapshot is written atomically when its table is read in full,
so a read killed mid-way keeps every table finished before the kill and the next read goes
on from there (the unfinished table is read again from its last watermark).

A read of the changes alone cannot see a record deleted in the source, so it also lists the
ids the portal still holds (``select: [ID]``, cheap) and the snapshot drops every record
whose id is gone: the plan's cut-over then lists it as *gone* (never deleted in the target).

A record's key is its ``ID``, except for smart-process items: two smart processes number
their items each from 1, so an item is ``<ENTITY_TYPE_ID>:<ID>`` (:data:`KEYS`). A snapshot
written before its table had its key columns is read again whole (:meth:`Snapshot.state`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

__all__ = ["KEYS", "SOURCE_DIR", "Snapshot", "TableState", "record_keys"]

SOURCE_DIR = Path(".b24migrate") / "source_portal"  # Workspace.source_portal_dir
ROW = "_row"
KEYS: dict[str, tuple[str, ...]] = {"smart_process": ("ENTITY_TYPE_ID", "ID")}
"""Tables whose records an ``ID`` alone does not name (the others: ``("ID",)``)."""


def record_keys(table: str, frame: pd.DataFrame) -> pd.Series:
    """Each row's record key (``ID``; ``128:5`` for a smart-process item)."""
    columns = KEYS.get(table, ("ID",))
    if len(columns) == 1:
        return frame[columns[0]]
    return frame[list(columns)].astype(str).agg(":".join, axis=1)


@dataclass(frozen=True, slots=True)
class TableState:
    """How far one table has been read: its watermark, rows held, when, from which portal."""

    watermark: str | None
    rows: int
    read_at: str
    portal: str


class Snapshot:
    """The snapshots of one workspace (``root`` is the workspace folder)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / SOURCE_DIR

    def path(self, table: str) -> Path:
        """Where ``table``'s snapshot lives (it may not exist yet)."""
        return self.folder / f"{table}.parquet"

    def state(self, table: str, portal: str) -> TableState | None:
        """The table's state if it was read from ``portal`` and its snapshot is there."""
        found = self._states().get(table)
        if found is None or found.get("portal") != portal or not self.path(table).is_file():
            return None
        held = set(pq.read_schema(self.path(table)).names)
        if not set(KEYS.get(table, ("ID",))) <= held:  # kept before its key existed: whole
            return None
        return TableState(found.get("watermark"), int(found.get("rows", 0)),
                          str(found.get("read_at", "")), portal)  # fmt: skip

    def write(self, table: str, rows: Sequence[Mapping[str, str]], state: TableState,
              *, merge: bool, columns: Sequence[str] = (),
              present: Collection[str] | None = None) -> tuple[int, int]:  # fmt: skip
        """Store ``rows`` (merged by ``ID`` into the snapshot with ``merge``); rows held and
        records dropped.

        ``columns`` are there even when no row has them (an empty table keeps its header).
        ``present``: every record key (:func:`record_keys`) the portal holds now; a record of
        another key is dropped (it was deleted in the source).
        """
        frame = _frame(rows, columns)
        if merge and self.path(table).is_file():
            frame = _merged(table, pd.read_parquet(self.path(table)), frame)
        gone = 0
        if present is not None and "ID" in frame:
            keys = record_keys(table, frame)
            kept = keys.isin(set(present))
            gone = keys[~kept].nunique()
            frame = frame[kept]
        frame = frame.reset_index(drop=True)
        frame[ROW] = range(1, len(frame) + 1)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.path(table).with_suffix(".tmp")
        frame.to_parquet(temp, index=False)
        os.replace(temp, self.path(table))
        states = self._states()
        states[table] = {"watermark": state.watermark, "rows": len(frame),
                         "read_at": state.read_at, "portal": state.portal}  # fmt: skip
        self._write_states(states)
        return len(frame), int(gone)

    def _states(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads((self.folder / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data.get("tables", {}) if isinstance(data, dict) else {}

    def _write_states(self, states: Mapping[str, Any]) -> None:
        temp = self.folder / "state.tmp"
        temp.write_text(json.dumps({"tables": states}, ensure_ascii=False, indent=1), "utf-8")
        os.replace(temp, self.folder / "state.json")


def _frame(rows: Sequence[Mapping[str, str]], extra: Sequence[str]) -> pd.DataFrame:
    columns = list(dict.fromkeys([*(k for row in rows for k in row), *extra]))
    frame = pd.DataFrame(list(rows), columns=columns or ["ID"])
    return frame.fillna("").astype(str)


def _merged(table: str, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` without the records ``new`` brings again, then ``new``; in ``ID`` order."""
    kept = old.drop(columns=[ROW], errors="ignore")
    if "ID" in kept and len(kept) and len(new):
        kept = kept[~record_keys(table, kept).isin(set(record_keys(table, new)))]
    both = pd.concat([kept, new], ignore_index=True).fillna("").astype(str)
    order = pd.to_numeric(both["ID"], errors="coerce")
    return both.iloc[order.argsort(kind="stable")]
