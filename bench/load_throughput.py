"""Load throughput of `Bitrix24Client` against the served sandbox, next to the limits' bounds.

Each run starts `b24migrate sandbox serve` in its own process on a free 127.0.0.1 port
(SQLite in a temp dir) with a 300 ms latency per request and a per-item cost, loads contacts
through the client and reads the portal's refusal counters from `/sandbox/stats`:

* `add` route, `--plan standard` then `--plan enterprise`: `crm.contact.add`, 50 commands per
  batch; the leaky bucket binds (:func:`bench.limits.bucket_bound`). 5,000 contacts are 100
  requests, which the enterprise burst of 250 swallows whole (bound 0: latency decides), so
  enterprise also runs with enough contacts for the drain rate to bind.
* `import` route: `crm.item.batchImport`, 20 items per command, up to 50 commands per batch,
  with a small operating budget (`--operating-limit 48/60`, 20 ms per item) so that the
  method's operating time, not the request rate, binds (:func:`bench.limits.operating_bound`).

Bounds come from the portal's own stats (its limits and what it admitted), never from the
client's request count: `ratio = achieved ÷ bound`, ≥ 1.0, lower is better (bench/limits.py).
Timings are end to end (first request to last reply); the machine is shared, figures are noisy.
Last line: `ratio=X.XXX 503=N 429=M`, the worst ratio of the runs that have a bound and the
refusals of all runs.

    python -m bench.load_throughput [--contacts 5000] [--enterprise-contacts 20000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bench.limits import Bound, bucket_bound, operating_bound, ratio_text
from loaders import Bitrix24Client, Command

TOKEN = "bench-3f9c2a"
LATENCY_MS = 300.0
ITEM_LATENCY_MS = 1.0


@dataclass(frozen=True)
class Run:
    route: str
    plan: str
    items: int
    requests: int
    seconds: float
    bound: Bound
    created: int
    span: float

    @property
    def ratio(self) -> float | None:
        return self.bound.ratio(self.seconds)

    def line(self) -> str:
        return (
            f"{self.route:<6} plan={self.plan:<10} items={self.items:<6} created={self.created}"
            f" client_requests={self.requests} portal_span={self.span:.2f}s "
            + ratio_text(self.seconds, self.bound)
        )


@contextmanager
def served(plan: str, *extra: str) -> Iterator[str]:
    """The webhook URL of a sandbox served in its own process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as data:
        command = [
            sys.executable, "-m", "migrate", "sandbox", "serve", "--port", str(port),
            "--plan", plan, "--token", TOKEN, "--data", data,
            "--latency-ms", str(LATENCY_MS), "--item-latency-ms", str(ITEM_LATENCY_MS), *extra,
        ]  # fmt: skip
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(400):  # wait on the stats page: it does not count in the bucket
                try:
                    httpx.get(base + "/sandbox/stats", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            url = f"{base}/rest/1/{TOKEN}/"
            httpx.get(url + "user.current", timeout=10).raise_for_status()  # warm the server up
            rate = stats(url)["limits"]["drain_per_s"]
            time.sleep(1.0 / rate if rate else 0.0)  # ...and drain it
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(url.split("/rest/")[0] + "/sandbox/stats").json()
    return data


def contact_commands(count: int) -> list[Command]:
    return [
        Command(
            f"c{i}",
            "crm.contact.add",
            {
                "fields": {
                    "NAME": "Иван",
                    "LAST_NAME": f"Петров{i}",
                    "PHONE": [{"VALUE": f"+7900{i:07d}", "VALUE_TYPE": "WORK"}],
                    "ORIGINATOR_ID": "bench",
                    "ORIGIN_ID": str(i),
                }
            },
        )
        for i in range(count)
    ]


def import_commands(count: int) -> list[Command]:
    commands = []
    for start in range(0, count, 20):
        data = [
            {
                "name": "Мария",
                "lastName": f"Иванова{i}",
                "originatorId": "bench",
                "originId": str(i),
            }
            for i in range(start, min(start + 20, count))
        ]
        commands.append(
            Command(f"i{start // 20}", "crm.item.batchImport", {"entityTypeId": 3, "data": data})
        )
    return commands


async def load(
    url: str, commands: list[Command], **options: object
) -> tuple[float, int, int, float]:
    """(seconds, requests, items created, seconds from the portal's first admission to its
    last) for loading ``commands`` through a fresh client."""
    async with Bitrix24Client(url, **options) as client:  # type: ignore[arg-type]
        started = time.perf_counter()
        result = await client.batch(commands)
        seconds = time.perf_counter() - started
    created = 0
    for item in result:
        if not item.ok:
            raise SystemExit(f"command {item.key} failed: {item.error}")
        if isinstance(item.result, dict):
            created += sum("item" in row for row in item.result.get("items", []))
        else:
            created += 1
    stats = client.stats
    span = (stats.last_admitted or 0.0) - (stats.first_admitted or 0.0)
    return seconds, stats.requests, created, span


def add_route(plan: str, contacts: int, margin: float) -> Run:
    with served(plan) as url:
        warm_up = stats(url)["admitted"]
        seconds, requests, created, span = asyncio.run(
            load(url, contact_commands(contacts), plan=plan, bucket_margin=margin)
        )
        bound = bucket_bound(stats(url), admitted_before=warm_up)
    return Run("add", plan, contacts, requests, seconds, bound, created, span)


def import_route(items: int, limit: float, window: float, cost_ms: float, margin: float) -> Run:
    extra = ("--operating-limit", f"{limit:g}/{window:g}",
             "--item-cost-ms", f"crm.item.batchImport={cost_ms:g}")  # fmt: skip
    commands = import_commands(items)
    with served("standard", *extra) as url:
        seconds, requests, created, span = asyncio.run(
            load(
                url,
                commands,
                plan="standard",
                operating_limit=limit,
                operating_window=window,
                bucket_margin=margin,
            )
        )
        bound = operating_bound(stats(url), "crm.item.batchImport", items_per_command=20)
    return Run("import", "standard", items, requests, seconds, bound, created, span)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--enterprise-contacts", type=int, default=20000)
    parser.add_argument("--import-items", type=int, default=5000)
    parser.add_argument("--operating-limit", default="48/60", help="seconds/window seconds")
    parser.add_argument("--item-cost-ms", type=float, default=20.0, help="batchImport, per item")
    parser.add_argument("--quick", action="store_true", help="standard add route only")
    parser.add_argument("--margin", type=float, default=0.5, help="client bucket headroom")
    args = parser.parse_args()
    limit, _, window = args.operating_limit.partition("/")
    runs = [add_route("standard", args.contacts, args.margin)]
    print(runs[-1].line(), flush=True)
    if not args.quick:
        for plan, count in (
            ("enterprise", args.contacts),
            ("enterprise", args.enterprise_contacts),
        ):
            runs.append(add_route(plan, count, args.margin))
            print(runs[-1].line(), flush=True)
        runs.append(
            import_route(
                args.import_items, float(limit), float(window), args.item_cost_ms, args.margin
            )
        )
        print(runs[-1].line(), flush=True)
    ratios = [r.ratio for r in runs if r.ratio is not None]
    refused = (sum(r.bound.refused_503 for r in runs), sum(r.bound.refused_429 for r in runs))
    worst = f"{max(ratios):.3f}" if ratios else "n/a"
    print(f"ratio={worst} 503={refused[0]} 429={refused[1]}")


if __name__ == "__main__":
    main()
