"""`bench.real_exports`: the real-export keys cost a small multiple of the same work without
them (folding lines once cost 30× through per-cell pandas look-ups)."""

from __future__ import annotations

import os

import pytest

from bench.real_exports import measure


@pytest.mark.slow
def test_routing_composition_and_folding_stay_within_a_small_multiple(monkeypatch):
    monkeypatch.setenv("B24MIGRATE_WORKERS", "1")
    rows = 100_000 if os.environ.get("B24_SLOW") else 15_000
    got = measure(rows)
    assert got["deals"] == rows // 3
    assert got["fold_ratio"] < 4, got
    assert got["amo_ratio"] < 5, got
