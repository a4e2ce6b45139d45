"""Throughput of the sandbox portal: batches of 50 `crm.contact.add` over HTTP (uvicorn).

Runs the sandbox with `--plan unlimited` on a free 127.0.0.1 port (SQLite on disk, in a temp
dir) and sends batches from a few concurrent httpx clients. The sandbox must never be the
bottleneck of a load benchmark: the target is >= 2,000 created contacts per second.
Figures on a shared machine are noisy. Last line: `items_per_s=N`.

    python bench/sandbox_throughput.py [--batches 200] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox


def _command(i: int) -> str:
    query = (
        f"fields[NAME]={quote('Иван')}&fields[LAST_NAME]={quote(f'Петров{i}')}"
        f"&fields[PHONE][0][VALUE]=%2B7900{i:07d}&fields[PHONE][0][VALUE_TYPE]=WORK"
        f"&fields[EMAIL][0][VALUE]=user{i}%40example.ru&fields[ORIGINATOR_ID]=bench"
        f"&fields[ORIGIN_ID]={i}"
    )
    return f"crm.contact.add?{query}"


async def _run(url: str, batches: int, concurrency: int) -> int:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for b in range(batches):
        queue.put_nowait(b)
    created = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal created
        while not queue.empty():
            b = queue.get_nowait()
            cmd = {f"c{j}": _command(b * 50 + j) for j in range(50)}
            reply = await client.post(url + "batch", json={"halt": 0, "cmd": cmd})
            reply.raise_for_status()
            body = reply.json()["result"]
            created += len(body["result"])
            if body["result_error"]:
                raise RuntimeError(f"batch {b}: {body['result_error']}")

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = SandboxConfig(data_dir=Path(tmp), plan="unlimited", token="bench")
        with running_sandbox(config) as portal:
            asyncio.run(_run(portal.webhook_url, 5, 2))  # warm-up
            started = time.perf_counter()
            created = asyncio.run(_run(portal.webhook_url, args.batches, args.concurrency))
            elapsed = time.perf_counter() - started
            stats = portal.stats()
    print(f"batches={args.batches} concurrency={args.concurrency} created={created} "
          f"seconds={elapsed:.2f} contacts_in_portal={stats['entities']['contact']}")
    print(f"items_per_s={created / elapsed:.0f}")


if __name__ == "__main__":
    main()
