"""What `b24migrate dedupe` decided, kept so that `plan` merges exactly that and nothing more.

The `dedupe` command records ``.b24migrate/dedupe_merges.json``: per entity, every absorbed
source key and the key of the record it was merged into — what the client saw in
duplicates.xlsx. The orchestrator hands the plan a dedupe result only when this record exists
(without it, dedupe never ran and nothing is merged); a merge the stage finds now that the
record does not hold (the data changed since) is kept apart (:func:`unshown_merges`), so no
merge reaches the portal that nobody was shown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from migrate.dedupe.decisions import Decisions
from migrate.errors import ConfigError

__all__ = ["MERGES_FILE", "load_merges", "record_merges", "unshown_merges"]

MERGES_FILE = ".b24migrate/dedupe_merges.json"


def record_merges(root: Path, key_maps: Mapping[str, Mapping[str, str]]) -> Path:
    """Store the merges of a dedupe run (``entity → {absorbed: survivor}``), atomically."""
    path = root / MERGES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = {
        entity: {a: s for a, s in sorted(key_map.items()) if a != s}
        for entity, key_map in key_maps.items()
    }
    temporary = path.with_suffix(".tmp")
    text = json.dumps({"version": 1, "entities": merged}, ensure_ascii=False, indent=1)
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def load_merges(root: Path) -> dict[str, dict[str, str]] | None:
    """The stored merges, or ``None`` when dedupe has not run in this workspace."""
    path = root / MERGES_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {e: {str(a): str(s) for a, s in m.items()} for e, m in data["entities"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"`{path}`: the record of the last dedupe run is damaged ({exc})",
            next_step="run `b24migrate dedupe` again",
        ) from exc


def unshown_merges(
    key_maps: Mapping[str, Mapping[str, str]], shown: Mapping[str, Mapping[str, str]]
) -> dict[str, Decisions]:
    """Per entity, the merges of ``key_maps`` (absorbed → survivor) that ``shown`` (the record
    of the last `dedupe`) does not hold, as decisions to keep those pairs apart."""
    out = {}
    for entity, key_map in key_maps.items():
        decided = shown.get(entity, {})
        new = [(a, s) for a, s in key_map.items() if a != s and decided.get(a) != s]
        if new:
            out[entity] = Decisions.build(separate=new)
    return out
