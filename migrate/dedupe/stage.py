"""The dedupe stage for a whole workspace: every entity's clean table, its rules, its decisions.

``migration.yaml`` may hold a ``dedupe:`` block per entity; a block without ``comparisons``
refines the shipped rules (``thresholds``, ``limits``, ``survivorship`` …), a block with them
replaces the rules, ``false`` (or ``enabled: false``) skips the entity. Every stored decision of
the client binds. References of the other tables (``COMPANY_ID``, ``CONTACT_IDS`` …, from the
entity registry) are re-pointed to survivors.

Phones that are another record's number with a digit lost or added in front
(:mod:`migrate.dedupe.phones`) become review pairs with their reason and warning rows
(``DedupedTables.damaged_phones``) for ``errors.xlsx``.

Given a :class:`~migrate.workspace.stages.StageStore`, each entity's result is kept under a key
of its inputs (the clean table's content, the rules, the entity's decisions, the code) and taken
from the store when nothing changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mappings.entities import REGISTRY, where
from migrate.dedupe.blocking import SkippedBlock
from migrate.dedupe.decisions import Decisions
from migrate.dedupe.engine import DedupeResult, DedupeStats, dedupe_table
from migrate.dedupe.phones import DamagedPhones, damaged_phones, with_reasons
from migrate.dedupe.rules import Rules, parse_rules, preset_names
from migrate.dedupe.survive import repoint_references
from migrate.errors import ConfigError
from migrate.issues import concat_issues, empty_issues
from migrate.progress import ProgressCallback, emit
from migrate.workspace.config import MigrationConfig
from migrate.workspace.stages import StageStore, Stored, code_version, content_key, frame_digest

__all__ = [
    "ENTITIES",
    "REFERENCES",
    "STAGE",
    "DedupedTables",
    "dedupe_tables",
    "repoint_tables",
    "rules_from_config",
]

STAGE = "dedupe"
ENTITIES = where(dedupe=True)
REFERENCES: dict[str, tuple[str, ...]] = {e: REGISTRY[e].references for e in ENTITIES}
_CODE = ("cleaners", "migrate.dedupe")


@dataclass(frozen=True, slots=True)
class DedupedTables:
    """Results per entity, and every table with survivors and re-pointed references.

    ``reused`` names the entities whose result came from the stage store.
    """

    results: Mapping[str, DedupeResult]
    tables: Mapping[str, pd.DataFrame]
    reused: tuple[str, ...] = ()
    damaged_phones: pd.DataFrame = dataclasses.field(default_factory=empty_issues)  # warnings

    def key_maps(self) -> dict[str, dict[str, str]]:
        """Every source key → its survivor's key, per deduplicated entity."""
        return {e: dict(r.key_map) for e, r in self.results.items()}


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


def dedupe_tables(
    tables: Mapping[str, pd.DataFrame],
    config: MigrationConfig,
    decisions: Mapping[str, Decisions],
    *,
    store: StageStore | None = None,
    on_progress: ProgressCallback | None = None,
) -> DedupedTables:
    """Dedupe every entity of ``tables`` that has rules; re-point the other tables.

    ``on_progress`` gets a tick per entity (step ``dedupe ENTITY``, in records) and the
    engine's lines (candidate pairs before scoring, clusters after) as notes.
    """
    block = dict(config.dedupe)
    results: dict[str, DedupeResult] = {}
    reused: list[str] = []
    damaged: dict[str, DamagedPhones] = {}
    for entity in ENTITIES:
        present = entity in tables and not tables[entity].empty  # every row refused: nothing
        rules = rules_from_config(block, entity, config.language) if present else None
        if rules is None:
            continue
        table, decided = tables[entity], decisions.get(entity, Decisions())
        key = content_key(STAGE, entity, code_version(*_CODE), frame_digest(table),
                          block.get(entity), config.language, _decisions_data(decided))  # fmt: skip
        found = store.get(STAGE, entity, key) if store is not None else None
        if found is not None:
            results[entity] = _result_from(entity, found)
            reused.append(entity)
            continue
        damaged[entity] = damaged_phones(table, entity, language=config.language)
        result = _dedupe_one(entity, table, rules, decided, on_progress)
        pairs = with_reasons(result.pairs, damaged[entity])  # stored with them: not twice
        results[entity] = dataclasses.replace(result, pairs=pairs)
        if store is not None:
            _store(store, key, results[entity])
    issues = [(damaged.get(e) or damaged_phones(tables[e], e, language=config.language)).issues
              for e in results]  # fmt: skip
    return DedupedTables(results, repoint_tables(tables, results), tuple(reused),
                         concat_issues(issues))  # fmt: skip


def _dedupe_one(
    entity: str,
    table: pd.DataFrame,
    rules: Rules,
    decided: Decisions,
    on_progress: ProgressCallback | None,
) -> DedupeResult:
    step, size = f"dedupe {entity}", len(table)
    emit(on_progress, step, 0, size, unit="records")
    result = dedupe_table(table, rules, decisions=decided, on_progress=on_progress)
    emit(on_progress, step, size, size, unit="records", finished=True)
    return result


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


def _decisions_data(decided: Decisions) -> dict[str, list[Any]]:
    return {
        "merge": sorted(map(list, decided.merge)),
        "separate": sorted(map(list, decided.separate)),
        "masters": sorted(decided.masters),
    }


def _store(store: StageStore, key: str, result: DedupeResult) -> None:
    stats = dataclasses.asdict(result.stats)
    data = {
        "key_map": result.key_map, "decisions": _decisions_data(result.decisions),
        "stats": stats, "language": result.language, "fields": list(result.fields),
    }  # fmt: skip
    frames = {"survivors": result.survivors, "clusters": result.clusters, "pairs": result.pairs}
    store.put(STAGE, result.entity, key, frames, data)


def _result_from(entity: str, found: Stored) -> DedupeResult:
    data = found.data
    stats = dict(data["stats"])
    stats["skipped_blocks"] = tuple(SkippedBlock(**b) for b in stats["skipped_blocks"])
    decided = data["decisions"]
    return DedupeResult(
        entity=entity,
        key_map=dict(data["key_map"]),
        survivors=found.frames["survivors"],
        clusters=found.frames["clusters"],
        pairs=found.frames["pairs"],
        model=None,
        decisions=Decisions.build(
            (tuple(p) for p in decided["merge"]),
            (tuple(p) for p in decided["separate"]),
            decided["masters"],
        ),
        stats=DedupeStats(**stats),
        language=str(data["language"]),
        fields=tuple(data["fields"]),
    )
