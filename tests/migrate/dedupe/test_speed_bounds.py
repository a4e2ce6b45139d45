"""Speed paths that must not change a result: similarity bounds, waves, the heap setting."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

import migrate.dedupe.scoring as scoring
from bench.dedupe_people import generate_people
from migrate.dedupe._features import Codes, pair_scores, shared_scores, upper_bound
from migrate.dedupe._heap import heap_kept
from migrate.dedupe.blocking import candidate_pairs
from migrate.dedupe.compare import prepare
from migrate.dedupe.engine import key_codes
from migrate.dedupe.infer import rules_document
from migrate.dedupe.rules import parse_rules

# short and long (past the vectorised width), ASCII, Cyrillic, accents, CJK, digits, spaces
_TEXT = st.text(alphabet="abcxyzабвгдеёжé中文 0123-", min_size=1, max_size=60)


def _codes(values: list[str]) -> Codes:
    return Codes(np.arange(len(values)), np.array(values, dtype=object))


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, min_size=2, max_size=30, unique=True), st.integers(0, 2**32 - 1))
def test_the_bound_is_never_below_the_similarity(values, seed):
    rng = np.random.default_rng(seed)
    source = _codes(values)
    sa, sb = rng.integers(-1, len(values), 200), rng.integers(-1, len(values), 200)
    for scorer, scale in ((OSA.normalized_similarity, 1.0), (fuzz.ratio, 100.0)):
        best = upper_bound(source, sa, sb, scorer)
        for x, y, bound in zip(sa, sb, best, strict=True):
            if x >= 0 and y >= 0:
                assert scorer(values[x], values[y]) / scale <= bound + 1e-9


def test_the_bound_prunes_what_it_can_and_refuses_other_scorers():
    source = _codes(["ivanov", "petrova", "ivanova", "ab", "ba"])
    sa, sb = np.array([0, 0, 3]), np.array([1, 2, 4])
    best = upper_bound(source, sa, sb, OSA.normalized_similarity)
    assert best[0] < 0.5  # no shared letters but «v», «o»…: far below any threshold
    assert best[1] == pytest.approx(1 - 1 / 7)  # one letter longer: the length bound
    assert best[2] == 1.0  # same letters swapped: the bound cannot tell, scoring must
    with pytest.raises(ValueError, match="no bound"):
        upper_bound(source, sa, sb, fuzz.token_set_ratio)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, min_size=2, max_size=25, unique=True), st.integers(0, 2**32 - 1),
       st.sampled_from([0.5, 0.7, 0.85, 0.95]))  # fmt: skip
def test_at_least_changes_no_decision(values, seed, threshold):
    """Pairs that reach ``at_least`` keep their exact score; the rest stay below it, also when
    a second, lower ``at_least`` asks again under the same key (bounds are cached)."""
    rng = np.random.default_rng(seed)
    source = _codes(values)
    sa, sb = rng.integers(-1, len(values), 300), rng.integers(-1, len(values), 300)
    mask = rng.random(300) < 0.9
    for scorer in (OSA.normalized_similarity, fuzz.ratio):
        plain = pair_scores(source, sa, sb, mask, scorer)
        with shared_scores():
            high = pair_scores(source, sa, sb, mask, scorer, key="k", at_least=threshold)
            low = pair_scores(source, sa, sb, mask, scorer, key="k", at_least=threshold - 0.3)
        for got, floor in ((high, threshold), (low, threshold - 0.3)):
            reach = plain >= floor - 1e-9
            assert np.array_equal(got >= floor - 1e-9, reach)
            assert np.allclose(got[reach], plain[reach])


def test_waves_cut_where_the_sample_says_pairs_are_pruned():
    assert scoring._waves([2, 0, 1], [1.0, 0.9, 0.1]) == [[2, 0, 1]]
    assert scoring._waves([2, 0, 1], [1.0, 0.5, 0.1]) == [[2, 0], [1]]
    assert scoring._waves([2, 0, 1], [0.3, 0.2, 0.1]) == [[2], [0], [1]]
    assert scoring._waves([], []) == []


def test_scores_are_the_same_in_waves_or_one_by_one(monkeypatch):
    frame, _ = generate_people(1500, 500, seed=4)
    frame = frame.drop(columns=["soc_sec_id"])
    rules = parse_rules(rules_document(frame, "rec_id"), entity="t")
    frame["_key"] = frame["rec_id"]
    prepared = [prepare(frame, c) for c in rules.comparisons]
    known = {p.comparison.name: key_codes(p) for p in prepared}
    found = candidate_pairs(frame, rules.blocking, max_block=1000, known=known)
    pairs = (found.a, found.b, np.zeros(len(found.a), dtype=bool))
    runs = []
    for speculate in (2.0, 0.0):  # never side by side / every comparison in one wave
        monkeypatch.setattr(scoring, "SPECULATE", speculate)
        runs.append(scoring.score_candidates(prepared, rules, found, pairs, len(frame), 0))
    one, waves = runs
    assert (one.score < -50).sum() > 0  # some pairs were pruned: waves had to undo their levels
    assert np.array_equal(one.score, waves.score)
    assert all(np.array_equal(x, y) for x, y in zip(one.levels, waves.levels, strict=True))
    assert np.array_equal(one.conflict, waves.conflict)
    assert np.array_equal(one.veto, waves.veto)
    assert np.array_equal(one.held, waves.held)


def test_heap_setting_is_restored_after_the_block():
    switch = np._core.multiarray._set_madvise_hugepage
    before = switch(True)
    try:
        with heap_kept():
            with heap_kept():  # nested: the outer block restores
                assert switch(False) is False  # huge pages off inside
            assert switch(False) is False
        assert switch(True) is True  # back on after the block
    finally:
        switch(before)


def test_column_text_is_made_once_per_frame_and_columns():
    import pandas as pd

    from migrate.dedupe._features import column_text, shared_texts

    one = pd.DataFrame({"a": ["x", "y"], "b": ["1", None]})
    two = pd.DataFrame({"a": ["z", "w"], "b": ["2", "3"]})
    with shared_texts():
        first = column_text(one, ["a", "b"])
        assert column_text(one, ["a", "b"]) is first  # made once
        assert column_text(one, ["a"]) is not first  # other columns: other text
        assert column_text(two, ["a", "b"]).tolist() == ["z; 2", "w; 3"]  # other frame
    assert first.tolist() == ["x; 1", "y"]
    assert column_text(one, ["a", "b"]) is not first  # outside the block: made again


# the pattern code tokens were found with before: right, but quadratic on a huge cell
_OLD_CODE = re.compile(
    r"(?:[0-9a-zа-я]+[-./])*[0-9a-zа-я]*\d[0-9a-zа-я]*(?:[-./][0-9a-zа-я]+)*", re.I
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1z9я-./ ,xЖ", max_size=30))
def test_code_tokens_are_what_the_backtracking_pattern_found(text):
    from migrate.dedupe._normalise import _plain, code_tokens

    found = (t.lower().replace("-", "").replace(".", "").replace("/", "")
             for t in _OLD_CODE.findall(_plain(text)))  # fmt: skip
    assert code_tokens(text) == sorted({t for t in found if len(t) >= 3})


def test_a_huge_cell_is_read_in_one_pass():
    """40,000 letters (a pasted document): the old pattern took minutes per cell."""
    from migrate.dedupe._normalise import code_tokens

    assert code_tokens("x" * 40_000) == []
    assert code_tokens("a" * 40_000 + "..1 LX-7964") == ["lx7964"]
    assert code_tokens("a" * 39_999 + "1") == ["a" * 39_999 + "1"]
