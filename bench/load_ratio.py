"""The load engine against the sandbox's standard-plan limits: how close to the bound?

Plans N companies, each with 2 contacts and a deal linked to them (legacy `add` route),
loads them into an in-process sandbox portal that enforces the standard plan (leaky bucket
of 50 requests draining 2 per second), and compares the time taken with the bound the limits
set for the requests the portal admitted (bench/limits.py: `ratio = achieved ÷ bound`, ≥ 1.0,
lower is better). The requests an ideal loader needs, ceil(records / 50), are printed beside
the requests the portal admitted. Figures on a shared 2-core machine are noisy.
Last line: `ratio=R 503=N 429=M …`.

    python -m bench.load_ratio [--companies 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from pathlib import Path

import httpx

from bench.limits import bucket_bound, ratio_text
from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from migrate.ledger import Ledger, Op, PlannedRecord, Ref
from migrate.load import LoadOptions, load


def plan(companies: int) -> list[PlannedRecord]:
    records = []
    for c in range(companies):
        key = f"co{c}"
        records.append(PlannedRecord("company", key, Op.CREATE, {"TITLE": f"ООО «Ромашка-{c}»"}))
        contacts = [f"{key}-{i}" for i in range(2)]
        for i, contact in enumerate(contacts):
            records.append(
                PlannedRecord(
                    "contact",
                    contact,
                    Op.CREATE,
                    {
                        "NAME": "Иван",
                        "LAST_NAME": f"Петров{i}",
                        "PHONE": [[f"+7900{c:05d}{i}", "WORK"]],
                    },
                    (Ref("COMPANY_ID", "company", key),),
                )
            )
        records.append(
            PlannedRecord(
                "deal",
                f"{key}-d",
                Op.CREATE,
                {"TITLE": f"Поставка {c}", "CONTACT_IDS": []},
                (
                    Ref("COMPANY_ID", "company", key),
                    *(Ref(f"CONTACT_IDS.{i}", "contact", k) for i, k in enumerate(contacts)),
                ),
            )
        )
    return records


async def run(companies: int) -> None:
    app = create_app(SandboxConfig(plan="standard"))
    records = plan(companies)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Ledger.open(Path(tmp) / "l.sqlite", "bench") as ledger,
    ):
        ledger.apply_plan(ledger.start_run("plan").id, records)
        async with Bitrix24Client(
            "http://portal/rest/1/sandbox/",
            transport=httpx.ASGITransport(app=app),
            plan="standard",
        ) as client:
            start = time.perf_counter()
            report = await load(ledger, client, LoadOptions(settle_seconds=0))
            elapsed = time.perf_counter() - start
    stats = app.stats()
    app.close()
    print(
        f"records={len(records)} batches={report.batches} requests={stats['requests']} "
        f"admitted={stats['admitted']} (ideal {math.ceil(len(records) / 50)}) "
        f"records_per_s={len(records) / elapsed:.1f} written={report.count('written')}"
    )
    print(ratio_text(elapsed, bucket_bound(stats)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(run(args.companies))


if __name__ == "__main__":
    main()
