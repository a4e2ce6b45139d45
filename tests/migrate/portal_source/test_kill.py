"""`b24migrate validate` SIGKILLed while it reads the source portal: the next run goes on from
the tables it finished (their changes only) and reads the rest whole; nothing is lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from loaders import Bitrix24Client
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.run import Migration
from sample_data.portal import seed_source_portal

from .conftest import make_workspace

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[3]
TABLES = ("company", "contact", "deal", "lead", "note")


async def _seed(url: str):
    async with Bitrix24Client(url, plan="unlimited") as client:
        return await seed_source_portal(client, companies=20, contacts=30, deals=40, leads=8)


def _finished(folder: Path) -> list[str]:
    """Tables whose snapshot *and* state are written (the state follows the snapshot: a kill
    between the two leaves a table that is read whole again, as it should be)."""
    try:
        states = json.loads((folder / "state.json").read_text(encoding="utf-8"))["tables"]
    except (OSError, ValueError, KeyError):
        return []
    return sorted(t for t in states if (folder / f"{t}.parquet").is_file())


def _kill_after_first_table(root: Path, env: dict[str, str]) -> list[str]:
    """Run `validate` and SIGKILL it as soon as one table's snapshot is written."""
    folder = root / ".b24migrate" / "source_portal"
    command = [sys.executable, "-m", "migrate", "validate", "-w", str(root)]
    proc = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not _finished(folder) and time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return _finished(folder)


def test_a_killed_read_goes_on_from_the_tables_it_finished(tmp_path):
    root = make_workspace(tmp_path / "ws", target="sandbox", tables=TABLES)
    config = SandboxConfig(plan="unlimited", latency_ms=120, data_dir=tmp_path / "src")
    with running_sandbox(config) as source:
        seeded = asyncio.run(_seed(source.webhook_url))
        time.sleep(1.1)  # the read starts after the last change's second
        env = {"B24_SOURCE": source.webhook_url}
        kept = _kill_after_first_table(root, env)
        assert kept, "the read was killed before any table was finished"
        assert kept != sorted(TABLES), "the read finished before the kill"
        again = Migration(root, environ=env)
        again.validate()
    read = {t.table: t.since for t in again.source_read.tables}
    assert all(read[t] is not None for t in kept if t != "note")  # finished: changes only
    assert all(read[t] is None for t in TABLES if t not in kept)  # the rest: whole
    folder = root / ".b24migrate" / "source_portal"
    for table in TABLES:
        ids = pd.read_parquet(folder / f"{table}.parquet")["ID"].nunique()
        assert ids == seeded.counts[table], table
