"""Run a real-format export through the whole CLI into the sandbox, then read the portal back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from migrate.cli import cli
from migrate.portal.connect import open_portal
from migrate.workspace.config import Workspace

REAL = Path(__file__).parents[2] / "fixtures" / "real"


def migrate_export(tmp_path: Path, folder: str, *extra: str) -> Path:
    """`init --source` (no hand edits), validate, dedupe, plan and load; every step exits 0."""
    root = tmp_path / "ws"
    runner = CliRunner()
    steps = [
        ["init", str(root), "--source", str(REAL / folder), *extra],
        ["validate", "-w", str(root)],
        ["dedupe", "-w", str(root)],
        ["plan", "-w", str(root)],
        ["load", "-w", str(root)],
    ]
    for step in steps:
        result = runner.invoke(cli, step)
        assert result.exit_code == 0, f"{step[0]}: {result.output}"
    return root


def read_portal(root: Path) -> dict[str, Any]:
    """Every company, contact, deal (with its product rows and contacts), product, section and
    requisite of the workspace's sandbox portal, by the source key (ORIGIN_ID / XML_ID)."""
    return asyncio.run(_read(root))


async def _read(root: Path) -> dict[str, Any]:
    workspace = Workspace.at(root)
    async with open_portal(workspace, workspace.load_config()) as client:

        async def rows(method: str, **params: Any) -> list[dict[str, Any]]:
            return list((await client.call(method, params)).result)

        out: dict[str, Any] = {}
        for entity in ("company", "contact", "deal"):
            found = await rows(f"crm.{entity}.list", select=["*", "PHONE", "EMAIL"])
            out[entity] = {r["ORIGIN_ID"]: r for r in found}
        for deal in out["deal"].values():
            deal["ROWS"] = await rows("crm.deal.productrows.get", id=deal["ID"])
            deal["CONTACTS"] = await rows("crm.deal.contact.items.get", id=deal["ID"])
        out["product"] = {r["XML_ID"]: r for r in await rows("crm.product.list", select=["*"])}
        units = (await client.call("catalog.measure.list", {})).result["measures"]
        symbol = {int(u["id"]): u["symbol"] for u in units}
        vats = (await client.call("catalog.vat.list", {})).result["vats"]
        rate = {int(v["id"]): v["rate"] for v in vats}
        for product in out["product"].values():  # unit and VAT as the portal's catalogue has them
            product["UNIT"] = symbol.get(int(product["MEASURE"])) if product["MEASURE"] else None
            product["VAT"] = rate.get(int(product["VAT_ID"])) if product.get("VAT_ID") else None
        sections = await rows("crm.productsection.list")
        out["section"] = {r["XML_ID"]: r for r in sections}
        out["requisite"] = await rows("crm.requisite.list", select=["*"])
        return out
