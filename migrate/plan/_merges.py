"""Every merge the plan applies, with where each record was in the source (for plan.xlsx).

The plan merges only what `b24migrate dedupe` decided: the orchestrator hands it the dedupe
result only after `dedupe` has run, with any merge the client was not shown kept apart
(:mod:`migrate.dedupe.decided`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["Merge", "listed_merges"]


@dataclass(frozen=True, slots=True)
class Merge:
    """One record merged into another: both keys, and where each row was in the source."""

    entity: str
    absorbed: str
    survivor: str
    source: str = ""
    row: int | None = None
    survivor_source: str = ""
    survivor_row: int | None = None


def listed_merges(
    tables: Mapping[str, pd.DataFrame], key_maps: Mapping[str, Mapping[str, str]]
) -> tuple[Merge, ...]:
    """One :class:`Merge` per absorbed record of ``key_maps`` (entity → absorbed → survivor),
    located in the clean ``tables``."""
    return tuple(m for e, k in key_maps.items() if e in tables for m in _listed(e, tables[e], k))


def _listed(entity: str, table: pd.DataFrame, key_map: Mapping[str, str]) -> list[Merge]:
    where = {
        str(k): (str(s), None if pd.isna(r) else int(r))
        for k, s, r in zip(table["_key"], table["_source"], table["_row"], strict=True)
    }
    out = []
    for absorbed, survivor in sorted(key_map.items()):
        if absorbed == survivor:
            continue
        source, row = where.get(absorbed, ("", None))
        kept_source, kept_row = where.get(survivor, ("", None))
        out.append(Merge(entity, absorbed, survivor, source, row, kept_source, kept_row))
    return out
