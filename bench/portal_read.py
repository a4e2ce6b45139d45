"""Reading a source portal at its limit: achieved time ÷ the bound its limits set.

Seeds a served sandbox (`sample_data.portal`, sizes scaled by ``--scale``) without limits,
serves it again with the ``--plan`` limits (standard: a bucket of 50 requests draining 2 per
second) and reads every table the `bitrix24_portal` preset maps through the read-only client
(`migrate.portal.source.read_source_portal`), as `b24migrate validate` does — with the history
(activities and their files, tasks) and a smart process's items. File downloads are not REST
calls: they pass outside the bucket and the bound. The bound is the
leaky bucket's for the requests the portal admitted (bench/limits.py: ``ratio = achieved ÷
bound``, ≥ 1.0, lower is better). Then one record is changed and the read repeated: the
incremental read's requests and time are printed beside. Figures on a shared 2-core machine
are noisy. Last line: ``ratio=R …``. ``--rest-only`` reads without downloading any file: the
REST reads alone against the same bound.

    python -m bench.portal_read [--scale 4] [--plan standard] [--rest-only]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.limits import bucket_bound, ratio_text
from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.portal.source import read_source_portal
from sample_data.portal import SMART_PROCESS, seed_source_portal

TABLES = ("product_section", "product", "company", "contact", "deal", "lead", "note", "activity",
          "task", "smart_process")  # fmt: skip


async def _seed(url: str, scale: int) -> dict[str, int]:
    async with Bitrix24Client(url, plan="unlimited") as client:
        seeded = await seed_source_portal(client, companies=50 * scale, contacts=80 * scale,
                                          deals=100 * scale, leads=20 * scale)  # fmt: skip
    return seeded.counts


async def _read(url: str, plan: str, root: Path, files: bool) -> tuple[float, list[str]]:
    async with Bitrix24Client(url, plan=plan, read_only=True) as client:
        started = time.perf_counter()
        done = await read_source_portal(client, TABLES, root, portal="bench", files=files)
        seconds = time.perf_counter() - started
    return seconds, [f"{t.table} {t.read}" for t in done.tables]


async def _touch(url: str) -> None:
    async with Bitrix24Client(url, plan="unlimited") as client:
        await client.call("crm.deal.update", {"id": 1, "fields": {"TITLE": "Изменена"}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--plan", default="standard", choices=("standard", "enterprise"))
    parser.add_argument(
        "--rest-only", action="store_true", help="no file downloads: REST reads vs their bound"
    )
    args = parser.parse_args()
    files = not args.rest_only
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = SandboxConfig(data_dir=root / "portal", plan="unlimited",
                               smart_processes=(SMART_PROCESS,))  # fmt: skip
        with running_sandbox(config) as portal:
            counts = asyncio.run(_seed(portal.webhook_url, args.scale))
            portal.restart(plan=args.plan)  # a fresh bucket, the plan's limits
            time.sleep(2)  # records of the read's first second would be read again (>=)
            seconds, read = asyncio.run(_read(portal.webhook_url, args.plan, root / "ws", files))
            stats = portal.stats()
            print(f"seeded: {counts}")
            print(f"read: {', '.join(read)}; {stats['admitted']} requests admitted")
            time.sleep(60)  # the bucket drains before the incremental read
            asyncio.run(_touch(portal.webhook_url))
            before = portal.stats()["admitted"]
            again, changed = asyncio.run(_read(portal.webhook_url, args.plan, root / "ws",
                                               files))  # fmt: skip
            print(f"incremental: {', '.join(changed)}; "
                  f"{portal.stats()['admitted'] - before} requests, {again:.3f}s")  # fmt: skip
            print(ratio_text(seconds, bucket_bound(stats)))


if __name__ == "__main__":
    main()
