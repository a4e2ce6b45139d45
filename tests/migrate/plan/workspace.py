"""A small workspace (companies, contacts, deals) and its sandbox portal, for plan tests."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
from openpyxl import load_workbook

from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from migrate.ledger import Ledger
from migrate.load import LoadOptions, load
from migrate.workspace.config import Workspace

T = TypeVar("T")
NAME = "acme-2026"

COMPANIES = [
    ["ID", "Название", "Телефон", "ИНН", "Ответственный"],
    ["co1", "ООО «Ромашка»", "+7 495 123-45-67", "7707083893", "i.petrov@sandbox.example"],
    ["co2", "ООО «Лютик»", "+7 495 222-33-44", "7702070139", "Петров Иван"],
    ["co3", "АО «Василёк»", "8 (495) 333-44-55", "7728168971", "Кузнецова Мария"],
]
CONTACTS = [
    ["ID", "Фамилия", "Имя", "Телефон", "Email", "Компания", "Ответственный"],
    ["ct1", "Сидоров", "Иван", "+7 916 111-22-33", "sidorov@example.ru", "co1", "Петров Иван"],
    ["ct2", "Орлова", "Анна", "+7 916 222-33-44", "orlova@example.ru", "co2", "Петров Иван"],
    ["ct3", "Белов", "Пётр", "+7 916 333-44-55", "", "co3", "Кузнецова Мария"],
]
DEALS = [
    ["ID", "Название", "Этап", "Компания", "Контакт", "Бюджет", "Ответственный", "Заметка"],
    ["d1", "Поставка болтов", "Новая", "co1", "ct1", "15000", "Петров Иван", ""],
    ["d2", "Поставка гаек", "В работе", "co2", "ct2", "2500.50", "Петров Иван", "срочно"],
    ["d3", "Монтаж", "Новая", "co3", "ct3", "90000", "Кузнецова Мария", ""],
]

MAPPINGS = {
    "company.yaml": """entity: company
key: ID
fields:
  TITLE: {from: Название, clean: [company_name], required: true}
  PHONE: {from: Телефон, clean: [phones], value_type: WORK}
  RQ_INN: {from: ИНН, clean: [inn]}
  ASSIGNED_BY_ID: {owner: Ответственный}
""",
    "contact.yaml": """entity: contact
key: ID
fields:
  LAST_NAME: {from: Фамилия, clean: [person_name]}
  NAME: {from: Имя, clean: [person_name]}
  PHONE: {from: Телефон, clean: [phones], value_type: WORK}
  EMAIL: {from: Email, clean: [emails], value_type: WORK}
  COMPANY_ID: {from: Компания, ref: company}
  ASSIGNED_BY_ID: {owner: Ответственный}
""",
    "deal.yaml": """entity: deal
key: ID
fields:
  TITLE: {from: Название, clean: [text]}
  STAGE_ID:
    from: Этап
    map: {Новая: NEW, В работе: EXECUTING, Тендер: C1:UC_OFFER}
  COMPANY_ID: {from: Компания, ref: company}
  CONTACT_IDS: {from: Контакт, ref: contact}
  OPPORTUNITY: {from: Бюджет, clean: [money]}
  CURRENCY_ID: {const: RUB}
  ASSIGNED_BY_ID: {owner: Ответственный}
  UF_CRM_NOTE: {from: Заметка, clean: [text]}
""",
}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def make_workspace(
    root: Path,
    *,
    default_owner: str | None = "1",
    on_existing: str = "update",
    language: str = "ru",
    deals: list[list[str]] | None = None,
    route: str | None = None,
) -> Workspace:
    """Write migration.yaml, mappings and CSV sources into ``root``."""
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    for name, text in MAPPINGS.items():
        (root / "mappings" / name).write_text(text, encoding="utf-8")
    write_csv(root / "data" / "companies.csv", COMPANIES)
    write_csv(root / "data" / "contacts.csv", CONTACTS)
    write_csv(root / "data" / "deals.csv", deals or DEALS)
    owner = "null" if default_owner is None else default_owner
    routed = f", route: {route}" if route else ""  # none: `auto` (the sandbox: import)
    (root / "migration.yaml").write_text(
        f"""name: {NAME}
language: {language}
portal: {{url: sandbox}}
sources:
  company: {{files: [data/companies.csv]}}
  contact: {{files: [data/contacts.csv]}}
  deal: {{files: [data/deals.csv]}}
owners: {{default_owner: {owner}}}
load: {{on_existing: {on_existing}{routed}}}
""",
        encoding="utf-8",
    )
    return Workspace.at(root)


async def _no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


def sheet_rows(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """A report sheet read back as the client's Excel holds it: its rows' values, header
    first (the first sheet unless named)."""
    book = load_workbook(path, read_only=True)
    try:
        return list(book[sheet or book.sheetnames[0]].iter_rows(values_only=True))
    finally:
        book.close()


def sheet_names(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def open_portals() -> Iterator[Callable[[Workspace], Portal]]:
    """The body of a ``portal`` fixture: ``portal(workspace)`` opens the workspace's sandbox,
    closed when the test ends."""
    opened: list[Portal] = []

    def open_(workspace: Workspace) -> Portal:
        opened.append(Portal(workspace))
        return opened[-1]

    yield open_
    for p in opened:
        p.close()


class Portal:
    """The workspace's embedded sandbox, opened in-process for setup, checks and loads."""

    def __init__(self, workspace: Workspace, smart_processes: tuple[str, ...] = ()) -> None:
        self.workspace = workspace
        self.app = create_app(
            SandboxConfig(
                data_dir=workspace.state_dir / "sandbox",
                plan="unlimited",
                smart_processes=smart_processes,
            )
        )

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    def run(self, work: Callable[[Bitrix24Client], Awaitable[T]]) -> T:
        async def go() -> T:
            async with Bitrix24Client(
                "http://sandbox.local/rest/1/sandbox/",
                transport=self.transport,
                plan="unlimited",
                sleep=_no_sleep,
            ) as client:
                return await work(client)

        return asyncio.run(go())

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        async def go(client: Bitrix24Client) -> Any:
            return (await client.call(method, params or {})).result

        return self.run(go)

    def list(self, entity: str, select: list[str] | None = None) -> list[dict[str, Any]]:
        async def go(client: Bitrix24Client) -> list[dict[str, Any]]:
            return await client.list_all(
                f"crm.{entity}.list", select=select or ["*", "PHONE", "EMAIL"]
            )

        return self.run(go)

    def load(self) -> None:
        async def go(client: Bitrix24Client) -> None:
            with Ledger.for_workspace(self.workspace.root, NAME) as ledger:
                await load(ledger, client, LoadOptions(settle_seconds=0))

        self.run(go)

    def writes(self) -> dict[str, int]:
        """Methods called so far that change the portal."""
        verbs = (".add", ".update", ".delete", ".set", "batchImport")
        return {m: n for m, n in self.app.stats()["methods"].items() if m.endswith(verbs)}

    def close(self) -> None:
        self.app.close()
