"""A plan is a promise: an interrupted plan never lets `load` send what the plan withdrew, and
`load` runs only a complete plan of the current inputs (issue #15).

The kill test runs 6 kills in CI; `B24_SLOW=1` runs the full 20.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.ledger import Ledger, Op
from migrate.run import Migration
from migrate.workspace.config import Workspace
from tests.migrate.plan.workspace import (
    COMPANIES,
    CONTACTS,
    DEALS,
    NAME,
    Portal,
    make_workspace,
    write_csv,
)
from tests.migrate.test_cli_load import run

RUNS = 20 if os.environ.get("B24_SLOW") else 6
SEED = 1515


def _second_sources(root: Path) -> None:
    """The client's corrected export: `co3` and everything of it gone, `co4` new."""
    data = root / "data"
    write_csv(data / "companies.csv",
              [*COMPANIES[:3], ["co4", "ООО «Ирис»", "+7 495 444-55-66", "", ""]])  # fmt: skip
    write_csv(data / "contacts.csv", CONTACTS[:3])
    write_csv(data / "deals.csv", DEALS[:3])


def _planned(root: Path) -> set[tuple[str, str]]:
    with Ledger.for_workspace(root, NAME) as ledger:
        return {(r.entity, r.source_key) for r in ledger.records() if r.op is not Op.SKIP}


def _in_portal(root: Path) -> set[tuple[str, str]]:
    portal = Portal(Workspace.at(root))
    try:
        return {
            (entity, row["ORIGIN_ID"])
            for entity in ("company", "contact", "deal")
            for row in portal.list(entity, ["ID", "ORIGIN_ID"])
        }
    finally:
        portal.close()


def _helper(*args: str) -> str:
    command = [sys.executable, "-m", "tests.migrate.trust._interrupt_plan", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A workspace planned once (v1), then given new sources; and the complete v2 plan."""
    base = tmp_path_factory.mktemp("base") / "w"
    workspace = make_workspace(base)
    Migration(workspace).plan(skip_refused=True)
    _second_sources(base)
    reference = tmp_path_factory.mktemp("ref") / "w"
    shutil.copytree(base, reference)
    statements = int(_helper("count", str(reference)))
    planned = {k for k in _planned(reference) if k[0] in ("company", "contact", "deal")}
    assert ("company", "co3") not in planned
    assert ("company", "co4") in planned
    return base, statements, planned


@pytest.mark.slow
def test_load_never_sends_what_an_interrupted_plan_withdrew(prepared, tmp_path, capsys):
    base, statements, planned = prepared
    rng = random.Random(SEED)
    # random points, plus the last statement (a read after COMMIT: the plan is whole)
    points = [*sorted(rng.randint(1, statements - 1) for _ in range(RUNS - 1)), statements]
    roots = []
    for i, point in enumerate(points):
        root = tmp_path / f"run{i}"
        shutil.copytree(base, root)
        roots.append(f"{root}:{point}")
    status = json.loads(_helper("kill", *roots))
    assert all(code == 9 for code in status.values()), status  # every child was killed
    outcomes = []
    for item in roots:
        root = item.rsplit(":", 1)[0]
        code, _, err = run(capsys, "load", "-w", root, "--quiet")
        sent = _in_portal(Path(root))
        assert sent in (set(), planned), (item, sorted(sent ^ planned))
        if code == 2:
            assert sent == set()
            assert "no complete plan of the current sources" in err
            assert "Next: run `b24migrate plan` again" in err
        outcomes.append(code)
    assert set(outcomes) == {0, 2}, outcomes  # refused when cut short, else exactly the plan


def test_load_refuses_a_plan_of_other_inputs(tmp_path, capsys):
    workspace = make_workspace(tmp_path / "w")
    Migration(workspace).plan(skip_refused=True)
    _second_sources(workspace.root)  # edited after the plan
    code, _, err = run(capsys, "load", "-w", str(workspace.root), "--quiet")
    assert code == 2
    assert "changed since the last plan" in err
    assert _in_portal(workspace.root) == set()
    Migration(workspace).plan(skip_refused=True)
    code, _, err = run(capsys, "load", "-w", str(workspace.root), "--quiet")
    assert code == 0, err
    assert ("company", "co4") in _in_portal(workspace.root)
