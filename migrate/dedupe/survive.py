"""Survivorship: which record of a cluster survives, what its merged row holds, the key map.

The master is the record the client chose; otherwise the records are ordered by the
configured preferences — ``completeness`` (more filled fields first), ``recency`` (the latest
value of the first recency column present, ISO text sorts by time), ``first`` (table order) —
and the first one wins; table order breaks ties. The merged row is the master's row; with
``fill_empty`` an empty field takes the first non-empty value of the other records in the same
order. Multi-fields (tuples such as ``PHONE``) are unioned, master's values first, each value
once. Every key maps to its survivor's key (survivors to themselves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from migrate.dedupe.rules import Survivorship

__all__ = ["choose_masters", "merge_rows", "repoint_references"]

IntArray = npt.NDArray[np.int64]


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    if isinstance(value, tuple | list):
        return len(value) > 0
    return bool(str(value).strip()) and value is not pd.NA


def _filled_array(values: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """:func:`_filled` of every value, judged once per distinct value."""
    if any(isinstance(v, tuple | list) for v in values[:100]):  # multi-fields: by their length
        return np.fromiter((_filled(v) for v in values), dtype=bool, count=len(values))
    return _judged(values, _filled)


def _judged(values: npt.NDArray[np.object_], judge: Callable[[Any], bool]) -> npt.NDArray[np.bool_]:
    """``judge`` of every value, once per distinct value (one by one when a value is
    unhashable); missing ones (None, NaN, NaT, pd.NA) are each judged as they are."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # an unhashable value (a list): one by one
        return np.fromiter((judge(v) for v in values), dtype=bool, count=len(values))
    out = np.array([judge(u) for u in uniques] + [False], dtype=bool)[codes]
    missing = np.flatnonzero(codes < 0)
    out[missing] = [judge(v) for v in values[missing]]
    return out


def choose_masters(
    frame: pd.DataFrame,
    labels: IntArray,
    rules: Survivorship,
    *,
    preferred: npt.NDArray[np.bool_] | None = None,
) -> tuple[IntArray, IntArray]:
    """``(master, order)``: the master record of every record's cluster, and the ranking used.

    ``order`` lists the records of multi-record clusters, best first within each cluster.
    """
    n = len(frame)
    sizes = np.bincount(labels, minlength=n)
    grouped = np.flatnonzero(sizes[labels] > 1)
    master = np.arange(n, dtype=np.int64)
    if len(grouped) == 0:
        return master, grouped
    sub = frame.iloc[grouped]
    keys: list[Any] = [grouped]  # lexsort: last key is primary
    for preference in reversed(rules.prefer):
        if preference == "completeness":
            data = [c for c in sub.columns if not str(c).startswith("_")]
            keys.append(-np.sum([_filled_array(sub[c].to_numpy(object)) for c in data], axis=0))
        elif preference == "recency":
            keys.append(_recency_rank(sub, rules.recency))
    if preferred is not None:
        keys.append(~preferred[grouped])
    keys.append(labels[grouped])
    order = grouped[np.lexsort(keys)]
    cluster_of = labels[order]
    firsts = np.flatnonzero(np.r_[True, cluster_of[1:] != cluster_of[:-1]])
    best = dict(zip(cluster_of[firsts].tolist(), order[firsts].tolist(), strict=True))
    master[grouped] = [best[c] for c in labels[grouped].tolist()]
    return master, order


def _recency_rank(sub: pd.DataFrame, columns: Iterable[str]) -> IntArray:
    for column in columns:
        if column in sub.columns:
            text = sub[column].map(lambda v: str(v) if _filled(v) else "").to_numpy(object)
            ranks = pd.Series(text).rank(method="dense", ascending=False).to_numpy(copy=True)
            empty = text == ""
            ranks[empty] = ranks.max() + 1 if len(ranks) else 0
            return ranks.astype(np.int64)
    return np.zeros(len(sub), dtype=np.int64)


def merge_rows(
    frame: pd.DataFrame,
    master: IntArray,
    order: IntArray,
    rules: Survivorship,
    key: str,
) -> pd.DataFrame:
    """The survivors' rows: one per cluster, with ``_absorbed`` = the other keys it absorbed."""
    n = len(frame)
    survivors = np.flatnonzero(master == np.arange(n))
    out = frame.iloc[survivors].copy()
    out["_absorbed"] = pd.Series([()] * len(out), index=out.index, dtype=object)
    if len(order) == 0:
        return out
    ranked = frame.iloc[order]
    heads = pd.Index(master[order])
    at = pd.Index(survivors).get_indexer(pd.Index(np.unique(master[order])))
    keys = frame[key].astype(str).to_numpy(object)
    absorbed_list: list[tuple[str, ...]] = [()] * len(out)
    for index, taken in zip(at.tolist(), _tails(keys[order], master[order]), strict=True):
        absorbed_list[index] = taken
    out["_absorbed"] = pd.Series(absorbed_list, index=out.index, dtype=object)
    for column in frame.columns:
        if str(column).startswith("_"):
            continue
        values = pd.Series(ranked[column].to_numpy(object), index=heads)
        if _is_multi(frame[column]):
            merged: pd.Series = pd.Series(_group_unions(values.to_list(), master[order]))
        elif rules.fill_empty:
            merged = values.where(_filled_mask(values)).groupby(level=0, sort=True).first()
            merged = merged.reindex(np.unique(master[order]))
        else:
            continue
        target = out[column].astype(object).to_numpy(copy=True)
        fill = np.empty(len(merged), dtype=object)
        for index, value in enumerate(merged.to_list()):
            fill[index] = value  # element-wise: tuples must stay whole
        keep = _filled_array(fill)
        target[at[keep]] = fill[keep]
        out[column] = pd.Series(target, index=out.index, dtype=object)
    return out


_EMPTY_TEXTS = frozenset({"", "()", "nan", "None"})


def _filled_mask(values: pd.Series) -> pd.Series:
    """Not missing, and not empty (nor ``()``, ``nan``, ``None``) as stripped text; judged once
    per distinct value."""
    return pd.Series(_judged(values.to_numpy(dtype=object), _text_filled), index=values.index)


def _text_filled(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return str(value).strip() not in _EMPTY_TEXTS


def _tails(keys: npt.NDArray[np.object_], heads: IntArray) -> list[tuple[str, ...]]:
    """Per cluster (``heads`` contiguous, in ascending head order): the keys after the first."""
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
    ends = np.r_[starts[1:], len(heads)]
    tails = {int(heads[s]): tuple(keys[s + 1 : e].tolist())
             for s, e in zip(starts.tolist(), ends.tolist(), strict=True)}  # fmt: skip
    return [tails[h] for h in sorted(tails)]


def _group_unions(values: list[Any], heads: IntArray) -> list[tuple[Any, ...]]:
    """Per cluster (``heads`` contiguous), in ascending head order: the union of its tuples."""
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
    ends = np.r_[starts[1:], len(heads)]
    unions = {int(heads[s]): _union(values[s:e])
              for s, e in zip(starts.tolist(), ends.tolist(), strict=True)}  # fmt: skip
    return [unions[h] for h in sorted(unions)]


def _is_multi(series: pd.Series) -> bool:
    sample = series.head(1000).to_list()
    return any(isinstance(v, tuple) for v in sample)


def _union(values: list[Any]) -> tuple[Any, ...]:
    seen: dict[Any, Any] = {}
    for value in values:
        if isinstance(value, tuple):
            for item in value:
                mark = item[0] if isinstance(item, tuple) else item
                seen.setdefault(mark, item)
    return tuple(seen.values())


def repoint_references(
    frame: pd.DataFrame, key_map: Mapping[str, str], columns: Iterable[str]
) -> pd.DataFrame:
    """A copy of ``frame`` whose reference ``columns`` point at survivors through ``key_map``.

    A column holds a source key as text or a tuple of keys; keys not in the map stay as they
    are; a tuple keeps each survivor once, in first-seen order.
    """
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.Series(
                [_repoint(v, key_map) for v in out[column].to_list()], index=out.index, dtype=object
            )
    return out


def _repoint(value: Any, key_map: Mapping[str, str]) -> Any:
    if isinstance(value, tuple | list):
        return tuple(dict.fromkeys(key_map.get(str(v), str(v)) for v in value))
    if not _filled(value):
        return value
    return key_map.get(str(value), value)
