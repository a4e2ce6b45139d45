"""`bench.linkage_eval`: a line it cannot score is an error and the run exits 1."""

from __future__ import annotations

import csv

import pytest

from bench import linkage_eval
from bench.dedupe_people import generate_people


@pytest.fixture
def people(tmp_path):
    frame, truth = generate_people(120, 60, seed=2)
    source, truth_file = tmp_path / "people.csv", tmp_path / "truth.csv"
    frame.to_csv(source, index=False)
    with truth_file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("record_id", "entity_id"), *truth.items()])
    return source, truth_file, len(frame)


def test_without_the_key_column_nothing_is_scored_and_the_run_fails(people, capsys):
    """Row numbers as ids match no truth id: this used to print F1 1.0000 and exit 0."""
    source, truth, _ = people
    code = linkage_eval.main(["--input", str(source), "--truth", str(truth), "--rules", "auto"])
    out = capsys.readouterr().out
    assert code == 1
    assert "auto: error: none of the 180 clustered record ids is in the truth" in out
    assert "1.0000" not in out


def test_with_the_key_each_line_says_what_it_scored(people, capsys):
    source, truth, records = people
    code = linkage_eval.main(["--input", str(source), "--truth", str(truth), "--rules", "auto",
                              "--key", "rec_id"])  # fmt: skip
    header, line = capsys.readouterr().out.splitlines()
    assert code == 0
    row = dict(zip(header.split(), line.split(), strict=True))
    assert row["scored"] == str(records)
    assert int(row["true_pairs"]) > 0
    assert int(row["tp"]) + int(row["fn"]) == int(row["true_pairs"])
