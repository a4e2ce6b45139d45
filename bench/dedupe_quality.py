"""Pairwise quality of the shipped dedupe rules on sample_data's planted duplicates.

    python -m bench.dedupe_quality            # one table per entity: pairs, TP, FP, FN, P, R, F1

The CleanTables come from the workspace pipeline (``migrate.prepare.stage.prepare``) on a
workspace written by ``b24migrate init`` over the bundled sample data. There is no other path:
when the pipeline cannot run, the benchmark says why and exits 1 (a figure measured on anything
else would not be the product's).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

from migrate.dedupe import PairwiseScores, dedupe_table, default_rules, pairwise_scores
from migrate.errors import MigrationError

ROOT = Path(__file__).resolve().parent.parent / "sample_data"


def clean_tables() -> dict[str, pd.DataFrame]:
    """Company and contact CleanTables of the sample data, through the workspace pipeline."""
    from migrate.prepare.stage import prepare
    from migrate.workspace.config import Workspace
    from migrate.workspace.scaffold import init_workspace

    with tempfile.TemporaryDirectory() as folder:
        init_workspace(Path(folder) / "ws", "sample")
        data = prepare(Workspace.at(Path(folder) / "ws"), entities=["company", "contact"])
        return {e: data.tables[e] for e in ("company", "contact")}


def truth(entity: str) -> dict[str, str]:
    """record_id → entity_id from the generator's truth file."""
    frame = pd.read_csv(ROOT / "truth" / f"{entity}_duplicates.csv", dtype=str)
    return dict(zip(frame["record_id"], frame["entity_id"], strict=True))


def measure(entity: str, table: pd.DataFrame) -> PairwiseScores:
    """Dedupe ``table`` with the shipped rules and score it against the truth."""
    result = dedupe_table(table, default_rules(entity))
    clusters = dict(zip(result.clusters["_key"], result.clusters["cluster"], strict=True))
    return pairwise_scores(clusters, truth(entity))


def main() -> int:
    """Print one quality table per entity; exit 1 when the pipeline cannot run."""
    try:
        tables = clean_tables()
    except MigrationError as error:
        print(f"error: the sample pipeline failed, nothing measured: {error}", file=sys.stderr)
        return 1
    print(f"{'entity':8} {'scored':>6} {'pairs':>6} {'TP':>6} {'FP':>5} {'FN':>5} "
          f"{'P':>6} {'R':>6} {'F1':>6}")  # fmt: skip
    for entity in ("company", "contact"):
        s = measure(entity, tables[entity])
        print(f"{entity:8} {s.records:6d} {s.true_pairs:6d} {s.tp:6d} {s.fp:5d} {s.fn:5d} "
              f"{s.precision:6.4f} {s.recall:6.4f} {s.f1:6.4f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
