"""Pairwise precision/recall/F1 of the stand-alone dedupe on any table with known truth.

    python -m bench.linkage_eval --input people.csv --truth truth.csv --key rec_id \
        --rules person --rules bench/linkage_rules/febrl.yaml --rules auto

``--truth`` is a CSV ``record_id,entity_id``; records that share an entity are duplicates.
Each ``--rules`` (a RULES.yaml, a preset name, or ``auto`` for rules inferred from the
columns) runs the same code path as ``b24migrate dedupe --input … --out clusters.csv`` and
adds one line to the table, with the records and true pairs it scored. A line that cannot be
scored (no clustered id in the truth, e.g. ``--key`` missing) is an error, and the script
exits 1 when any line is an error. No data ships with this script: pass public data sets
(FEBRL, …) or generated ones by path.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from migrate.dedupe import NothingToScore, pairwise_scores
from migrate.dedupe.standalone import dedupe_file, resolve_rules
from migrate.errors import MigrationError


def _read_pairs(path: Path, left: str, right: str) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[left].strip(): row[right].strip() for row in csv.DictReader(handle)}


def evaluate(input_file: Path, truth: dict[str, str], rules: str, key: str | None) -> list[str]:
    """One table line: rules, records scored, true pairs, pairs predicted, TP, FP, FN, P, R, F1,
    seconds."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clusters.csv"
        started = time.perf_counter()
        loaded = resolve_rules(rules)
        dedupe_file(input_file, loaded, out, key=key)
        seconds = time.perf_counter() - started
        clusters = _read_pairs(out, "record_id", "cluster_id")
    s = pairwise_scores(clusters, truth)
    counts = (s.records, s.true_pairs, s.tp + s.fp, s.tp, s.fp, s.fn)
    return [rules, *map(str, counts), f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}",
            f"{seconds:.1f}"]  # fmt: skip


HEADER = ["rules", "scored", "true_pairs", "predicted", "tp", "fp", "fn", "precision", "recall",
          "f1", "seconds"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--rules", action="append", required=True)
    parser.add_argument("--key", default=None)
    args = parser.parse_args(argv)
    truth = _read_pairs(args.truth, "record_id", "entity_id")
    lines, errors = [HEADER], []
    for rules in args.rules:
        try:
            lines.append(evaluate(args.input, truth, rules, args.key))
        except (MigrationError, NothingToScore) as error:
            errors.append(f"{rules}: error: {str(error).splitlines()[0]}")
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    for line in lines:
        sys.stdout.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) + "\n")
    for error in errors:
        sys.stdout.write(error + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
