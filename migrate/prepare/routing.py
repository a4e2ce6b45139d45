"""Rows of a shared file that no mapping's `rows:` filter takes.

amoCRM exports contacts and companies in one file; the contact and company mappings each take
the rows of their `Тип`. A row of any other type (a new type, a typo) would belong to neither
and vanish: it becomes a `route.unplaced` error instead, listed in errors.xlsx and plan.xlsx.
Every entity of a shared source finds the same lost rows (and keeps them with its stored
result); `prepare` reports them once, under the first entity of the run that reads the source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mappings.schema import EntityMapping
from migrate.issues import ISSUE_COLUMNS, concat_issues, empty_issues, message

__all__ = ["siblings", "unplaced_rows"]


def siblings(mapping: EntityMapping, mappings: Mapping[str, EntityMapping]) -> list[EntityMapping]:
    """Every mapping that reads ``mapping``'s source, ``mapping`` first, the rest in order."""
    same = [m for m in mappings.values() if m.source_name == mapping.source_name]
    return [mapping, *(m for m in same if m.entity != mapping.entity)]


def unplaced_rows(
    raws: Sequence[Any], sharing: Sequence[EntityMapping], language: str
) -> pd.DataFrame:
    """A `route.unplaced` error (for ``sharing[0]``'s entity) per row of ``raws`` that no
    `rows:` filter of the mappings ``sharing`` their source selects.

    Empty when any of them takes every row (no filter): nothing can be lost then.
    """
    if not sharing or any(m.rows is None for m in sharing):
        return empty_issues()
    frames = [_unplaced(raw, sharing, language) for raw in raws]
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
