"""Requisite tables end to end: several requisites per company, a contact's requisite, bank
details, addresses of two types → plan → load → read back from the sandbox → check → rollback;
lost replies, a re-plan and a changed account. The workspace: ./workspace.py."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from loaders.sandbox import create_app
from loaders.sandbox.config import FaultSpec
from migrate.errors import MigrationError
from migrate.ledger import Ledger, Op, State
from migrate.run import Migration
from tests.migrate.plan.workspace import NAME, Portal, sheet_rows, write_csv
from tests.migrate.requisites.workspace import ADDRESSES, BANKS, make_requisite_workspace

PARTS = ("requisite", "bank_detail", "address")


def _plan(workspace, portal):
    return Migration(workspace, transport=portal.transport).plan(accept_structure=True).result


def _portal_parts(portal):
    requisites = portal.call("crm.requisite.list", {"order": {"ID": "ASC"}})
    banks = portal.call("crm.requisite.bankdetail.list", {"order": {"ID": "ASC"}})
    addresses = portal.call("crm.address.list", {})
    return requisites, banks, addresses


def _ledger(workspace, entity):
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        return {r.source_key: r for r in ledger.records(entity)}


@pytest.fixture
def loaded(tmp_path):
    workspace = make_requisite_workspace(tmp_path)
    portal = Portal(workspace)
    planned = _plan(workspace, portal)
    portal.load()
    yield workspace, portal, planned
    portal.close()


def test_plan_counts_warns_and_keeps_one_requisite_per_company(loaded):
    workspace, _, planned = loaded
    assert {e: planned.count(e, "create") for e in PARTS} == {
        "requisite": 5, "bank_detail": 3, "address": 3,
    }  # fmt: skip
    rules = {(i.entity, i.source_key, i.rule) for i in planned.issues if i.severity == "warning"}
    assert ("company", "co1", "requisite.table_wins") in rules  # its RQ_INN column: not loaded
    assert ("bank_detail", "b2", "bank_detail.account_key") in rules
    assert ("bank_detail", "b3", "bank_detail.bik") in rules
    assert ("bank_detail", "b3", "bank_detail.account") in rules
    assert not [i for i in planned.issues if i.entity in PARTS and i.severity == "error"]
    assert set(_ledger(workspace, "requisite")) == {"co2", "co3", "rq/r1", "rq/r2", "rq/r3"}
    assert set(_ledger(workspace, "address")) == {"rq/r1/6", "rq/r1/1", "rq/r2/6"}
    summary = {row[0]: row[1:] for row in sheet_rows(workspace.reports_dir / "plan.xlsx")}
    named = ("Реквизиты", "Банковские реквизиты", "Адреса")
    assert [summary[e][0] for e in named] == [5, 3, 3]  # «Создать»
    warned = sheet_rows(workspace.reports_dir / "plan.xlsx", "Предупреждения")
    texts = " ".join(str(cell) for row in warned for cell in row)
    assert "контрольная цифра счёта «40702810938000060473» не сходится с БИК" in texts
    assert "не загружаются отдельным реквизитом" in texts


def test_loaded_parts_read_back_from_the_portal(loaded):
    workspace, portal, _ = loaded
    requisites, banks, addresses = _portal_parts(portal)
    companies = {c["ORIGIN_ID"]: c["ID"] for c in portal.list("company")}
    contacts = {c["ORIGIN_ID"]: c["ID"] for c in portal.list("contact")}
    by_xml = {r["XML_ID"]: r for r in requisites}
    assert set(by_xml) == {"co2", "co3", "rq/r1", "rq/r2", "rq/r3"}
    assert [by_xml[k]["ENTITY_ID"] for k in ("rq/r1", "rq/r2")] == [companies["co1"]] * 2
    assert (by_xml["rq/r3"]["ENTITY_TYPE_ID"], by_xml["rq/r3"]["ENTITY_ID"]) == (
        "3", contacts["ct1"],
    )  # fmt: skip
    assert (by_xml["rq/r1"]["NAME"], by_xml["rq/r2"]["RQ_KPP"]) == ("Головной офис", "710702001")
    assert by_xml["rq/r3"]["PRESET_ID"] == "2"  # «ИП» by name
    assert not [r for r in requisites if r["ENTITY_ID"] == companies["co1"]
                and r["XML_ID"] == "co1"]  # fmt: skip
    bank_of = {b["XML_ID"]: b for b in banks}
    assert {k: bank_of[k]["ENTITY_ID"] for k in bank_of} == {
        "b1": by_xml["rq/r1"]["ID"], "b2": by_xml["rq/r1"]["ID"], "b3": by_xml["rq/r3"]["ID"],
    }  # fmt: skip
    assert bank_of["b1"]["RQ_ACC_NUM"] == BANKS[1][4]
    assert all(b["ORIGINATOR_ID"] == NAME for b in banks)
    held = {(a["ENTITY_ID"], a["TYPE_ID"]): a for a in addresses}
    assert set(held) == {
        (by_xml["rq/r1"]["ID"], "6"), (by_xml["rq/r1"]["ID"], "1"), (by_xml["rq/r2"]["ID"], "6"),
    }  # fmt: skip
    assert held[(by_xml["rq/r2"]["ID"], "6")]["CITY"] == "Тула"
    assert {a["ANCHOR_ID"] for a in addresses} == {companies["co1"]}
    check = {e.entity: e for e in Migration(workspace, transport=portal.transport)
             .check_portal().entities}  # fmt: skip
    assert [(check[e].expected, check[e].found, check[e].lost, check[e].duplicated,
             check[e].unaccounted) for e in PARTS] == [(5, 5, 0, 0, 0), (3, 3, 0, 0, 0),
                                                       (3, 3, 0, 0, 0)]  # fmt: skip


def test_rollback_leaves_nothing(loaded):
    workspace, portal, _ = loaded
    rolled = Migration(workspace, transport=portal.transport).rollback()
    assert rolled.report.errors == ()
    assert rolled.report.deleted["bank_detail"] == 3
    assert rolled.report.deleted["address"] == 3
    assert _portal_parts(portal) == ([], [], [])
    assert portal.list("company") == []
    for entity in PARTS:
        assert {r.b24_id for r in _ledger(workspace, entity).values()} == {None}


def test_a_second_plan_has_nothing_to_do(loaded):
    workspace, portal, _ = loaded
    before = portal.writes()
    again = _plan(workspace, portal)
    assert sum(again.count(e, op) for e in PARTS for op in ("create", "update")) == 0
    assert [again.delta.counts.get((e, "unchanged")) for e in PARTS] == [5, 3, 3]
    portal.load()
    assert portal.writes() == before
    assert [len(part) for part in _portal_parts(portal)] == [5, 3, 3]


def test_a_changed_account_is_one_update(tmp_path):
    workspace = make_requisite_workspace(tmp_path)
    portal = Portal(workspace)
    try:
        _plan(workspace, portal)
        portal.load()
        changed = [row[:] for row in BANKS]
        changed[1][4] = "40702810538000060474"
        make_requisite_workspace(tmp_path, banks=changed)
        again = _plan(workspace, portal)
        assert again.count("bank_detail", "update") == 1
        assert sum(again.count(e, op) for e in PARTS for op in ("create", "update")) == 1
        before = portal.writes()
        portal.load()
        after = portal.writes()
        assert {m: n - before.get(m, 0) for m, n in after.items() if n != before.get(m, 0)} == {
            "crm.requisite.bankdetail.update": 1,
        }
        (b1,) = [b for b in _portal_parts(portal)[1] if b["XML_ID"] == "b1"]
        assert b1["RQ_ACC_NUM"] == "40702810538000060474"
    finally:
        portal.close()


def test_lost_replies_find_each_part_once(tmp_path):
    """Every reply of a write dropped after its commit, half the time: each load leaves
    records `sending`, the next reconciles them; in the end every requisite, bank detail and
    address exists exactly once."""
    workspace = make_requisite_workspace(tmp_path)
    portal = Portal(workspace)
    try:
        _plan(workspace, portal)
        config = dataclasses.replace(portal.app.config, faults=FaultSpec({"drop": 0.5}), seed=7)
        portal.app.close()
        portal.app = create_app(config)
        for _ in range(30):
            try:
                portal.load()
            except MigrationError:  # a load stopped by the lost replies: resume it
                continue
            states = {r.state for e in PARTS for r in _ledger(workspace, e).values()}
            if states == {State.DONE}:
                break
        assert portal.app.injected["drop"] > 0
        portal.app.close()
        portal.app = create_app(dataclasses.replace(config, faults=FaultSpec()))
        requisites, banks, addresses = _portal_parts(portal)
        assert sorted(r["XML_ID"] for r in requisites) == ["co2", "co3", "rq/r1", "rq/r2",
                                                           "rq/r3"]  # fmt: skip
        assert sorted(b["XML_ID"] for b in banks) == ["b1", "b2", "b3"]
        assert len(addresses) == 3
        assert {r.state for e in PARTS for r in _ledger(workspace, e).values()} == {State.DONE}
    finally:
        portal.close()


def test_an_address_left_sending_is_found_not_added_again(loaded):
    workspace, portal, _ = loaded
    db = sqlite3.connect(workspace.state_dir / "ledger.sqlite")
    with db:
        db.execute("UPDATE records SET state = 'sending', b24_id = NULL "
                   "WHERE entity IN ('address', 'bank_detail')")  # fmt: skip
    db.close()
    before = portal.writes()
    portal.load()
    assert portal.writes() == before  # found by type on the requisite / by XML_ID: no add
    addresses = _ledger(workspace, "address")
    assert {r.state for r in addresses.values()} == {State.DONE}
    requisites = _ledger(workspace, "requisite")
    assert addresses["rq/r2/6"].b24_id == requisites["rq/r2"].b24_id
    assert addresses["rq/r1/6"].op is Op.CREATE


def test_a_matched_company_keeps_its_portal_requisite_of_the_same_inn(tmp_path):
    """co1 is already in the portal with a requisite of INN 7707083893: the company is matched
    (by that INN), the table's first requisite of that INN takes the portal's (skipped, its
    bank details go onto it), the second is created beside it; the legal address that
    requisite already has is updated, not added twice."""
    workspace = make_requisite_workspace(tmp_path)
    portal = Portal(workspace)
    try:
        company = portal.call("crm.company.add", {"fields": {"TITLE": "Ромашка"}})
        fields = {"ENTITY_TYPE_ID": 4, "ENTITY_ID": company, "PRESET_ID": 1, "NAME": "Старый",
                  "RQ_INN": "7707083893"}  # fmt: skip
        old = portal.call("crm.requisite.add", {"fields": fields})
        legal = {"TYPE_ID": 6, "ENTITY_TYPE_ID": 8, "ENTITY_ID": old, "CITY": "Старый город"}
        portal.call("crm.address.add", {"fields": legal})
        planned = _plan(workspace, portal)
        addressed = _ledger(workspace, "address")
        assert (addressed["rq/r1/6"].op, addressed["rq/r1/6"].b24_id) == (Op.UPDATE, old)
        assert addressed["rq/r1/1"].op is Op.CREATE
        requisites = _ledger(workspace, "requisite")
        assert (requisites["rq/r1"].op, requisites["rq/r1"].b24_id) == (Op.SKIP, old)
        assert requisites["rq/r2"].op is Op.CREATE
        assert planned.count("requisite", "create") == 4
        portal.load()
        held, banks, addresses = _portal_parts(portal)
        on_company = sorted(
            r["NAME"] for r in held if (r["ENTITY_TYPE_ID"], r["ENTITY_ID"]) == ("4", str(company))
        )
        assert on_company == ["Старый", "Филиал в Туле"]
        assert sorted(b["XML_ID"] for b in banks if b["ENTITY_ID"] == str(old)) == ["b1", "b2"]
        mine = {a["TYPE_ID"]: a["CITY"] for a in addresses if a["ENTITY_ID"] == str(old)}
        assert mine == {"1": "Москва", "6": "Москва"}  # the legal one updated, not refused
    finally:
        portal.close()


OWNER_ADDRESSES = """entity: address
key: _row
fields:
  ENTITY_TYPE: {from: Чей, map: {Реквизит: requisite, Компания: company}, required: true}
  ENTITY_ID: {from: Реквизит, ref: any, required: true}
  TYPE_ID: {from: Тип, required: true}
  CITY: {from: Город}
"""


def test_an_address_of_a_company_goes_to_its_one_requisite(tmp_path):
    """co2 has one requisite (its row's RQ_INN): its address goes there; co1 has two (the
    table's): refused, naming the owner; a second legal address of r1 is refused too."""
    workspace = make_requisite_workspace(tmp_path)
    (tmp_path / "mappings" / "address.yaml").write_text(OWNER_ADDRESSES, encoding="utf-8")
    write_csv(tmp_path / "data" / "addresses.csv", [
        ["Чей", "Реквизит", "Тип", "Город"],
        ["Компания", "co2", "Юридический адрес", "Казань"],
        ["Компания", "co1", "Юридический адрес", "Москва"],
        ["Реквизит", "r1", "6", "Москва"],
        ["Реквизит", "r1", "Legal address", "Тверь"],
    ])  # fmt: skip
    portal = Portal(workspace)
    try:
        planned = _plan(workspace, portal)
        assert set(_ledger(workspace, "address")) == {"co2/6", "rq/r1/6"}
        errors = {(i.rule, i.value) for i in planned.issues if i.entity == "address"}
        assert errors == {("address.owner_requisites", "company co1"),
                          ("address.twice", "rq/r1")}  # fmt: skip
        portal.load()
        (requisite,) = [r for r in _portal_parts(portal)[0] if r["XML_ID"] == "co2"]
        kazan = [a for a in _portal_parts(portal)[2] if a["CITY"] == "Казань"]
        assert [(a["ENTITY_ID"], a["TYPE_ID"]) for a in kazan] == [(requisite["ID"], "6")]
    finally:
        portal.close()


def _drop_preset(portal, name):
    """The portal lacks the preset ``name`` (an admin deleted it: crm.requisite.preset.delete)."""
    store = portal.app.store
    (pid,) = [p for p, row in store.table("preset").items() if row["NAME"] == name]
    with store.transaction():
        store.delete("preset", pid)


def test_parts_of_a_refused_requisite_are_refused_naming_it(tmp_path):
    """The portal has no «ИП» preset: r3 is refused, and its bank detail b3 is refused with it
    (never left waiting on a requisite that will not load), named in plan.xlsx and counted
    as refused by the reconciliation."""
    workspace = make_requisite_workspace(tmp_path)
    portal = Portal(workspace)
    try:
        _drop_preset(portal, "ИП")
        outcome = Migration(workspace, transport=portal.transport).plan(accept_structure=True)
        planned = outcome.result
        refused = {(i.entity, i.source_key): i for i in planned.issues if i.severity == "error"}
        assert refused[("requisite", "r3")].rule == "requisite.preset"
        assert refused[("bank_detail", "b3")].rule == "bank_detail.requisite_refused"
        assert "r3" in refused[("bank_detail", "b3")].message
        assert "b3" not in _ledger(workspace, "bank_detail")
        assert planned.blockers == ()
        rows = sheet_rows(workspace.reports_dir / "plan.xlsx", "Отклонённые строки")
        texts = [" ".join(str(c) for c in row) for row in rows]
        assert any("не загрузятся" in t and "«r3»" in t for t in texts)
        checks = {e.entity: e for e in outcome.reconciliation.entities}
        for entity in ("requisite", "bank_detail"):
            assert (checks[entity].source, checks[entity].refused, checks[entity].planned,
                    checks[entity].difference) == (3, 1, 2, 0)  # fmt: skip
        portal.load()
        assert sorted(b["XML_ID"] for b in _portal_parts(portal)[1]) == ["b1", "b2"]
        ledger = _ledger(workspace, "bank_detail")
        assert {r.state for r in ledger.values()} == {State.DONE}
    finally:
        portal.close()


def test_a_loaded_part_refused_now_is_not_listed_as_gone(loaded):
    """After the load, r2's address gets a type the plan does not know (refused: a plan-only
    reason, the row is still in the source) and r1's physical address is deleted from the
    source: only the deleted one is listed as gone."""
    workspace, portal, _ = loaded
    rows = [row[:] for row in ADDRESSES if row[1] != "Фактический адрес"]
    rows[-1][1] = "Адрес склада"
    write_csv(workspace.root / "data" / "addresses.csv", rows)
    again = _plan(workspace, portal)
    assert [(i.rule, i.value) for i in again.issues if i.entity == "address"] == [
        ("address.type", "Адрес склада"),
    ]  # fmt: skip
    gone = [(g.entity, g.source_key) for g in again.cutover.gone]
    assert gone == [("address", "rq/r1/1")]
