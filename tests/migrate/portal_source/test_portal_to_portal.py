"""Two served sandboxes: a seeded source portal migrated into a target, then compared."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import yaml

import mappings
from loaders import Bitrix24Client
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.run import Migration
from sample_data.portal import prepare_target_portal, seed_source_portal, user_field_lines

from .compare import compare_portals

TABLES = ("product_section", "product", "company", "contact", "deal", "lead", "note")


def _workspace(root: Path) -> Path:
    preset = Path(mappings.__file__).parent / "bitrix24_portal"
    (root / "mappings").mkdir(parents=True)
    for path in preset.glob("*.yaml"):
        if path.name != "preset.yaml":
            shutil.copy(path, root / "mappings" / path.name)
    for entity, lines in user_field_lines().items():
        file = root / "mappings" / f"{entity}.yaml"
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        data["fields"].update(lines)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    config = {
        "name": "from-portal",
        "portal": {"url": "env:B24_TARGET", "plan": "unlimited"},
        "source_portal": {"url": "env:B24_SOURCE", "plan": "unlimited"},
        "sources": {t: {"portal": t} for t in TABLES},
        "owners": {"default_owner": 1},
        "dedupe": {"company": False, "contact": False, "lead": False, "product": False},
    }
    (root / "migration.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return root


async def _seed(source_url: str, target_url: str):
    async with Bitrix24Client(source_url, plan="unlimited") as source:
        seeded = await seed_source_portal(source)
    async with Bitrix24Client(target_url, plan="unlimited") as target:
        await prepare_target_portal(target)
    return seeded


@pytest.fixture(scope="module")
def portals():
    with (
        running_sandbox(SandboxConfig(plan="unlimited", token="src")) as source,
        running_sandbox(SandboxConfig(plan="unlimited", token="dst")) as target,
    ):
        seeded = asyncio.run(_seed(source.webhook_url, target.webhook_url))
        yield source, target, seeded


def test_plan_and_load_bring_every_record_and_only_read_the_source(portals, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    source, target, seeded = portals
    root = _workspace(tmp_path / "ws")
    env = {"B24_SOURCE": source.webhook_url, "B24_TARGET": target.webhook_url}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = dict(source.stats()["methods"])
    migration = Migration(root, environ=env)
    validated = migration.validate()
    assert validated.prepared.count("error") == 0, validated.prepared.issues.head(20)
    planned = migration.plan()
    assert planned.reconciliation.lines_source == planned.reconciliation.lines_planned
    loaded = Migration(root, environ=env).load()
    assert loaded.result.failed == 0
    assert loaded.result.left == 0
    used = {m for m, n in source.stats()["methods"].items() if n > before.get(m, 0)}
    writes = {m for m in used if m.rsplit(".", 1)[-1] not in ("list", "get", "fields", "current")}
    assert writes == set(), writes
    differences = asyncio.run(compare_portals(source.webhook_url, target.webhook_url))
    assert differences == [], differences[:20]
    for entity in ("company", "contact", "deal", "lead"):
        assert target.stats()["entities"][entity] == seeded.counts[entity]
