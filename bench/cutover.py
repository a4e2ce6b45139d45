"""Benchmark: the cut-over re-plan of a loaded workspace (issue 12).

Loads N companies and N contacts into an in-process sandbox (unlimited plan), then edits M
records in the portal by REST, changes C rows and adds C new ones in the source, and times the
re-plan. Prints the plan's steps, the requests the re-plan sent to the portal (the conflict
check reads ``ID`` + ``DATE_MODIFY`` with chained fast paging, then the edited records' fields
by id), the delta found, and as the last line ``replan_s=…``.

    python bench/cutover.py                   # N=2000, M=20, C=20
    python bench/cutover.py --rows 10000 --edited 200
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_COMPANY = """entity: company
key: ID
fields:
  TITLE: {from: Название, clean: [company_name], required: true}
  PHONE: {from: Телефон, clean: [phones], value_type: WORK}
"""
_CONTACT = """entity: contact
key: ID
fields:
  LAST_NAME: {from: Фамилия, clean: [person_name]}
  NAME: {from: Имя, clean: [person_name]}
  COMPANY_ID: {from: Компания, ref: company}
"""


def write_sources(root: Path, rows: int, changed: int) -> None:
    """Companies and contacts; the last ``changed`` contacts renamed and as many new ones."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    companies = [["ID", "Название", "Телефон"]] + [
        [f"co{i}", f"ООО «Компания {i}»", f"+7 495 {i // 10000:03d}-{i % 10000:04d}"]
        for i in range(rows)
    ]
    contacts = [["ID", "Фамилия", "Имя", "Компания"]] + [
        [f"ct{i}", _surname(i), "Иван", f"co{i}"] for i in range(rows)
    ]
    if changed:
        for row in contacts[-changed:]:
            row[2] = "Пётр"
        contacts += [
            [f"ct{rows + i}", _surname(rows + i), "Олег", f"co{i}"] for i in range(changed)
        ]
    for name, table in (("companies.csv", companies), ("contacts.csv", contacts)):
        with (data / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(table)


_LETTERS = "абвгдеклмнопрстух"


def _surname(number: int) -> str:
    """A distinct letters-only surname per number (names with digits are refused)."""
    text = ""
    while True:
        number, digit = divmod(number, len(_LETTERS))
        text += _LETTERS[digit]
        if not number:
            return "Ива" + text + "ов"


def make_workspace(root: Path, rows: int) -> None:
    (root / "mappings").mkdir(parents=True)
    (root / "mappings" / "company.yaml").write_text(_COMPANY, encoding="utf-8")
    (root / "mappings" / "contact.yaml").write_text(_CONTACT, encoding="utf-8")
    (root / "migration.yaml").write_text(
        "name: bench-cutover\nportal: {url: sandbox}\nsources:\n"
        "  company: {files: [data/companies.csv]}\n  contact: {files: [data/contacts.csv]}\n"
        "owners: {default_owner: 1}\n",
        encoding="utf-8",
    )
    write_sources(root, rows, 0)


async def load_all(workspace: Any, transport: Any) -> None:
    """The load, through the benchmark's own sandbox app (as the tests' portals do)."""
    from loaders.client import Bitrix24Client
    from migrate.ledger import Ledger
    from migrate.load import LoadOptions, load

    async with Bitrix24Client(
        "http://sandbox.local/rest/1/sandbox/", transport=transport, plan="unlimited"
    ) as client:
        with Ledger.for_workspace(workspace.root) as ledger:
            await load(ledger, client, LoadOptions(settle_seconds=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--edited", type=int, default=20)
    parser.add_argument("--changed", type=int, default=20)
    args = parser.parse_args()

    import httpx

    from loaders.client import Bitrix24Client
    from loaders.sandbox import SandboxConfig, create_app
    from migrate.run import Migration
    from migrate.workspace.config import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ws"
        make_workspace(root, args.rows)
        workspace = Workspace.at(root)
        app = create_app(SandboxConfig(data_dir=workspace.state_dir / "sandbox", plan="unlimited"))
        transport = httpx.ASGITransport(app=app)
        started = time.perf_counter()
        Migration(workspace, transport=transport).plan()
        asyncio.run(load_all(workspace, transport))
        loaded = {e: app.stats()["entities"][e] for e in ("company", "contact")}
        print(f"first plan + load: {loaded} records in {time.perf_counter() - started:.1f} s")
        time.sleep(2.1)  # DATE_MODIFY is in whole seconds

        async def edit() -> None:
            async with Bitrix24Client("http://sandbox.local/rest/1/sandbox/", transport=transport,
                                      plan="unlimited") as client:  # fmt: skip
                rows = await client.list_all("crm.contact.list", {}, ["ID"])
                for row in rows[: args.edited]:
                    fields: dict[str, Any] = {"NAME": "Изменено"}
                    reply = await client.call(
                        "crm.contact.update", {"id": row["ID"], "fields": fields}
                    )
                    assert reply.result is True

        asyncio.run(edit())
        write_sources(root, args.rows, args.changed)
        before = app.stats()["requests"]
        started = time.perf_counter()
        result = Migration(workspace, transport=transport).plan().result
        replan = time.perf_counter() - started
        requests = app.stats()["requests"] - before
        todo = {f"{e}.{op}": n for (e, op), n in result.counts.items() if n and op != "unchanged"}
        print(f"re-plan steps (s): {dict(result.seconds)}")
        print(f"re-plan requests to the portal: {requests}")
        print(f"delta: {todo}; conflicts: {len(result.cutover.conflicts)}; "
              f"gone: {len(result.cutover.gone)}")  # fmt: skip
        print(f"replan_s={replan:.2f}")
        app.close()


if __name__ == "__main__":
    main()
