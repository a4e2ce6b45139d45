"""Faults on both portals: the source answers reads with 503/500/lost replies/timeouts while
it is read, the target the same while it is loaded; every record arrives exactly once."""

from __future__ import annotations

import asyncio

import pytest

from loaders import Bitrix24Client
from loaders.sandbox import FaultSpec, SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.errors import LoadError, PortalTransientError
from migrate.run import Migration
from sample_data.portal import SMART_PROCESS, prepare_target_portal, seed_source_portal
from sample_data.portal_compare import compare_portals

from .conftest import make_workspace

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

FAULTS = FaultSpec({"503": 0.08, "500": 0.04, "drop": 0.04, "timeout": 0.02}, timeout_delay_s=0.3)


async def _seed(source_url: str, target_url: str):
    async with Bitrix24Client(source_url, plan="unlimited") as source:
        seeded = await seed_source_portal(source, companies=12, contacts=20, deals=24, leads=6,
                                          requisites=True)  # fmt: skip
    async with Bitrix24Client(target_url, plan="unlimited") as target:
        await prepare_target_portal(target)
    return seeded


def test_faults_on_both_portals_lose_nothing_and_duplicate_nothing(tmp_path, monkeypatch):
    plain = dict(plan="unlimited", seed=16, smart_processes=(SMART_PROCESS,))
    with (
        running_sandbox(SandboxConfig(data_dir=tmp_path / "src", token="src", **plain)) as src,
        running_sandbox(SandboxConfig(data_dir=tmp_path / "dst", token="dst", **plain)) as dst,
    ):
        seeded = asyncio.run(_seed(src.webhook_url, dst.webhook_url))
        src.restart(faults=FAULTS)
        dst.restart(faults=FAULTS)
        monkeypatch.setenv("B24_SOURCE", src.webhook_url)
        monkeypatch.setenv("B24_TARGET", dst.webhook_url)
        root = make_workspace(tmp_path / "ws", target="env:B24_TARGET", batch_size=10)
        migration = Migration(root)
        assert migration.validate().prepared.count("error") == 0
        migration.plan()
        for _ in range(6):  # an interrupted load is run again, as the runbook says
            try:
                Migration(root).load()
                break
            except (LoadError, PortalTransientError):
                continue
        faults = (sum(src.stats()["faults"].values()), sum(dst.stats()["faults"].values()))
        src.restart(faults=FaultSpec())
        dst.restart(faults=FaultSpec())
        differences = asyncio.run(compare_portals(src.webhook_url, dst.webhook_url))
    assert all(n > 0 for n in faults), faults
    lost = [d for d in differences if "not in the target" in d]
    duplicated = [d for d in differences if "share an ORIGIN_ID" in d]
    assert (len(lost), len(duplicated)) == (0, 0), (lost[:5], duplicated[:5])
    assert differences == [], differences[:20]
    assert sum(seeded.counts.values()) > 100
