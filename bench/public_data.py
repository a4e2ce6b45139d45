"""Public labelled tables for the dedupe benchmarks: one input CSV and its truth each.

    python -m bench.public_data fake_1000 --source fake_1000.csv --out DIR
    python -m bench.public_data restaurants --source restaurants.tsv --labels Restaurant.csv
    python -m bench.public_data rldata --source RLdata10000.rda --out DIR
    python -m bench.public_data historical_50k --source historical_50k.parquet --out DIR
    python -m bench.public_data chicago --source csv_example_input_with_true_ids.csv
    python -m bench.public_data patstat --source patstat_input.csv --labels patstat_reference.csv

Each writes ``DIR/<name>.csv`` (the records as published, the label column removed, a row id
added where the table has none) and ``DIR/<name>_truth.csv`` (``record_id,entity_id``), the
format of ``bench.linkage_eval --truth``. Nothing is downloaded: ``--source`` is the file as
it is in its public repository (where each comes from, at which commit, is in docs/dedupe.md,
"Public labelled tables"). The two small ones (``fake_1000``, ``restaurants``) are stored
under ``bench/data/`` as this script writes them; the others are rebuilt from their source.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd

__all__ = ["BUILDERS", "STORED"]

STORED = Path(__file__).parent / "data"
Built = tuple[pd.DataFrame, dict[str, str]]


def fake_1000(source: Path, labels: Path | None = None) -> Built:
    """Splink's ``fake_1000``: persons with ``cluster`` as the label, ``unique_id`` the key."""
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    truth = dict(zip(table["unique_id"], table["cluster"], strict=True))
    return table.drop(columns=["cluster"]), truth


def historical_50k(source: Path, labels: Path | None = None) -> Built:
    """Splink's ``historical_figures_with_errors_50k`` (Wikidata people with planted errors)."""
    table = pd.read_parquet(source).astype("string").fillna("")
    truth = dict(zip(table["unique_id"], table["cluster"], strict=True))
    return table.drop(columns=["cluster"]), truth


def rldata(source: Path, labels: Path | None = None) -> Built:
    """R RecordLinkage's ``RLdata500``/``RLdata10000``: split names, the birth date in three
    columns; the truth is the ``identity.RLdata…`` vector beside the table. ``id`` is the row
    number (R's row name)."""
    import rdata  # a reader of .rda files, installed for this builder only

    parsed = rdata.read_rda(str(source))
    name = next(k for k in parsed if not k.startswith("identity."))
    table = parsed[name].astype("string").fillna("").reset_index(drop=True)
    identity = parsed[f"identity.{name}"]
    ids = [str(i + 1) for i in range(len(table))]
    table.insert(0, "id", ids)
    truth = {key: str(int(value)) for key, value in zip(ids, identity, strict=True)}
    return table, truth


def restaurants(source: Path, labels: Path | None = None) -> Built:
    """Fodors–Zagat (RIDDLE): 864 restaurants with the phone, from a TSV copy of the two
    guides, and the entity of each row from the HPI DuDe copy (``Restaurant.csv``, its last
    column, same row order; the names are checked row by row)."""
    if labels is None:
        raise SystemExit("restaurants needs --labels Restaurant.csv (the copy with the class)")
    table = pd.read_csv(source, sep="\t", dtype=str, keep_default_na=False)
    with labels.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    if len(rows) != len(table) or any(r[0] != n for r, n in zip(rows, table["name"], strict=True)):
        raise SystemExit(f"{labels}: rows do not line up with {source} (names differ)")
    truth = {key: row[-1].strip("'") for key, row in zip(table["id"], rows, strict=True)}
    return table, truth


def chicago(source: Path, labels: Path | None = None) -> Built:
    """dedupe's CSV example: 3,337 early-childhood sites of Chicago gathered from 9 source
    files, ``True Id`` the label (``dedupeio/dedupe-examples``,
    ``csv_example/csv_example_input_with_true_ids.csv``). Columns filled by one source only,
    values shifted into the wrong column, multi-line cells: as published."""
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    truth = dict(zip(table["Id"], table["True Id"], strict=True))
    return table.drop(columns=["True Id"]), truth


def patstat(source: Path, labels: Path | None = None) -> Built:
    """dedupe's patent example: 2,379 patent holders (``patstat_input.csv``, organisations'
    names as the patent office wrote them) and their KU Leuven harmonised id
    (``patstat_reference.csv``, ``leuven_id``, by ``person_id``); entities of up to 676 rows."""
    if labels is None:
        raise SystemExit("patstat needs --labels patstat_reference.csv (the leuven_id)")
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    reference = pd.read_csv(labels, dtype=str, keep_default_na=False)
    truth = dict(zip(reference["person_id"], reference["leuven_id"], strict=True))
    if set(truth) != set(table["person_id"]):
        raise SystemExit(f"{labels}: its person_id are not those of {source}")
    return table, truth


BUILDERS: dict[str, Callable[[Path, Path | None], Built]] = {
    "chicago": chicago,
    "patstat": patstat,
    "fake_1000": fake_1000,
    "historical_50k": historical_50k,
    "rldata": rldata,
    "restaurants": restaurants,
}


def write(name: str, table: pd.DataFrame, truth: dict[str, str], out: Path) -> tuple[Path, Path]:
    """Write ``<name>.csv`` and ``<name>_truth.csv`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    data, truth_file = out / f"{name}.csv", out / f"{name}_truth.csv"
    table.to_csv(data, index=False, lineterminator="\n")
    with truth_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["record_id", "entity_id"])
        writer.writerows(truth.items())
    return data, truth_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", choices=sorted(BUILDERS))
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=STORED)
    parser.add_argument("--name", default=None, help="file name (default: the source's stem)")
    args = parser.parse_args(argv)
    table, truth = BUILDERS[args.table](args.source, args.labels)
    name = args.name or (args.table if args.table != "rldata" else args.source.stem)
    data, truth_file = write(name, table, truth, args.out)
    print(f"{data}: {len(table)} records, {len(set(truth.values()))} entities; truth {truth_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
