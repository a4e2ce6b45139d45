"""Benchmark: read + map + clean + validate of generated amoCRM-like sample contact exports.

Uses the sample-data generator (``python -m sample_data.generate --scale 1m``) for
1,000,000 contact rows as CSV and 200,000 as xlsx, and the shipped ``sample/contact.yaml``
mapping. Each case runs in its own process so that its peak memory (``ru_maxrss``) is its
own. Prints wall time per phase, peak memory, the ratio to a bare ``pandas.read_csv`` of the
same file, and as the last line ``rows_per_s=N`` for the million-row CSV.

    python bench/pipeline.py                 # generates bench/out/ when missing
    python bench/pipeline.py --rows 100000   # a smaller run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_WORKERS = int(os.environ.get("B24MIGRATE_WORKERS") or min(os.cpu_count() or 1, 4))
sys.path.insert(0, str(ROOT))


def run_case(path: Path, sheet: str | None) -> dict[str, float]:
    """Read, map, clean and validate one file; return timings and peak memory."""
    from mappings.schema import load_mapping
    from migrate.prepare.transform import apply_mapping
    from migrate.prepare.validate import validate_table
    from migrate.sources import read_table

    mapping = load_mapping(ROOT / "mappings" / "sample" / "contact.yaml")
    cpu0, own0 = _cpu(), _cpu(children=False)
    t0 = time.perf_counter()
    raw = read_table(path, sheet=sheet) if sheet else read_table(path)
    t1 = time.perf_counter()
    mapped = apply_mapping(raw, mapping, language="ru", timezone="Europe/Moscow")
    t2 = time.perf_counter()
    result = validate_table(mapped, mapping, language="ru")
    t3 = time.perf_counter()
    return {
        "rows": len(raw.frame),
        "clean_rows": len(result.frame),
        "issues": len(result.issues),
        "read_s": t1 - t0,
        "map_clean_s": t2 - t1,
        "validate_s": t3 - t2,
        "total_s": t3 - t0,
        "cpu_s": _cpu() - cpu0,
        "parent_cpu_s": _cpu(children=False) - own0,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "workers": _WORKERS if resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss else 0,
    }


def _cpu(*, children: bool = True) -> float:
    """CPU seconds of this process (and its finished children: the cleaning workers)."""
    usages = [resource.getrusage(resource.RUSAGE_SELF)]
    if children:
        usages.append(resource.getrusage(resource.RUSAGE_CHILDREN))
    return sum(u.ru_utime + u.ru_stime for u in usages)


def bare_read_csv(path: Path) -> dict[str, float]:
    """Wall and CPU seconds for ``pandas.read_csv`` of ``path`` with every cell as text."""
    import pandas as pd

    started, cpu = time.perf_counter(), _cpu()
    pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu}


def _child(args: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ensure_files(out: Path, rows: int, xlsx_rows: int) -> tuple[Path, Path]:
    suffix = "1m" if rows == 1_000_000 else str(rows)
    xlsx_name = "200k" if xlsx_rows == 200_000 else str(xlsx_rows)
    csv, xlsx = (
        out / "bench" / f"contacts_{suffix}.csv",
        out / "bench" / f"contacts_{xlsx_name}.xlsx",
    )
    if not csv.exists() or not xlsx.exists():
        from sample_data.generate import generate_bench

        print(f"generating {rows:,} contact rows into {out} …", flush=True)
        generate_bench(out, 42, rows, min(xlsx_rows, rows))
    return csv, xlsx


def _report(name: str, figures: dict[str, float]) -> None:
    rows = int(figures["rows"])
    print(
        f"{name}: {rows:,} rows ({int(figures['clean_rows']):,} clean, "
        f"{int(figures['issues']):,} issues)\n"
        f"  wall: read {figures['read_s']:.1f} s, map+clean {figures['map_clean_s']:.1f} s, "
        f"validate {figures['validate_s']:.1f} s, total {figures['total_s']:.1f} s "
        f"({rows / figures['total_s']:,.0f} rows/s)\n"
        f"  CPU: {figures['cpu_s']:.1f} s ({figures['parent_cpu_s']:.1f} s in the main process, "
        f"the rest in the cleaning workers)\n"
        f"  peak RSS: main process {figures['peak_mb']:,.0f} MB, largest cleaning worker "
        f"{figures['worker_peak_mb']:,.0f} MB (forked: most of its pages are the main "
        f"process's, shared); at most "
        f"{figures['peak_mb'] + figures['worker_peak_mb'] * figures['workers']:,.0f} MB "
        f"with {int(figures['workers'])} workers counted in full"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--case", nargs=2, metavar=("PATH", "SHEET"), help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        path, sheet = args.case
        print(json.dumps(run_case(Path(path), sheet or None)))
        return
    if args.bare:
        print(json.dumps(bare_read_csv(args.bare)))
        return
    csv, xlsx = _ensure_files(args.out, args.rows, args.xlsx_rows)
    print("figures are noisy: other processes share this machine's 2 cores", flush=True)
    bare_figures = _child(["--bare", str(csv)])
    bare = bare_figures["seconds"]
    csv_figures = _child(["--case", str(csv), ""])
    _report(f"csv  {csv.name}", csv_figures)
    xlsx_figures = _child(["--case", str(xlsx), "Контакты"])
    _report(f"xlsx {xlsx.name}", xlsx_figures)
    print(
        f"bare pandas.read_csv of {csv.name} (same run): {bare:.1f} s; pipeline/bare ratio: "
        f"{csv_figures['total_s'] / bare:.1f}x (read alone {csv_figures['read_s'] / bare:.1f}x); "
        f"CPU {bare_figures['cpu_s']:.1f} s, CPU ratio "
        f"{csv_figures['cpu_s'] / bare_figures['cpu_s']:.1f}x"
    )
    print(f"rows_per_s={int(csv_figures['rows'] / csv_figures['total_s'])}")


if __name__ == "__main__":
    main()
