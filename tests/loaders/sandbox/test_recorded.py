"""The sandbox against recorded replies of real portals (tests/loaders/sandbox/recorded/).

Every case runs in-process on a fresh portal. The served form replays every case against one
uvicorn-served portal per portal setting (as a user's `sandbox serve` would be), and
`B24_RECORDED_URL=<webhook>` replays them against a portal someone else serves.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from typing import Any

import pytest

from loaders.sandbox import SandboxConfig, create_app
from loaders.sandbox.testing import running_sandbox
from tests.loaders.sandbox.recorded.replay import Case, InProcess, Served, load_cases, replay

CASES = load_cases()


def _config(case: Case, **changes: Any) -> SandboxConfig:
    return dataclasses.replace(SandboxConfig(**{"plan": "unlimited", **case.portal}), **changes)


def _explain(case: Case, problems: list[str]) -> str:
    lines = "\n  ".join(problems)
    return f"{case.id} ({case.provenance}):\n  {lines}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_recorded_reply(case: Case) -> None:
    app = create_app(_config(case))
    try:
        problems = replay(case, InProcess(app))
        assert app.stats()["internal_errors"] == 0, "a sandbox handler raised"
    finally:
        app.close()
    assert not problems, _explain(case, problems)


def _groups() -> list[list[Case]]:
    """Cases that can share one portal (same settings, none changing portal-wide state)."""
    groups: dict[str, list[Case]] = {}
    for case in CASES:
        key = case.id if case.isolated else repr(sorted(case.portal.items()))
        groups.setdefault(key, []).append(case)
    return list(groups.values())


def _replay_all(cases: list[Case], webhook: str) -> list[str]:
    target = Served(webhook)
    try:
        return [_explain(c, p) for c in cases if (p := replay(c, target))]
    finally:
        target.close()


@pytest.mark.e2e
def test_recorded_replies_on_a_served_sandbox(tmp_path: Any) -> None:
    """Every case over HTTP, one served portal per group, state shared as on a real portal."""
    failures = []
    for number, cases in enumerate(_groups()):
        config = _config(cases[0], data_dir=tmp_path / f"portal{number}")
        with running_sandbox(config) as portal:
            failures += _replay_all(cases, portal.webhook_url)
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(not os.environ.get("B24_RECORDED_URL"), reason="B24_RECORDED_URL not set")
def test_recorded_replies_on_a_given_portal() -> None:
    """`B24_RECORDED_URL=http://127.0.0.1:8024/rest/1/secret/ pytest -k given_portal`: the
    cases that need no portal settings and leave the portal's settings alone."""
    plain = [c for c in CASES if not c.portal and not c.isolated]
    failures = _replay_all(plain, os.environ["B24_RECORDED_URL"])
    assert not failures, "\n".join(failures)


def test_the_corpus_is_big_and_varied_enough() -> None:
    sources = Counter(case.source for case in CASES)
    assert len(CASES) >= 80, f"{len(CASES)} recorded cases"
    assert len(sources) >= 4, f"sources: {dict(sources)}"
    assert len({c.id for c in CASES}) == len(CASES), "case names repeat within a file"
