"""Record linkage on tables nobody wrote rules for: new levels, inferred rules, the CLI."""

from __future__ import annotations

import csv
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bench.dedupe_people import generate_people
from bench.linkage_data import GENERATORS, generate
from migrate.cli import cli
from migrate.dedupe import _normalise as norm
from migrate.dedupe import pairwise_scores
from migrate.dedupe.infer import infer_roles, infer_rules
from migrate.dedupe.rules import parse_rules
from migrate.dedupe.standalone import dedupe_file
from migrate.errors import MappingError
from tests.migrate.dedupe.test_compare import _level

NAME_COLUMNS = ["given_name", "surname"]


@pytest.mark.parametrize(("left", "right", "expected"), [
    (("natalia", "gredn"), ("william", "green"), "differs"),  # another given name: a relative
    (("mia", "green"), ("green", "maya"), "part"),            # swapped, another spelling
    (("", "green"), ("william", "green"), "part"),            # no given name to differ
    (("hannah", "bloomfield"), ("hannah", "dixon"), "part"),  # surname changed
    (("isabelle", ""), ("isabele", ""), "part"),              # no surname on either side
    (("mia", "gloster"), ("gloster", "riley"), "part"),       # crosswise
    (("john", "smith"), ("mary", "brown"), "differs"),
])  # fmt: skip
def test_part_level_one_name_part_agrees(left, right, expected):
    spec = ["exact", {"fuzzy": 0.85}, {"part": 0.8}]
    assert _level("person_name", left, right, spec, columns=NAME_COLUMNS)[0] == expected


def test_part_level_comes_after_the_stricter_ones():
    spec = ["exact", {"fuzzy": 0.85}, {"part": 0.8}]
    got = _level("person_name", ("johnathan", "smith"), ("jonathan", "smith"), spec,
                 columns=NAME_COLUMNS)  # fmt: skip
    assert got[0] == "fuzzy"


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("2423787", "2423787", "exact"),
    ("2423787", "2427387", "typo"),   # two digits swapped, not neighbours
    ("1234567", "1234576", "typo"),   # neighbours swapped
    ("1234567", "1234560", "typo"),   # one digit wrong
    ("1234567", "123456", "typo"),    # one digit lost
    ("1234567", "7654321", "differs"),
    ("1234567", "1239867", "differs"),
])  # fmt: skip
def test_identifier_typo_level(left, right, expected):
    assert _level("identifier", left, right, ["exact", "typo"])[0] == expected


def test_new_levels_parse_and_are_checked():
    rules = parse_rules({"comparisons": [
        {"name": "n", "kind": "person_name", "columns": ["a"], "levels": [{"part": 0.8}]},
        {"name": "i", "kind": "identifier", "columns": ["b"], "levels": ["exact", "typo"]},
    ]}, entity="t")  # fmt: skip
    assert rules.comparisons[0].levels[0].threshold == 0.8
    with pytest.raises(MappingError, match="part"):
        parse_rules({"comparisons": [{"name": "n", "kind": "text", "columns": ["a"],
                                      "levels": [{"part": 0.8}]}]}, entity="t")  # fmt: skip


def test_a_phone_with_a_slash_is_one_number():
    assert norm.split_multi("310/246-1501") == ["310/246-1501"]
    assert norm.phone_key("310/246-1501") == norm.phone_key("310-246-1501")
    assert len(norm.split_multi("8 916 111-22-33 / 8 903 000 00 01")) == 2
    assert norm.split_multi("a@b.ru, c@d.ru") == ["a@b.ru", "c@d.ru"]


def test_roles_from_odd_headers_and_values():
    frame = pd.DataFrame({
        "Row ID": [f"r{i}" for i in range(6)],
        "First Name": ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay"],
        "LAST-NAME": ["Lee", "Ray", "Poe", "Fox", "Day", "Kay"],
        "D.O.B.": ["19800101", "19790202", "19700303", "19600404", "19500505", "19400606"],
        "Zip Code": ["2000", "2001", "2002", "2003", "2004", "2005"],
        "Street": ["1 Main St", "2 Oak Rd", "3 Elm St", "4 Bay Rd", "5 Sea St", "6 Hill Rd"],
        "SSN": ["111", "222", "111", "333", "444", "555"],
        "Телефон": ["8 916 111-22-33"] * 3 + ["8 916 111-22-34"] * 3,
        "notes": ["call back later"] * 6,
    })  # fmt: skip
    roles = {r.column: r.role for r in infer_roles(frame)}
    assert roles == {"Row ID": "skip", "First Name": "given", "LAST-NAME": "surname",
                     "D.O.B.": "birth", "Zip Code": "address", "Street": "address",
                     "SSN": "identifier", "Телефон": "phone", "notes": "skip"}  # fmt: skip
    rules = infer_rules(frame)
    names = {c.name: (c.kind, c.columns) for c in rules.comparisons}
    assert names["name"] == ("person_name", ("First Name", "LAST-NAME"))
    assert names["address"] == ("text", ("Zip Code", "Street"))
    blocks = {b.columns for b in rules.blocking}
    assert ("LAST-NAME", "First Name") in blocks
    assert ("Zip Code", "LAST-NAME") in blocks


def _scores(tmp_path, frame, truth, key, rules=None):
    """Scores of the stand-alone run, after checking that every record and true pair counted."""
    source = tmp_path / "data.csv"
    frame.to_csv(source, index=False)
    run = dedupe_file(source, rules, tmp_path / "clusters.csv", key=key)
    clusters = dict(zip(run.result.clusters["_key"], run.result.clusters["cluster"], strict=True))
    scores = pairwise_scores(clusters, truth)
    entities = Counter(truth[str(k)] for k in frame[key])
    assert (scores.records, scores.unscored) == (len(frame), 0), scores
    assert scores.true_pairs == sum(n * (n - 1) // 2 for n in entities.values()) > 0, scores
    return scores


def test_inferred_rules_on_a_febrl_like_table(tmp_path):
    frame, truth = generate_people(800, 400, seed=3)
    scores = _scores(tmp_path, frame, truth, "rec_id")
    assert scores.precision >= 0.98, scores
    assert scores.recall >= 0.95, scores


@pytest.mark.parametrize(("shape", "precision", "recall"), [
    ("restaurants", 0.97, 0.9), ("citations", 0.97, 0.85), ("voters", 0.95, 0.7),
])  # fmt: skip
def test_inferred_rules_on_benchmark_shapes(tmp_path, shape, precision, recall):
    frame, truth = generate(shape, 800, seed=1)
    scores = _scores(tmp_path, frame, truth, GENERATORS[shape][0])
    assert scores.precision >= precision, scores
    assert scores.recall >= recall, scores


def test_cli_without_rules_infers_them(tmp_path):
    frame, _truth = generate("restaurants", 300, seed=2)
    source, out = tmp_path / "r.csv", tmp_path / "clusters.csv"
    frame.to_csv(source, index=False)
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(source), "--key", "id",
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "auto rules: " in result.output
    assert "phone (phone: phone)" in result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["record_id"] for r in rows] == frame["id"].tolist()


def test_cli_preset_that_does_not_fit_lists_the_columns(tmp_path):
    frame, _ = generate("voters", 50, seed=2)
    source = tmp_path / "v.csv"
    frame.to_csv(source, index=False)
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(source), "--rules", "person",
                                      "--out", str(tmp_path / "c.csv")])  # fmt: skip
    assert isinstance(result.exception, MappingError)
    text = str(result.exception)
    assert "column `surname` is not in the file" in text
    assert "first_name" in text
    assert "--rules" in text


@pytest.mark.parametrize(("text", "number"), [
    ("$1,777.69", 1777.69), ("1 234,50", 1234.5), ("1.234,56 ₽", 1234.56), ("12 руб.", 12.0),
    ("1,234,567", 1234567.0), ("€ 12,5", 12.5), ("-5", -5.0),
])  # fmt: skip
def test_numbers_with_currency_and_thousands(text, number):
    assert _level("number", text, str(number), ["exact"])[0] == "exact"


def test_numbers_that_are_not_numbers_give_no_evidence():
    assert _level("number", "1.2.3", "123", ["exact"])[0] == "null"
    assert _level("number", "abc", "123", ["exact"])[0] == "null"


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("Garmin LX-7964 mp3 player", "garmin lx7964 - black", "subset"),
    ("Sony KD-55X85J", "KD55X85J television by sony", "exact"),
    ("Garmin LX-7964", "Garmin LX-7970", "differs"),
    ("2 pack of cables", "Garmin LX-7970", "null"),
])  # fmt: skip
def test_code_kind_reads_model_numbers(left, right, expected):
    assert _level("code", left, right, ["exact", "subset"])[0] == expected


def test_products_are_blocked_and_matched_by_their_codes(tmp_path):
    frame, truth = generate("products", 600, seed=4)
    rules = infer_rules(frame, "id")
    assert "name code" in {c.name for c in rules.comparisons}
    scores = _scores(tmp_path, frame, truth, "id")
    assert scores.precision >= 0.97, scores
    assert scores.recall >= 0.9, scores


def test_em_fits_a_comparison_that_every_blocking_key_reads():
    """Blocking on names only: the name's m comes from the data, not from the prior."""
    frame, _ = generate("voters", 600, seed=5)
    document = {
        "comparisons": [
            {"name": "name", "kind": "person_name", "columns": ["first_name", "last_name"]},
            {"name": "age", "kind": "number", "columns": ["age"], "levels": ["exact"]},
            {"name": "address", "kind": "text", "columns": ["street_address", "zip_code"]},
        ],
        "blocking": [
            {"columns": ["last_name", "first_name"], "transform": ["phonetic", "initial"]}
        ],
    }
    rules = parse_rules(document, entity="t")
    frame["_key"] = frame["voter_reg_num"]
    from migrate.dedupe import dedupe_table
    from migrate.dedupe.model import default_m

    result = dedupe_table(frame, rules, explain=False)
    assert not np.allclose(result.model.m[0], default_m(rules.comparisons[0]))


def test_term_frequency_weighs_a_rare_name_above_a_common_one():
    names = ["smith"] * 40 + ["zyxwoll", "zyxwoll"] + [f"name{i}" for i in range(60)]
    frame = pd.DataFrame({"_key": [str(i) for i in range(len(names))], "surname": names,
                          "city": ["x"] * len(names)})  # fmt: skip
    from migrate.dedupe import dedupe_table

    def scores(tf: bool) -> dict[str, float]:
        rules = parse_rules({
            "comparisons": [{"name": "s", "kind": "exact", "columns": ["surname"], "tf": tf},
                            {"name": "c", "kind": "exact", "columns": ["city"]}],
            "blocking": ["s"], "thresholds": {"match": 0.99, "review": 0.0},
        }, entity="t")  # fmt: skip
        pairs = dedupe_table(frame, rules, explain=False).pairs
        rare = pairs[pairs["key_a"] == "40"]["score"].iloc[0]
        common = pairs[(pairs["key_a"] == "0") & (pairs["key_b"] == "1")]["score"].iloc[0]
        return {"rare": float(rare), "common": float(common)}

    plain, adjusted = scores(tf=False), scores(tf=True)
    assert plain["rare"] == pytest.approx(plain["common"])
    assert adjusted["rare"] > plain["rare"]
    assert adjusted["common"] < plain["common"]
