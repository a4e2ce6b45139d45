"""dedupe_table end to end: candidates counted first, guards hold, decisions bind."""

from __future__ import annotations

import pandas as pd

from migrate.dedupe import Decisions, dedupe_table, default_rules, pairwise_scores, parse_rules

from .conftest import ROWS, TRUTH, contact_frame


def _clusters(result):
    groups: dict[int, set[str]] = {}
    for key, cluster in zip(result.clusters["_key"], result.clusters["cluster"], strict=True):
        groups.setdefault(int(cluster), set()).add(key)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def test_duplicates_are_merged_and_explained(contacts):
    lines: list[str] = []
    result = dedupe_table(
        contacts, default_rules("contact"), on_progress=lambda t: lines.append(t.note)
    )
    assert "candidate pairs" in lines[0]  # counted before any scoring
    assert _clusters(result) == [["1", "2", "3"], ["4", "5"], ["6"], ["7", "8"]]
    assert result.key_map["3"] == result.key_map["1"] == result.key_map["2"]
    assert set(result.key_map) == set(TRUTH)
    reasons = result.pairs.set_index(["key_a", "key_b"])["reason"]
    assert "совпадает телефон +79161112233" in reasons[("1", "2")]
    assert "транслитерации" in reasons[("1", "2")]
    clusters = dict(zip(result.clusters["_key"], result.clusters["cluster"], strict=True))
    scores = pairwise_scores(clusters, TRUTH)
    assert (scores.records, scores.true_pairs, scores.tp, scores.fp) == (8, 5, 5, 0)
    survivors = result.survivors.set_index("_key")
    assert len(survivors) == 4
    master = result.key_map["1"]
    assert set(survivors.loc[master, "_absorbed"]) == {"1", "2", "3"} - {master}


def test_without_survivorship_the_clusters_are_the_same(contacts):
    """``survive=False`` (the stand-alone path) merges no row and changes nothing else."""
    full = dedupe_table(contacts, default_rules("contact"), explain=False)
    lean = dedupe_table(contacts, default_rules("contact"), explain=False, survive=False)
    pd.testing.assert_frame_equal(lean.clusters, full.clusters)
    pd.testing.assert_frame_equal(lean.pairs, full.pairs)
    assert lean.key_map == full.key_map
    assert len(full.survivors) == 4
    assert lean.survivors.empty
    assert list(lean.survivors.columns) == list(full.survivors.columns)


def test_explanations_in_english(contacts):
    rules = parse_rules({"base": "contact", "language": "en"}, entity="contact")
    result = dedupe_table(contacts, rules)
    reasons = " ".join(result.pairs["reason"])
    assert "same phone +79035554433" in reasons


def test_the_same_phone_alone_does_not_merge_two_different_people(contacts):
    result = dedupe_table(contacts, default_rules("contact"))
    assert result.key_map["6"] == "6"
    assert result.key_map["4"] != "6"


def test_two_valid_inns_never_merge():
    frame = pd.DataFrame({
        "_key": ["a", "b", "c"],
        "TITLE": ['ООО "Ромашка"', "Ромашка ООО", "ООО Ромашка"],
        "RQ_INN": ["7707083893", "7728168971", ""],
        "PHONE": [(("+74951112233", "WORK"),)] * 3,
    })  # fmt: skip
    result = dedupe_table(frame, default_rules("company"))
    assert result.key_map["a"] != result.key_map["b"]
    assert result.key_map["c"] in ("a", "b", "c")


def test_decisions_bind_and_survive_a_changed_input(contacts):
    decisions = Decisions.build(merge=[("6", "4")], separate=[("7", "8")], masters=["5"])
    result = dedupe_table(contacts, default_rules("contact"), decisions=decisions)
    assert result.key_map["6"] == result.key_map["4"] == "5"
    assert result.key_map["7"] != result.key_map["8"]
    # the source changes: rows reordered, one removed, a new one added, fields edited
    new = ("9", "Новиков", "Павел", "", "+79998887766", "", "2024-01-01")
    rows = [*[r for r in ROWS if r[0] != "1"][::-1], new]
    rows = [(r[0], r[1], r[2], r[3], r[4], "changed@x.ru" if r[0] == "6" else r[5], r[6])
            for r in rows]  # fmt: skip
    again = dedupe_table(contact_frame(rows), default_rules("contact"), decisions=decisions)
    assert again.key_map["6"] == again.key_map["4"] == "5"
    assert again.key_map["7"] != again.key_map["8"]
    assert again.decisions.merge == frozenset({("4", "6")})
