"""Pairwise precision, recall and F1 of a clustering against known truth.

A score is only as good as the overlap it is computed on: records that are clustered but absent
from the truth (or the other way round) are not scored. :func:`pairwise_scores` therefore says
how many records and true pairs it scored, and refuses (:class:`NothingToScore`) when it would
score nothing — no clustered id in the truth (ids read from the wrong column), or no true pair
among the records both sides know (recall would be a vacuous 1.0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["NothingToScore", "PairwiseScores", "pairwise_scores"]


class NothingToScore(ValueError):
    """The clustering and the truth share no record, or their shared records hold no true pair."""


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    """Counts of record pairs placed together: true positives, false positives, false negatives.

    Attributes:
        true_pairs: duplicate pairs of the truth among the scored records.
        tp / fp / fn: predicted pairs that are true, predicted pairs that are not, true pairs
            that were not predicted.
        records: records scored (clustered and in the truth).
        unscored: clustered records the truth does not know (left out of every count).
    """

    true_pairs: int
    tp: int
    fp: int
    fn: int
    records: int = 0
    unscored: int = 0

    @property
    def precision(self) -> float:
        """Share of predicted pairs that are true (1.0 when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that were found (there is at least one: see the module)."""
        return self.tp / self.true_pairs if self.true_pairs else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def scored(self) -> str:
        """What was scored, e.g. ``scored 2250 records (0 not in the truth), 750 true pairs``."""
        return (
            f"scored {self.records} records ({self.unscored} not in the truth), "
            f"{self.true_pairs} true pairs"
        )


def _pairs(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(
    cluster_of: Mapping[str, object], truth: Mapping[str, object]
) -> PairwiseScores:
    """Compare ``record → cluster`` with ``record → true entity`` over the records in both.

    Raises:
        NothingToScore: no clustered record is in the truth, or the records in both hold no
            true pair.
    """
    keys = [k for k in cluster_of if k in truth]
    if not keys:
        raise NothingToScore(_no_overlap(cluster_of, truth))
    frame = pd.DataFrame({
        "c": pd.factorize(pd.Series([cluster_of[k] for k in keys], dtype=object))[0],
        "t": pd.factorize(pd.Series([truth[k] for k in keys], dtype=object))[0],
    })  # fmt: skip
    predicted = _pairs(frame.groupby("c").size().to_numpy())
    true = _pairs(frame.groupby("t").size().to_numpy())
    if not true:
        raise NothingToScore(
            f"the {len(keys)} records found in the truth hold no true duplicate pair: "
            "recall cannot be measured; score a table with known duplicates"
        )
    tp = _pairs(frame.groupby(["c", "t"]).size().to_numpy())
    return PairwiseScores(true_pairs=true, tp=tp, fp=predicted - tp, fn=true - tp,
                          records=len(keys), unscored=len(cluster_of) - len(keys))  # fmt: skip


def _no_overlap(cluster_of: Mapping[str, object], truth: Mapping[str, object]) -> str:
    ours = next(iter(cluster_of), None)
    theirs = next(iter(truth), None)
    return (
        f"none of the {len(cluster_of)} clustered record ids is in the truth "
        f"({len(truth)} ids; e.g. clustered {ours!r}, truth {theirs!r}): "
        "read the record ids from the column the truth uses (`--key`)"
    )
