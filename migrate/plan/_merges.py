"""The merges `plan` applies: exactly those `dedupe` decided, each one listed in plan.xlsx.

`plan` used to run dedupe on its own, so records were merged that nobody had reviewed (the
sizes of a 1C good, merged as duplicates before `dedupe` ever ran). Now: without a dedupe run
(:mod:`migrate.dedupe.decided`) nothing is merged; with one, dedupe is run again with the same
rules and decisions so survivors keep their merged fields, and any merge it finds that the
client did not see (the data changed since) is undone by keeping those records apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["DecidedMerges", "Merge", "decided_merges"]


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


@dataclass(frozen=True, slots=True)
class DecidedMerges:
    """Tables after the decided merges, the absorbed → survivor maps, and the merges listed."""

    tables: dict[str, pd.DataFrame]
    survivors: dict[str, dict[str, str]]
    merges: tuple[Merge, ...]
    ran: bool  # dedupe ran in this workspace
    held_back: int = 0  # merges found now that dedupe had not decided (kept apart)


def decided_merges(root: Path, tables: Mapping[str, pd.DataFrame], config: Any) -> DecidedMerges:
    """Apply the merges the workspace's last dedupe run decided (see the module docs)."""
    from migrate.dedupe.decided import load_merges

    stored = load_merges(root)
    if stored is None:
        return DecidedMerges(dict(tables), {}, (), False)
    results, held_back = {}, 0
    for entity, decided in stored.items():
        table = tables.get(entity)
        if table is None or table.empty:
            continue
        result, extra = _dedupe_as_decided(root, entity, table, decided, config)
        if result is not None:
            results[entity] = result
            held_back += extra
    return _applied(tables, results, held_back)


def _dedupe_as_decided(
    root: Path, entity: str, table: pd.DataFrame, decided: Mapping[str, str], config: Any
) -> tuple[Any, int]:
    from migrate.dedupe import Decisions, DecisionStore, dedupe_table
    from migrate.dedupe.workspace import rules_from_config

    rules = rules_from_config(dict(config.dedupe), entity, config.language)
    if rules is None:
        return None, 0
    decisions = DecisionStore.for_workspace(root).get(entity)
    result = dedupe_table(table, rules, decisions=decisions, explain=False)
    new = {(a, s) for a, s in result.key_map.items() if a != s and decided.get(a) != s}
    if not new:
        return result, 0
    apart = Decisions.build(separate=new)
    result = dedupe_table(table, rules, decisions=decisions.updated_by(apart), explain=False)
    return result, len(new)


def _applied(
    tables: Mapping[str, pd.DataFrame], results: Mapping[str, Any], held_back: int
) -> DecidedMerges:
    from migrate.dedupe.workspace import repoint_tables

    merged = repoint_tables(tables, results)
    merged = {e: t.drop(columns=["_absorbed"], errors="ignore") for e, t in merged.items()}
    survivors = {e: dict(r.key_map) for e, r in results.items()}
    merges = tuple(m for e in results for m in _listed(e, tables[e], survivors[e]))
    return DecidedMerges(merged, survivors, merges, True, held_back)


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
