"""Parquet snapshots of tables read from a source portal, read back as RawTables.

The portal source (:mod:`migrate.portal.source`) writes each table it reads from another
Bitrix24 as a Parquet file of text columns plus ``_row`` (the record's ordinal in the
snapshot). Reading it here, beside the file readers, lets the prepare stage treat a portal
exactly like an export: the same mapping, cleaning, validation and stage-store key (the
file's content hash).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from migrate.errors import SourceReadError
from migrate.sources._table import ROW_COLUMN, RawTable

__all__ = ["PARQUET_MAGIC", "read_snapshot"]

PARQUET_MAGIC = b"PAR1"


def read_snapshot(path: Path) -> RawTable:
    """The snapshot at ``path``: every cell text (``""`` when empty), ``_row`` as written.

    Raises:
        SourceReadError: the file is not a snapshot this tool wrote (no ``_row`` column).
    """
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise SourceReadError(
            f"the portal snapshot cannot be read ({type(exc).__name__})",
            source=str(path),
            next_step="delete the file and run `b24migrate validate` to read the portal again",
        ) from None
    if ROW_COLUMN not in frame.columns:
        raise SourceReadError(
            f"a Parquet file without `{ROW_COLUMN}` is not a portal snapshot",
            source=str(path),
            next_step="sources read from files are CSV, Excel or CommerceML",
        )
    rows = frame[ROW_COLUMN].astype("int64")
    cells = frame.drop(columns=[ROW_COLUMN]).fillna("").astype(str)
    cells[ROW_COLUMN] = rows.to_numpy()
    return RawTable(cells.reset_index(drop=True), path, "", 0)
