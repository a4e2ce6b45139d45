"""Per-record match features, computed once per distinct value (never once per pair).

A feature is an integer code per record (``-1`` = empty) into a table of distinct normalised
values, or, for multi-valued fields (phones, e-mails), a sorted list of ``(record, value)``
codes. Normalisers from :mod:`migrate.dedupe._normalise` run over distinct raw values only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from migrate.dedupe import _normalise as norm

__all__ = ["Codes", "Multi", "column_text", "encode", "encode_multi", "gather_ranges"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Codes:
    """``codes[i]`` indexes ``values`` for record ``i``; ``-1`` means no value."""

    codes: IntArray
    values: npt.NDArray[np.object_]

    def text(self, index: IntArray) -> list[str]:
        """The values of records ``index`` (``""`` for none)."""
        out = np.where(self.codes[index] >= 0, self.codes[index], 0)
        texts = self.values[out] if len(self.values) else np.full(len(index), "", dtype=object)
        return [t if c >= 0 else "" for t, c in zip(texts, self.codes[index], strict=True)]


@dataclass(frozen=True, slots=True)
class Multi:
    """Multi-valued feature: ``pairs`` = sorted ``record * width + value`` codes."""

    pairs: IntArray
    width: int
    values: npt.NDArray[np.object_]
    first: Codes

    def records(self) -> IntArray:
        """Record index of every (record, value) entry."""
        return self.pairs // self.width

    def value_codes(self) -> IntArray:
        """Value code of every (record, value) entry."""
        return self.pairs % self.width


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def column_text(frame: pd.DataFrame, columns: Sequence[str]) -> npt.NDArray[np.object_]:
    """The columns' values joined with ``"; "`` per record (tuples of multi-fields too)."""
    parts = []
    for column in columns:
        series = frame[column] if column in frame.columns else pd.Series([""] * len(frame))
        values = series.to_numpy(dtype=object)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        texts = np.array([_as_text(u) for u in uniques] + [""], dtype=object)
        parts.append(texts[codes])  # code -1 picks the trailing ""
    if len(parts) == 1:
        return parts[0]
    joined = pd.Series(parts[0], dtype=object)
    for part in parts[1:]:
        joined = joined + "; " + pd.Series(part, dtype=object)
    return joined.str.strip("; ").to_numpy(dtype=object)


def _as_text(value: object) -> str:
    if _is_empty(value):
        return ""
    if isinstance(value, tuple | list):
        return "; ".join(norm.split_multi(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def encode(raw: npt.NDArray[np.object_], normalise: Callable[[str], str]) -> Codes:
    """Normalise each distinct raw text once; codes per record into distinct normalised values."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    normalised = [normalise(str(u)) if str(u) else "" for u in uniques]
    ncodes, nuniques = pd.factorize(np.array(normalised + [""], dtype=object))
    empty = ncodes[-1]
    remap = np.where(ncodes == empty, -1, ncodes).astype(np.int64)
    out = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return Codes(out.astype(np.int64), np.asarray(nuniques, dtype=object))


def gather_ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenate ``arange(s, s + n)`` for every (s, n), vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + (np.arange(total, dtype=np.int64) - offsets)


def encode_multi(raw: npt.NDArray[np.object_], normalise: Callable[[str], str]) -> Multi:
    """Split every distinct raw text into several values; one (record, value) entry each."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    lookup: dict[str, int] = {}
    flat: list[int] = []
    lengths: list[int] = []
    for text in uniques:
        keys = {normalise(part) for part in norm.split_multi(str(text))} - {""}
        flat.extend(lookup.setdefault(k, len(lookup)) for k in sorted(keys))
        lengths.append(len(keys))
    ulen = np.array(lengths + [0], dtype=np.int64)
    ustart = np.concatenate([[0], np.cumsum(ulen)[:-1]]).astype(np.int64)
    rec_len = ulen[codes]  # code -1 → the trailing 0
    rec_start = ustart[codes]
    vals = np.array(flat, dtype=np.int64)[gather_ranges(rec_start, rec_len)]
    recs = np.repeat(np.arange(len(raw), dtype=np.int64), rec_len)
    width = max(len(lookup), 1)
    pairs = np.unique(recs * width + vals)
    values = np.array(list(lookup), dtype=object)
    first = np.full(len(raw), -1, dtype=np.int64)
    rec_of = pairs // width
    starts = np.flatnonzero(np.r_[True, rec_of[1:] != rec_of[:-1]]) if len(pairs) else pairs
    first[rec_of[starts]] = (pairs % width)[starts]
    return Multi(pairs, width, values, Codes(first, values))
