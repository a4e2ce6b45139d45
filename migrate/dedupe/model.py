"""A Fellegi–Sunter model: level probabilities among matches (m) and non-matches (u).

For each comparison and level, ``weight = log2(m / u)``; a pair's score is
``log2(λ / (1 - λ)) + Σ weights`` over the comparisons that have evidence (a missing value
adds nothing), and its match probability is ``1 / (1 + 2 ** -score)``.

* ``u`` is measured on random record pairs (almost all of them non-matches), smoothed by a
  prior worth a thousand pairs so that an agreement never seen at random gets a large but
  finite weight and a small table is not fooled by its own duplicates.
* ``m`` is estimated by expectation-maximisation with ``u`` fixed, once per blocking key over
  the candidate pairs that key found, leaving out the comparisons over that key's own columns
  (in the phone block every pair shares a phone: colleagues behind one office number and true
  duplicates alike, and only the other comparisons can tell them apart). The shipped or
  configured ``m`` values act as a Dirichlet prior worth ``prior_strength`` pairs.
* ``λ`` is the share of matches among *all* record pairs: EM's share among candidates times
  the number of candidates over ``n (n - 1) / 2``, so that the blocking is not counted twice.
* ``model.estimate: fixed`` skips all this and uses the configured ``m``/``u`` as they are.

Patterns are aggregated first (``np.unique`` over the encoded level vectors), so EM costs the
same for a thousand or ten million pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from migrate.dedupe._features import unique_counts
from migrate.dedupe.rules import Comparison, Rules

__all__ = ["FittedModel", "LevelWeight", "Session", "default_m", "default_u", "fit_model"]

FloatArray = npt.NDArray[np.float64]
Levels = npt.NDArray[np.int8]


@dataclass(frozen=True, slots=True)
class LevelWeight:
    """One line of the model summary."""

    comparison: str
    level: str
    m: float
    u: float
    weight: float


@dataclass(frozen=True, slots=True)
class FittedModel:
    """``m[c][l]``, ``u[c][l]`` per comparison ``c`` and level ``l`` (the last is "differs")."""

    comparisons: tuple[Comparison, ...]
    m: tuple[FloatArray, ...]
    u: tuple[FloatArray, ...]
    prior: float

    def weights(self) -> list[FloatArray]:
        """``log2(m / u)`` per comparison and level.

        Not forced to be monotone: given the blocking, an exact name (namesakes share a
        block) can be weaker evidence than a near one, and EM's u says so.
        """
        return [np.log2(m / u) for m, u in zip(self.m, self.u, strict=True)]

    def score(self, levels: list[Levels]) -> FloatArray:
        """Log2 match odds of every pair from its levels (``-1`` adds nothing)."""
        total = np.full(len(levels[0]) if levels else 0, _logit(self.prior))
        for weight, level in zip(self.weights(), levels, strict=True):
            table = np.append(weight, 0.0)  # index -1 → 0
            total += table[level]
        return total

    def summary(self) -> list[LevelWeight]:
        """Every comparison level with its m, u and weight."""
        out: list[LevelWeight] = []
        for comparison, m, u in zip(self.comparisons, self.m, self.u, strict=True):
            names = [level.name + (f"≥{level.threshold:g}" if level.threshold else "")
                     for level in comparison.levels] + ["differs"]  # fmt: skip
            weights = self.weights()[len(out and {x.comparison for x in out})]
            for name, mi, ui, wi in zip(names, m, u, weights, strict=True):
                out.append(LevelWeight(comparison.name, name, float(mi), float(ui), float(wi)))
        return out


def probability(score: FloatArray) -> FloatArray:
    """Match probability from log2 odds."""
    return 1.0 / (1.0 + np.exp2(-np.clip(score, -60, 60)))


def _logit(p: float) -> float:
    return float(np.log2(p / (1 - p)))


def default_m(comparison: Comparison) -> FloatArray:
    """Prior m: most matches agree at the best level; a few differ outright."""
    k = len(comparison.levels)
    base = np.array([0.75 * (0.35**i) for i in range(k)] + [0.03 if comparison.strong else 0.05])
    for i, level in enumerate(comparison.levels):
        if level.m is not None:
            base[i] = level.m
    return np.asarray(base / base.sum(), dtype=np.float64)


def default_u(comparison: Comparison) -> FloatArray:
    """Prior u: agreement by chance is rare, rarer for identifiers."""
    k = len(comparison.levels)
    first = 1e-6 if comparison.kind in ("phone", "email", "identifier") else 1e-3
    base = np.array([first * (4.0**i) for i in range(k)] + [1.0])
    for i, level in enumerate(comparison.levels):
        if level.u is not None:
            base[i] = level.u
    base[-1] = max(1.0 - base[:-1].sum(), 1e-6)
    return np.asarray(base / base.sum(), dtype=np.float64)


def estimate_u(
    rules: Rules,
    random_levels: list[Levels],
    prior_pairs: float = 1000.0,
    *,
    matches: tuple[float, list[FloatArray]] | None = None,
) -> tuple[FloatArray, ...]:
    """u from the levels of random pairs (configured u values win).

    The prior (:func:`default_u`) counts as ``prior_pairs`` random pairs: it decides for a
    small table, whose few random pairs include its duplicates, and fades for a large one.
    ``matches`` = ``(λ, m)``: the random pairs hold about ``λ · N`` matches, spread over the
    levels as ``m`` says; they are taken out, so that u describes non-matches only (in a table
    of 5,000 records with 6,000 duplicate pairs, nearly every random pair that agrees exactly
    on a name is a duplicate, and counting it as chance would make a name worth little).
    """
    out = []
    for index, (comparison, level) in enumerate(zip(rules.comparisons, random_levels,
                                                    strict=True)):  # fmt: skip
        k = len(comparison.levels) + 1
        counts = np.bincount(level[level >= 0].astype(np.int64), minlength=k)[:k].astype(float)
        if matches is not None:
            share, m = matches
            counts = np.maximum(counts - share * counts.sum() * m[index], 0.0)
        u = (counts + prior_pairs * default_u(comparison)) / (counts.sum() + prior_pairs)
        for i, spec in enumerate(comparison.levels):
            if spec.u is not None:
                u[i] = spec.u
        out.append(u / u.sum())
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Session:
    """Candidate pairs found by one blocking key, and the comparisons that key decides."""

    pairs: npt.NDArray[np.bool_]
    excluded: frozenset[int]


def fit_model(
    rules: Rules,
    random_levels: list[Levels],
    candidate_levels: list[Levels],
    *,
    sessions: list[Session] | None = None,
    total_pairs: float | None = None,
    prior_strength: float = 30.0,
    candidates: float | None = None,
) -> FittedModel:
    """Fit m by EM per blocking key, u from random pairs, and the prior of a match.

    In the session of a blocking key, the comparisons over that key's columns are left out
    (every pair there agrees on them by construction); each comparison's m is the average over
    the sessions that could see it, weighted by their expected matches. The prior is the share
    of matches among all ``total_pairs`` record pairs (not among candidates), because u, and so
    every weight, is measured on random pairs. ``candidates``: how many candidate pairs the
    given levels stand for, when they are a sample.
    """
    comparisons = rules.comparisons
    priors = [default_m(c) for c in comparisons]
    if rules.estimate == "fixed":
        return FittedModel(comparisons, tuple(priors), tuple(default_u(c) for c in comparisons),
                           0.5)  # fmt: skip
    u = estimate_u(rules, random_levels)
    n_candidates = len(candidate_levels[0]) if candidate_levels else 0
    every = np.ones(n_candidates, dtype=bool)
    sessions = sessions or [Session(every, frozenset())]
    mass = [np.zeros_like(p) for p in priors]
    weight = np.zeros(len(comparisons))
    for session in sessions:
        levels = [lv[session.pairs] if c not in session.excluded
                  else np.full(int(session.pairs.sum()), -1, dtype=np.int8)
                  for c, lv in enumerate(candidate_levels)]  # fmt: skip
        m, _, matches = _em(levels, comparisons, priors, u, rules.em_iterations,
                            prior_strength)  # fmt: skip
        for c in range(len(comparisons)):
            if c not in session.excluded and matches > 0:
                mass[c] += matches * m[c]
                weight[c] += matches
    m_final = [mass[c] / weight[c] if weight[c] > 0 else priors[c] for c in range(len(priors))]
    unseen = frozenset(c for c in range(len(comparisons)) if weight[c] == 0)
    if unseen and len(unseen) < len(comparisons) and n_candidates:
        # every blocking key reads these columns (names only), so no session judges them
        # unbiased: fit them on all candidates, the others' m held where their sessions put it
        # (left free together, EM would call "shares a surname" the match class)
        held = frozenset(range(len(comparisons))) - unseen
        m_final, _, _ = _em(candidate_levels, comparisons, m_final, u, rules.em_iterations,
                            prior_strength, frozen=held)  # fmt: skip
    # the levels may be a sample standing for ``candidates`` pairs: scale the total alike
    represented = candidates if candidates else n_candidates
    total = (total_pairs or max(n_candidates, 1)) * max(n_candidates, 1) / max(represented, 1)
    prior = _prior(candidate_levels, comparisons, m_final, u, rules, prior_strength, total)
    # the random pairs that estimated u hold about prior × N matches: take them out, refit
    u = estimate_u(rules, random_levels, matches=(prior, m_final))
    prior = _prior(candidate_levels, comparisons, m_final, u, rules, prior_strength, total)
    return FittedModel(comparisons, tuple(np.maximum(x, 1e-6) for x in m_final), u, prior)


def _prior(
    candidate_levels: list[Levels],
    comparisons: tuple[Comparison, ...],
    m: list[FloatArray],
    u: tuple[FloatArray, ...],
    rules: Rules,
    prior_strength: float,
    total: float,
) -> float:
    """The share of matches among all record pairs: EM's share among the candidates, scaled."""
    n_candidates = len(candidate_levels[0]) if candidate_levels else 0
    _, share, _ = _em(candidate_levels, comparisons, m, u, rules.em_iterations, prior_strength,
                      update_m=False)  # fmt: skip
    return float(np.clip(share * n_candidates / total, 1e-12, 0.5))


def _em(
    levels: list[Levels],
    comparisons: tuple[Comparison, ...],
    priors: list[FloatArray],
    u: tuple[FloatArray, ...],
    iterations: int,
    prior_strength: float,
    *,
    update_m: bool = True,
    frozen: frozenset[int] = frozenset(),
) -> tuple[list[FloatArray], float, float]:
    """EM over level patterns with u fixed: ``(m, share of matches, expected matches)``."""
    patterns, counts = _patterns(levels, comparisons)
    m = [p.copy() for p in priors]
    share = 0.5
    if len(counts) == 0:
        return m, share, 0.0
    for _ in range(max(iterations, 1)):
        weighted = _posterior(patterns, m, u, share) * counts
        share = float(np.clip(weighted.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        if not update_m:
            continue
        for c, level in enumerate(patterns.T):
            if c in frozen:
                continue
            known = level >= 0
            k = len(priors[c])
            got = np.bincount(level[known].astype(np.int64), weights=weighted[known], minlength=k)
            m[c] = (got[:k] + prior_strength * priors[c]) / (got[:k].sum() + prior_strength)
        # (a frozen comparison keeps the m it came with: ``priors`` are the start values)
    return m, share, share * float(counts.sum())


def _patterns(levels: list[Levels], comparisons: tuple[Comparison, ...]) -> tuple[
    npt.NDArray[np.int8], FloatArray
]:  # fmt: skip
    if not levels or len(levels[0]) == 0:
        return np.zeros((0, len(comparisons)), dtype=np.int8), np.zeros(0)
    sizes = [len(c.levels) + 2 for c in comparisons]  # null, levels…, differs
    code = np.zeros(len(levels[0]), dtype=np.int64)
    for level, size in zip(levels, sizes, strict=True):
        code = code * size + (level.astype(np.int64) + 1)
    unique, counts = unique_counts(code)
    columns = []
    for size in reversed(sizes):
        columns.append((unique % size - 1).astype(np.int8))
        unique = unique // size
    return np.stack(columns[::-1], axis=1), counts.astype(float)


def _posterior(
    patterns: npt.NDArray[np.int8], m: list[FloatArray], u: tuple[FloatArray, ...], prior: float
) -> FloatArray:
    log_m = np.zeros(len(patterns))
    log_u = np.zeros(len(patterns))
    for c, level in enumerate(patterns.T):
        known = level >= 0
        log_m[known] += np.log(m[c][level[known]])
        log_u[known] += np.log(u[c][level[known]])
    odds = np.log(prior) - np.log(1 - prior) + log_m - log_u
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(odds, -700, 700))), dtype=np.float64)
