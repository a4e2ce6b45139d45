"""Dedupe a whole workspace: its CleanTables, its rules, its decisions, its review workbook.

``migration.yaml`` may hold a ``dedupe:`` block per entity; a block without ``comparisons``
refines the shipped rules (``thresholds``, ``limits``, ``survivorship`` …), a block with them
replaces the rules, ``false`` (or ``enabled: false``) skips the entity. Decisions read from an
edited workbook are added to the workspace's store first, and every stored decision binds.
References of the other tables (``COMPANY_ID``, ``CONTACT_IDS`` …) are re-pointed to survivors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mappings.entities import REGISTRY, where
from migrate.dedupe.decided import record_merges
from migrate.dedupe.decisions import Decisions, DecisionStore
from migrate.dedupe.engine import DedupeResult, dedupe_table
from migrate.dedupe.rules import Rules, parse_rules, preset_names
from migrate.dedupe.survive import repoint_references
from migrate.errors import ConfigError
from migrate.progress import ProgressCallback, emit

__all__ = ["REFERENCES", "WorkspaceDedupe", "dedupe_workspace", "rules_from_config"]

ENTITIES = where(dedupe=True)
REFERENCES: dict[str, tuple[str, ...]] = {e: REGISTRY[e].references for e in ENTITIES}


@dataclass(frozen=True, slots=True)
class WorkspaceDedupe:
    """Results per entity, every table with survivors and re-pointed references, the report."""

    results: Mapping[str, DedupeResult]
    tables: Mapping[str, pd.DataFrame]
    report: Path
    decisions_read: Mapping[str, Decisions]


def rules_from_config(block: Mapping[str, Any], entity: str, language: str) -> Rules | None:
    """The rules of ``entity`` from the raw ``dedupe:`` block (``None``: not deduplicated)."""
    raw = block.get(entity, {})
    if raw is False or (isinstance(raw, Mapping) and raw.get("enabled") is False):
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"`migration.yaml`: `dedupe.{entity}` must be a mapping or false")
    data = {k: v for k, v in raw.items() if k != "enabled"}
    if "comparisons" not in data:
        if entity not in preset_names():
            return None
        data.setdefault("base", entity)
    data.setdefault("language", language)
    return parse_rules(data, entity=entity, where=f"migration.yaml: dedupe.{entity}")


def dedupe_workspace(
    root: Path,
    *,
    decisions_file: Path | None = None,
    progress: Callable[[str], None] | None = None,
    on_progress: ProgressCallback | None = None,
    prepared: Any = None,
) -> WorkspaceDedupe:
    """Prepare the workspace's CleanTables, dedupe each entity and write reports/duplicates.xlsx.

    ``progress`` gets one line per step; ``on_progress`` a tick per entity (step ``dedupe
    ENTITY``, in records) and the prepare stage's ticks. ``prepared`` (a ``PreparedData``)
    skips preparing again when the caller just did.
    """
    from migrate.prepare.stage import prepare
    from migrate.reports.duplicates_xlsx import read_decisions, write_duplicates_xlsx
    from migrate.workspace.config import Workspace

    workspace = Workspace.at(root)
    data = prepared if prepared is not None else prepare(workspace, on_progress=on_progress)
    config = data.config
    block = dict(config.dedupe)
    rules = {e: r for e in ENTITIES if e in data.tables
             and (r := rules_from_config(block, e, config.language)) is not None}  # fmt: skip
    store = DecisionStore.for_workspace(workspace.root)
    read = read_decisions(decisions_file) if decisions_file else {}
    stored = store.record(read) if read else store.load()
    results = {}
    for entity, entity_rules in rules.items():
        size = len(data.tables[entity])
        emit(on_progress, f"dedupe {entity}", 0, size, unit="records")
        results[entity] = dedupe_table(
            data.tables[entity], entity_rules, decisions=stored.get(entity), progress=progress
        )
        emit(on_progress, f"dedupe {entity}", size, size, unit="records", finished=True)
    tables = repoint_tables(data.tables, results)
    record_merges(workspace.root, {e: r.key_map for e, r in results.items()})
    report = workspace.reports_dir / "duplicates.xlsx"
    write_duplicates_xlsx(report, results, data.tables, language=config.language)
    return WorkspaceDedupe(results, tables, report, read)


def repoint_tables(
    tables: Mapping[str, pd.DataFrame], results: Mapping[str, DedupeResult]
) -> dict[str, pd.DataFrame]:
    """Deduplicated entities become their survivors; every table's references follow merges."""
    out = {e: (results[e].survivors if e in results else t) for e, t in tables.items()}
    for entity, result in results.items():
        columns = REFERENCES.get(entity, ())
        for name, table in out.items():
            if name != entity and any(c in table.columns for c in columns):
                out[name] = repoint_references(table, result.key_map, columns)
    return out
