"""Rows of a shared file that no mapping's `rows:` filter takes.

amoCRM exports contacts and companies in one file; the contact and company mappings each take
the rows of their `Тип`. A row of any other type (a new type, a typo) would belong to neither
and vanish: it becomes a `route.unplaced` error instead, listed in errors.xlsx and plan.xlsx.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mappings.schema import EntityMapping
from migrate.issues import ISSUE_COLUMNS, concat_issues, empty_issues, message

__all__ = ["unrouted_issues"]


def unrouted_issues(
    raws: Mapping[str, Sequence[Any]], mappings: Mapping[str, EntityMapping], language: str
) -> pd.DataFrame:
    """A `route.unplaced` error per row of a routed source that no filter selects."""
    by_source: dict[str, list[str]] = {}
    for entity in raws:
        by_source.setdefault(mappings[entity].source_name, []).append(entity)
    frames = []
    for entities in by_source.values():
        filters = [mappings[e].rows for e in entities]
        if any(f is None for f in filters):
            continue
        for raw in raws[entities[0]]:
            frames.append(_unplaced(raw, [mappings[e] for e in entities], language))
    return concat_issues(frames) if frames else empty_issues()


def _unplaced(raw: Any, mappings: Sequence[EntityMapping], language: str) -> pd.DataFrame:
    first = mappings[0]
    assert first.rows is not None
    column = first.rows.column
    frame = raw.frame
    if column not in frame.columns:
        return empty_issues()
    values = frame[column].to_numpy(dtype=object)
    taken = [any(m.rows is not None and m.rows.matches(v) for m in mappings) for v in values]
    lost = frame[[not t for t in taken]]
    keys = lost[first.key] if first.key in lost.columns else lost["_row"].astype(str)
    return pd.DataFrame(
        {
            "entity": first.entity, "source": raw.source.name, "sheet": raw.sheet,
            "row": lost["_row"].to_numpy(), "key": keys.to_numpy(), "column": column,
            "field": "", "rule": "route.unplaced", "value": lost[column].to_numpy(),
            "severity": "error",
            "message": [message("route.unplaced", language, value=v, column=column)
                        for v in lost[column]],
            "suggestion": "",
        },
        columns=list(ISSUE_COLUMNS),
    )  # fmt: skip
