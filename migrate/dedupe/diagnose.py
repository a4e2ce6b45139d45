"""Why true duplicates were missed, and whether they carry any evidence at all.

Given a table, its rules, a finished :class:`~migrate.dedupe.engine.DedupeResult` and the
truth (record key → entity), :func:`missed_pairs` explains every true pair that did not end in
one cluster: which blocking keys would have brought it together (none: it was never compared),
each comparison's level, the score and probability the model gave it, and the verdict
(``not blocked``, ``below threshold``, ``vetoed``, ``held as relatives``, ``cluster
guard``). :func:`evidence_share`
is the honest ceiling: the share of true pairs that agree exactly on at least one compared
field after normalisation; a pair sharing nothing cannot be found by any engine, nor decided
by a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from migrate.dedupe.blocking import block_codes
from migrate.dedupe.cluster import connected_components
from migrate.dedupe.compare import Prepared, levels, prepare
from migrate.dedupe.engine import DedupeResult, key_codes
from migrate.dedupe.model import probability
from migrate.dedupe.rules import BlockingKey, Level, Rules
from migrate.dedupe.scoring import held_as_relatives

__all__ = ["Evidence", "MissedPairs", "evidence_share", "missed_pairs", "true_pairs"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class MissedPairs:
    """The true pairs a run did not put in one cluster, one row each (see :func:`missed_pairs`).

    ``pairs`` columns: ``key_a``, ``key_b``, ``verdict``, ``probability``, ``score``, one
    ``block:<key>`` boolean per blocking key (the pair shares a value of that key), one
    ``level:<comparison>`` text per comparison (``exact``, ``fuzzy≥0.9``, ``differs``, ``null``).
    """

    true_pairs: int
    pairs: pd.DataFrame

    def verdicts(self) -> dict[str, int]:
        """How many missed pairs per verdict."""
        return {str(k): int(v) for k, v in self.pairs["verdict"].value_counts().items()}

    def patterns(self, top: int = 15) -> list[tuple[str, int]]:
        """The commonest combinations of comparison levels among the missed pairs."""
        columns = [c for c in self.pairs.columns if c.startswith("level:")]
        if self.pairs.empty:
            return []
        text = self.pairs[columns].apply(
            lambda row: ", ".join(f"{c[6:]}={v}" for c, v in row.items()), axis=1
        )
        return [(str(k), int(v)) for k, v in text.value_counts().head(top).items()]


def true_pairs(keys: npt.NDArray[np.object_], truth: Mapping[str, object]) -> tuple[
    IntArray, IntArray
]:  # fmt: skip
    """Every pair of record indices ``(a < b)`` whose keys share an entity in ``truth``."""
    entity = pd.Series([truth.get(k) for k in keys.tolist()], dtype=object)
    present = np.flatnonzero(entity.notna().to_numpy())
    codes, _ = pd.factorize(entity.iloc[present])
    order = np.argsort(codes, kind="stable")
    records, codes = present[order].astype(np.int64), codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else codes
    sizes = np.diff(np.r_[starts, len(codes)])
    out_a: list[IntArray] = []
    out_b: list[IntArray] = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        groups = records[starts[sizes == size][:, None] + np.arange(size)]
        left, right = np.triu_indices(size, k=1)
        out_a.append(np.minimum(groups[:, left], groups[:, right]).ravel())
        out_b.append(np.maximum(groups[:, left], groups[:, right]).ravel())
    if not out_a:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_a), np.concatenate(out_b)


@dataclass(frozen=True, slots=True)
class Evidence:
    """How many true pairs a person could decide from the data itself.

    ``direct``: the share of true pairs agreeing exactly on some compared field (one column,
    or a whole comparison: the same ФИО written in other columns); ``reachable``: the share
    whose two records are joined by a chain of such pairs of the same entity (a duplicate
    sharing a phone with the original and the e-mail with another copy). ``agree`` marks the
    pairs with direct evidence.
    """

    pairs: int
    direct: float
    reachable: float
    agree: BoolArray


def evidence_share(frame: pd.DataFrame, rules: Rules, a: IntArray, b: IntArray) -> Evidence:
    """Which true pairs ``(a, b)`` carry any evidence (see :class:`Evidence`)."""
    agree = np.zeros(len(a), dtype=bool)
    for c in rules.comparisons:
        whole = replace(c, levels=(Level("exact"),))
        agree |= levels(prepare(frame, whole), a, b).level == 0
        for column in c.columns if len(c.columns) > 1 else ():
            kind = c.kind if c.kind in ("phone", "email", "identifier", "date") else "exact"
            one = replace(c, kind=kind, columns=(column,), levels=(Level("exact"),))
            agree |= levels(prepare(frame, one), a, b).level == 0
    labels = connected_components(len(frame), a[agree], b[agree])
    reached = labels[a] == labels[b]
    return Evidence(len(a), _share(agree), _share(reached), agree)


def _share(mask: BoolArray) -> float:
    return float(mask.mean()) if len(mask) else 1.0


def _shares_key(frame: pd.DataFrame, key: BlockingKey, prepared: dict[str, Prepared],
                a: IntArray, b: IntArray) -> BoolArray:  # fmt: skip
    """Whether each pair shares a value of blocking ``key`` (ignoring the block size limit)."""
    if key.comparison is not None and key.comparison in prepared:
        records, codes, _ = key_codes(prepared[key.comparison])
    else:
        records, codes, _ = block_codes(frame, key)
    entries = pd.DataFrame({"record": records, "code": codes}).drop_duplicates()
    left = pd.DataFrame({"pair": np.arange(len(a)), "record": a, "other": b})
    shared = left.merge(entries, on="record").merge(
        entries.rename(columns={"record": "other"}), on=["other", "code"]
    )
    out = np.zeros(len(a), dtype=bool)
    out[shared["pair"].to_numpy()] = True
    return out


def _level_names(p: Prepared, level: npt.NDArray[np.int8]) -> list[str]:
    names = [s.name + (f"≥{s.threshold:g}" if s.threshold else "") for s in p.comparison.levels]
    names.append("differs")
    return ["null" if lv < 0 else names[int(lv)] for lv in level.tolist()]


def missed_pairs(
    frame: pd.DataFrame,
    rules: Rules,
    result: DedupeResult,
    truth: Mapping[str, object],
    *,
    key: str = "_key",
) -> MissedPairs:
    """Explain every true pair of ``frame`` that ``result`` did not put in one cluster."""
    frame = frame.reset_index(drop=True)
    keys = frame[key].astype(str).to_numpy(dtype=object)
    a, b = true_pairs(keys, truth)
    labels = result.clusters["cluster"].to_numpy()
    missed = labels[a] != labels[b]
    a, b = a[missed], b[missed]
    prepared = {c.name: prepare(frame, c) for c in rules.comparisons}
    columns: dict[str, object] = {"key_a": keys[a], "key_b": keys[b]}
    blocked = np.zeros(len(a), dtype=bool)
    for block in rules.blocking:
        shares = _shares_key(frame, block, prepared, a, b)
        columns[f"block:{block.name}"] = shares
        blocked |= shares
    if result.model is None:
        raise ValueError("missed_pairs needs a fresh dedupe_table result (with its model)")
    cand = [levels(p, a, b) for p in prepared.values()]
    score = result.model.score([c.level for c in cand])
    prob = probability(score)
    for p, c in zip(prepared.values(), cand, strict=True):
        columns[f"level:{p.comparison.name}"] = _level_names(p, c.level)
    vetoed = np.zeros(len(a), dtype=bool)
    for comparison, c in zip(rules.comparisons, cand, strict=True):
        if comparison.required:
            vetoed |= c.level == len(comparison.levels)
    held = held_as_relatives(rules, [c.level for c in cand])
    verdict = np.where(~blocked, "not blocked", np.where(vetoed, "vetoed", np.where(
        prob < rules.match, "below threshold", np.where(held, "held as relatives",
                                                        "cluster guard"))))  # fmt: skip
    pairs = pd.DataFrame({**columns, "verdict": verdict, "probability": prob, "score": score})
    return MissedPairs(int(missed.size), pairs)
