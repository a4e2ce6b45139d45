"""A person table with relatives (same surname and address) deduped by us and by Splink/DuckDB.

    python -m bench.people_speed [--records 100000] [--no-splink] [--keep-ssn]

The table comes from ``bench.dedupe_people`` (FEBRL-shaped columns, 80 % originals, 20 %
corrupted duplicates, 5 % of the originals with a relative at their address); the SSN column
is dropped unless ``--keep-ssn``: the names, the birth date and the address must decide. Ours
runs the stand-alone path with inferred rules (``b24migrate dedupe --input F --key rec_id``,
no ``--rules``); Splink (installed by hand, not a dependency) gets a specialist's settings for
these columns: names, birth date and the address parts compared with Jaro-Winkler and
Levenshtein levels, EM on two blocking rules, u from random pairs, clusters at 0.9. Both read
the same CSV; reading is inside the timing for both. The last line is
``ours_s=… splink_s=… ratio=…`` (ours ÷ Splink, measured in one run).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.dedupe_people import generate_people
from migrate.dedupe import pairwise_scores
from migrate.dedupe.standalone import dedupe_file


def ours(path: Path, out: Path) -> dict[str, str]:
    """Our stand-alone dedupe with inferred rules: ``record → cluster``."""
    dedupe_file(path, None, out, key="rec_id")
    with out.open(encoding="utf-8", newline="") as handle:
        return {r["record_id"]: r["cluster_id"] for r in csv.DictReader(handle)}


def splink(path: Path) -> dict[str, str]:
    """Splink 5/DuckDB with settings written for these columns: ``record → cluster``."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    frame = pd.read_csv(path, dtype=str, keep_default_na=False).rename(
        columns={"rec_id": "unique_id"}
    )
    frame = frame.replace("", None)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("street_number", [1]),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("date_of_birth"),
            block_on("surname", "substr(given_name, 1, 1)"),
            block_on("given_name", "substr(surname, 1, 1)"),
            block_on("postcode", "substr(surname, 1, 2)"),
            block_on("street_number", "address_1"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker(DuckDBAPI().register(frame), settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), fix_u_probabilities=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode", "substr(surname, 1, 2)"), fix_u_probabilities=True
    )
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.9)
    table = clusters.as_pandas_dataframe()
    return dict(zip(table["unique_id"].astype(str), table["cluster_id"].astype(str), strict=True))


def main(argv: list[str] | None = None) -> int:
    """Generate the table, run both engines, print P/R/F1, seconds and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--keep-ssn", action="store_true")
    args = parser.parse_args(argv)
    frame, truth = generate_people(args.records * 4 // 5, args.records // 5, seed=args.seed)
    if not args.keep_ssn:
        frame = frame.drop(columns=["soc_sec_id"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        frame.to_csv(path, index=False)
        runs = [("ours", lambda: ours(path, Path(folder) / "clusters.csv"))]
        if not args.no_splink:
            runs.append(("splink", lambda: splink(path)))
        seconds = {}
        for name, run in runs:
            started, cpu = time.perf_counter(), time.process_time()
            clusters = run()
            seconds[name] = time.perf_counter() - started
            cpu = time.process_time() - cpu
            s = pairwise_scores(clusters, truth)
            print(f"{name:7s} P={s.precision:.4f} R={s.recall:.4f} F1={s.f1:.4f} "
                  f"fp={s.fp} fn={s.fn} seconds={seconds[name]:.1f} cpu_s={cpu:.1f} "
                  f"load={os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    line = f"records={len(frame)} peak_rss_gb={peak:.2f} ours_s={seconds['ours']:.1f}"
    if "splink" in seconds:
        line += f" splink_s={seconds['splink']:.1f} ratio={seconds['ours'] / seconds['splink']:.2f}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
