"""Another Bitrix24 portal as a live source: its tables read over REST, only read.

```python
async with open_source_portal(workspace, config) as client:     # read-only client
    done = await read_source_portal(client, ["company", "deal"], workspace.root, portal=...)
```

Each source table (``sources: {deal: {portal: deal}}`` in `migration.yaml`) is read through
the workspace's ``source_portal`` connection into the same kind of raw table a file export
gives (:mod:`._read`: one column per REST field, list values by meaning, product rows as
``LINE …`` columns, links as source ids) and kept as a Parquet snapshot
(:mod:`._snapshot`), which the prepare stage reads like any source file. A second read asks
only for what changed since the last one (``>=DATE_MODIFY``) where the portal can say so,
and for the ids the portal still holds: a record deleted in the source leaves the snapshot
(``TableRead.gone``) and the plan lists it as gone for the cut-over, never deleting it.

The watermark is the portal's own clock (``server.time``, api-reference/common/system/
server-time.md) when the read began, not the newest ``DATE_MODIFY`` seen: a record changed
while the table was being read is newer than the watermark and is read again next time, and
the local clock's skew plays no part.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loaders.client import Bitrix24Client
from loaders.errors import PortalError
from migrate.errors import PortalTerminalError, PortalTransientError
from migrate.portal.source._fields import SourceUserField, read_user_fields, write_user_fields
from migrate.portal.source._history import FILES_DIR
from migrate.portal.source._meta import SourceMeta, read_source_meta
from migrate.portal.source._read import LINE_FIELDS, REQUISITE_FIELDS, TableReader
from migrate.portal.source._snapshot import SOURCE_DIR, Snapshot, TableState
from migrate.progress import ProgressCallback, emit

__all__ = [
    "INCREMENTAL",
    "LINE_FIELDS",
    "REQUISITE_FIELDS",
    "SOURCE_DIR",
    "SourceMeta",
    "SourceRead",
    "SourceUserField",
    "TableRead",
    "read_source_portal",
    "snapshot_path",
    "source_user_fields",
]

INCREMENTAL = ("company", "contact", "deal", "lead", "activity", "task", "smart_process",
               "requisite", "bank_detail")  # fmt: skip
"""Tables read by their modification date after the first read (``DATE_MODIFY``; activities
``LAST_UPDATED``, tasks ``CHANGED_DATE``, smart-process items ``updatedTime``; requisites and
bank details ``DATE_CREATE`` or ``DATE_MODIFY``); the others (addresses among them: they carry
no date) are read whole each time."""


@dataclass(frozen=True, slots=True)
class TableRead:
    """One table's read: records the portal gave (a deal once, whatever its product rows),
    rows the snapshot holds, whether only the changes were asked for (and since when),
    seconds spent, records dropped from the snapshot as deleted in the source, and parts
    not carried (a company's requisites beyond its first)."""

    table: str
    read: int
    rows: int
    since: str | None
    seconds: float
    gone: int = 0
    left_out: int = 0


@dataclass(frozen=True, slots=True)
class SourceRead:
    """What a read of the source portal did, table by table."""

    portal: str
    tables: tuple[TableRead, ...]


GONE_LISTED = INCREMENTAL
"""Tables whose deletions an incremental read finds (every record key the source still
holds: ``crm.<table>.list``, ``crm.activity.list``, ``tasks.task.list``, ``crm.item.list``
with ``select`` of the id alone, 2,500 a request). The tables read whole each time (comments,
products, sections) lose a deleted record with the read itself."""


def snapshot_path(root: Path, table: str) -> Path:
    """The snapshot of ``table`` in the workspace at ``root``."""
    return Snapshot(root).path(table)


def source_user_fields(root: Path) -> dict[str, dict[str, SourceUserField]]:
    """The source portal's user-field definitions the last read kept (entity → name →
    definition; ``{}`` before a read)."""
    return read_user_fields(Snapshot(root).folder)


async def read_source_portal(
    client: Bitrix24Client,
    tables: Sequence[str],
    root: Path,
    *,
    portal: str,
    full: bool = False,
    files: bool = True,
    on_progress: ProgressCallback | None = None,
) -> SourceRead:
    """Read ``tables`` from the source portal into the workspace's snapshots.

    Args:
        client: a read-only client on the source portal.
        root: the workspace folder.
        portal: the source portal as shown (redacted): snapshots of another portal are
            read again in full.
        full: read every table whole, whatever was read before.
        files: download the records' files (off: ``FILES`` cells stay empty — for measuring
            the REST reads alone, as ``bench.portal_read --rest-only`` does).
    """
    snapshot = Snapshot(root)
    try:
        began = str((await client.call("server.time")).result)
        meta = await read_source_meta(client, catalog="product" in tables)
    except PortalError as exc:
        raise _stopped(exc, portal, [], tables) from None
    reader = TableReader(client, meta, files=snapshot.folder / FILES_DIR if files else None,
                         requisites="requisite" in tables)  # fmt: skip
    write_user_fields(snapshot.folder, meta.user_fields)
    emit(on_progress, "read portal", 0, len(tables), unit="tables")
    done: list[TableRead] = []

    async def one(table: str) -> TableRead:
        read = await _read_table(reader, snapshot, table, portal, full, began)
        done.append(read)
        emit(on_progress, "read portal", len(done), len(tables), unit="tables")
        return read

    # every table at once: the client keeps the requests within the portal's limits
    results = await asyncio.gather(*(one(t) for t in tables), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        if not isinstance(failed[0], PortalError):
            raise failed[0]
        raise _stopped(failed[0], portal, [t.table for t in done], tables) from None
    emit(on_progress, "read portal", len(tables), len(tables), unit="tables", finished=True)
    return SourceRead(portal, tuple(r for r in results if isinstance(r, TableRead)))


def _stopped(
    exc: PortalError, portal: str, finished: Sequence[str], tables: Sequence[str]
) -> PortalTerminalError | PortalTransientError:
    """The read's failure as the run's error: what was kept, what to do next."""
    left = [t for t in tables if t not in finished]
    kept = f"; kept: {', '.join(finished)}" if finished else ""
    message = (f"reading the source portal {portal} stopped before `{', '.join(left)}` was read "
               f"({exc.code or type(exc).__name__}: {exc.description[:80]}){kept}")  # fmt: skip
    again = "run `b24migrate validate` again: the tables already read are not read again whole"
    if exc.transient:
        return PortalTransientError(message, next_step=again)
    return PortalTerminalError(message, next_step=f"{exc.next_step}; then {again}")


async def _read_table(
    reader: TableReader, snapshot: Snapshot, table: str, portal: str, full: bool, began: str
) -> TableRead:
    started = time.perf_counter()
    state = None if full else snapshot.state(table, portal)
    since = state.watermark if state is not None and table in INCREMENTAL else None
    read_at = datetime.now(UTC).isoformat(timespec="seconds")
    rows = await getattr(reader, table)(since)
    # after the changes: a record added meanwhile is among the ids (or read next time)
    present = await reader.ids(table) if since is not None and table in GONE_LISTED else None
    mark = began if table in INCREMENTAL else None
    held, gone = snapshot.write(table, rows, TableState(mark, 0, read_at, portal),
                                merge=since is not None, columns=reader.columns(table),
                                present=present)  # fmt: skip
    records = len({r.get("ID") for r in rows})
    seconds = round(time.perf_counter() - started, 3)
    left_out = reader.left_out.get(table, 0)
    return TableRead(table, records, held, since, seconds, gone, left_out)
