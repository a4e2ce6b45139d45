"""The sample migration planned into a workspace's ledger, without the `plan` command.

Reads the amoCRM sample workspace with :func:`migrate.pipeline.prepare`, reads the portal's
metadata and turns every clean table into ledger records with :func:`migrate.plan.plan_table`
(the same hand-off `b24migrate plan` makes). ``rows`` keeps the first N rows of each entity
(references to rows left out become `ref.missing` warnings, notes on them refused rows).
Used by the chaos test, bench/chaos.py and bench/load_sample.py.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from loaders.client import Bitrix24Client
from loaders.errors import PortalFieldError
from migrate.config import Workspace
from migrate.ledger import Ledger, PlannedRecord
from migrate.pipeline import prepare
from migrate.plan import OwnerResolver, ReferenceIndex, plan_table, read_portal_metadata
from migrate.scaffold import init_workspace

__all__ = ["init_sample", "plan_sample", "plan_sample_sync"]


def init_sample(
    root: Path, portal_url: str = "sandbox", plan: str = "standard", batch_size: int = 50
) -> Workspace:
    """`b24migrate init ROOT --from amocrm`, then point `portal` at ``portal_url``."""
    result = init_workspace(root, "amocrm", name="chaos-sample")
    config = result.workspace.config_path
    text = (
        config.read_text(encoding="utf-8")
        .replace("  url: sandbox\n", f"  url: {portal_url}\n  plan: {plan}\n")
        .replace("  batch_size: 50\n", f"  batch_size: {batch_size}\n")
    )
    config.write_text(text, encoding="utf-8")
    return result.workspace


async def plan_sample(
    workspace: Workspace, client: Bitrix24Client, rows: int | None = None
) -> Counter[str]:
    """Plan the workspace into its ledger; returns the planned records per entity."""
    await create_user_fields(client)
    data = prepare(workspace)
    tables = {e: t if rows is None else t.head(rows) for e, t in data.tables.items()}
    meta = await read_portal_metadata(client)
    index = ReferenceIndex({e: [str(k) for k in t["_key"]] for e, t in tables.items()})
    owners = OwnerResolver(meta.users, default_owner=1)
    records: list[PlannedRecord] = []
    issues = []
    for entity, table in tables.items():
        planned = plan_table(entity, table, meta=meta, owners=owners, index=index)
        records += planned.records
        issues += planned.issues
    with Ledger.for_workspace(workspace.root, data.config.name) as ledger:
        run = ledger.start_run("plan")
        ledger.apply_plan(run.id, records)
        ledger.replace_issues(run.id, issues)
        ledger.finish_run(run.id)
    return Counter(r.entity for r in records)


async def create_user_fields(client: Bitrix24Client) -> None:
    """What the plan asks the user to do first: create `UF_CRM_TAGS` (the sample's tags)."""
    for entity in ("company", "contact", "deal"):
        try:
            await client.call(
                f"crm.{entity}.userfield.add",
                {"fields": {"FIELD_NAME": "TAGS", "USER_TYPE_ID": "string", "LABEL": "Теги"}},
            )
        except PortalFieldError as exc:
            if "already exists" not in str(exc.description):
                raise


def plan_sample_sync(workspace: Workspace, webhook_url: str, rows: int | None = None) -> Counter:
    async def go() -> Counter[str]:
        async with Bitrix24Client(webhook_url, plan="unlimited") as client:
            return await plan_sample(workspace, client, rows)

    return asyncio.run(go())
