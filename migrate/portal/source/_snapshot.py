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
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["SOURCE_DIR", "Snapshot", "TableState"]

SOURCE_DIR = Path(".b24migrate") / "source_portal"  # Workspace.source_portal_dir
ROW = "_row"


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
        return TableState(found.get("watermark"), int(found.get("rows", 0)),
                          str(found.get("read_at", "")), portal)  # fmt: skip

    def write(self, table: str, rows: Sequence[Mapping[str, str]], state: TableState,
              *, merge: bool, columns: Sequence[str] = (),
              present: Collection[str] | None = None) -> tuple[int, int]:  # fmt: skip
        """Store ``rows`` (merged by ``ID`` into the snapshot with ``merge``); rows held and
        records dropped.

        ``columns`` are there even when no row has them (an empty table keeps its header).
        ``present``: every id the portal holds now; a record of another id is dropped (it was
        deleted in the source).
        """
        frame = _frame(rows, columns)
        if merge and self.path(table).is_file():
            frame = _merged(pd.read_parquet(self.path(table)), frame)
        gone = 0
        if present is not None and "ID" in frame:
            kept = frame["ID"].isin(set(present))
            gone = frame.loc[~kept, "ID"].nunique()
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


def _merged(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` without the records ``new`` brings again, then ``new``; in ``ID`` order."""
    kept = old.drop(columns=[ROW], errors="ignore")
    kept = kept[~kept["ID"].isin(set(new["ID"]))] if "ID" in kept else kept
    both = pd.concat([kept, new], ignore_index=True).fillna("").astype(str)
    order = pd.to_numeric(both["ID"], errors="coerce")
    return both.iloc[order.argsort(kind="stable")]
