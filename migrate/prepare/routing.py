"""Rows of a shared file: the ones a mapping's `rows:` filter takes, and those none takes.

amoCRM exports contacts and companies in one file; the contact and company mappings each take
the rows of their `Тип`. A row of any other type (a new type, a typo) would belong to neither
and vanish: it becomes a `route.unplaced` error instead, listed in errors.xlsx and plan.xlsx.
Every entity of a shared source finds the same lost rows (and keeps them with its stored
result); `prepare` reports them once, under the first entity of the run that reads the source.
Also here: `decode_html`, the other file-level key of such exports.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mappings.schema import EntityMapping
from migrate.issues import ISSUE_COLUMNS, concat_issues, empty_issues, message

__all__ = ["decoded", "routed", "siblings", "unplaced_rows"]


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
    taken = np.zeros(len(values), dtype=bool)
    for m in mappings:
        if m.rows is not None:
            taken |= np.array(m.rows.selects(values), dtype=bool)
    lost = frame[~taken]
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


@dataclass(frozen=True, slots=True)
class _Routed:
    """The rows of a shared source that a mapping's `rows:` filter selects."""

    frame: pd.DataFrame
    source: Path
    sheet: str


def routed(raw: Any, mapping: EntityMapping) -> Any:
    """``raw`` with only the rows ``mapping``'s `rows:` filter selects."""
    assert mapping.rows is not None
    column = raw.frame[mapping.rows.column]
    mask = mapping.rows.selects(column.to_numpy(dtype=object))
    return _Routed(raw.frame[mask].reset_index(drop=True), raw.source, raw.sheet)


def decoded(frame: pd.DataFrame, mapping: EntityMapping) -> pd.DataFrame:
    """The columns ``mapping`` reads with HTML entities decoded (``&quot;`` → ``"``)."""
    out = frame.copy()
    for column in mapping.columns():
        values = out[column]
        has = values.str.contains("&", regex=False, na=False)
        if has.any():
            out.loc[has, column] = values[has].map(html.unescape)
    return out
