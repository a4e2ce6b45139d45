"""Every requisite, bank detail and address of the source read into its own raw table."""

from __future__ import annotations

import asyncio

import httpx
import pandas as pd
import pytest

from loaders import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from migrate.portal.source import read_source_portal
from migrate.run import Migration
from sample_data.portal import seed_source_portal

from .conftest import make_workspace

SOURCE = "http://source.test/rest/1/src/"
PARTS = ("requisite", "bank_detail", "address")


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def source():
    clock = Clock()
    app = create_app(SandboxConfig(token="src", plan="unlimited", clock=clock))

    async def seed():
        async with _client(app, read_only=False) as client:
            return await seed_source_portal(client, companies=8, contacts=10, deals=2, leads=0,
                                            requisites=True)  # fmt: skip

    seeded = asyncio.run(seed())
    clock.now += 60
    yield app, clock, seeded.counts
    app.close()


def _client(app, *, read_only: bool = True) -> Bitrix24Client:
    return Bitrix24Client(SOURCE, transport=httpx.ASGITransport(app=app), plan="unlimited",
                          read_only=read_only)  # fmt: skip


def _read(app, root, tables=PARTS) -> dict[str, tuple[int, int, str | None]]:
    async def read():
        async with _client(app) as client:
            return await read_source_portal(client, list(tables), root, portal="src")

    done = asyncio.run(read())
    return {t.table: (t.read, t.gone, t.since) for t in done.tables}


def _table(root, table: str) -> pd.DataFrame:
    return pd.read_parquet(root / f".b24migrate/source_portal/{table}.parquet")


def test_every_requisite_bank_detail_and_address_with_owner_preset_and_type_by_meaning(
    source, tmp_path
):
    app, _, counts = source
    read = _read(app, tmp_path)
    assert {t: n for t, (n, _, _) in read.items()} == {t: counts[t] for t in PARTS}
    requisites = _table(tmp_path, "requisite")
    # several per company (ООО and ИП), a contact's own; the preset by its name
    assert set(requisites["ENTITY_TYPE"]) == {"company", "contact"}
    assert set(requisites["PRESET"]) == {"Организация", "ИП", "Физ. лицо"}
    per_company = requisites[requisites["ENTITY_TYPE"] == "company"].groupby("ENTITY_ID").size()
    assert per_company.max() == 2
    assert {"RQ_INN", "RQ_KPP", "RQ_OGRNIP", "PRESET_ID", "DATE_MODIFY"} <= set(requisites)
    banks = _table(tmp_path, "bank_detail")
    assert set(banks["ENTITY_TYPE"]) == {"requisite"}
    assert set(banks["ENTITY_ID"]) == set(requisites["ID"])
    assert set(banks["RQ_BIK"]) == {"044525225"}
    addresses = _table(tmp_path, "address")
    assert set(addresses["TYPE"]) == {"Legal address", "Physical address"}
    assert set(addresses["ENTITY_TYPE"]) == {"requisite"}
    assert set(addresses["ANCHOR_TYPE"]) == {"company", "contact"}
    first = addresses.iloc[0]
    assert first["ID"] == f"requisite:{first['ENTITY_ID']}:{first['TYPE_ID']}"
    assert addresses["ID"].is_unique


def test_a_second_read_brings_new_and_changed_ones_and_drops_the_deleted(source, tmp_path):
    app, clock, counts = source
    _read(app, tmp_path)
    requisites = _table(tmp_path, "requisite")
    banks = _table(tmp_path, "bank_detail")
    doomed = requisites.loc[requisites["ENTITY_TYPE"] == "company", "ID"].iloc[0]
    changed = banks.loc[banks["ENTITY_ID"] != doomed, "ID"].iloc[0]
    doomed_banks = int((banks["ENTITY_ID"] == doomed).sum())
    clock.now += 600

    async def change() -> None:
        async with _client(app, read_only=False) as client:
            await client.call(
                "crm.requisite.bankdetail.update",
                {"id": int(changed), "fields": {"RQ_BANK_NAME": "АО «Банк»"}},
            )
            await client.call(
                "crm.requisite.add",
                {"fields": {"ENTITY_TYPE_ID": 3, "ENTITY_ID": 1, "PRESET_ID": 3, "NAME": "Новый"}},
            )
            await client.call("crm.requisite.delete", {"id": int(doomed)})  # fmt: skip

    asyncio.run(change())
    read = _read(app, tmp_path)
    assert read["requisite"][:2] == (1, 1)  # the new one read, the deleted one gone
    assert read["bank_detail"][:2] == (1, doomed_banks)
    assert read["requisite"][2] is not None
    assert read["address"][2] is None  # no date: read whole
    requisites = _table(tmp_path, "requisite")
    assert doomed not in set(requisites["ID"])
    assert "Новый" in set(requisites["NAME"])
    assert len(requisites) == counts["requisite"]
    banks = _table(tmp_path, "bank_detail")
    assert set(banks.loc[banks["ID"] == changed, "RQ_BANK_NAME"]) == {"АО «Банк»"}
    assert doomed not in set(banks["ENTITY_ID"])
    assert doomed not in set(_table(tmp_path, "address")["ENTITY_ID"])


def test_with_the_requisite_table_a_company_row_carries_none(source, tmp_path):
    app, _, _ = source
    _read(app, tmp_path, ("company", "requisite"))
    companies = _table(tmp_path, "company")
    assert not any(c.startswith("RQ_") for c in companies.columns)


def test_a_requisite_deleted_in_the_source_is_listed_gone_with_its_accounts(
    source, tmp_path, monkeypatch
):
    app, clock, _ = source
    tables = ("company", "contact", "requisite", "bank_detail", "address")
    root = make_workspace(tmp_path / "ws", target="sandbox", tables=tables, user_fields=())
    monkeypatch.setenv("B24_SOURCE", SOURCE)

    def migration() -> Migration:
        return Migration(root, source_transport=httpx.ASGITransport(app=app))

    first = migration()
    assert first.validate().prepared.count("error") == 0
    first.plan()
    loaded = migration().load()
    assert loaded.result.failed == 0
    requisites = _table(root, "requisite")
    doomed = requisites.loc[requisites["ENTITY_TYPE"] == "company", "ID"].iloc[0]
    banks = _table(root, "bank_detail")
    doomed_banks = sorted(banks.loc[banks["ENTITY_ID"] == doomed, "ID"])
    places = _table(root, "address")
    doomed_places = places.loc[places["ENTITY_ID"] == doomed, "TYPE_ID"]
    clock.now += 600

    async def delete() -> None:
        async with _client(app, read_only=False) as client:
            await client.call("crm.requisite.delete", {"id": int(doomed)})

    asyncio.run(delete())
    second = migration()
    second.validate()
    cutover = second.plan().result.cutover
    gone = sorted((g.entity, g.source_key) for g in cutover.gone)
    # listed for the client (never deleted in the target), in the ledger's own keys
    assert gone == sorted([("requisite", f"rq/{doomed}"),
                           *(("bank_detail", k) for k in doomed_banks),
                           *(("address", f"rq/{doomed}/{t}") for t in doomed_places)])  # fmt: skip
