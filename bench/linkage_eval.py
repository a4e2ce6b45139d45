"""Pairwise precision/recall/F1 of the stand-alone dedupe on any table with known truth.

    python -m bench.linkage_eval --input people.csv --truth truth.csv --key rec_id \
        --rules person --rules bench/linkage_rules/febrl.yaml --rules auto

``--truth`` is a CSV ``record_id,entity_id``; records that share an entity are duplicates.
Each ``--rules`` (a RULES.yaml, a preset name, or ``auto`` for rules inferred from the
columns) runs the same code path as ``b24migrate dedupe --input … --out clusters.csv`` and
adds one line to the table. No data ships with this script: pass public data sets (FEBRL,
…) or generated ones by path.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from migrate.dedupe import pairwise_scores
from migrate.dedupe.standalone import dedupe_file, resolve_rules
from migrate.errors import MigrationError


def _read_pairs(path: Path, left: str, right: str) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[left].strip(): row[right].strip() for row in csv.DictReader(handle)}


def evaluate(input_file: Path, truth: dict[str, str], rules: str, key: str | None) -> list[str]:
    """One table line: rules, pairs predicted, TP, FP, FN, P, R, F1, seconds."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clusters.csv"
        started = time.perf_counter()
        loaded = resolve_rules(rules)
        dedupe_file(input_file, loaded, out, key=key)
        seconds = time.perf_counter() - started
        clusters = _read_pairs(out, "record_id", "cluster_id")
    s = pairwise_scores(clusters, truth)
    return [rules, str(s.tp + s.fp), str(s.tp), str(s.fp), str(s.fn), f"{s.precision:.4f}",
            f"{s.recall:.4f}", f"{s.f1:.4f}", f"{seconds:.1f}"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--rules", action="append", required=True)
    parser.add_argument("--key", default=None)
    args = parser.parse_args(argv)
    truth = _read_pairs(args.truth, "record_id", "entity_id")
    header = ["rules", "predicted", "tp", "fp", "fn", "precision", "recall", "f1", "seconds"]
    lines = [header]
    for rules in args.rules:
        try:
            lines.append(evaluate(args.input, truth, rules, args.key))
        except MigrationError as error:
            lines.append([rules, "error: " + str(error).splitlines()[0][:150]])
    widths = [max(len(line[i]) for line in lines if i < len(line)) for i in range(len(header))]
    for line in lines:
        sys.stdout.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=False)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
