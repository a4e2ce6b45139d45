"""Values of list fields as the portal knows them: labels turned into item ids.

An export writes an enumeration field's value as its label («Опт») and a dictionary field's
as the entry's name (SOURCE_ID «Звонок», HONORIFIC «г-н»); the portal stores the item's id
(``41``, ``CALL``). Labels are matched to the portal's items by
:class:`~migrate.plan._listvalues.ListItems` (case, spaces, «ё» and Latin look-alikes folded);
an id stays an id; anything else is left for :func:`~migrate.plan._checks.check_fields` to
refuse (``enum.unknown``, ``status.unknown``) with the closest label as the hint. Deal stages
depend on each deal's pipeline and are matched per record
(:func:`~migrate.plan._listvalues.resolve_list_values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process

from migrate.plan._listvalues import ListItems
from migrate.plan._metadata import FieldInfo, PortalMetadata

__all__ = ["closest_label", "enum_ids", "list_items"]


def enum_ids(frame: pd.DataFrame, meta: PortalMetadata, entity: str) -> pd.DataFrame:
    """``frame`` with list labels replaced by the portal's item ids."""
    out = frame
    for name, info in meta.fields.get(entity, {}).items():
        items = list_items(meta, info)
        if not items or name not in frame:
            continue
        found = ListItems(items)
        codes, uniques = pd.factorize(frame[name].to_numpy(dtype=object))
        ids = [_item_ids(found, u) for u in uniques]
        converted = np.array([*ids, None], dtype=object)
        out = out.copy() if out is frame else out
        out[name] = pd.Series(converted[codes], index=frame.index, dtype=object)
    return out


def _item_ids(found: ListItems, value: Any) -> Any:
    """A label's item id (a multiple field's labels each), else the value as it is."""
    if isinstance(value, list | tuple):
        return [found.match(v) or v for v in value]
    return found.match(value) or value


#: Stage dictionaries that depend on the pipeline: a deal's, a smart process's.
_PIPELINE_STAGES = ("DEAL_STAGE", "DYNAMIC_")


def list_items(meta: PortalMetadata, info: FieldInfo) -> Mapping[str, str]:
    """The items (id → label) of a list field: an enumeration's items or a dictionary's
    entries; empty for other fields and for deal and smart-process stages (they depend on the
    pipeline)."""
    if info.type == "enumeration":
        return info.items
    dictionary = info.status_type or ""
    if info.type == "crm_status" and dictionary and not dictionary.startswith(_PIPELINE_STAGES):
        return {k: s.name for k, s in meta.dictionary(dictionary).items()}
    return {}


def closest_label(value: object, labels: Mapping[str, str]) -> str:
    """The item label nearest to ``value`` (``""`` when none is near)."""
    names = list(labels.values())
    if not names or value is None:
        return ""
    best = process.extractOne(str(value), names, score_cutoff=50)
    return str(best[0]) if best else ""
