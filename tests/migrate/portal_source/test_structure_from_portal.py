"""An empty target: the plan proposes the source's pipeline, its stages and its list field
(issue 12's structure proposals), the load creates them, and the portals then agree."""

from __future__ import annotations

import asyncio

from loaders import Bitrix24Client
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.run import Migration
from sample_data.portal import PIPELINE, SMART_PROCESS, seed_source_portal
from sample_data.portal_compare import compare_portals

from .conftest import make_workspace


async def _seed(url: str):
    async with Bitrix24Client(url, plan="unlimited") as client:
        return await seed_source_portal(client, companies=6, contacts=8, deals=12, leads=2)


def test_the_plan_creates_what_the_source_has_and_the_target_lacks(tmp_path, monkeypatch):
    with (
        running_sandbox(
            SandboxConfig(plan="unlimited", token="src", smart_processes=(SMART_PROCESS,))
        ) as source,
        running_sandbox(
            SandboxConfig(plan="unlimited", token="dst", smart_processes=(SMART_PROCESS,))
        ) as target,
    ):
        asyncio.run(_seed(source.webhook_url))
        monkeypatch.setenv("B24_SOURCE", source.webhook_url)
        monkeypatch.setenv("B24_TARGET", target.webhook_url)
        # the contact's text field and the deal's file field are left out: a proposal infers
        # a type from the values (a few repeated words make a list, paths make text), not
        # from the source's definition
        root = make_workspace(tmp_path / "ws", target="env:B24_TARGET", structure="create",
                              user_fields=("deal",), leave_out=("UF_CRM_DOCS",))  # fmt: skip
        migration = Migration(root)
        migration.validate()
        counts = migration.plan().result.counts
        Migration(root).load()
        unmapped = {"contact.UF_CRM_HOBBY", "deal.UF_CRM_DOCS"}
        differences = asyncio.run(compare_portals(source.webhook_url, target.webhook_url,
                                                  unmapped=unmapped))  # fmt: skip
        pipelines = asyncio.run(_pipelines(target.webhook_url))
    assert counts[("pipeline", "create")] == 1
    assert counts[("user_field", "create")] == 1
    assert counts[("stage", "create")] >= 1
    assert PIPELINE in pipelines
    assert differences == [], differences[:20]


async def _pipelines(url: str) -> list[str]:
    async with Bitrix24Client(url, plan="unlimited", read_only=True) as client:
        found = (await client.call("crm.category.list", {"entityTypeId": 2})).result
    return [c["name"] for c in found["categories"]]
