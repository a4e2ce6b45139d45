"""Cut-over (issue 12): a fresh export re-planned against a loaded workspace, on the sandbox.

The client keeps working in the old CRM and people already work in the portal. After the first
load: N records change in the source, M are edited in the portal (by REST update, so their
``DATE_MODIFY`` moves), K rows are new and one is gone. The re-plan must update exactly the N,
create the K, list the M as conflicts without overwriting them and list the gone one; what the
portal holds is checked through its own listing and its write counters, never our ledger.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from openpyxl import load_workbook

from loaders.sandbox import FaultSpec, SandboxConfig, create_app
from migrate.errors import MigrationError
from migrate.ledger import Ledger, State
from migrate.load import LoadOptions, load
from migrate.reports.plan_xlsx import read_choices
from migrate.run import Migration
from tests.migrate.plan.workspace import (
    COMPANIES,
    CONTACTS,
    DEALS,
    NAME,
    Portal,
    make_workspace,
    write_csv,
)

NEW_COMPANY = ["co4", "ООО «Ромашка-2»", "+7 495 444-55-66", "", "Петров Иван"]
NEW_CONTACT = ["ct4", "Новиков", "Олег", "+7 916 444-55-66", "", "co4", "Петров Иван"]


@pytest.fixture
def loaded(tmp_path):
    """A workspace loaded once, then edited in the portal (M = 2) after the load's write."""
    workspace = make_workspace(tmp_path)
    portal = Portal(workspace)
    Migration(workspace, transport=portal.transport).plan()
    portal.load()
    time.sleep(2.1)  # DATE_MODIFY is in whole seconds; one second of slack after our write
    ids = origin_ids(portal)
    portal.call(
        "crm.contact.update", {"id": ids["contact"]["ct2"], "fields": {"NAME": "Анна-Мария"}}
    )
    portal.call(
        "crm.deal.update", {"id": ids["deal"]["d3"], "fields": {"TITLE": "Монтаж (срочно)"}}
    )
    yield workspace, portal
    portal.close()


def origin_ids(portal: Portal) -> dict[str, dict[str, int]]:
    """entity → ORIGIN_ID → portal id, from the portal's own listing (each key once)."""
    out: dict[str, dict[str, int]] = {}
    for entity in ("company", "contact", "deal"):
        rows = portal.list(entity, ["ID", "ORIGIN_ID"])
        keys = [r["ORIGIN_ID"] for r in rows]
        assert len(keys) == len(set(keys)), f"{entity}: a record is in the portal twice"
        out[entity] = {r["ORIGIN_ID"]: int(r["ID"]) for r in rows}
    return out


def by_origin(portal: Portal, entity: str) -> dict[str, dict[str, Any]]:
    return {r["ORIGIN_ID"]: r for r in portal.list(entity)}


def new_export(workspace) -> None:
    """N = 2 changed (ct1's surname; d1 moves to the new company co4 with a new amount),
    K = 2 new (co4, ct4), ct3 gone from the export."""
    data = workspace.root / "data"
    write_csv(data / "companies.csv", [*COMPANIES, NEW_COMPANY])
    contacts = [row[:] for row in CONTACTS if row[0] != "ct3"]
    contacts[1][1] = "Сидоров-Петров"
    write_csv(data / "contacts.csv", [*contacts, NEW_CONTACT])
    deals = [row[:] for row in DEALS]
    deals[1][3], deals[1][5] = "co4", "17000"
    write_csv(data / "deals.csv", deals)


def plan(workspace, portal):
    return Migration(workspace, transport=portal.transport).plan()


def todo(result) -> dict[tuple[str, str], int]:
    return {k: n for k, n in result.counts.items() if n and k[1] != "unchanged"}


def conflicts(result) -> set[tuple[str, str, str, str, str, str]]:
    return {
        (c.entity, c.source_key, d.field, d.source, d.portal, c.choice)
        for c in result.cutover.conflicts
        for d in c.diffs
    }


def writes_since(portal: Portal, before: dict[str, int]) -> dict[str, int]:
    after = portal.writes()
    return {m: n - before.get(m, 0) for m, n in after.items() if n != before.get(m, 0)}


EDITED = {
    ("contact", "ct2", "NAME", "Анна", "Анна-Мария", ""),
    ("deal", "d3", "TITLE", "Монтаж", "Монтаж (срочно)", ""),
}


def test_a_fresh_export_updates_n_creates_k_and_lists_m_conflicts(loaded):
    workspace, portal = loaded
    new_export(workspace)
    before = portal.writes()
    planned = plan(workspace, portal)
    result = planned.result
    assert todo(result) == {
        ("company", "create"): 1, ("contact", "create"): 1,
        ("contact", "update"): 1, ("deal", "update"): 1,
    }  # fmt: skip
    assert conflicts(result) == EDITED
    assert [(g.entity, g.source_key) for g in result.cutover.gone] == [("contact", "ct3")]
    assert writes_since(portal, before) == {}, "a plan writes nothing"
    _check_plan_xlsx(planned.report)
    page = Migration(workspace, transport=portal.transport).report().report.read_text("utf-8")
    todo_items = dict(re.findall(r'<li data-action="(\w+)">([^<]*)', page))
    assert todo_items["conflicts"].startswith("2\xa0записи изменили на портале")
    assert todo_items["gone"].startswith("1\xa0запись нет в новой выгрузке")

    portal.load()
    assert writes_since(portal, before) == {
        "crm.company.add": 1, "crm.contact.add": 1, "crm.contact.update": 1,
        "crm.deal.update": 1,
    }  # fmt: skip
    ids = origin_ids(portal)
    contacts, deals = by_origin(portal, "contact"), by_origin(portal, "deal")
    assert set(ids["company"]) == {"co1", "co2", "co3", "co4"}
    assert set(contacts) == {"ct1", "ct2", "ct3", "ct4"}, "ct3 gone from the source stays"
    assert contacts["ct1"]["LAST_NAME"] == "Сидоров-Петров"
    assert contacts["ct2"]["NAME"] == "Анна-Мария", "the portal edit is not overwritten"
    assert deals["d3"]["TITLE"] == "Монтаж (срочно)"
    assert int(deals["d1"]["COMPANY_ID"]) == ids["company"]["co4"], "the link follows"
    assert float(deals["d1"]["OPPORTUNITY"]) == 17000
    assert int(contacts["ct4"]["COMPANY_ID"]) == ids["company"]["co4"]

    # the client takes the source's value for ct2 and leaves d3 undecided
    _decide(planned.report, "ct2", "взять из источника")
    assert read_choices(planned.report)["contact\tct2"] == "source"
    before = portal.writes()
    again = plan(workspace, portal).result
    assert conflicts(again) == {
        ("contact", "ct2", "NAME", "Анна", "Анна-Мария", "source"),
        ("deal", "d3", "TITLE", "Монтаж", "Монтаж (срочно)", ""),
    }
    assert todo(again) == {("contact", "update"): 1}
    portal.load()
    assert writes_since(portal, before) == {"crm.contact.update": 1}
    assert by_origin(portal, "contact")["ct2"]["NAME"] == "Анна"
    assert by_origin(portal, "deal")["d3"]["TITLE"] == "Монтаж (срочно)"

    settled = plan(workspace, portal).result
    assert todo(settled) == {}, "taken over once: nothing more to send"
    assert conflicts(settled) == {("deal", "d3", "TITLE", "Монтаж", "Монтаж (срочно)", "")}


def _check_plan_xlsx(path) -> None:
    book = load_workbook(path, read_only=True)
    try:
        rows = list(book["Конфликты"].iter_rows(values_only=True))
        gone = list(book["Удалены в источнике"].iter_rows(values_only=True))
        summary = list(book["Сводка"].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    assert header[0] == "Решение"
    listed = {(r[1], r[2], r[5], r[6], r[7]) for r in rows[1:]}
    assert listed == {e[:5] for e in EDITED}
    assert [(r[0], r[1]) for r in gone[1:]] == [("contact", "ct3")]
    counts = {r[0]: dict(zip(summary[0], r, strict=True)) for r in summary[1:]}
    assert counts["Контакты"]["Конфликтов"] == 1
    assert counts["Контакты"]["Удалены в источнике"] == 1
    assert counts["Сделки"]["Конфликтов"] == 1


def _decide(path, key: str, decision: str) -> None:
    book = load_workbook(path)
    sheet = book["Конфликты"]
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == key:
            row[0].value = decision
    book.save(path)


def load_giving_up(portal: Portal, workspace) -> None:
    """A load that stops at the first outage (exit 4) instead of waiting for the portal."""

    async def go(client) -> None:
        with Ledger.for_workspace(workspace.root, NAME) as ledger:
            await load(ledger, client, LoadOptions(settle_seconds=0, max_outage=0))

    portal.run(go)


def test_a_kill_during_the_delta_load_resumes_with_nothing_twice(loaded):
    workspace, portal = loaded
    new_export(workspace)
    plan(workspace, portal)
    data_dir = workspace.state_dir / "sandbox"
    portal.app.close()  # the same portal data, now dying after its 2nd request of the load
    faults = FaultSpec(crash_after=2)
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited", faults=faults))
    with pytest.raises(MigrationError):
        load_giving_up(portal, workspace)
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        unknown = sum(c.count for c in ledger.counts() if c.state is State.SENDING)
    assert unknown, "the portal wrote a batch whose reply was lost: outcome unknown"
    portal.app.close()  # restarted, healthy
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited"))
    portal.load()
    ids = origin_ids(portal)  # each origin key once
    assert {e: len(k) for e, k in ids.items()} == {"company": 4, "contact": 4, "deal": 2}
    contacts, deals = by_origin(portal, "contact"), by_origin(portal, "deal")
    assert contacts["ct1"]["LAST_NAME"] == "Сидоров-Петров"
    assert contacts["ct2"]["NAME"] == "Анна-Мария"
    assert int(deals["d1"]["COMPANY_ID"]) == ids["company"]["co4"]
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        states = {c.state for c in ledger.counts()}
    assert states == {State.DONE}


def test_records_loaded_with_their_creation_dates_stay_unchanged_on_a_re_plan(tmp_path):
    """Loaded records are never creates again: their original dates are not re-decided against
    the records loaded after them (each one became an "update" with the date in a comment)."""
    workspace = make_workspace(tmp_path)
    mapping = workspace.root / "mappings" / "company.yaml"
    mapping.write_text(
        mapping.read_text(encoding="utf-8")
        + "  DATE_CREATE: {from: Создана, clean: [datetime], severity: warning}\n",
        encoding="utf-8",
    )
    dates = ["Создана", "2020-03-01", "2021-06-15", "2022-11-30"]
    companies = [[*row, date] for row, date in zip(COMPANIES, dates, strict=True)]
    write_csv(workspace.root / "data" / "companies.csv", companies)
    portal = Portal(workspace)
    try:
        first = plan(workspace, portal).result
        assert first.backdating.kept.get("company") == 3
        portal.load()
        before = portal.writes()
        again = plan(workspace, portal).result
        assert todo(again) == {}
        assert again.backdating.moved == ()
        portal.load()
        assert writes_since(portal, before) == {}
        created = {r["ORIGIN_ID"]: r["DATE_CREATE"][:10] for r in portal.list("company")}
        assert created == {"co1": "2020-03-01", "co2": "2021-06-15", "co3": "2022-11-30"}
    finally:
        portal.close()
