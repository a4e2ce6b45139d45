"""Per-record match features, computed once per distinct value (never once per pair).

A feature is an integer code per record (``-1`` = empty) into a table of distinct normalised
values, or, for multi-valued fields (phones, e-mails), a sorted list of ``(record, value)``
codes. Normalisers from :mod:`migrate.dedupe._normalise` run over distinct raw values only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import reduce
from itertools import chain, repeat
from operator import itemgetter, or_
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

from migrate.dedupe import _normalise as norm

__all__ = [
    "Codes",
    "Multi",
    "column_text",
    "encode",
    "encode_multi",
    "gather_ranges",
    "multi_values",
    "pair_scores",
    "shared_scores",
    "shared_texts",
    "sorted_unique",
    "unique_counts",
]

WORKERS = -1
_UNIT_SCORERS = (JaroWinkler.normalized_similarity, OSA.normalized_similarity)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Codes:
    """``codes[i]`` indexes ``values`` for record ``i``; ``-1`` means no value."""

    codes: IntArray
    values: npt.NDArray[np.object_]
    # each value's length and character set, made the first time a bound needs them
    _shape: dict[str, npt.NDArray[Any]] = field(default_factory=dict, compare=False, repr=False)

    def shape(self) -> tuple[IntArray, npt.NDArray[np.uint64]]:
        """Each value's length and the set of its characters as 64 bits (by code point mod 64)."""
        if "length" not in self._shape:
            length, chars = value_shapes(self.values)
            self._shape["chars"] = chars
            self._shape["length"] = length
        return self._shape["length"], self._shape["chars"]

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


_Texts = dict[tuple[int, tuple[str, ...]], tuple[pd.DataFrame, npt.NDArray[np.object_]]]
_TEXTS: ContextVar[_Texts | None] = ContextVar("column_texts", default=None)


@contextmanager
def shared_texts() -> Iterator[None]:
    """Within this block, :func:`column_text` of one frame's same columns is made once (the
    comparisons and the blocking keys read the same name and address columns)."""
    token = _TEXTS.set({})
    try:
        yield
    finally:
        _TEXTS.reset(token)


def column_text(frame: pd.DataFrame, columns: Sequence[str]) -> npt.NDArray[np.object_]:
    """The columns' values joined with ``"; "`` per record (tuples of multi-fields too).

    Inside :func:`shared_texts` the array is shared between callers: never written to.
    """
    memo = _TEXTS.get()
    if memo is None:
        return _column_text(frame, columns)
    key = (id(frame), tuple(columns))
    held = memo.get(key)
    if held is None or held[0] is not frame:
        held = memo[key] = (frame, _column_text(frame, columns))
    return held[1]


def _column_text(frame: pd.DataFrame, columns: Sequence[str]) -> npt.NDArray[np.object_]:
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


def encode(raw: npt.NDArray[np.object_], normalise: Callable[[str], str] | None) -> Codes:
    """Normalise each distinct raw text once; codes per record into distinct normalised values.

    ``normalise=None`` takes the texts as they are (``""`` means no value).
    """
    if normalise is None:
        codes, uniques = pd.factorize(np.append(raw, ""), use_na_sentinel=True)
        empty = codes[-1]
        codes = np.where((codes == empty) | (codes < 0), -1, codes)[:-1].astype(np.int64)
        return Codes(codes, np.asarray(uniques, dtype=object))
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    normalised = [normalise(str(u)) if str(u) else "" for u in uniques]
    ncodes, nuniques = pd.factorize(np.array([*normalised, ""], dtype=object))
    empty = ncodes[-1]
    remap = np.where(ncodes == empty, -1, ncodes).astype(np.int64)
    out = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return Codes(out.astype(np.int64), np.asarray(nuniques, dtype=object))


def sorted_unique(values: IntArray, *, runs: bool = False) -> IntArray:
    """``np.unique`` of integers by sorting (numpy's hash-based unique is many times slower).

    ``runs``: the values are sorted runs one after another (the pairs of each block, the
    pairs of each blocking key); a merge sort takes the runs as they are, several times
    faster than sorting from scratch.
    """
    if len(values) == 0:
        return values.astype(np.int64)
    ordered = np.sort(values, kind="stable" if runs else None)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def unique_counts(values: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(values, return_counts=True)`` by sorting."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(values) else values
    return ordered[starts], np.diff(np.r_[starts, len(values)]).astype(np.int64)


def gather_ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenate ``arange(s, s + n)`` for every (s, n), vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + (np.arange(total, dtype=np.int64) - offsets)


_SEPARATORS = r"[,;/|\n]|\bили\b|\bor\b"
_SEQUENCE = (tuple, list)  # a tuple of types: isinstance is quicker than with ``tuple | list``


def multi_values(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[IntArray, list[str]]:
    """Every value of every column as ``(record, text)``: tuples flattened, cells split."""
    recs: list[IntArray] = []
    vals: list[str] = []
    for column in columns:
        if column not in frame.columns:
            continue
        cells = frame[column].to_numpy(dtype=object)
        is_seq = np.fromiter(map(isinstance, cells, repeat(_SEQUENCE)), bool, len(cells))
        seq = np.flatnonzero(is_seq)
        listed = cells[seq].tolist()
        lengths = np.fromiter(map(len, listed), np.int64, len(listed))
        recs.append(np.repeat(seq, lengths).astype(np.int64))
        vals.extend(_first_items(list(chain.from_iterable(listed))))
        rest = np.flatnonzero(~is_seq)
        rest = rest[pd.notna(cells[rest])]
        texts = pd.Series(cells[rest], dtype=object).map(str).str.strip()
        several = texts.str.contains(_SEPARATORS, regex=True).to_numpy(bool)
        plain = ~several & (texts != "").to_numpy(bool)
        recs.append(rest[plain].astype(np.int64))
        vals.extend(texts[plain].to_list())
        for r, text in zip(rest[several].tolist(), texts[several].to_list(), strict=True):
            parts = norm.split_multi(text)
            recs.append(np.full(len(parts), r, dtype=np.int64))
            vals.extend(parts)
    return (np.concatenate(recs) if recs else np.zeros(0, dtype=np.int64)), vals


def _first_items(items: list[Any]) -> list[str]:
    """Each item's text: a ``(value, type)`` pair gives its value (C-level maps when all are)."""
    if set(map(type, items)) <= {tuple}:
        return list(map(str, map(itemgetter(0), items)))
    return [str(i[0]) if isinstance(i, _SEQUENCE) else str(i) for i in items]


def encode_multi(
    n: int, recs: IntArray, vals: list[str], normalise: Callable[[str], str], clean: str
) -> Multi:
    """Normalise each distinct value once (values matching ``clean`` are kept as they are)."""
    codes, uniques = pd.factorize(np.array(vals, dtype=object), use_na_sentinel=True)
    normalised = np.asarray(uniques, dtype=object).copy()
    matches = re.compile(clean).fullmatch
    done = np.fromiter((matches(t) is not None for t in normalised), bool, len(normalised))
    if done.all() and not (normalised == "").any():
        # all kept as they are: already distinct, the factorize below would return them as is
        nvalues = np.append(normalised, "")
        value_of = codes.astype(np.int64)
    else:
        normalised[~done] = [normalise(str(t)) for t in normalised[~done]]
        ncodes, nvalues = pd.factorize(np.array([*normalised, ""], dtype=object))
        empty = ncodes[-1]
        value_of = np.where(ncodes == empty, -1, ncodes).astype(np.int64)[codes]
    keep = value_of >= 0
    width = max(len(nvalues), 1)
    pairs = sorted_unique(recs[keep] * width + value_of[keep])
    values = np.asarray(nvalues, dtype=object)
    first = np.full(n, -1, dtype=np.int64)
    rec_of = pairs // width
    starts = np.flatnonzero(np.r_[True, rec_of[1:] != rec_of[:-1]]) if len(pairs) else pairs
    first[rec_of[starts]] = (pairs % width)[starts]
    return Multi(pairs, width, values, Codes(first, values))


# per key: the scores so far, and which pairs they hold
_Scores = tuple[npt.NDArray[np.float64], BoolArray]
_CACHE: ContextVar[dict[Hashable, _Scores] | None] = ContextVar("pair_scores_cache", default=None)


@contextmanager
def shared_scores() -> Iterator[None]:
    """Within this block, :func:`pair_scores` calls given the same ``key`` score once.

    The levels of one comparison over one array of pairs ask for the same similarity at
    several thresholds (``fuzzy: 0.9``, ``fuzzy: 0.7``); each pair is scored the first time a
    call's mask asks for it, and reused after (the levels are tried best first, each on the
    pairs no better level took, so most pairs are never scored for the weaker ones).
    """
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def pair_scores(
    source: Codes,
    sa: IntArray,
    sb: IntArray,
    mask: BoolArray,
    scorer: Callable[..., float],
    scale: float | None = None,
    key: Hashable | None = None,
    at_least: float | None = None,
) -> npt.NDArray[np.float64]:
    """Similarity 0–1 (or a raw distance with ``scale=1``) of every masked pair.

    Each distinct pair of values is scored once; equal values score 1 (distance 0). With a
    ``key`` inside :func:`shared_scores`, the same ``key`` (same values, same pairs) scores
    each pair once and reuses it (codes over one ``values`` array share the scores: the key
    names which codes are compared). With ``at_least`` (a similarity by
    ``OSA.normalized_similarity`` or ``fuzz.ratio``), the caller only asks whether a pair
    reaches it: a pair whose :func:`upper_bound` is below it is not scored and gets 0 (the
    bounds are kept by ``key`` too, so a lower ``at_least`` later scores only what it must).
    """
    missing = 1e9 if scale == 1.0 else 0.0
    cache = _CACHE.get() if key is not None else None
    if at_least is not None:
        best = _per_pair(cache, (id(source.values), scorer, "bound", key), len(sa), 1.0, mask,
                         lambda at: upper_bound(source, sa[at], sb[at], scorer))  # fmt: skip
        mask = mask & (best >= at_least - 1e-6)
    scores = _per_pair(
        cache,
        (id(source.values), scorer, scale, key),
        len(sa),
        missing,
        mask,
        lambda at: _scored(source, sa[at], sb[at], scorer, scale, missing),
    )
    return np.where(mask, scores, missing) if cache is not None else scores


def _per_pair(
    cache: dict[Hashable, _Scores] | None, key: Hashable, n: int, fill: float, mask: BoolArray,
    compute: Callable[[IntArray], npt.NDArray[np.float64]],
) -> npt.NDArray[np.float64]:  # fmt: skip
    """``compute(at)`` of the masked pairs (``fill`` elsewhere). With a cache (inside
    :func:`shared_scores`), kept by ``key``: each pair is computed the first time a mask asks
    for it, and the array may hold earlier pairs outside this mask."""
    if cache is None:
        out = np.full(n, fill, dtype=np.float64)
        at = np.flatnonzero(mask)
        out[at] = compute(at)
        return out
    if key not in cache:
        cache[key] = (np.full(n, fill, dtype=np.float64), np.zeros(n, dtype=bool))
    values, done = cache[key]
    need = np.flatnonzero(mask & ~done)
    if len(need):
        values[need] = compute(need)
        done[need] = True
    return values


def value_shapes(values: npt.NDArray[np.object_]) -> tuple[IntArray, npt.NDArray[np.uint64]]:
    """Each text's length and its characters as a 64-bit set (bit ``ord(c) % 64``)."""
    length = np.fromiter(map(len, values), np.int64, len(values))
    chars = np.zeros(len(values), dtype=np.uint64)
    short = np.flatnonzero(length <= _SHAPE_WIDTH)
    one, zero = np.uint64(1), np.uint64(0)
    for start in range(0, len(short), _SHAPE_CHUNK):  # as grids of code points: vectorised
        rows = short[start : start + _SHAPE_CHUNK]
        grid = np.array(values[rows].tolist(), dtype=f"<U{_SHAPE_WIDTH}")
        points = grid.view(np.uint32).reshape(len(rows), _SHAPE_WIDTH).astype(np.uint64)
        bits = np.where(points > 0, np.left_shift(one, points & np.uint64(63)), zero)
        chars[rows] = np.bitwise_or.reduce(bits, axis=1)
    for at in np.flatnonzero(length > _SHAPE_WIDTH):  # long texts one by one
        chars[at] = np.uint64(reduce(or_, {1 << (ord(c) & 63) for c in values[at]}, 0))
    return length, chars


_SHAPE_WIDTH = 32
_SHAPE_CHUNK = 65_536
_OSA = OSA.normalized_similarity


def upper_bound(
    source: Codes, sa: IntArray, sb: IntArray, scorer: Callable[..., float]
) -> npt.NDArray[np.float64]:
    """The most each pair's similarity can be, from the values' lengths and character sets.

    Every character kind one side has and the other lacks costs an edit: for the OSA distance
    (substitutions, neighbours swapped) at least the larger of the two counts, for the Indel
    distance of ``fuzz.ratio`` (no substitutions) at least their sum; the length difference
    is a bound of both. A similarity is ``1 − distance / max(len)`` (OSA) or
    ``1 − distance / (len + len)`` (ratio), so the bound caps it. Characters share a bit by
    code point mod 64, which only weakens the bound (never below the true similarity). A pair
    with an empty side, or the same value, is bounded by 1.
    """
    if scorer is not _OSA and scorer is not fuzz.ratio:
        raise ValueError(f"no bound for {scorer!r}")
    best = np.ones(len(sa))
    at = np.flatnonzero((sa >= 0) & (sb >= 0) & (sa != sb))
    if not len(at):
        return best
    length, chars = source.shape()
    ca, cb = sa[at], sb[at]
    xa, xb = chars[ca], chars[cb]
    only_a = np.bitwise_count(xa & ~xb).astype(np.int64)
    only_b = np.bitwise_count(xb & ~xa).astype(np.int64)
    la, lb = length[ca], length[cb]
    if scorer is _OSA:
        edits = np.maximum(np.maximum(only_a, only_b), np.abs(la - lb))
        size = np.maximum(la, lb)
    else:
        edits = np.maximum(only_a + only_b, np.abs(la - lb))
        size = la + lb
    best[at] = 1.0 - edits / np.maximum(size, 1)
    return best


def _scored(
    source: Codes, sa: IntArray, sb: IntArray, scorer: Callable[..., float],
    scale: float | None, missing: float,
) -> npt.NDArray[np.float64]:  # fmt: skip
    """:func:`pair_scores` of every pair given (no mask): each distinct pair of values once."""
    out = np.full(len(sa), missing, dtype=np.float64)
    filled = (sa >= 0) & (sb >= 0)
    same = filled & (sa == sb)
    out[same] = 0.0 if scale == 1.0 else 1.0
    sel = filled & ~same
    del filled, same
    if not sel.any():
        return out
    width = np.int64(len(source.values))
    # each pair of values as one code, low value first (in place: a call holds ~2M pairs)
    lo, hi = sa[sel], sb[sel]
    np.add(lo, hi, out=hi)
    np.minimum(lo, hi - lo, out=lo)
    hi -= lo
    lo *= width
    lo += hi
    del hi
    # distinct value pairs by hashing (np.unique's inverse sorts: several times slower here)
    inverse, keys = pd.factorize(lo)
    del lo
    left = source.values[keys // width].tolist()
    right = source.values[keys % width].tolist()
    scores = process.cpdist(left, right, scorer=scorer, workers=WORKERS, dtype=np.float32)
    if scale is None:
        scale = 1.0 if scorer in _UNIT_SCORERS else 100.0
    out[sel] = np.asarray(scores, dtype=np.float64)[inverse] / scale
    return out
