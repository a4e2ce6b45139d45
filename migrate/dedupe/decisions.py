"""The client's dedupe decisions and the small store that keeps them in the workspace.

A decision names source keys, never row numbers, so it still binds after the source files
change: ``merge`` (two keys are the same client), ``separate`` (two keys are different
clients), ``master`` (this key survives its cluster). A decision that names a key no longer in
the data is kept in the store and simply does not apply. The latest decision about a pair wins.

The store is one JSON file, ``.b24migrate/dedupe_decisions.json`` by default::

    {"version": 1, "entities": {"contact": {"merge": [["17", "42"]],
                                             "separate": [["17", "99"]], "master": ["42"]}}}
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from migrate.errors import ConfigError
from migrate.workspace.config import DECISIONS_FILE

__all__ = ["DECISIONS_FILE", "DecisionStore", "Decisions"]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True, slots=True)
class Decisions:
    """Decisions about one entity: pairs to merge, pairs to keep apart, chosen masters."""

    merge: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    separate: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    masters: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(
        cls,
        merge: Iterable[tuple[str, str]] = (),
        separate: Iterable[tuple[str, str]] = (),
        masters: Iterable[str] = (),
    ) -> Decisions:
        """Normalise pair order; a pair both merged and separated stays separated."""
        apart = frozenset(_pair(str(a), str(b)) for a, b in separate if a != b)
        together = frozenset(_pair(str(a), str(b)) for a, b in merge if a != b) - apart
        return cls(together, apart, frozenset(str(m) for m in masters))

    def __bool__(self) -> bool:
        return bool(self.merge or self.separate or self.masters)

    def updated_by(self, newer: Decisions) -> Decisions:
        """These decisions with ``newer`` ones on top (a newer verdict on a pair replaces ours)."""
        merge = (self.merge - newer.separate) | newer.merge
        separate = (self.separate - newer.merge) | newer.separate
        masters = set(self.masters) | set(newer.masters)
        return Decisions(frozenset(merge), frozenset(separate), frozenset(masters))

    def restricted_to(self, keys: Iterable[str]) -> Decisions:
        """Only the decisions whose keys are all present in ``keys``."""
        present = set(keys)
        return Decisions(
            frozenset(p for p in self.merge if p[0] in present and p[1] in present),
            frozenset(p for p in self.separate if p[0] in present and p[1] in present),
            frozenset(m for m in self.masters if m in present),
        )

    def to_json(self) -> dict[str, list[list[str]] | list[str]]:
        """Plain lists, sorted, for the store file."""
        return {
            "merge": [list(p) for p in sorted(self.merge)],
            "separate": [list(p) for p in sorted(self.separate)],
            "master": sorted(self.masters),
        }


class DecisionStore:
    """Decisions per entity in one JSON file under the workspace (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_workspace(cls, workspace: Path) -> DecisionStore:
        """The store at ``<workspace>/.b24migrate/dedupe_decisions.json``."""
        return cls(workspace / DECISIONS_FILE)

    def load(self) -> dict[str, Decisions]:
        """All stored decisions by entity (empty when the file does not exist yet)."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entities = data["entities"]
            return {
                entity: Decisions.build(
                    (tuple(p) for p in body.get("merge", [])),
                    (tuple(p) for p in body.get("separate", [])),
                    body.get("master", []),
                )
                for entity, body in entities.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"`{self.path}`: the dedupe decisions file is damaged ({exc})",
                next_step="restore it from a backup or delete it and read the workbook again "
                "with `b24migrate dedupe --decisions reports/duplicates.xlsx`",
            ) from exc

    def get(self, entity: str) -> Decisions:
        """Stored decisions about ``entity``."""
        return self.load().get(entity, Decisions())

    def record(self, new: Mapping[str, Decisions]) -> dict[str, Decisions]:
        """Add ``new`` decisions on top of the stored ones, save, and return the result."""
        stored = self.load()
        for entity, decisions in new.items():
            stored[entity] = stored.get(entity, Decisions()).updated_by(decisions)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": 1, "entities": {e: d.to_json() for e, d in sorted(stored.items())}}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".decisions-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)
        return stored
