"""References between entities: a source key, else a name, becomes the referenced source key.

A deal's `COMPANY_ID` may hold the company's source key (`ID компании`) or only its name
(`Компания`). After every entity is cleaned, each reference value is looked up among the
target entity's keys, then among its names (case and spaces ignored). A value that matches
nothing becomes ``None`` with a ``ref.unresolved`` warning (the row still loads, without the
link); a name shared by several records takes the first with a ``ref.ambiguous`` warning.
References to an entity not in this run are left as written (the plan may find them in the
portal by ORIGIN_ID). A history row's owner (``ref: any``) that matches nothing is left as
written too, with the same warning: the plan refuses the row (it belongs to nothing being
loaded) and names the record it pointed at (``Контакт 43041130``), not an empty value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from cleaners import company_name_key
from cleaners.keys import fio_key
from mappings.fields import REF_ANY
from mappings.schema import EntityMapping, FieldMapping
from migrate.issues import ISSUE_COLUMNS, concat_issues, message

__all__ = ["NAME_FIELDS", "resolve_references"]

NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "company": ("TITLE",),
    "deal": ("TITLE",),
    "lead": ("TITLE",),
    "product": ("NAME",),
    "product_section": ("NAME",),
    "contact": ("LAST_NAME", "NAME", "SECOND_NAME"),
}


def resolve_references(
    tables: Mapping[str, pd.DataFrame], mappings: Mapping[str, EntityMapping], language: str
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Point every reference column at source keys; return new tables and the issues."""
    lookups = {entity: _Lookup(frame, entity) for entity, frame in tables.items()}
    out = dict(tables)
    issues = []
    for entity, frame in tables.items():
        mapping = mappings[entity]
        for spec in mapping.fields:
            if not spec.ref or spec.name not in frame:
                continue
            frame = frame.copy() if frame is tables[entity] else frame
            found = _resolve_column(frame, spec, lookups, entity, language)
            issues.append(found)
        out[entity] = frame
    return out, concat_issues(issues)


class _Lookup:
    """Keys of one entity's CleanTable, and (built on first use) its names → keys."""

    def __init__(self, frame: pd.DataFrame, entity: str) -> None:
        self.frame, self.entity = frame, entity
        self.keys = set(frame["_key"].dropna().astype(str))
        self._names: dict[str, list[str]] | None = None

    @property
    def names(self) -> dict[str, list[str]]:
        if self._names is None:
            self._names = {}
            columns = [c for c in NAME_FIELDS.get(self.entity, ()) if c in self.frame]
            parts = [self.frame[c].to_numpy(dtype=object) for c in columns]
            keys = self.frame["_key"].to_numpy(dtype=object)
            for key, *values in zip(keys, *parts, strict=True):
                for variant in _name_variants(self.entity, values):
                    self._names.setdefault(variant, []).append(str(key))
        return self._names

    def find(self, value: str) -> tuple[str | None, str | None]:
        """(key, problem rule) for ``value``."""
        if value in self.keys:
            return value, None
        keys = list(dict.fromkeys(self.names.get(_name_key(self.entity, value), [])))
        if not keys:
            return None, "ref.unresolved"
        return keys[0], ("ref.ambiguous" if len(keys) > 1 else None)


def _resolve_column(
    frame: pd.DataFrame,
    spec: FieldMapping,
    lookups: Mapping[str, _Lookup],
    entity: str,
    language: str,
) -> pd.DataFrame:
    values = frame[spec.name].to_numpy(dtype=object)
    targets = (
        frame["ENTITY_TYPE"].to_numpy(dtype=object)
        if spec.ref == REF_ANY and "ENTITY_TYPE" in frame
        else np.full(len(frame), spec.ref, dtype=object)
    )
    resolved = np.empty(len(values), dtype=object)
    problems: list[tuple[int, str, str]] = []
    cache: dict[tuple[Any, Any], tuple[Any, list[tuple[str, str]]]] = {}
    for i, (value, target) in enumerate(zip(values, targets, strict=True)):
        hit = cache.get((value, target))
        if hit is None:
            hit = _resolve_value(value, lookups.get(str(target)), keep=spec.ref == REF_ANY)
            cache[(value, target)] = hit
        resolved[i] = hit[0]
        problems.extend((i, rule, text) for rule, text in hit[1])
    frame[spec.name] = pd.Series(resolved, index=frame.index, dtype=object)
    return _issues(frame, spec, entity, problems, targets, language)


def _resolve_value(
    value: Any, lookup: _Lookup | None, *, keep: bool = False
) -> tuple[Any, list[tuple[str, str]]]:
    if lookup is None or value is None or value == () or value != value:
        return value, []
    many = isinstance(value, tuple)
    found, problems = [], []
    for item in value if many else (value,):
        key, rule = lookup.find(str(item))
        if key is not None:
            found.append(key)
        if rule:
            problems.append((rule, str(item)))
    if many:
        return tuple(dict.fromkeys(found)), problems
    return (found[0] if found else value if keep else None), problems


def _issues(
    frame: pd.DataFrame,
    spec: FieldMapping,
    entity: str,
    problems: list[tuple[int, str, str]],
    targets: np.ndarray,
    language: str,
) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=list(ISSUE_COLUMNS))
    index = np.array([p[0] for p in problems])
    meta = {
        c: frame[c].to_numpy(dtype=object)[index] for c in ("_source", "_sheet", "_row", "_key")
    }
    return pd.DataFrame(
        {
            "entity": entity,
            "source": meta["_source"],
            "sheet": meta["_sheet"],
            "row": meta["_row"],
            "key": meta["_key"],
            "column": ", ".join(spec.sources),
            "field": spec.name,
            "rule": [p[1] for p in problems],
            "value": [p[2] for p in problems],
            "severity": "warning",
            "message": [message(p[1], language, value=p[2], ref=targets[p[0]]) for p in problems],
            "suggestion": "",
        },
        columns=list(ISSUE_COLUMNS),
    )


def _name_key(entity: str, text: str) -> str:
    """How names are compared: company names without legal form and quotes; person names
    transliterated, word order ignored; other names case- and space-insensitive."""
    if entity == "company":
        return company_name_key(text)
    if entity == "contact":
        return fio_key(text)
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).casefold()


def _name_variants(entity: str, values: list[Any]) -> set[str]:
    words = [str(v) for v in values if v]
    if not words:
        return set()
    variants = {_name_key(entity, " ".join(words))}
    if entity == "contact" and len(words) == 3:  # "Имя Фамилия" without the patronymic
        variants.add(_name_key(entity, " ".join(words[:2])))
    return variants - {""}
