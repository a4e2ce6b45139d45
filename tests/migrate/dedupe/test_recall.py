"""Recall and speed of issue 14: address parts, u without matches, relatives, pruning, budgets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.dedupe_people import generate_people
from migrate.cli import cli
from migrate.dedupe import dedupe_table, pairwise_scores
from migrate.dedupe._features import Codes, pair_scores, shared_scores, sorted_unique, unique_counts
from migrate.dedupe.blocking import _SINGLE, candidate_pairs
from migrate.dedupe.compare import _holds, _one_edit, levels, prepare
from migrate.dedupe.diagnose import evidence_share, missed_pairs, true_pairs
from migrate.dedupe.engine import key_codes
from migrate.dedupe.infer import infer_rules, rules_document
from migrate.dedupe.model import estimate_u
from migrate.dedupe.rules import BlockingKey, parse_rules
from migrate.dedupe.scoring import score_candidates
from tests.migrate.dedupe.test_compare import _level

ADDRESS = ["number", "street", "suburb", "postcode", "state"]


@pytest.mark.parametrize(("left", "right", "expected"), [
    (("16", "wolff crescent", "kurrajong", "3135", "vic"),
     ("16", "wolffcrescent", "kurrajong", "3153", "vic"), "fuzzy"),   # glued words: still near
    (("16", "wolff crescent", "kurrajong", "3135", "vic"),
     ("61", "wolff street", "kurajong hts", "3135", "vic"), "parts"),  # 3 of 5 parts agree
    (("16", "wolff crescent", "kurrajong", "3135", "vic"),
     ("2", "main road", "sydney", "2000", "vic"), "differs"),
])  # fmt: skip
def test_an_address_in_parts_agrees_by_the_share_of_its_parts(left, right, expected):
    got = _level("text", left, right, ["exact", {"fuzzy": 0.9}, {"parts": 0.6}],
                 columns=ADDRESS, scorer="token_set_ratio")  # fmt: skip
    assert got[0] == expected


def test_prefix_keys_keep_the_digits_of_a_number():
    assert _SINGLE["prefix3"]("3135") == "313"
    assert _SINGLE["prefix3"]("Wolff Crescent") == _SINGLE["prefix3"]("wolf crescent")


def test_u_leaves_out_the_matches_among_random_pairs():
    rules = parse_rules({"comparisons": [{"name": "n", "kind": "exact", "columns": ["n"]}]},
                        entity="t")  # fmt: skip
    random = [np.array([0] * 50 + [1] * 9950, dtype=np.int8)]  # 50 of 10,000 agree
    plain = estimate_u(rules, random, prior_pairs=0)[0]
    corrected = estimate_u(rules, random, prior_pairs=0,
                           matches=(0.004, [np.array([1.0, 0.0])]))[0]  # fmt: skip
    assert plain[0] == pytest.approx(0.005)
    assert corrected[0] == pytest.approx(10 / 9960)  # 40 of the 50 were duplicates


def test_a_coarse_key_loses_its_largest_blocks_first():
    frame = pd.DataFrame({"k": ["a"] * 30 + ["b"] * 10 + ["c"] * 3})
    key = BlockingKey("k", ("k",), ("exact",))
    found = candidate_pairs(frame, (key,), max_block=1000, max_key_pairs=100)
    assert found.per_key["k"] == 45 + 3  # "a" (435 pairs) dropped, "b" and "c" kept
    assert found.coarse == {"k": 1}


def test_unique_by_sorting_equals_numpy():
    values = np.random.default_rng(1).integers(0, 50, 1000)
    assert (sorted_unique(values) == np.unique(values)).all()
    got, counts = unique_counts(values)
    want, want_counts = np.unique(values, return_counts=True)
    assert (got == want).all()
    assert (counts == want_counts).all()


def test_shared_scores_are_the_scores():
    source = Codes(np.arange(4), np.array(["anna", "ana", "bob", "boba"], dtype=object))
    sa, sb = np.array([0, 2, 1, 3]), np.array([1, 3, 0, 3])
    mask = np.array([True, True, False, True])
    from rapidfuzz.distance import OSA

    plain = pair_scores(source, sa, sb, mask, OSA.normalized_similarity)
    with shared_scores():
        first = pair_scores(source, sa, sb, mask, OSA.normalized_similarity, key="x")
        again = pair_scores(source, sa, sb, ~mask, OSA.normalized_similarity, key="x")
    assert np.allclose(plain, first)
    assert again[2] == pytest.approx(0.75)  # not asked for on the first call: scored now
    assert again[0] == 0.0


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("19850319", "19850319", True), ("19850319", "19850318", True),   # one digit
    ("19850319", "19851903", False),                                  # day and month: 4 edits
    ("19850319", "19850391", True), ("19850319", "99850311", False),  # neighbours / far apart
    ("1985031", "19850319", True), ("198503", "19850319", False),     # a digit lost / two
    ("", "1", True),
])  # fmt: skip
def test_one_edit_vectors(left, right, expected):
    source = Codes(np.arange(2), np.array([left, right], dtype=object))
    got = _one_edit(source, np.array([0]), np.array([1]), np.array([True]))
    assert bool(got[0]) is expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="0123ab", max_size=6), min_size=2, max_size=40, unique=True)
       | st.lists(st.text(alphabet="01aé", max_size=10), min_size=2, max_size=40, unique=True),
       st.integers(0, 2**32 - 1))  # fmt: skip
def test_one_edit_is_osa_distance_of_one(values, seed):
    """Short ASCII values go the packed-integer way, longer or non-ASCII ones by characters."""
    from rapidfuzz.distance import OSA

    rng = np.random.default_rng(seed)
    source = Codes(np.arange(len(values)), np.array(values, dtype=object))
    ca, cb = rng.integers(-1, len(values), 300), rng.integers(-1, len(values), 300)
    mask = rng.random(300) < 0.8
    got = _one_edit(source, ca, cb, mask)
    want = [bool(m and x >= 0 and y >= 0 and OSA.distance(values[x], values[y]) <= 1)
            for m, x, y in zip(mask, ca, cb, strict=True)]  # fmt: skip
    assert got.tolist() == want


def test_best_level_first_is_every_level_at_once():
    """Levels tried best first, each on the pairs left, equal the best level that holds."""
    frame, _ = _people(600, 200, seed=6)
    rules = infer_rules(frame, "rec_id")
    frame["_key"] = frame["rec_id"]
    prepared = [prepare(frame, c) for c in rules.comparisons]
    found = candidate_pairs(frame, rules.blocking, max_block=1000)
    a, b = found.a, found.b
    for p in prepared:
        ca, cb = p.main.codes[a], p.main.codes[b]
        everyone = (ca >= 0) & (cb >= 0)
        want = np.full(len(a), len(p.comparison.levels), dtype=np.int8)
        for index in reversed(range(len(p.comparison.levels))):
            spec = p.comparison.levels[index]
            with shared_scores():
                want[_holds(p, spec.name, spec.threshold, a, b, ca, cb, everyone)] = index
        want[~everyone] = -1
        got = levels(p, a, b).level
        if p.multi is None:
            assert (got == want).all(), p.comparison.name
        assert len(set(got.tolist())) > 2


def _people(entities: int, duplicates: int, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    frame, truth = generate_people(entities, duplicates, seed=seed)
    return frame.drop(columns=["soc_sec_id"]), truth


def test_skipping_hopeless_pairs_changes_no_decision():
    frame, _ = _people(1500, 500, seed=4)
    document = rules_document(frame, "rec_id")
    rules = parse_rules(document, entity="t")
    frame["_key"] = frame["rec_id"]
    prepared = [prepare(frame, c) for c in rules.comparisons]
    known = {p.comparison.name: key_codes(p) for p in prepared}
    found = candidate_pairs(frame, rules.blocking, max_block=1000, known=known)
    pairs = (found.a, found.b, np.zeros(len(found.a), dtype=bool))
    pruned = score_candidates(prepared, rules, found, pairs, len(frame), 0)
    no_floor = parse_rules({**document, "thresholds": {"match": rules.match, "review": 0.0}},
                           entity="t")  # fmt: skip
    everything = score_candidates(prepared, no_floor, found, pairs, len(frame), 0)
    shown = pruned.score > np.log2(rules.review / (1 - rules.review))
    assert (pruned.score < -50).sum() > len(found.a) // 2  # most never reached the names
    assert np.allclose(pruned.score[shown], everything.score[shown])
    assert (everything.score[~shown] <= 0).all()


def test_relatives_are_held_for_review_not_merged():
    frame = pd.DataFrame({
        "_key": ["1", "2", "3"],
        "given_name": ["jane", "", "mark"], "surname": ["york", "york", "york"],
        "dob": ["19570320", "19811217", "19600101"],
        "street": ["379 jamie terrace"] * 2 + ["2 main road"], "suburb": ["st. darius"] * 3,
    })  # fmt: skip
    rules = parse_rules({
        "comparisons": [
            {"name": "name", "kind": "person_name", "columns": ["given_name", "surname"],
             "levels": ["exact", {"fuzzy": 0.85}, "subset", {"part": 0.8}]},
            {"name": "dob", "kind": "date", "columns": ["dob"], "levels": ["exact", "typo"],
             "relatives": True},
            {"name": "address", "kind": "text", "columns": ["street", "suburb"],
             "levels": [{"name": "exact", "m": 0.9, "u": 1e-9}]},
        ],
        "blocking": ["address"], "thresholds": {"match": 0.5, "review": 0.01},
        "model": {"estimate": "fixed"},
    }, entity="t")  # fmt: skip
    result = dedupe_table(frame, rules, explain=False)
    assert result.clusters["cluster"].nunique() == 3  # nobody merged
    held = result.pairs.set_index(["key_a", "key_b"])
    assert held.loc[("1", "2"), "status"] == "review"  # «York» without a given name: ask
    unheld = parse_rules(
        {
            **rules_as_dict(rules),
            "comparisons": [{**c, "relatives": False} for c in rules_as_dict(rules)["comparisons"]],
        },
        entity="t",
    )
    merged = dedupe_table(frame, unheld, explain=False)
    assert merged.key_map["2"] == merged.key_map["1"]  # without the guard, the address wins


def rules_as_dict(rules):
    return {
        "comparisons": [
            {"name": c.name, "kind": c.kind, "columns": list(c.columns),
             "levels": [{"name": lv.name, **({"threshold": lv.threshold} if lv.threshold else {}),
                         **({"m": lv.m} if lv.m else {}), **({"u": lv.u} if lv.u else {})}
                        for lv in c.levels],
             "relatives": c.relatives}
            for c in rules.comparisons
        ],
        "blocking": [b.name for b in rules.blocking],
        "thresholds": {"match": rules.match, "review": rules.review},
        "model": {"estimate": rules.estimate},
    }  # fmt: skip


def test_the_person_preset_works_without_its_optional_ssn(tmp_path):
    frame, truth = _people(600, 200, seed=8)
    source = tmp_path / "people.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(source), "--rules", "person",
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "comparison `ssn` dropped: soc_sec_id not in the file" in result.output
    assert "blocking key `ssn` dropped" in result.output
    clusters = pd.read_csv(out, dtype=str)
    scores = pairwise_scores(dict(zip(clusters["record_id"], clusters["cluster_id"],
                                      strict=True)), truth)  # fmt: skip
    assert scores.f1 >= 0.97, scores


def test_missed_pairs_say_why_and_the_ceiling_counts_chains():
    frame, truth = _people(800, 300, seed=6)
    rules = infer_rules(frame, "rec_id")
    frame["_key"] = frame["rec_id"]
    result = dedupe_table(frame, rules, explain=False)
    found = missed_pairs(frame, rules, result, truth)
    clusters = dict(zip(result.clusters["_key"], result.clusters["cluster"], strict=True))
    assert len(found.pairs) == pairwise_scores(clusters, truth).fn
    assert set(found.verdicts()) <= {"not blocked", "below threshold", "vetoed",
                                     "held as relatives", "cluster guard"}  # fmt: skip
    assert {c for c in found.pairs.columns if c.startswith("level:")} == {
        f"level:{c.name}" for c in rules.comparisons
    }
    a, b = true_pairs(frame["_key"].to_numpy(object), truth)
    evidence = evidence_share(frame, rules, a, b)
    assert evidence.pairs == pairwise_scores(clusters, truth).true_pairs
    assert 0.9 < evidence.direct <= evidence.reachable <= 1.0


def test_company_columns_get_company_rules_and_inns_are_strong(tmp_path):
    frame = pd.DataFrame({
        "Record": [f"r{i}" for i in range(8)],
        "Organization": ['ООО "Ромашка"', "Ромашка, ООО", "Acme LLC", "ACME, Inc.",
                         "Василёк", "Василёк", "Globex", "Initech"],
        "INN": ["7707083893", "7707083893", "", "", "7728168971", "7707083893", "", ""],
        "Phone": ["", "", "+1 310 246 1501", "+1 (310) 246-15-01", "", "", "", ""],
    })  # fmt: skip
    rules = infer_rules(frame, "Record")
    kinds = {c.name: (c.kind, c.strong) for c in rules.comparisons}
    assert kinds["Organization"] == ("company_name", False)
    assert kinds["INN"] == ("identifier", True)
    frame["_key"] = frame["Record"]
    labels = dedupe_table(frame, rules, explain=False).key_map
    assert labels["r1"] == labels["r0"]  # legal form moved, same INN
    assert labels["r3"] == labels["r2"]  # same phone, legal form differs
    assert labels["r5"] != labels["r4"]  # one name, two valid INNs: two companies
