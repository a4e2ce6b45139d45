"""Scoring candidate pairs: fit the model on a sample, then compare cheap evidence first.

The model (:mod:`migrate.dedupe.model`) needs the levels of candidate pairs; a sample of
:data:`EM_SAMPLE` pairs estimates m as well as all of them do. Then every candidate is compared
comparison by comparison, cheapest first (identifiers, dates, phones before names and
addresses). After each comparison a pair's score so far plus the most the remaining
comparisons could add is its best possible score; a pair whose best is below the ``review``
threshold can be neither merged nor shown, so the expensive fuzzy comparisons skip it. In a
coarse block (a postcode and a state) most pairs differ on the birth date and the id, and
never reach the name and address scorers. Where the sample shows that a comparison prunes
little (a birth date shared by a block's pairs), the next one is computed beside it in another
thread ("a wave") and the two are applied in the same order: the same scores, sooner.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from migrate.dedupe.blocking import Candidates
from migrate.dedupe.compare import Compared, Prepared, levels
from migrate.dedupe.model import FittedModel, Session, fit_model
from migrate.dedupe.rules import Rules

__all__ = ["EM_SAMPLE", "Scored", "held_as_relatives", "members", "score_candidates"]

IntArray = npt.NDArray[np.int64]
Levels = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
CHUNK = 2_000_000
THREADS = min(os.cpu_count() or 1, 4)
T = TypeVar("T")
EM_SAMPLE = 150_000
# a term-frequency adjustment moves an exact agreement's weight by at most this many bits
TF_LIMIT = 6.0
# a `required` comparison that differs costs this many bits and never merges on its own: only
# overwhelming other evidence (same phone, e-mail and company) still brings the pair to review
REQUIRED_PENALTY = 20.0
PRUNED = -60.0  # the score of a pair left out of the expensive comparisons
_COST = {"exact": 0, "phone": 0, "email": 1, "identifier": 1, "date": 1, "number": 1, "code": 2,
         "company_name": 3, "person_name": 3, "text": 4}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scored:
    """Levels (``-1`` also for comparisons skipped for a hopeless pair), scores, the model."""

    levels: list[Levels]
    conflict: BoolArray  # one row per comparison: two valid strong identifiers differ
    score: FloatArray  # log2 odds, with the veto and term frequencies
    veto: BoolArray
    held: BoolArray  # looks like two relatives: to review at most, never merged unasked
    model: FittedModel


def score_candidates(
    prepared: list[Prepared],
    rules: Rules,
    found: Candidates,
    pairs: tuple[IntArray, IntArray, BoolArray],
    n: int,
    seed: int,
) -> Scored:
    """Fit the model on a sample of candidates ``pairs = (a, b, forced)``, then score all."""
    a, b, forced = pairs
    model, pick, sample = _fit(prepared, rules, found, a, b, n, seed)
    sampled = np.full(len(a), -1, dtype=np.int64)  # a pair's place in the EM sample
    sampled[pick] = np.arange(len(pick), dtype=np.int64)
    kinds = [(not p.comparison.strong, _COST[p.comparison.kind]) for p in prepared]
    order = sorted(range(len(prepared)), key=kinds.__getitem__)
    weights = model.weights()
    best = [max(float(w.max()), 0.0) + (TF_LIMIT if prepared[c].comparison.tf else 0.0)
            for c, w in enumerate(weights)]  # fmt: skip
    floor = float(np.log2(rules.review / (1 - rules.review))) if 0 < rules.review < 1 else -np.inf
    out = [np.full(len(a), -1, dtype=np.int8) for _ in prepared]
    conflict = np.zeros((len(prepared), len(a)), dtype=bool)
    score = model.score([np.full(len(a), -1, dtype=np.int8)] * len(prepared))
    alive = np.arange(len(a), dtype=np.int64)
    remaining = sum(best)
    kept = _kept_in_sample(prepared, model, sample, pick, a, best, floor, order)
    for wave in _waves(order, kept):
        # the comparisons of one wave are computed side by side on the pairs alive at its
        # start (the sample said the first ones prune little), then applied in order
        started_with = alive
        _in_threads([partial(_compare_fresh, prepared[c], a, b, started_with, sampled, out[c],
                             conflict[c]) for c in wave])  # fmt: skip
        for c in wave:
            at = sampled[alive]  # the sample's levels are known: a pair's levels are its own
            known = at[at >= 0]
            out[c][alive[at >= 0]] = sample[c].level[known]
            conflict[c, alive[at >= 0]] = sample[c].conflict[known]
            if len(alive) < len(started_with):  # pruned before this one: as if never compared
                dropped = np.setdiff1d(started_with, alive, assume_unique=True)
                out[c][dropped] = -1
                conflict[c, dropped] = False
            score[alive] += _bits(prepared[c], weights[c], out[c][alive], a[alive])
            remaining -= best[c]
            alive = alive[(score[alive] + remaining >= floor) | forced[alive]]
    hopeless = np.ones(len(a), dtype=bool)
    hopeless[alive] = False
    score[hopeless] = PRUNED
    veto = _vetoed(rules, out)
    score[veto] -= REQUIRED_PENALTY
    return Scored(out, conflict, score, veto, held_as_relatives(rules, out), model)


# a comparison joins the wave of the one before it when the sample says that at least this
# share of the wave's pairs are still alive after it: little work is spent on doomed pairs
SPECULATE = 0.8


def _compare_fresh(
    p: Prepared, a: IntArray, b: IntArray, alive: IntArray, sampled: IntArray,
    out: Levels, conflict: BoolArray,
) -> None:  # fmt: skip
    """Levels of the ``alive`` pairs outside the EM sample, written into ``out``/``conflict``."""
    fresh = alive[sampled[alive] < 0]
    for start in range(0, len(fresh), CHUNK):
        part = fresh[start : start + CHUNK]
        compared = levels(p, a[part], b[part])
        out[part] = compared.level
        conflict[part] = compared.conflict


def _kept_in_sample(
    prepared: list[Prepared], model: FittedModel, sample: list[Compared], pick: IntArray,
    a: IntArray, best: list[float], floor: float, order: list[int],
) -> list[float]:  # fmt: skip
    """The share of the sampled pairs still alive after each comparison of ``order``."""
    if not len(pick):
        return [1.0] * len(order)
    weights = model.weights()
    score = model.score([np.full(len(pick), -1, dtype=np.int8)] * len(prepared))
    remaining = sum(best)
    alive = np.ones(len(pick), dtype=bool)
    kept = []
    for c in order:
        score += _bits(prepared[c], weights[c], sample[c].level, a[pick])
        remaining -= best[c]
        alive &= score + remaining >= floor
        kept.append(float(alive.mean()))
    return kept


def _waves(order: list[int], kept: list[float]) -> list[list[int]]:
    """``order`` cut into waves: the next comparison joins a wave while the share of the
    wave's pairs alive before it stays at least :data:`SPECULATE`."""
    waves: list[list[int]] = []
    before = 1.0
    for index, c in enumerate(order):
        if waves and index and kept[index - 1] >= SPECULATE * before:
            waves[-1].append(c)
            continue
        before = kept[index - 1] if index else 1.0
        waves.append([c])
    return waves


def _in_threads(calls: list[Callable[[], T]]) -> list[T]:
    """Run ``calls`` side by side (numpy and rapidfuzz release the GIL), results in order."""
    if len(calls) <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=min(len(calls), THREADS)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _fit(
    prepared: list[Prepared], rules: Rules, found: Candidates, a: IntArray, b: IntArray,
    n: int, seed: int,
) -> tuple[FittedModel, IntArray, list[Compared]]:  # fmt: skip
    """The model from random pairs (u) and a sample of at most :data:`EM_SAMPLE` candidates;
    the sample (indices into ``a``, ``b``) and its levels, for scoring to reuse."""
    pick = np.arange(len(a), dtype=np.int64)
    if len(a) > EM_SAMPLE:
        pick = np.sort(np.random.default_rng(seed).choice(len(a), EM_SAMPLE, replace=False))
    sa, sb = a[pick], b[pick]
    randoms = _random_pairs(n, rules.u_sample, seed)
    done = _in_threads([partial(levels, p, x, y) for x, y in ((sa, sb), randoms)
                        for p in prepared])  # fmt: skip
    sample, random_levels = done[: len(prepared)], [d.level for d in done[len(prepared) :]]
    conflict = np.stack([s.conflict for s in sample]) if sample else np.zeros((0, len(sa)), bool)
    # pairs with conflicting strong identifiers are known non-matches: they would teach the
    # model that a shared phone or name means little
    allowed: BoolArray = np.asarray(~conflict.any(axis=0), dtype=np.bool_)
    sessions = _sessions(rules, found, sa, sb, n, allowed)
    total = n * (n - 1) / 2
    model = fit_model(rules, random_levels,
                      [s.level[allowed] for s in sample], sessions=sessions, total_pairs=total,
                      candidates=len(a) * float(allowed.mean()) if len(sa) else 0.0)  # fmt: skip
    return model, pick, sample


def _sessions(
    rules: Rules, found: Candidates, a: IntArray, b: IntArray, n: int, allowed: BoolArray
) -> list[Session]:
    """One EM session per blocking key: its pairs, and the comparisons over its columns."""
    codes = (a * np.int64(max(n, 1)) + b)[allowed]
    out = []
    for key in rules.blocking:
        pairs = found.by_key.get(key.name)
        if pairs is None or len(pairs) == 0:
            continue
        excluded = frozenset(index for index, c in enumerate(rules.comparisons)
                             if set(c.columns) & set(key.columns))  # fmt: skip
        out.append(Session(members(codes, pairs), excluded))
    return out


def members(codes: IntArray, subset: IntArray) -> BoolArray:
    """``np.isin(codes, subset)`` for sorted, distinct ``codes``, by binary search."""
    out = np.zeros(len(codes), dtype=bool)
    if len(codes) == 0 or len(subset) == 0:
        return out
    at = np.minimum(np.searchsorted(codes, subset), len(codes) - 1)
    out[at[codes[at] == subset]] = True
    return out


def _random_pairs(n: int, sample: int, seed: int) -> tuple[IntArray, IntArray]:
    """The random pairs that estimate u: every pair of a small table, else ``sample`` drawn."""
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if n * (n - 1) // 2 <= sample:
        a, b = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, n, sample)
        b = rng.integers(0, n, sample)
        keep = a != b
        a, b = a[keep], b[keep]
    return a.astype(np.int64), b.astype(np.int64)


def _bits(p: Prepared, weight: FloatArray, level: Levels, a: IntArray) -> FloatArray:
    """What one comparison adds to the pairs' scores: its level's weight (``-1``: nothing)
    and the term-frequency adjustment."""
    return np.append(weight, 0.0)[level] + _tf_adjustment(p, level, a)


def _tf_adjustment(p: Prepared, level: Levels, a: IntArray) -> FloatArray:
    """Bits to add for exact agreements on values rarer or commoner than the average one.

    For a comparison with ``tf: true``, the chance that two records agree on value ``v`` by
    chance is the share of records holding ``v``, where the ``exact`` level's weight assumes
    the average agreement (``Σ share²``): sharing the surname «Smith» says less than sharing
    «Kuznetsova-Leitner». The adjustment is ``log2(Σ share² / share(v))``, clipped to
    ±:data:`TF_LIMIT`.
    """
    out = np.zeros(len(a))
    if not p.comparison.tf or p.multi is not None or p.comparison.levels[0].name != "exact":
        return out
    codes = p.main.codes
    present = codes >= 0
    counts = np.bincount(codes[present], minlength=len(p.main.values)).astype(float)
    share = counts / max(int(present.sum()), 1)
    average = float((share**2).sum())
    exact = np.flatnonzero((level == 0) & (codes[a] >= 0))
    value_share = np.maximum(share[codes[a[exact]]], 1.0 / max(len(codes), 1))
    out[exact] = np.clip(np.log2(average / value_share), -TF_LIMIT, TF_LIMIT)
    return out


WEAK_NAME = frozenset({"subset", "part", "initials"})


def held_as_relatives(rules: Rules, cand_levels: list[Levels]) -> BoolArray:
    """Pairs whose birth dates differ while their names agree only in part.

    «Jane York, 1957» and «York, 1981» at one address, «Clifford McKay» and «McKay Vincent»:
    a household shares a surname and an address, and every weight of the model says "same
    person", because random pairs never show how often relatives live together. A birth
    date (a comparison with ``relatives: true``) that differs, beside a name that agrees
    only as a subset, a part or by initials, holds such a pair for review.
    """
    held = np.zeros(len(cand_levels[0]) if cand_levels else 0, dtype=bool)
    names = [(c, lv) for c, lv in zip(rules.comparisons, cand_levels, strict=True)
             if c.kind == "person_name"]  # fmt: skip
    for comparison, level in zip(rules.comparisons, cand_levels, strict=True):
        if not comparison.relatives:
            continue
        differs = level == len(comparison.levels)
        for name, name_level in names:
            weak = [i for i, spec in enumerate(name.levels) if spec.name in WEAK_NAME]
            held |= differs & np.isin(name_level, weak)
    return held


def _vetoed(rules: Rules, cand_levels: list[Levels]) -> BoolArray:
    veto = np.zeros(len(cand_levels[0]) if cand_levels else 0, dtype=bool)
    for comparison, level in zip(rules.comparisons, cand_levels, strict=True):
        if comparison.required:
            veto |= level == len(comparison.levels)
    return veto
