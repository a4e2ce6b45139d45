"""Rules: shipped presets load, a bad file lists every problem, presets can be refined."""

from __future__ import annotations

import pytest
import yaml

from migrate.dedupe import default_rules, load_rules, parse_rules
from migrate.dedupe.rules import preset_names
from migrate.errors import MappingError


@pytest.mark.parametrize("entity", ["company", "contact", "lead", "product", "person"])
def test_every_preset_loads(entity):
    rules = default_rules(entity)
    assert rules.comparisons
    assert rules.blocking
    assert 0 < rules.review <= rules.match < 1


def test_presets_cover_the_bitrix24_entities():
    assert {"company", "contact", "lead", "product"} <= set(preset_names())


def test_a_bad_rules_file_reports_every_problem(tmp_path):
    path = tmp_path / "RULES.yaml"
    path.write_text(yaml.safe_dump({
        "comparisons": [
            {"name": "a", "kind": "sound", "columns": ["x"]},
            {"name": "b", "kind": "text", "columns": ["y"], "levels": ["exact", {"fuzzy": 1.5}]},
            {"name": "b", "kind": "phone", "columns": ["z"], "levels": ["translit"]},
        ],
        "blocking": ["nope", {"columns": ["y"], "transform": "soundex"}],
        "thresholds": {"match": 0.5, "review": 0.9},
        "extra": 1,
    }), encoding="utf-8")  # fmt: skip
    with pytest.raises(MappingError) as caught:
        load_rules(path)
    text = "\n".join(caught.value.problems)
    for fragment in ("kind `sound`", "1.5", "used twice", "`translit` is not allowed",
                     "`nope` names no comparison", "transform `soundex`", "review (0.9)",
                     "unknown section `extra`"):  # fmt: skip
        assert fragment in text
    assert len(caught.value.problems) >= 8


def test_a_block_without_comparisons_refines_the_preset():
    rules = parse_rules({"base": "contact", "thresholds": {"match": 0.99, "review": 0.7}},
                        entity="contact")  # fmt: skip
    assert rules.match == 0.99
    assert [c.name for c in rules.comparisons] == [
        c.name for c in default_rules("contact").comparisons
    ]


def test_identifier_with_a_checksum_is_strong_by_default():
    rules = default_rules("company")
    assert rules.comparison("inn").strong
    plain = parse_rules({"comparisons": [{"name": "id", "kind": "identifier", "columns": ["id"]}],
                         "blocking": ["id"]}, entity="x")  # fmt: skip
    assert not plain.comparison("id").strong


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(MappingError, match="no shipped dedupe rules"):
        default_rules("spaceship")
