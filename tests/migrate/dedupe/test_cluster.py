"""Clusters: components, and the guards that stop chains and conflicting identifiers."""

from __future__ import annotations

import numpy as np

from migrate.dedupe.cluster import cluster_records, connected_components

A = np.array


def test_connected_components_label_with_the_smallest_member():
    labels = connected_components(7, A([0, 1, 5, 4]), A([1, 2, 6, 3]))
    assert labels.tolist() == [0, 0, 0, 3, 3, 5, 5]


def test_a_long_chain_is_cut_at_the_size_cap_weakest_links_first():
    n = 10
    a, b = np.arange(n - 1), np.arange(1, n)
    strength = np.full(n - 1, 0.99)
    strength[4] = 0.951  # the weakest link in the middle
    got = cluster_records(n, a, b, strength, max_cluster=5).labels
    assert got.tolist() == [0] * 5 + [5] * 5


def test_two_inns_in_one_component_split_it():
    # 0-1 same INN, 2-3 another INN, a weak phone link 1-2 would join them
    inn = A([10, 10, 20, 20, -1])
    got = cluster_records(5, A([0, 2, 1, 3]), A([1, 3, 2, 4]), A([0.99, 0.99, 0.96, 0.97]),
                          max_cluster=20, strong_codes=[inn])  # fmt: skip
    assert got.labels[0] == got.labels[1] != got.labels[2] == got.labels[3]
    assert got.labels[4] == got.labels[2]
    assert got.rebuilt == 1


def test_client_decisions_win_over_guards_but_never_over_keep_separate():
    inn = A([10, 20, -1])
    forced = A([True, False])
    got = cluster_records(3, A([0, 1]), A([1, 2]), A([2.0, 0.99]), max_cluster=20,
                          strong_codes=[inn], forced=forced, cannot_link=[(1, 2)])  # fmt: skip
    assert got.labels.tolist() == [0, 0, 2]
