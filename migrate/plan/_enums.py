"""Values of list fields as the portal knows them: labels turned into item ids.

An export writes an enumeration field's value as its label («Опт»), a mapping may too; the
portal stores the item's id (``41``). Labels are matched to the portal's items ignoring case
and spaces; an id stays an id; anything else is left for :func:`~migrate.plan._checks.
check_fields` to refuse (``enum.unknown``) with the closest label as the hint.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from rapidfuzz import process

from migrate.plan._metadata import FieldInfo

__all__ = ["closest_label", "enum_ids"]


def enum_ids(frame: pd.DataFrame, fields: Mapping[str, FieldInfo]) -> pd.DataFrame:
    """``frame`` with enumeration labels replaced by the portal's item ids."""
    out = frame
    for name, info in fields.items():
        if info.type != "enumeration" or not info.items or name not in frame:
            continue
        lookup = {_fold(label): str(item) for item, label in info.items.items()}
        lookup.update({str(item): str(item) for item in info.items})
        codes, uniques = pd.factorize(frame[name].to_numpy(dtype=object))
        ids = [lookup.get(_fold(u), lookup.get(str(u), u)) for u in uniques]
        converted = np.array([*ids, None], dtype=object)
        out = out.copy() if out is frame else out
        out[name] = pd.Series(converted[codes], index=frame.index, dtype=object)
    return out


def closest_label(value: object, info: FieldInfo) -> str:
    """The item label nearest to ``value`` (``""`` when none is near)."""
    labels = list(info.items.values())
    if not labels or value is None:
        return ""
    best = process.extractOne(str(value), labels, score_cutoff=50)
    return str(best[0]) if best else ""


def _fold(value: object) -> str:
    return " ".join(str(value).split()).casefold()
