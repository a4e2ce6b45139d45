"""Back-dating into a portal already in use: the plan predicts exactly the records that cannot
keep their creation date, and the load then has no date failure (issue #15).

The rule (b24restdocs `crm-contact-add.md`, `universal/import/index.md`): a record cannot be
created with a date earlier than the records of its type the portal holds, nor in the future;
only an import sets the date (`IMPORT=Y` for contacts/companies on `crm.*.add`, `createdTime` on
`crm.item.batchImport`). The sandbox enforces it as the portal does.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from migrate.ledger import Ledger, State
from migrate.run import Migration
from migrate.workspace.config import Workspace
from tests.migrate.plan.workspace import NAME, Portal
from tests.migrate.test_cli_load import run

MSK = ZoneInfo("Europe/Moscow")
# already in the client's portal: its newest company and contact
PORTAL_COMPANY = "2021-06-01T10:00:00+03:00"
PORTAL_CONTACT = "2022-01-15T09:30:00+03:00"
COMPANIES = [  # key, title, created
    ("co1", "ООО «Старое»", "2020-02-03 11:00"),  # older than the portal's newest company
    ("co2", "ООО «Ровно»", "2021-06-01 10:00"),  # equal: kept
    ("co3", "ООО «Новое»", "2023-04-05 12:00"),
    ("co4", "ООО «Без даты»", ""),
    ("co5", "ООО «Завтра»", f"{date.today() + timedelta(days=3):%Y-%m-%d} 00:00"),  # future
]
CONTACTS = [
    ("ct1", "Иванов", "2019-12-31 23:59", "co1"),
    ("ct2", "Петров", "2022-01-15 09:30", "co2"),
    ("ct3", "Сидоров", "2024-07-08 08:00", "co3"),
    ("ct4", "Орлов", "2022-01-15 09:29", "co3"),  # one minute too early
]
DEALS = [("d1", "Поставка", "2024-01-01 10:00", "co3", "ct3")]
_HEAD = "entity: {}\nkey: ID\nfields:\n  DATE_CREATE: {{from: {}, clean: [datetime]}}\n"
_COMPANY = "  COMPANY_ID: {from: Компания, ref: company}\n"
MAPPINGS = {
    "company": _HEAD.format("company", "Создана") + "  TITLE: {from: Название}\n",
    "contact": _HEAD.format("contact", "Создан") + "  LAST_NAME: {from: Фамилия}\n" + _COMPANY,
    "deal": _HEAD.format("deal", "Создана")
    + "  TITLE: {from: Название}\n"
    + _COMPANY
    + "  CONTACT_IDS: {from: Контакт, ref: contact}\n",
}


def _csv(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def _workspace(root: Path, route: str, backdate: str = "comment") -> Workspace:
    (root / "mappings").mkdir(parents=True)
    (root / "data").mkdir()
    for entity, text in MAPPINGS.items():
        (root / "mappings" / f"{entity}.yaml").write_text(text, encoding="utf-8")
    _csv(root / "data" / "companies.csv", ["ID", "Название", "Создана"], COMPANIES)
    _csv(root / "data" / "contacts.csv", ["ID", "Фамилия", "Создан", "Компания"], CONTACTS)
    _csv(root / "data" / "deals.csv", ["ID", "Название", "Создана", "Компания", "Контакт"], DEALS)
    (root / "migration.yaml").write_text(
        f"name: {NAME}\nportal: {{url: sandbox, plan: unlimited}}\nsources:\n"
        "  company: {files: [data/companies.csv]}\n  contact: {files: [data/contacts.csv]}\n"
        "  deal: {files: [data/deals.csv]}\nowners: {default_owner: 1}\n"
        f"load: {{route: {route}, backdate: {backdate}}}\n",
        encoding="utf-8",
    )
    return Workspace.at(root)


def _populate(portal: Portal) -> None:
    """The client's portal in use: a company and a contact created back then (imported)."""
    for entity, created in (("company", PORTAL_COMPANY), ("contact", PORTAL_CONTACT)):
        fields = {"TITLE": "Уже было", "LAST_NAME": "Уже был", "DATE_CREATE": created}
        portal.call(f"crm.{entity}.add", {"fields": fields, "params": {"IMPORT": "Y"}})


def _expected(route: str) -> set[tuple[str, str]]:
    """Worked out by hand from the rule, not by the code under test."""
    moved = {("company", "co1"), ("company", "co5"), ("contact", "ct1"), ("contact", "ct4")}
    return moved if route == "import" else moved | {("deal", "d1")}  # add cannot date deals


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=MSK)


@pytest.mark.parametrize("route", ["add", "import"])
def test_the_plan_predicts_exactly_the_dates_that_cannot_be_kept(route, tmp_path, capsys):
    workspace = _workspace(tmp_path / "w", route)
    portal = Portal(workspace)
    _populate(portal)
    portal.close()
    started = datetime.now(MSK)
    planned = Migration(workspace).plan()
    result = planned.result
    moved = {(m.entity, m.source_key) for m in result.backdating.moved}
    assert moved == _expected(route)
    assert result.backdating.newest["company"] == PORTAL_COMPANY
    book = load_workbook(planned.report)
    rows = list(book["Даты создания"].iter_rows(values_only=True))
    assert {(r[0], r[1]) for r in rows[1:]} == moved
    assert all("комментари" in r[7] for r in rows[1:])

    code, _, err = run(capsys, "load", "-w", str(workspace.root), "--quiet")
    assert code == 0, err
    with Ledger.for_workspace(workspace.root) as ledger:
        assert {r.state for r in ledger.records()} == {State.DONE}  # zero date failures
    portal = Portal(workspace)
    try:
        for entity, rows_ in (("company", COMPANIES), ("contact", CONTACTS), ("deal", DEALS)):
            loaded = {r["ORIGIN_ID"]: r for r in portal.list(entity, ["*"]) if r["ORIGIN_ID"]}
            for key, _, created, *_ in rows_:
                got = datetime.fromisoformat(loaded[key]["DATE_CREATE"])
                if (entity, key) in moved:
                    assert got >= started.replace(microsecond=0), (entity, key)
                    assert _at(created).strftime("%d.%m.%Y") in loaded[key]["COMMENTS"]
                elif created:
                    assert got == _at(created), (entity, key)
    finally:
        portal.close()


def test_a_record_added_after_the_plan_stops_the_load(tmp_path, capsys):
    workspace = _workspace(tmp_path / "w", "add")
    Migration(workspace).plan()
    portal = Portal(workspace)
    portal.call("crm.contact.add", {"fields": {"LAST_NAME": "Коллега"}})  # dated now
    portal.close()
    code, _, err = run(capsys, "load", "-w", str(workspace.root), "--quiet")
    assert code == 2
    assert "the portal now holds a contact created" in err
    assert "Next: run `b24migrate plan` again" in err
    result = Migration(workspace).plan().result  # every dated contact now goes to the comment
    assert {k for e, k in ((m.entity, m.source_key) for m in result.backdating.moved)
            if e == "contact"} == {"ct1", "ct2", "ct3", "ct4"}  # fmt: skip
    code, _, err = run(capsys, "load", "-w", str(workspace.root), "--quiet")
    assert code == 0, err


def test_ask_keeps_those_records_waiting_for_the_users_choice(tmp_path, capsys):
    workspace = _workspace(tmp_path / "w", "import", backdate="ask")
    portal = Portal(workspace)
    _populate(portal)
    portal.close()
    result = Migration(workspace).plan().result
    waiting = {(b.entity, b.rule) for b in result.blockers}
    assert waiting == {("company", "date.before_portal"), ("contact", "date.before_portal")}
    code, _, err = run(capsys, "load", "-w", str(workspace.root), "--quiet")
    assert code == 1
    assert "load.backdate" in err
