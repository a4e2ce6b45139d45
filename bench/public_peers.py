"""Splink beside ours on the public labelled tables (``bench.public_data``), pairwise P/R/F1.

    python -m bench.public_peers fake_1000 --input bench/data/fake_1000.csv \
        --truth bench/data/fake_1000_truth.csv

Each table has a Splink 5 (DuckDB) model written for its columns the way Splink's own
tutorials write them (name, date-of-birth, e-mail, postcode comparisons; blocking on names and
dates; the prior from a deterministic rule at recall 0.7, u by random sampling, m by EM on
two blocking rules; clusters at 0.9). Splink is not a
dependency of the project: ``pip install splink`` to run this. Ours is the command a user runs,
inferred rules (``bench.linkage_eval --rules auto``); the figures are in docs/dedupe.md.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

import pandas as pd

from migrate.dedupe import pairwise_scores


def _settings(table: str) -> tuple[list[Any], list[Any], list[Any]]:
    """``(comparisons, blocking rules, EM training rules)`` for one table."""
    import splink.comparison_library as cl
    from splink import block_on

    if table == "fake_1000":
        return (
            [cl.ForenameSurnameComparison("first_name", "surname"),
             cl.DateOfBirthComparison("dob", input_is_string=True),
             cl.LevenshteinAtThresholds("city", [1, 2]), cl.EmailComparison("email")],
            [block_on("first_name"), block_on("surname"), block_on("dob"), block_on("email")],
            [block_on("first_name", "surname"), block_on("dob")],
        )  # fmt: skip
    if table == "rldata":
        return (
            [cl.ForenameSurnameComparison("fname_c1", "lname_c1"),
             cl.DateOfBirthComparison("dob", input_is_string=True)],
            [block_on("fname_c1", "lname_c1"), block_on("dob"),
             block_on("substr(fname_c1, 1, 2)", "by")],
            [block_on("fname_c1", "lname_c1"), block_on("dob")],
        )  # fmt: skip
    if table == "historical_50k":
        return (
            [cl.ForenameSurnameComparison("first_name", "surname"),
             cl.DateOfBirthComparison("dob", input_is_string=True),
             cl.PostcodeComparison("postcode_fake"), cl.ExactMatch("birth_place"),
             cl.ExactMatch("occupation")],
            [block_on("first_name", "surname"), block_on("surname", "dob"),
             block_on("first_name", "dob"), block_on("postcode_fake", "first_name")],
            [block_on("first_name", "surname"), block_on("dob")],
        )  # fmt: skip
    if table == "restaurants":
        return (
            [cl.JaroWinklerAtThresholds("name", [0.9, 0.7]),
             cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
             cl.ExactMatch("city"), cl.ExactMatch("phone_digits"), cl.ExactMatch("type")],
            [block_on("phone_digits"), block_on("substr(name, 1, 3)"),
             block_on("substr(address, 1, 4)")],
            [block_on("phone_digits"), block_on("city")],
        )  # fmt: skip
    raise SystemExit(f"no Splink model for {table}")


def _frame(table: str, path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if table == "rldata":
        frame["dob"] = (frame["by"] + "-" + frame["bm"].str.zfill(2) + "-"
                        + frame["bd"].str.zfill(2))  # fmt: skip
    if table == "restaurants":
        frame["phone_digits"] = frame["phone"].str.replace(r"\D", "", regex=True)
    key = {"rldata": "id", "restaurants": "id"}.get(table, "unique_id")
    return frame.rename(columns={key: "unique_id"}).replace("", None)


def splink(table: str, path: Path) -> dict[str, str]:
    """Splink's clusters: ``record → cluster``."""
    from splink import Linker, SettingsCreator
    from splink.backends.duckdb import DuckDBAPI

    comparisons, blocking, training = _settings(table)
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_matching_columns=False)  # fmt: skip
    linker = Linker(DuckDBAPI().register(_frame(table, path)), settings)
    linker.training.estimate_probability_two_random_records_match(training[:1], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.9)
    out = clusters.as_pandas_dataframe()
    return dict(zip(out["unique_id"].astype(str), out["cluster_id"].astype(str), strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", choices=["fake_1000", "rldata", "historical_50k", "restaurants"])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args(argv)
    with args.truth.open(encoding="utf-8", newline="") as handle:
        truth = {r["record_id"]: r["entity_id"] for r in csv.DictReader(handle)}
    started = time.perf_counter()
    s = pairwise_scores(splink(args.table, args.input), truth)
    seconds = time.perf_counter() - started
    print(f"splink {args.input.name}: P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f} "
          f"(tp {s.tp} fp {s.fp} fn {s.fn}) {seconds:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
