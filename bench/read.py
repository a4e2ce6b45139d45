"""Benchmark: reading 1,000,000 CSV rows and 200,000 xlsx rows with `read_table`.

Prints seconds for `migrate.sources.read_table` and for a bare pandas read of the same file
(`pandas.read_csv` with default options; `pandas.read_excel(engine="calamine")`), and their
ratio. Files come from the sample-data generator and are made when missing:

    python bench/read.py                  # bench/out/bench/contacts_1m.csv, contacts_200k.xlsx
    python bench/read.py --repeat 3       # best of three

Figures on a shared 2-core machine are noisy; run it twice.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from migrate.sources import read_table  # noqa: E402


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    csv_path = args.out / "bench" / "contacts_1m.csv"
    xlsx_path = args.out / "bench" / "contacts_200k.xlsx"
    if not (csv_path.exists() and xlsx_path.exists()):
        subprocess.run(
            [sys.executable, "-m", "sample_data.generate", "--out", str(args.out), "--scale", "1m"],
            check=True,
            cwd=ROOT,
        )
    cases = [
        ("csv 1M rows", csv_path, lambda: pd.read_csv(csv_path)),
        ("xlsx 200k rows", xlsx_path, lambda: pd.read_excel(xlsx_path, engine="calamine")),
    ]
    for label, path, bare in cases:
        ours = best_of(args.repeat, lambda p=path: read_table(p))
        theirs = best_of(args.repeat, bare)
        ratio = ours / theirs
        print(f"{label}: read_table {ours:.2f} s, bare pandas {theirs:.2f} s, ratio {ratio:.2f}")
    print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
