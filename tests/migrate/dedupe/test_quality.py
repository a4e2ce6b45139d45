"""Pairwise quality with shipped rules: sample_data's planted duplicates, and a generic table."""

from __future__ import annotations

import pytest

import migrate.prepare.stage
from bench import dedupe_quality
from bench.dedupe_people import generate_people
from bench.dedupe_quality import clean_tables, measure
from migrate.dedupe import default_rules, pairwise_scores
from migrate.dedupe.standalone import dedupe_file
from migrate.errors import ConfigError


@pytest.fixture(scope="module")
def sample_tables():
    return clean_tables()


# records in the sample export and duplicate pairs the generator planted among them
@pytest.mark.parametrize(("entity", "records", "true_pairs"),
                         [("company", 2000, 227), ("contact", 5000, 566)])  # fmt: skip
def test_sample_data_duplicates_are_found_precisely(sample_tables, entity, records, true_pairs):
    scores = measure(entity, sample_tables[entity])
    assert (scores.records, scores.unscored, scores.true_pairs) == (records, 0, true_pairs)
    assert scores.precision >= 0.99, scores
    assert scores.recall >= 0.97, scores


def test_the_quality_measure_has_no_path_around_the_pipeline(monkeypatch, capsys):
    """A broken pipeline fails the measure: no figures from raw tables instead."""

    def broken(*_args, **_kwargs):
        raise ConfigError("the pipeline is broken")

    monkeypatch.setattr(migrate.prepare.stage, "prepare", broken)
    with pytest.raises(ConfigError, match="broken"):
        clean_tables()
    assert dedupe_quality.main() == 1
    assert "nothing measured: the pipeline is broken" in capsys.readouterr().err


def test_the_same_engine_on_a_generic_person_table(tmp_path):
    """FEBRL-like people: names, address parts, dates of birth; no phone, no e-mail."""
    frame, truth = generate_people(1500, 750, seed=5)
    source = tmp_path / "people.csv"
    frame.to_csv(source, index=False)
    run = dedupe_file(source, default_rules("person"), tmp_path / "clusters.csv", key="rec_id")
    clusters = dict(zip(run.result.clusters["_key"], run.result.clusters["cluster"], strict=True))
    scores = pairwise_scores(clusters, truth)
    assert run.records == 2250
    assert (scores.records, scores.true_pairs) == (2250, 911)
    assert scores.precision >= 0.98, scores
    assert scores.recall >= 0.93, scores
