"""read_all: every page of plain and wrapped (``{"products": [...]}``) lists, in order."""

from __future__ import annotations

import asyncio

from loaders.sandbox._catalog import CATALOG_IBLOCK
from migrate.portal.connect import open_portal
from migrate.portal.read import read_all
from migrate.workspace.config import Workspace, parse_config


def test_read_all_completes_plain_and_wrapped_lists_page_by_page(tmp_path):
    config = parse_config(
        "name: t\nportal:\n  url: sandbox\n  plan: unlimited\nsources: {}\n", environ={}
    )

    async def go():
        async with open_portal(Workspace.at(tmp_path), config) as client:
            for n in range(60):
                await client.call("crm.company.add", {"fields": {"TITLE": f"c{n}"}})
                product = {"iblockId": CATALOG_IBLOCK, "name": f"p{n}"}
                await client.call("catalog.product.add", {"fields": product})
            return await read_all(
                client,
                [
                    ("crm.company.list", {"select": ["ID"]}),
                    ("catalog.product.list", {"select": ["id", "iblockId", "name"],
                                              "filter": {"iblockId": CATALOG_IBLOCK}}),
                ],
            )  # fmt: skip

    companies, products = asyncio.run(go())
    assert len(companies) == 60
    assert list(products) == ["products"]
    assert [p["name"] for p in products["products"]] == [f"p{n}" for n in range(60)]
