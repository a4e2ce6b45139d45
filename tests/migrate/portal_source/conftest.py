"""Workspaces that read another portal: the preset's mappings plus the seeded user fields."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

import mappings
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import RunningSandbox, running_sandbox
from sample_data.portal import SMART_PROCESS, smart_process_mapping, user_field_lines

TABLES = (
    "product_section",
    "product",
    "company",
    "contact",
    "deal",
    "lead",
    "note",
    "activity",
    "task",
    "smart_process",
    "requisite",
    "bank_detail",
    "address",
)


@contextmanager
def served_portals() -> Iterator[tuple[RunningSandbox, RunningSandbox]]:
    """A source (token ``src``) and a target (``dst``) sandbox served side by side, both
    knowing the sample's smart process."""
    with (
        running_sandbox(
            SandboxConfig(plan="unlimited", token="src", smart_processes=(SMART_PROCESS,))
        ) as source,
        running_sandbox(
            SandboxConfig(plan="unlimited", token="dst", smart_processes=(SMART_PROCESS,))
        ) as target,
    ):
        yield source, target


def make_workspace(
    root: Path,
    *,
    target: str,
    tables: tuple[str, ...] = TABLES,
    batch_size: int = 50,
    structure: str = "ask",
    user_fields: tuple[str, ...] = ("deal", "contact", "company"),
    leave_out: tuple[str, ...] = (),
) -> Path:
    """A workspace reading ``tables`` from `env:B24_SOURCE` into ``target`` (a portal url)."""
    preset = Path(mappings.__file__).parent / "bitrix24_portal"
    (root / "mappings").mkdir(parents=True)
    for path in preset.glob("*.yaml"):
        if path.stem in tables:
            shutil.copy(path, root / "mappings" / path.name)
    for entity, lines in user_field_lines().items():
        if entity not in user_fields:
            continue
        file = root / "mappings" / f"{entity}.yaml"
        if not file.is_file():
            continue
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        data["fields"].update({k: v for k, v in lines.items() if k not in leave_out})
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    if "smart_process" in tables:  # not copied by `init`: the title is the portal's own
        (root / "mappings" / "smart_process.yaml").write_text(smart_process_mapping(), "utf-8")
    config = {
        "name": "from-portal",
        "portal": {"url": target, "plan": "unlimited"},
        "source_portal": {"url": "env:B24_SOURCE", "plan": "unlimited"},
        "sources": {t: {"portal": t} for t in tables},
        "owners": {"default_owner": 1},
        "dedupe": {"company": False, "contact": False, "lead": False, "product": False},
        "load": {"batch_size": batch_size, "structure": structure},
    }
    (root / "migration.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return root
