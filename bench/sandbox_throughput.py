"""Throughput of the sandbox portal: batches of 50 `crm.contact.add` over HTTP (uvicorn).

Starts `b24migrate sandbox serve --plan unlimited` in its own process on a free 127.0.0.1 port
(SQLite on disk, in a temp dir), as a loader would meet it, and sends pre-encoded batches from
a few concurrent httpx connections. The sandbox must never be the bottleneck of a load
benchmark: the target is >= 2,000 created contacts per second on this 2-core machine.
`--in-thread` serves it in this process instead (one GIL for client and server: a lower bound).
Figures on a shared machine are noisy. Last line: `items_per_s=N`.

    python bench/sandbox_throughput.py [--batches 200] [--concurrency 4] [--in-thread]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def _bodies(first: int, batches: int) -> list[bytes]:
    """JSON bodies of the batches, built before the clock starts (the client is not measured)."""
    out = []
    for b in range(first, first + batches):
        cmd = {f"c{j}": _command(b * 50 + j) for j in range(50)}
        out.append(json.dumps({"halt": 0, "cmd": cmd}).encode())
    return out


async def _run(url: str, bodies: list[bytes], concurrency: int) -> int:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    created = 0
    headers = {"content-type": "application/json"}

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal created
        while not queue.empty():
            body = queue.get_nowait()
            reply = await client.post(url + "batch", content=body, headers=headers)
            reply.raise_for_status()
            result = reply.json()["result"]
            created += len(result["result"])
            if result["result_error"]:
                raise RuntimeError(f"batch errors: {result['result_error']}")

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return created


@contextmanager
def _served(data_dir: Path, in_thread: bool) -> Iterator[str]:
    """The sandbox's webhook URL, served in a subprocess (default) or a thread."""
    if in_thread:
        config = SandboxConfig(data_dir=data_dir, plan="unlimited", token="bench")
        with running_sandbox(config) as portal:
            yield portal.webhook_url
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "migrate", "sandbox", "serve", "--port", str(port),
               "--plan", "unlimited", "--token", "bench", "--data", str(data_dir)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/rest/1/bench/"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "user.current", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--in-thread", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _served(Path(tmp), args.in_thread) as url:
        asyncio.run(_run(url, _bodies(10**6, 5), 2))  # warm-up
        bodies = _bodies(0, args.batches)
        started = time.perf_counter()
        created = asyncio.run(_run(url, bodies, args.concurrency))
        elapsed = time.perf_counter() - started
        stats = httpx.get(url.split("/rest/")[0] + "/sandbox/stats").json()
    print(
        f"batches={args.batches} concurrency={args.concurrency} created={created} "
        f"seconds={elapsed:.2f} contacts_in_portal={stats['entities']['contact']}"
    )
    print(f"items_per_s={created / elapsed:.0f}")


if __name__ == "__main__":
    main()
