"""Pairwise precision, recall and F1 of a clustering against known truth."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PairwiseScores", "pairwise_scores"]


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    """Counts of record pairs placed together: true positives, false positives, false negatives."""

    true_pairs: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of predicted pairs that are true (1.0 when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that were found (1.0 when there are none)."""
        return self.tp / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(
    cluster_of: Mapping[str, object], truth: Mapping[str, object]
) -> PairwiseScores:
    """Compare ``record → cluster`` with ``record → true entity`` over the records in both."""
    keys = [k for k in cluster_of if k in truth]
    frame = pd.DataFrame({
        "c": pd.factorize(pd.Series([cluster_of[k] for k in keys], dtype=object))[0],
        "t": pd.factorize(pd.Series([truth[k] for k in keys], dtype=object))[0],
    })  # fmt: skip
    predicted = _pairs(frame.groupby("c").size().to_numpy())
    true = _pairs(frame.groupby("t").size().to_numpy())
    tp = _pairs(frame.groupby(["c", "t"]).size().to_numpy())
    return PairwiseScores(true_pairs=true, tp=tp, fp=predicted - tp, fn=true - tp)
