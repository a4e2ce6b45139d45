"""A workspace whose portal is a served sandbox, a load run as the integrator runs it (a
process of its own), and the portal read back."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import RunningSandbox, running_sandbox
from migrate.ledger import Ledger, State
from migrate.ledger.blockers import INPUTS_META
from migrate.workspace.config import Workspace
from migrate.workspace.inputs import inputs_fingerprint

from ..load.conftest import ORIGINATOR, sample_plan

__all__ = ["ORIGINATOR", "Served", "plan", "portal_keys"]


def plan(root: Path, records) -> None:
    """What `plan` leaves in the ledger: the records as given, no issues, and the
    fingerprint of the inputs it read."""
    workspace = Workspace.at(root)
    with Ledger.for_workspace(root, ORIGINATOR) as ledger, ledger.transaction():
        run = ledger.start_run("plan")
        ledger.apply_plan(run.id, records)
        ledger.replace_issues(run.id, [])
        ledger.set_meta(INPUTS_META, inputs_fingerprint(workspace, workspace.load_config()))
        ledger.finish_run(run.id)


def portal_keys(webhook_url: str, entity: str) -> Counter[str]:
    """How many records of ``entity`` the portal holds per ORIGIN_ID of this migration."""
    keys: Counter[str] = Counter()
    start = 0
    while True:
        reply = httpx.post(
            webhook_url + f"crm.{entity}.list",
            json={"filter": {"ORIGINATOR_ID": ORIGINATOR}, "select": ["ORIGIN_ID"], "start": start},
            timeout=30,
        ).json()
        keys.update(str(row["ORIGIN_ID"]) for row in reply["result"])
        if "next" not in reply:
            return keys
        start = reply["next"]


class Served:
    """A served sandbox, a workspace pointing at it, and commands run as processes."""

    def __init__(self, root: Path, portal: RunningSandbox) -> None:
        self.root, self.portal = root, portal
        (root / "migration.yaml").write_text(
            f"name: {ORIGINATOR}\nlanguage: en\nportal:\n  url: {portal.webhook_url}\n"
            "  plan: unlimited\nsources: {}\nload: {batch_size: 2}\n",
            encoding="utf-8",
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        """``b24migrate ARGS -w ROOT`` in a process of its own (stdout/stderr captured)."""
        return subprocess.Popen(
            [sys.executable, "-m", "migrate", *args, "-w", str(self.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, timeout: float = 120) -> tuple[int, str, str]:
        process = self.start(*args)
        out, err = process.communicate(timeout=timeout)
        return process.returncode, out, err

    def wait_for_done(self, count: int = 1, timeout: float = 30) -> None:
        """Until the ledger holds ``count`` records done (the load is under way)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (self.root / ".b24migrate" / "ledger.sqlite").is_file():
                with Ledger.for_workspace(self.root) as ledger:
                    if len(ledger.records(state=State.DONE)) >= count:
                        return
            time.sleep(0.05)
        raise AssertionError("the load wrote nothing in time")

    def exactly_once(self) -> None:
        """Every record the ledger holds as done is in the portal once, nothing else is."""
        with Ledger.for_workspace(self.root) as ledger:
            for entity in ("company", "contact", "deal"):
                done = {r.source_key for r in ledger.records(entity, State.DONE)}
                held = portal_keys(self.portal.webhook_url, entity)
                assert set(held) == done, entity
                assert max(held.values(), default=1) == 1, f"{entity} created twice"
            assert not ledger.sending()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    config = SandboxConfig(data_dir=tmp_path / "portal", plan="unlimited", latency_ms=400)
    with running_sandbox(config) as portal:
        workspace = tmp_path / "ws"
        workspace.mkdir()
        yield Served(workspace, portal)
    # A portal taken down (or a client killed) mid-request leaves uvicorn's cut connections
    # to the garbage collector: collect them here, inside the test, where the module's
    # filter for their ResourceWarning applies, not at the end of the session.
    gc.collect()


@pytest.fixture
def planned(served: Served) -> Served:
    plan(served.root, sample_plan(companies=6))
    return served


def interrupt(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=60)
