"""The amoCRM sample workspace, set up for a load rehearsal and planned by `b24migrate plan`.

Used by the chaos test, bench/chaos.py and bench/load_sample.py: `init --from sample`, the
portal pointed at a served sandbox, unknown legacy owners mapped to user 1, the sample
account's own «Тендеры» pipeline mapped and its contracts added for the smart process
«Договоры» (:mod:`sample_data.account`; the portal must have it), the `UF_CRM_TAGS`
field the mapping needs created in the portal (what the plan asks a user to do), then
`python -m migrate plan --skip-refused` (rows with other blocking problems — deals in a stage
the portal lacks — stay out, as the plan reports).
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from loaders.client import Bitrix24Client
from loaders.errors import PortalFieldError
from migrate.sources import read_table
from migrate.workspace.config import Workspace
from migrate.workspace.scaffold import init_workspace
from sample_data.account import add_sample_contracts, keep_sample_pipelines, map_sample_pipelines

__all__ = ["create_user_fields", "init_sample", "plan_sample"]

REPO = Path(__file__).resolve().parents[3]


def init_sample(
    root: Path,
    portal_url: str = "sandbox",
    plan: str = "standard",
    batch_size: int = 50,
    rows: int | None = None,
    *,
    keep_pipelines: bool = False,
) -> Workspace:
    """`b24migrate init ROOT --from sample`, then point `portal` at ``portal_url``.

    ``keep_pipelines`` keeps the account's «Тендеры» pipeline by name (the plan proposes it)
    instead of mapping it to the portal's second pipeline, and maps the contracts' status to
    a user field of the smart process too (proposed, created by ``userfieldconfig.add``).

    ``rows`` keeps the first N rows of each export (history: that on a kept record), written
    as CSV files in ``ROOT/subset/`` with the same headers (the attachments copied beside).
    """
    result = init_workspace(root, "sample", name="chaos-sample")
    config = result.workspace.config_path
    text = config.read_text(encoding="utf-8")
    if rows is not None:
        text = _subset_sources(result.workspace, text, rows)
    text = (
        text.replace("  url: sandbox\n", f"  url: {portal_url}\n")
        .replace("  plan: standard\n", f"  plan: {plan}\n")
        .replace("  batch_size: 50\n", f"  batch_size: {batch_size}\n")
        .replace("  default_owner: null\n", "  default_owner: 1\n")
    )
    config.write_text(text, encoding="utf-8")
    deal_mapping = result.workspace.root / "mappings" / "deal.yaml"
    (keep_sample_pipelines if keep_pipelines else map_sample_pipelines)(deal_mapping)
    contracts = result.workspace.root / "subset" / "smart_process.csv"
    add_sample_contracts(result.workspace.root, *((contracts,) if contracts.exists() else ()))
    if keep_pipelines:  # and a user field of the smart process for the plan to propose
        mapping = result.workspace.root / "mappings" / "smart_process.yaml"
        with mapping.open("a", encoding="utf-8") as out:
            out.write(f"  {SMART_STATUS_FIELD}: {{from: Статус, clean: [text]}}\n")
    return result.workspace


#: The contracts' status as amoCRM wrote it, kept in a list field of the smart process
#: (its object `CRM_1`: «Договоры» is the sandbox's first smart process).
SMART_STATUS_FIELD = "UF_CRM_1_AMO_STATUS"


def _contracts_of(kept: set[str], target: Path) -> None:
    """The sample's contracts whose deal is kept (the smart process's source of a cut)."""
    from sample_data.account import CONTRACTS

    table = read_table(CONTRACTS).frame.drop(columns=["_row"])
    table[table["ID сделки"].isin(kept)].to_csv(target, index=False)


def _subset_sources(workspace: Workspace, text: str, rows: int) -> str:
    config = workspace.load_config()
    folder = workspace.root / "subset"
    folder.mkdir()
    kept: set[str] = set()
    lines = ["sources:"]
    for name in ("product", "company", "contact", "deal", "note", "activity", "task"):
        spec = config.sources[name]
        (path,) = workspace.source_files(spec)
        table = read_table(path, sheet=spec.sheet, encoding=spec.encoding,
                           delimiter=spec.delimiter).frame.drop(columns=["_row"])  # fmt: skip
        if name in ("note", "activity", "task"):  # history: that of the records kept
            table = table[table["ID сущности"].isin(kept)]
            if (path.parent / "files").is_dir() and not (folder / "files").exists():
                shutil.copytree(path.parent / "files", folder / "files")
            if name == "note":  # the deals are kept by now: the contracts of those
                _contracts_of(kept, folder / "smart_process.csv")
        else:
            table = table.head(rows)
            kept |= set(table.get("ID", table.iloc[:, 0]).astype(str))
        table.to_csv(folder / f"{name}.csv", index=False)
        lines.append(f"  {name}: {{files: [subset/{name}.csv]}}")
    head, _, rest = text.partition("sources:\n")
    return head + "\n".join(lines) + "\n" + rest.split("\n\n", 1)[1]


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


def plan_sample(
    workspace: Workspace, webhook_url: str, *, accept_structure: bool = False
) -> Counter[str]:
    """Create the user fields, run `b24migrate plan --skip-refused`; records per entity.

    With ``accept_structure`` nothing is created by hand: the plan proposes the user fields
    (and a kept pipeline's stages) and `--accept-structure` has the load create them.
    """

    async def fields() -> None:
        async with Bitrix24Client(webhook_url, plan="unlimited") as client:
            await create_user_fields(client)

    if not accept_structure:
        asyncio.run(fields())
    command = [sys.executable, "-m", "migrate", "plan", "-w", str(workspace.root),
               "--skip-refused", "--json",
               *(["--accept-structure"] if accept_structure else [])]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"`b24migrate plan` failed ({done.returncode}): {done.stderr[-2000:]}")
    conn = sqlite3.connect(workspace.ledger_path)
    try:
        rows = conn.execute("SELECT entity, COUNT(*) FROM records GROUP BY entity").fetchall()
    finally:
        conn.close()
    return Counter({entity: count for entity, count in rows})
