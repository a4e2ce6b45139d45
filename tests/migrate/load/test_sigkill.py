"""SIGKILL the load at random moments against a served, faulty sandbox: nothing lost or doubled."""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from loaders.sandbox import FaultSpec, SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.ledger import Ledger, State

from .conftest import ORIGINATOR, make_client, make_portal, sample_plan

LOAD_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from loaders.client import Bitrix24Client
    from migrate.ledger import Ledger
    from migrate.load import LoadOptions, load

    async def main():
        with Ledger.open(Path(sys.argv[1])) as ledger:
            async with Bitrix24Client(sys.argv[2], plan="unlimited") as client:
                options = LoadOptions(settle_seconds=float(sys.argv[3]), batch_size=5)
                await load(ledger, client, options)

    asyncio.run(main())
    """
)

pytestmark = pytest.mark.e2e


def test_load_killed_at_random_moments_ends_with_each_record_exactly_once(tmp_path: Path):
    portal_dir = tmp_path / "portal"
    ledger_path = tmp_path / "ledger.sqlite"
    records = sample_plan(companies=8, contacts_per_company=2)
    with Ledger.open(ledger_path, ORIGINATOR) as ledger:
        ledger.apply_plan(ledger.start_run("plan").id, records)
    faults = FaultSpec(rates={"drop": 0.05, "503": 0.05, "500": 0.02}, timeout_delay_s=0.0)
    config = SandboxConfig(
        plan="unlimited", data_dir=portal_dir, latency_ms=40, faults=faults, seed=11
    )
    rng = random.Random(7)
    kills = left_sending = 0
    with running_sandbox(config) as portal:
        command = [sys.executable, "-c", LOAD_SCRIPT, str(ledger_path), portal.webhook_url, "0.5"]
        for _ in range(6):
            proc = subprocess.Popen(command, cwd=_repo())
            _wait_for_a_new_batch(ledger_path, proc)
            time.sleep(rng.uniform(0.0, 0.15))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
            with Ledger.open(ledger_path) as ledger:
                left_sending += len(ledger.sending())
        final = subprocess.run(command, cwd=_repo(), timeout=120, check=False)
        assert final.returncode == 0
    assert kills >= 3
    assert left_sending > 0  # some kills landed between `sending` and the applied reply

    with Ledger.open(ledger_path) as ledger:
        assert Counter(r.state for r in ledger.records()) == {State.DONE: len(records)}
        expected = {
            e: sorted(r.source_key for r in ledger.records(e))
            for e in ("company", "contact", "deal", "activity")
        }
        done = {(r.entity, r.source_key): r.b24_id for r in ledger.records()}
    clean = make_portal(data_dir=portal_dir)
    try:
        found = asyncio.run(_portal_keys(clean))
    finally:
        clean.close()
    for entity in ("company", "contact", "deal"):
        keys = found[entity]
        assert sorted(keys) == expected[entity], entity  # every record, none twice
        assert all(ids == [done[(entity, key)]] for key, ids in keys.items()), entity
    assert found["products"] == {"p1": 1, "p2": 1}
    assert sorted(found["comments"].values()) == [1] * 8


def _wait_for_a_new_batch(ledger_path: Path, proc: subprocess.Popen) -> None:
    """Return once the load has sent one more batch (so the kill lands mid-load)."""

    def batches() -> int:
        conn = sqlite3.connect(ledger_path, timeout=30)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0])
        finally:
            conn.close()

    before = batches()
    deadline = time.monotonic() + 60
    while proc.poll() is None and batches() == before and time.monotonic() < deadline:
        time.sleep(0.01)


async def _portal_keys(app):
    async with make_client(app) as client:
        found = {}
        for entity in ("company", "contact", "deal"):
            reply = await client.call(
                f"crm.{entity}.list",
                {"filter": {"ORIGINATOR_ID": ORIGINATOR}, "select": ["ID", "ORIGIN_ID"]},
            )
            per_key: dict[str, list[int]] = {}
            for row in reply.result:
                per_key.setdefault(row["ORIGIN_ID"], []).append(int(row["ID"]))
            found[entity] = per_key
        products = await client.call("crm.product.list", {"select": ["ID", "XML_ID"]})
        found["products"] = Counter(row["XML_ID"] for row in products.result)
        comments = Counter()
        for deal_id in [ids[0] for ids in found["deal"].values()]:
            reply = await client.call(
                "crm.timeline.comment.list",
                {"filter": {"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal"}},
            )
            comments[deal_id] = len(reply.result)
        found["comments"] = comments
        return found


def _repo() -> Path:
    return Path(__file__).resolve().parents[3]
