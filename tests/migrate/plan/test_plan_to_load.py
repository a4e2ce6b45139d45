"""Clean tables → plan_table → ledger → load into a sandbox: the whole hand-off, end to end."""

from __future__ import annotations

import asyncio

import httpx
import pandas as pd

from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from migrate.ledger import Ledger, State
from migrate.load import LoadOptions, load
from migrate.plan import OwnerResolver, ReferenceIndex, plan_table, read_portal_metadata

TABLES = {
    "product_section": [{"_key": "s1", "NAME": "Крепёж"}],
    "product": [{"_key": "p1", "NAME": "Болт М8", "PRICE": "12.50", "SECTION_ID": "s1"}],
    "company": [
        {
            "_key": "co1",
            "TITLE": "ООО «Ромашка»",
            "RQ_INN": "7707083893",
            "PHONE": (("+74951234567", "WORK"),),
            "ASSIGNED_BY_ID": "i.petrov@sandbox.example",
        }
    ],
    "contact": [
        {
            "_key": "c1",
            "NAME": "Иван",
            "LAST_NAME": "Сидоров",
            "COMPANY_ID": "co1",
            "EMAIL": (("ivan@example.ru", "WORK"),),
        }
    ],
    "deal": [
        {
            "_key": "d1",
            "TITLE": "Поставка",
            "STAGE_ID": "NEW",
            "COMPANY_ID": "co1",
            "CONTACT_IDS": ("c1",),
            "PRODUCT_ROWS": ("p1",),
            "CURRENCY_ID": "RUB",
            "ASSIGNED_BY_ID": "Волков Сергей",
        }
    ],
    "note": [
        {
            "_key": "n1",
            "ENTITY_TYPE": "deal",
            "ENTITY_ID": "d1",
            "COMMENT": "Перезвонить",
            "CREATED": "2021-03-12T14:05:00+03:00",
            "AUTHOR_ID": "Иванов Иван",
        }
    ],
}


async def _no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


def test_plan_then_load_puts_every_record_in_the_portal(tmp_path):
    app = create_app(SandboxConfig(plan="unlimited"))

    async def scenario():
        async with Bitrix24Client(
            "http://portal/rest/1/sandbox/",
            plan="unlimited",
            transport=httpx.ASGITransport(app=app),
            sleep=_no_sleep,
        ) as c:
            meta = await read_portal_metadata(c, catalog=True)
            index = ReferenceIndex({e: [r["_key"] for r in rows] for e, rows in TABLES.items()})
            owners = OwnerResolver(meta.users, default_owner=1)
            records, issues = [], []
            for entity, rows in TABLES.items():
                planned = plan_table(
                    entity, pd.DataFrame(rows), meta=meta, owners=owners, index=index
                )
                records += planned.records
                issues += planned.issues
            with Ledger.open(tmp_path / "ledger.sqlite", "amo-2026") as ledger:
                run = ledger.start_run("plan")
                ledger.apply_plan(run.id, records)
                ledger.replace_issues(run.id, issues)
                ledger.finish_run(run.id)
                await load(ledger, c, LoadOptions(settle_seconds=0))
                deal = ledger.get("deal", "d1")
                states = {r.state for r in ledger.records()}
                company_id = ledger.get("company", "co1").b24_id
                product_id = ledger.get("product", "p1").b24_id
            got = (await c.call("crm.deal.get", {"id": deal.b24_id})).result
            rows = (await c.call("crm.deal.productrows.get", {"id": deal.b24_id})).result
            requisites = (
                await c.call("crm.requisite.list", {"filter": {"ENTITY_ID": company_id}})
            ).result
            comments = (
                await c.call(
                    "crm.timeline.comment.list",
                    {"filter": {"ENTITY_ID": deal.b24_id, "ENTITY_TYPE": "deal"}},
                )
            ).result
            return issues, states, got, rows, requisites, comments, company_id, product_id

    issues, states, deal, rows, requisites, comments, company_id, product_id = asyncio.run(
        scenario()
    )
    app.close()
    # the note's author is not on the portal: the default owner writes it, the name is in the text
    assert [(i.entity, i.rule) for i in issues] == [
        ("deal", "owner.dismissed"),
        ("note", "owner.unknown"),
    ]
    assert states == {State.DONE}
    assert deal["COMPANY_ID"] == str(company_id)
    assert deal["ASSIGNED_BY_ID"] == "1"
    assert [int(r["PRODUCT_ID"]) for r in rows] == [product_id]
    # the product went into the catalogue, its price through catalog.price.modify
    assert [(r["PRICE"], r["ORIGINAL_PRODUCT_NAME"]) for r in rows] == [(12.5, "Болт М8")]
    assert [(r["RQ_INN"], r["PRESET_ID"]) for r in requisites] == [("7707083893", "1")]
    assert "12.03.2021 14:05 · Иванов Иван" in comments[0]["COMMENT"]
    assert int(comments[0]["AUTHOR_ID"]) == 1
