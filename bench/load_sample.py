"""The sample migration loaded at the standard plan's limits: how close to the bound?

The whole amoCRM sample workspace is planned (`b24migrate plan`), then `load` (the library call
the command makes) sends it to a sandbox served by `python -m migrate sandbox serve` in a
subprocess with the standard plan (leaky bucket of 50 requests draining 2 per second) and a
realistic latency per request. The bound is the one the portal's limits set for the requests
it admitted during the load (bench/limits.py: `ratio = achieved ÷ bound`, ≥ 1.0, lower is
better); the batches an ideal loader needs, ceil(records / 50), are printed beside them.
Figures on a shared 2-core machine are noisy. Last line: `ratio=R 503=N 429=M …`.

    python -m bench.load_sample [--latency-ms 150]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.limits import bucket_bound, ratio_text
from migrate.ledger import Ledger, State
from migrate.load import load_workspace
from tests.migrate.load.chaos import SandboxServer, free_port
from tests.migrate.load.sample_plan import init_sample, plan_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=150.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = SandboxServer(free_port(), root / "portal", plan="standard",
                               latency_ms=args.latency_ms)  # fmt: skip
        server.start("")
        try:
            workspace = init_sample(root / "ws", server.webhook, plan="standard")
            plan_sample(workspace, server.webhook)
            server.stop()
            server.start("")  # a fresh bucket for the load
            start = time.perf_counter()
            result = asyncio.run(load_workspace(workspace, skip_blocked=True))
            elapsed = time.perf_counter() - start
            stats = httpx.get(server.webhook.split("/rest/")[0] + "/sandbox/stats").json()
        finally:
            server.stop()
        with Ledger.for_workspace(workspace.root) as ledger:
            sent = len(ledger.records(state=State.DONE))
            blocked = len(ledger.records(state=State.PLANNED))
    print(
        f"records={sent} (never sendable, blocked by the plan: {blocked}) "
        f"batches={result.report.batches} (ideal {math.ceil(sent / 50)}) "
        f"admitted={stats['admitted']} records_per_s={sent / elapsed:.1f} "
        f"latency_ms={args.latency_ms}"
    )
    print(ratio_text(elapsed, bucket_bound(stats)))


if __name__ == "__main__":
    main()
