"""Dedupe 1,000,000 generated contacts (~10 % planted duplicates): wall time, peak memory, F1.

    python -m bench.dedupe [--records 1000000] [--duplicates 0.10] [--seed 7]

The table is CleanTable-shaped (cleaned phones/e-mails as multi-field tuples, names in
LAST_NAME/NAME/SECOND_NAME, some with the whole ФИО in NAME) from ``bench.dedupe_data``;
generation is not timed. The line before the last is the honest ceiling: the share of true
pairs that share a value in some compared field after cleaning (directly, or through other
copies of the same person); the last line is ``f1=X wall_s=Y``. Figures on a shared machine
are noisy: run it twice.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

from bench.dedupe_data import generate_contacts
from migrate.dedupe import dedupe_table, default_rules, pairwise_scores
from migrate.dedupe.diagnose import evidence_share, true_pairs


def main(argv: list[str] | None = None) -> int:
    """Generate, dedupe, score and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    frame, truth = generate_contacts(args.records, args.duplicates, seed=args.seed)
    print(f"generated {len(frame)} contacts in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    cpu_started = time.process_time()
    stamp = lambda line: print(f"[{time.perf_counter() - started:6.1f} s] {line}", flush=True)  # noqa: E731
    rules = default_rules("contact")
    result = dedupe_table(
        frame, rules, on_progress=lambda t: t.note and stamp(t.note), explain=True
    )
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    clusters = dict(zip(result.clusters["_key"], result.clusters["cluster"], strict=True))
    scores = pairwise_scores(clusters, truth)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"records={scores and len(frame)} candidate_pairs={result.stats.candidate_pairs} "
        f"matched={result.stats.matched_pairs} review={result.stats.review_pairs}"
    )
    print(
        f"true_pairs={scores.true_pairs} tp={scores.tp} fp={scores.fp} fn={scores.fn} "
        f"precision={scores.precision:.4f} recall={scores.recall:.4f}"
    )
    print(f"peak_rss_gb={peak_gb:.2f} (generation included) cpu_s={cpu:.1f} (all threads) "
          f"load={os.getloadavg()[0]:.1f}")  # fmt: skip
    keys = frame["_key"].to_numpy(dtype=object)
    a, b = true_pairs(keys, truth)
    evidence = evidence_share(frame, rules, a, b)
    print(
        f"ceiling: {evidence.direct:.4f} of true pairs share a value in some field after "
        f"cleaning, {evidence.reachable:.4f} through other copies (the most recall can be)"
    )
    print(f"f1={scores.f1:.4f} wall_s={wall:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
