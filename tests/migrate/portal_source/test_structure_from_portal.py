"""An empty target: the plan proposes the source's pipeline, its stages and its user fields
(issue 12's structure proposals, the fields as the source defines them), the load creates
them, and the portals then agree."""

from __future__ import annotations

import asyncio

from loaders import Bitrix24Client
from migrate.run import Migration
from sample_data.portal import CHANNELS, DEAL_KINDS, PIPELINE, seed_source_portal
from sample_data.portal_compare import compare_portals

from .conftest import make_workspace, served_portals


async def _seed(url: str):
    async with Bitrix24Client(url, plan="unlimited") as client:
        return await seed_source_portal(client, companies=6, contacts=8, deals=12, leads=2)


def test_the_plan_creates_what_the_source_has_and_the_target_lacks(tmp_path, monkeypatch):
    with served_portals() as (source, target):
        asyncio.run(_seed(source.webhook_url))
        monkeypatch.setenv("B24_SOURCE", source.webhook_url)
        monkeypatch.setenv("B24_TARGET", target.webhook_url)
        # the deal's file field is left out: its values are the source's file ids, and a
        # proposal does not create a field of a type that holds ids
        root = make_workspace(tmp_path / "ws", target="env:B24_TARGET", structure="create",
                              leave_out=("UF_CRM_DOCS",))  # fmt: skip
        migration = Migration(root)
        migration.validate()
        counts = migration.plan().result.counts
        Migration(root).load()
        differences = asyncio.run(compare_portals(source.webhook_url, target.webhook_url,
                                                  unmapped={"deal.UF_CRM_DOCS"}))  # fmt: skip
        pipelines = asyncio.run(_pipelines(target.webhook_url))
        fields = {"src": asyncio.run(_user_fields(source.webhook_url)),
                  "dst": asyncio.run(_user_fields(target.webhook_url))}  # fmt: skip
    assert counts[("pipeline", "create")] == 1
    assert counts[("user_field", "create")] == 4
    assert counts[("stage", "create")] >= 1
    assert PIPELINE in pipelines
    assert differences == [], differences[:20]
    # taken from the source's definition, not guessed: «рыбалка»/«шахматы» repeat and would
    # look like a list, but the source field is a string; the list keeps the source's order
    del fields["src"]["deal.UF_CRM_DOCS"]  # left out of the mapping: a file field (ids)
    assert fields["dst"] == fields["src"], fields
    assert fields["dst"]["contact.UF_CRM_HOBBY"][:2] == ("string", "N")
    assert fields["dst"]["deal.UF_CRM_KIND"] == ("enumeration", "N", "Вид сделки", DEAL_KINDS)
    assert fields["dst"]["company.UF_CRM_CHANNELS"] == (
        "enumeration", "Y", "Каналы привлечения", CHANNELS)  # fmt: skip
    assert fields["dst"]["contact.UF_CRM_LANGS"] == ("string", "Y", "Языки", ())


async def _user_fields(url: str) -> dict[str, tuple]:
    """entity.field → (type, MULTIPLE, label, list items in order) of the seeded fields."""
    out = {}
    async with Bitrix24Client(url, plan="unlimited", read_only=True) as client:
        for entity in ("company", "contact", "deal"):
            rows = (await client.call(f"crm.{entity}.userfield.list",
                                      {"filter": {"LANG": "ru"}})).result  # fmt: skip
            for row in rows:
                items = sorted(row.get("LIST") or [], key=lambda i: int(i["SORT"]))
                out[f"{entity}.{row['FIELD_NAME']}"] = (
                    row["USER_TYPE_ID"], row["MULTIPLE"], row["EDIT_FORM_LABEL"],
                    tuple(i["VALUE"] for i in items),
                )  # fmt: skip
    return out


async def _pipelines(url: str) -> list[str]:
    async with Bitrix24Client(url, plan="unlimited", read_only=True) as client:
        found = (await client.call("crm.category.list", {"entityTypeId": 2})).result
    return [c["name"] for c in found["categories"]]
