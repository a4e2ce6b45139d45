"""Which true duplicates a dedupe run missed, and why: blocking, comparison levels, the model.

    python -m bench.missed_pairs --input people.csv --truth truth.csv --key rec_id [--rules R]
    python -m bench.missed_pairs --contacts 1000000        # the table of bench/dedupe.py

For each true pair not put in one cluster it tells the verdict (``not blocked``: no blocking
key brought the pair together; ``below threshold``: compared, but the evidence was too weak;
``vetoed``: a required comparison differed; ``cluster guard``: the pair matched but a guard
split the cluster), how many missed pairs each blocking key would have found, the commonest
combinations of comparison levels, and a few examples with their values. The first line is
the ceiling: the share of true pairs that agree exactly on any compared field.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pandas as pd

from migrate.dedupe import dedupe_table, default_rules
from migrate.dedupe.diagnose import MissedPairs, evidence_share, missed_pairs, true_pairs
from migrate.dedupe.rules import Rules
from migrate.dedupe.standalone import KEY, load_input, resolve_rules


def _read_truth(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["record_id"].strip(): r["entity_id"].strip() for r in csv.DictReader(handle)}


def _table(args: argparse.Namespace) -> tuple[pd.DataFrame, Rules, dict[str, object], str]:
    if args.contacts:
        from bench.dedupe_data import generate_contacts

        frame, truth = generate_contacts(args.contacts, seed=args.seed)
        return frame, default_rules("contact"), dict(truth), "_key"
    frame, rules = load_input(args.input, resolve_rules(args.rules), key=args.key,
                              on_progress=lambda t: t.note and print(t.note))  # fmt: skip
    return frame, rules, dict(_read_truth(args.truth)), KEY


def report(frame: pd.DataFrame, rules: Rules, found: MissedPairs, examples: int) -> None:
    """Print the verdicts, the blocking keys, the level patterns and some examples."""
    missed = found.pairs
    print(f"missed {len(missed)} of {found.true_pairs} true pairs: {found.verdicts()}")
    blocks = [c for c in missed.columns if c.startswith("block:")]
    unblocked = missed[missed["verdict"] == "not blocked"]
    print("blocking keys that would have found a missed pair (of those compared):")
    for column in blocks:
        print(f"  {column[6:]}: {int(missed[column].sum())}")
    print(f"level patterns of the missed pairs (not blocked: {len(unblocked)}):")
    for pattern, count in found.patterns():
        print(f"  {count:6d}  {pattern}")
    columns = list(dict.fromkeys(c for comp in rules.comparisons for c in comp.columns))
    index = frame.set_index(frame.columns[frame.columns.get_loc(_key_column(frame))])
    for row in missed.head(examples).itertuples(index=False):
        print(f"- {row.verdict} p={row.probability:.3f}")
        for side in (row.key_a, row.key_b):
            values = index.loc[side, [c for c in columns if c in index.columns]]
            print("    " + " | ".join(str(v) for v in values.tolist()))


def _key_column(frame: pd.DataFrame) -> str:
    return KEY if KEY in frame.columns else "_key"


def main(argv: list[str] | None = None) -> int:
    """Run dedupe, then explain its missed true pairs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--key", default=None)
    parser.add_argument("--rules", default=None, help="RULES.yaml, a preset, or auto (default)")
    parser.add_argument("--contacts", type=int, default=0, help="generate bench/dedupe.py data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--examples", type=int, default=12)
    args = parser.parse_args(argv)
    if not args.contacts and not (args.input and args.truth):
        parser.error("give --input and --truth, or --contacts N")
    frame, rules, truth, key = _table(args)
    result = dedupe_table(frame, rules, key=key, explain=False)
    keys = frame[key].astype(str).to_numpy(dtype=object)
    a, b = true_pairs(keys, truth)
    found = evidence_share(frame, rules, a, b)
    print(f"evidence: {found.direct:.4f} of {len(a)} true pairs agree exactly on some compared "
          f"field; {found.reachable:.4f} are joined by a chain of such pairs")  # fmt: skip
    report(frame, rules, missed_pairs(frame, rules, result, truth, key=key), args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
