"""A ledger with a small migration planned, and a client on an in-process sandbox portal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from loaders.sandbox._catalog import CATALOG_IBLOCK
from loaders.sandbox.config import FaultSpec
from migrate.ledger import Ledger, Op, PlannedRecord, Ref

ORIGINATOR = "amo-2026"


async def no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


def make_client(app, token: str = "sandbox", **kwargs) -> Bitrix24Client:
    return Bitrix24Client(
        f"http://portal/rest/1/{token}/",
        transport=httpx.ASGITransport(app=app),
        plan="unlimited",
        sleep=no_sleep,
        **kwargs,
    )


def make_portal(faults: dict[str, float] | None = None, seed: int = 1, **kwargs):
    spec = FaultSpec(rates=faults or {}, timeout_delay_s=0.0)
    return create_app(SandboxConfig(plan="unlimited", faults=spec, seed=seed, **kwargs))


@pytest.fixture
def portal():
    app = make_portal()
    yield app
    app.close()


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger.open(tmp_path / "ledger.sqlite", ORIGINATOR) as opened:
        yield opened


#: products and sections go into the sandbox's CRM catalogue, as the plan puts them
CATALOG = {"CATALOG_ID": CATALOG_IBLOCK}


def _prices(product: str, price: str) -> PlannedRecord:
    prices = [{"CATALOG_GROUP_ID": 1, "PRICE": price, "CURRENCY_ID": "RUB"}]
    return PlannedRecord(
        "product_prices",
        product,
        Op.SET,
        {"PRICES": prices},
        (Ref("OWNER_ID", "product", product),),
    )


def sample_plan(companies: int = 3, contacts_per_company: int = 2) -> list[PlannedRecord]:
    """Sections, products, companies with requisites, contacts, deals with rows and history."""
    records = [
        PlannedRecord("product_section", "s1", Op.CREATE, {"NAME": "Крепёж", **CATALOG}),
        PlannedRecord(
            "product",
            "p1",
            Op.CREATE,
            {"NAME": "Болт М8", **CATALOG},
            (Ref("SECTION_ID", "product_section", "s1"),),
        ),
        _prices("p1", "12.50"),
        PlannedRecord(
            "product",
            "p2",
            Op.CREATE,
            {"NAME": "Гайка М8", **CATALOG},
            (Ref("SECTION_ID", "product_section", "s1"),),
        ),
        _prices("p2", "3.00"),
    ]
    for c in range(companies):
        company = f"co{c}"
        records.append(
            PlannedRecord(
                "company",
                company,
                Op.CREATE,
                {"TITLE": f"ООО «Ромашка-{c}»", "PHONE": [[f"+7495000000{c}", "WORK"]]},
                sort_key=f"2020-01-{c + 1:02d}",
            )
        )
        records.append(
            PlannedRecord(
                "requisite",
                company,
                Op.CREATE,
                {"PRESET_ID": 1, "RQ_INN": "7707083893", "RQ_COMPANY_NAME": f"ООО «Ромашка-{c}»"},
                (Ref("ENTITY_ID", "company", company),),
            )
        )
        contacts = [f"{company}-ct{i}" for i in range(contacts_per_company)]
        for i, key in enumerate(contacts):
            records.append(
                PlannedRecord(
                    "contact",
                    key,
                    Op.CREATE,
                    {
                        "NAME": f"Иван{i}",
                        "LAST_NAME": "Петров",
                        "EMAIL": [[f"ivan{c}{i}@example.ru", "WORK"]],
                    },
                    (Ref("COMPANY_ID", "company", company),),
                )
            )
        deal = f"{company}-d"
        records.append(
            PlannedRecord(
                "deal",
                deal,
                Op.CREATE,
                {"TITLE": f"Поставка {c}", "OPPORTUNITY": "100.00", "CURRENCY_ID": "RUB"},
                (Ref("COMPANY_ID", "company", company),),
            )
        )
        records.append(
            PlannedRecord(
                "deal_contacts",
                deal,
                Op.SET,
                {"CONTACT_IDS": [None] * len(contacts)},
                (
                    Ref("OWNER_ID", "deal", deal),
                    *(Ref(f"CONTACT_IDS.{i}", "contact", k) for i, k in enumerate(contacts)),
                ),
            )
        )
        records.append(
            PlannedRecord(
                "deal_products",
                deal,
                Op.SET,
                {"ROWS": [{"PRICE": "12.50", "QUANTITY": 4}, {"PRICE": "3.00", "QUANTITY": 10}]},
                (
                    Ref("OWNER_ID", "deal", deal),
                    Ref("ROWS.0.PRODUCT_ID", "product", "p1"),
                    Ref("ROWS.1.PRODUCT_ID", "product", "p2"),
                ),
            )
        )
        records.append(
            PlannedRecord(
                "comment",
                f"{deal}-n",
                Op.CREATE,
                {
                    "ENTITY_TYPE": "deal",
                    "COMMENT": "Клиент просил перезвонить",
                    "_DATE": "2021-03-12T14:05:00+03:00",
                    "_AUTHOR": "Иванов Иван",
                },
                (Ref("ENTITY_ID", "deal", deal),),
            )
        )
    return records
