"""Pairwise scores: right on small hand-made cases, and never a perfect score on nothing."""

from __future__ import annotations

import pytest

from migrate.dedupe import NothingToScore, pairwise_scores

TRUTH = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"}


def test_counts_on_a_small_clustering():
    # predicted: {a1, a2} {a3, b1} {b2} {c1}: one true pair found, one false, three missed
    clusters = {"a1": 1, "a2": 1, "a3": 2, "b1": 2, "b2": 3, "c1": 4}
    s = pairwise_scores(clusters, TRUTH)
    assert (s.true_pairs, s.tp, s.fp, s.fn) == (4, 1, 1, 3)
    assert (s.precision, s.recall) == (0.5, 0.25)
    assert s.f1 == pytest.approx(1 / 3)
    assert (s.records, s.unscored) == (6, 0)


def test_ids_that_match_nothing_in_the_truth_refuse_to_score():
    """What `linkage_eval` without `--key` did: row numbers against record ids, F1 1.0."""
    clusters = {f"row:{n}": n for n in range(2, 8)}
    with pytest.raises(NothingToScore, match=r"none of the 6 clustered record ids.*`--key`"):
        pairwise_scores(clusters, TRUTH)


def test_a_truth_without_duplicates_among_the_scored_records_refuses_to_score():
    clusters = {"a1": 1, "b1": 1, "c1": 2, "x": 3}
    with pytest.raises(NothingToScore, match="no true duplicate pair"):
        pairwise_scores(clusters, TRUTH)


def test_records_outside_the_truth_are_counted_as_unscored():
    clusters = {"a1": 1, "a2": 1, "zz1": 1, "zz2": 9}
    s = pairwise_scores(clusters, TRUTH)
    assert (s.records, s.unscored, s.true_pairs, s.tp, s.fp) == (2, 2, 1, 1, 0)
    assert s.scored() == "scored 2 records (2 not in the truth), 1 true pairs"
