"""Candidate pairs by blocking: records that share a key value are compared, nothing else.

Each blocking key turns every record into zero or more key values (a record with two phones
is in two phone blocks). Blocks are formed by sorting ``(key value, record)`` codes; pairs
inside a block are generated with numpy, the union over all keys is taken with ``np.unique``
on ``a * n + b`` codes. A block larger than ``max_block`` (10,000 contacts sharing an office
phone) is a data problem, not evidence: it is skipped and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from migrate.dedupe import _normalise as norm
from migrate.dedupe._features import (
    Codes,
    Multi,
    column_text,
    encode,
    encode_multi,
    gather_ranges,
    multi_values,
    sorted_unique,
)
from migrate.dedupe._nicknames import canonical_token
from migrate.dedupe.rules import BlockingKey

__all__ = ["Candidates", "SkippedBlock", "block_codes", "candidate_pairs", "count_pairs"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SkippedBlock:
    """A block too large to compare: its key, the value shared and how many records share it."""

    key: str
    value: str
    size: int


@dataclass(frozen=True, slots=True)
class Candidates:
    """Distinct candidate pairs ``a[i] < b[i]`` and how they were found."""

    a: IntArray
    b: IntArray
    per_key: dict[str, int]
    skipped: tuple[SkippedBlock, ...]
    by_key: dict[str, IntArray]  # each key's pairs as sorted ``a * n + b`` codes
    coarse: dict[str, int] = field(default_factory=dict)  # key → blocks dropped for its budget


def _name_key(value: str) -> str:
    tokens = [
        canonical_token(norm.translit_key(canonical_token(t))) for t in norm.name_tokens(value)
    ]
    return " ".join(sorted(t for t in tokens if t))


def _given(value: str) -> str:
    """The first word as a canonical given name: «Саша» and «Sasha» → the key of «Александр»."""
    words = norm.name_tokens(value)
    return canonical_token(norm.translit_key(canonical_token(words[0]))) if words else ""


def _phonetic(value: str) -> str:
    key = norm.translit_key(value).replace(" ", "")
    if not key:
        return ""
    return key[0] + re.sub(r"[aeiouh]", "", key[1:])[:5]


def _prefix(value: str, size: int) -> str:
    """The first letters of the Latin key; a number (a house, a postcode) by its digits."""
    key = norm.translit_key(value).replace(" ", "")
    return (key or re.sub(r"[\W_]", "", value.lower()))[:size]


# a year standing alone (``1630-08-01``, ``12.03.1856``); else one glued into ``yyyymmdd``
_YEAR = re.compile(r"(?<!\d)(1[5-9]|20)\d\d(?!\d)")
_SINGLE: dict[str, Callable[[str], str]] = {
    "exact": lambda v: " ".join(v.lower().replace("ё", "е").split()),
    "digits": lambda v: re.sub(r"\D", "", v),
    "translit": norm.translit_key,
    "name_key": _name_key,
    "company_key": lambda v: norm.translit_key(norm.company_key(v)),
    "initial": lambda v: norm.translit_key(canonical_token(v.strip().lower()))[:1],
    "given_name": lambda v: _given(v),
    "phonetic": _phonetic,
    "year": lambda v: m.group(0) if (m := _YEAR.search(v) or re.search(r"(19|20)\d\d", v)) else "",
    "prefix2": lambda v: _prefix(v, 2),
    "prefix3": lambda v: _prefix(v, 3),
    "prefix4": lambda v: _prefix(v, 4),
    "prefix5": lambda v: _prefix(v, 5),
}
_MULTI: dict[str, Callable[[str], str]] = {
    "phone": norm.phone_key,
    "email": norm.email_key,
    "identifier": norm.identifier_key,
    "tokens": lambda v: v,
    "codes": lambda v: v,
}


def block_codes(
    frame: pd.DataFrame, key: BlockingKey, memo: dict[tuple[str, str], Codes] | None = None
) -> tuple[IntArray, IntArray, list[str]]:
    """``(records, key codes, key values)``: one entry per (record, key value) of ``key``.

    ``memo`` keeps each (column, transform) part of tuple keys, for the next key that uses it.
    """
    if len(key.transforms) == 1:
        raw = column_text(frame, key.columns)
        transform = key.transforms[0]
        if transform in _MULTI:
            func = _MULTI[transform]
            if transform in ("tokens", "codes"):
                split = norm.name_tokens if transform == "tokens" else norm.code_tokens
                words = [split(v) for v in raw]
                recs = np.repeat(np.arange(len(raw), dtype=np.int64), [len(w) for w in words])
                vals = [t for w in words for t in w]
            else:
                recs, vals = multi_values(frame, key.columns)
            multi: Multi = encode_multi(len(frame), recs, vals, func, r"(?!)")
            return multi.records(), multi.value_codes(), list(multi.values)
        codes = encode(raw, _SINGLE[transform])
        present = np.flatnonzero(codes.codes >= 0)
        return present, codes.codes[present], list(codes.values)
    parts: list[Codes] = []
    for column, transform in zip(key.columns, key.transforms, strict=True):
        memo = {} if memo is None else memo
        if (column, transform) not in memo:
            func = _SINGLE.get(transform) or _MULTI[transform]
            memo[(column, transform)] = encode(column_text(frame, [column]), func)
        parts.append(memo[(column, transform)])
    present = np.flatnonzero(np.all([p.codes >= 0 for p in parts], axis=0))
    combined = np.zeros(len(present), dtype=np.int64)
    for part in parts:  # mixed radix, re-numbered after each part so it never overflows
        combined, _ = pd.factorize(combined * np.int64(len(part.values)) + part.codes[present])
    combined = combined.astype(np.int64)
    first = np.zeros(int(combined.max()) + 1 if len(combined) else 0, dtype=np.int64)
    first[combined[::-1]] = present[::-1]  # a record holding each tuple, for its label
    labels_text: npt.NDArray[np.object_] | None = None
    for part in parts:  # each distinct value made text once, joined column-wise in C
        texts = np.array(list(map(str, part.values)), dtype=object)[part.codes[first]]
        labels_text = texts if labels_text is None else labels_text + "|" + texts
    labels = [""] * len(first) if labels_text is None else labels_text.tolist()
    return present, combined, labels


def count_pairs(sizes: IntArray) -> int:
    """Pairs inside blocks of these sizes."""
    return int((sizes * (sizes - 1) // 2).sum())


def _blocks(records: IntArray, codes: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    order = np.lexsort((records, codes))
    records, codes = records[order], codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    sizes = np.diff(np.r_[starts, len(codes)]).astype(np.int64)
    return records, codes, starts.astype(np.int64), sizes


def _pairs_in_blocks(records: IntArray, starts: IntArray, sizes: IntArray) -> IntArray:
    """Every pair of records inside each block, as rows ``(record, record)``."""
    members = gather_ranges(starts, sizes)
    block_end = np.repeat(starts + sizes, sizes)
    later = block_end - members - 1  # partners after each member
    first = np.repeat(members, later)
    offsets = gather_ranges(np.ones(len(later), dtype=np.int64), later)
    second = first + offsets
    return np.stack([records[first], records[second]], axis=1)


KeyCodes = tuple[IntArray, IntArray, list[str]]


def _within_budget(sizes: IntArray, budget: int) -> npt.NDArray[np.bool_]:
    """The blocks to keep so that their pairs fit ``budget``: the largest are dropped first.

    The commonest value of a coarse key (a frequent word, a first letter and a birth year)
    tells least; the rarer ones keep their blocks.
    """
    order = np.argsort(sizes, kind="stable")
    fits = np.cumsum(sizes[order] * (sizes[order] - 1) // 2) <= budget
    keep = np.zeros(len(sizes), dtype=bool)
    keep[order[fits]] = True
    return keep


def candidate_pairs(
    frame: pd.DataFrame,
    keys: tuple[BlockingKey, ...],
    *,
    max_block: int,
    known: Mapping[str, KeyCodes] | None = None,
    chunk_pairs: int = 5_000_000,
    max_key_pairs: int = 0,
) -> Candidates:
    """The union of pairs that share any blocking key, each pair once, ``a < b``.

    ``known`` holds ready ``(records, codes, values)`` for keys named after a comparison. A key
    whose blocks hold more than ``max_key_pairs`` pairs (``0``: no limit) loses its largest
    blocks until the rest fit.
    """
    n = np.int64(max(len(frame), 1))
    found: list[IntArray] = []
    by_key: dict[str, IntArray] = {}
    per_key: dict[str, int] = {}
    skipped: list[SkippedBlock] = []
    coarse: dict[str, int] = {}
    memo: dict[tuple[str, str], Codes] = {}
    for key in keys:
        if known is not None and key.comparison is not None and key.comparison in known:
            records, codes, values = known[key.comparison]
        else:
            records, codes, values = block_codes(frame, key, memo)
        records, codes, starts, sizes = _blocks(records, codes)
        too_big = sizes > max_block
        for start, size in zip(starts[too_big], sizes[too_big], strict=True):
            skipped.append(SkippedBlock(key.name, str(values[codes[start]]), int(size)))
        keep = (sizes >= 2) & ~too_big
        starts, sizes = starts[keep], sizes[keep]
        if max_key_pairs and count_pairs(sizes) > max_key_pairs:
            fits = _within_budget(sizes, max_key_pairs)
            coarse[key.name] = int((~fits).sum())
            starts, sizes = starts[fits], sizes[fits]
        per_key[key.name] = count_pairs(sizes)
        # stream blocks in groups whose pairs fit one chunk, so memory stays bounded
        if len(sizes) == 0:
            continue
        first = len(found)
        group = np.cumsum(sizes * (sizes - 1) // 2) // chunk_pairs
        edges = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        for lo, hi in zip(edges, [*list(edges[1:]), len(sizes)], strict=True):
            pairs = _pairs_in_blocks(records, starts[lo:hi], sizes[lo:hi])
            a, b = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
            distinct = a != b
            # a block's pairs come sorted (its records are): one run per block
            found.append(sorted_unique(a[distinct] * n + b[distinct], runs=True))
        by_key[key.name] = sorted_unique(np.concatenate(found[first:]), runs=True)
    merged = (sorted_unique(np.concatenate(found), runs=True) if found
              else np.zeros(0, dtype=np.int64))  # fmt: skip
    return Candidates(merged // n, merged % n, per_key, tuple(skipped), by_key, coarse)
