"""`reports/owners.xlsx`: written by `plan`, edited by the client with openpyxl, read back by the
next `plan`; bad cells are named by sheet, row and column and the workbook is never lost."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from migrate.cli import cli
from migrate.errors import ConfigError
from migrate.ledger import Ledger
from migrate.ledger.blockers import plan_blockers
from migrate.plan import OwnerChoice, OwnerResolver, PortalUser
from migrate.run import Migration
from tests.migrate.plan.workspace import (
    COMPANIES,
    NAME,
    make_workspace,
    open_portals,
    sheet_names,
    sheet_rows,
    write_csv,
)

#: Companies whose owners cover every way of matching (users of the sandbox's seed).
OWNED = [
    COMPANIES[0],
    *COMPANIES[1:],  # i.petrov@sandbox.example, Петров Иван, Кузнецова Мария
    ["co4", "ООО «Астра»", "+7 495 444-55-66", "", "Волков Сергей"],  # dismissed (user 5)
    ["co5", "ООО «Роза»", "+7 495 555-66-77", "", "Неизвестный Сотрудник"],  # not on the portal
    ["co6", "ООО «Мак»", "+7 495 666-77-88", "", "Соколов О."],  # surname and initial (4)
    ["co7", "ООО «Ирис»", "+7 495 777-88-99", "", "Неизвестный Сотрудник"],
    ["co8", "ООО «Пион»", "+7 495 888-99-00", "", ""],  # no owner given
]


@pytest.fixture
def portal():
    yield from open_portals()


def owned_workspace(tmp_path, **options):
    workspace = make_workspace(tmp_path, **options)
    write_csv(workspace.root / "data" / "companies.csv", OWNED)
    return workspace


def plan(workspace, sandbox, **options):
    return Migration(workspace, transport=sandbox.transport).plan(**options)


def owners_rows(workspace, sheet=None):
    rows = sheet_rows(workspace.reports_dir / "owners.xlsx", sheet)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def by_legacy(workspace, sheet=None):
    return {r["В источнике"] or "": r for r in owners_rows(workspace, sheet)}


def assigned(workspace, entity="company"):
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        return {r.source_key: r.fields.get("ASSIGNED_BY_ID") for r in ledger.records(entity)}


def edit_choices(workspace, changes):
    """Write choices into the correction column as a client would in Excel."""
    path = workspace.reports_dir / "owners.xlsx"
    book = load_workbook(path)
    sheet = book["Ответственные"]
    header = [c.value for c in sheet[1]]
    column = header.index("Исправить на (e-mail или ID сотрудника)") + 1
    rows = {sheet.cell(row=n, column=1).value: n for n in range(2, sheet.max_row + 1)}
    for legacy, value in changes.items():
        sheet.cell(row=rows[legacy], column=column).value = value  # None clears it
    book.save(path)
    return rows


def test_plan_writes_one_row_per_legacy_owner_with_counts_match_and_flags(tmp_path, portal):
    workspace = owned_workspace(tmp_path, default_owner="o.sokolov@sandbox.example")
    planned = plan(workspace, portal(workspace))
    assert planned.owners is not None
    assert planned.owners.report == workspace.reports_dir / "owners.xlsx"
    assert sheet_names(planned.owners.report) == ["Ответственные", "Сотрудники портала"]
    header = sheet_rows(planned.owners.report, "Ответственные")[0]
    assert header == ("В источнике", "Компании", "Контакты", "Сделки", "Записей всего",
                      "ID сотрудника", "Сотрудник на портале", "E-mail на портале",
                      "Как найден", "Отметка", "Исправить на (e-mail или ID сотрудника)",
                      "Пояснение")  # fmt: skip
    rows = by_legacy(workspace)
    petrov = rows["Петров Иван"]
    assert (petrov["Компании"], petrov["Контакты"], petrov["Сделки"]) == (1, 2, 2)
    assert petrov["Записей всего"] == 5
    assert (petrov["ID сотрудника"], petrov["Сотрудник на портале"]) == (2, "Петров Иван")
    assert petrov["E-mail на портале"] == "i.petrov@sandbox.example"
    assert (petrov["Как найден"], petrov["Отметка"]) == ("по имени", None)
    assert rows["i.petrov@sandbox.example"]["Как найден"] == "по e-mail"
    volkov = rows["Волков Сергей"]
    assert volkov["ID сотрудника"] == 4  # the default owner, by e-mail in migration.yaml
    assert volkov["Как найден"] == "ответственный по умолчанию"
    assert volkov["Отметка"] == "уволен: Волков Сергей (ID 5)"
    unknown = rows["Неизвестный Сотрудник"]
    assert (unknown["Компании"], unknown["Отметка"]) == (2, "нет на портале")
    sokolov = rows["Соколов О."]
    assert (sokolov["ID сотрудника"], sokolov["Как найден"]) == (4, "по фамилии и инициалам")
    assert "проверьте" in sokolov["Пояснение"]
    none = rows["(не указан)"]  # records with no owner: listed, given the default owner
    assert (none["Компании"], none["ID сотрудника"]) == (1, 4)
    assert none["Отметка"] == "ответственный не указан"
    assert none["Как найден"] == "ответственный по умолчанию"
    users = {r["ID сотрудника"]: r for r in owners_rows(workspace, "Сотрудники портала")}
    assert users[5]["Работает"] == "уволен"
    assert users[15]["E-mail на портале"] == "yu.volkova@example.com"
    assert all(r["Исправить на (e-mail или ID сотрудника)"] is None for r in rows.values())


def test_the_clients_corrections_bind_the_next_plan_and_can_be_withdrawn(tmp_path, portal):
    workspace = owned_workspace(tmp_path, default_owner="1")
    sandbox = portal(workspace)
    plan(workspace, sandbox)
    assert assigned(workspace)["co5"] == 1  # the default owner
    edit_choices(workspace, {"Неизвестный Сотрудник": "m.kuznetsova@sandbox.example",
                             "Волков Сергей": 4})  # fmt: skip
    planned = plan(workspace, sandbox)
    assert planned.owners is not None
    assert planned.owners.choices_read == 2
    owners = assigned(workspace)
    assert (owners["co5"], owners["co7"], owners["co4"]) == (3, 3, 4)
    rows = by_legacy(workspace)
    assert rows["Неизвестный Сотрудник"]["Как найден"] == "выбор клиента"
    assert rows["Неизвестный Сотрудник"]["Сотрудник на портале"] == "Кузнецова Мария"
    assert rows["Волков Сергей"]["Исправить на (e-mail или ID сотрудника)"] == "4"  # kept
    again = plan(workspace, sandbox)  # the rewritten workbook holds the same choices
    assert again.owners is not None
    assert again.owners.choices_read == 0
    edit_choices(workspace, {"Волков Сергей": None})  # the client withdraws a choice
    plan(workspace, sandbox)
    assert assigned(workspace)["co4"] == 1
    assert by_legacy(workspace)["Волков Сергей"]["Как найден"] == "ответственный по умолчанию"


def test_records_with_no_owner_are_listed_and_follow_the_clients_choice(tmp_path, portal):
    """Without a default owner they get the webhook's user (as the portal does) but are listed
    with their count; a choice on the «(не указан)» row gives them an employee."""
    workspace = owned_workspace(tmp_path, default_owner=None)
    sandbox = portal(workspace)
    run = Migration(workspace, transport=sandbox.transport)
    planned = run.plan()
    assert assigned(workspace)["co8"] is None
    none = by_legacy(workspace)["(не указан)"]
    assert (none["Компании"], none["ID сотрудника"]) == (1, None)
    assert none["Как найден"] == "пользователь вебхука — задайте owners.default_owner"
    owners = [b for b in planned.result.blockers if b.rule.startswith("owner.")]
    assert "" not in {b.value for b in owners}  # listed, never blocking
    edit_choices(workspace, {"(не указан)": "m.kuznetsova@sandbox.example"})
    planned = plan(workspace, sandbox)
    assert planned.owners is not None
    assert planned.owners.choices_read == 1
    assert assigned(workspace)["co8"] == 3
    assert by_legacy(workspace)["(не указан)"]["Как найден"] == "выбор клиента"
    plan(workspace, sandbox)  # the stored choice holds for the next plan
    assert assigned(workspace)["co8"] == 3


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("nobody@example.ru", "`nobody@example.ru` is not a user of the portal"),
        (99, "`99` is not a user of the portal"),
        ("s.volkov@sandbox.example", "(Волков Сергей) is dismissed"),
        ("Олег", "`Олег` is neither a user id nor an e-mail"),
    ],
)
def test_a_choice_that_is_no_active_user_stops_the_plan_naming_the_cell(
    tmp_path, portal, value, says
):
    workspace = owned_workspace(tmp_path)
    sandbox = portal(workspace)
    plan(workspace, sandbox)
    rows = edit_choices(workspace, {"Неизвестный Сотрудник": value})
    path = workspace.reports_dir / "owners.xlsx"
    edited = path.read_bytes()
    with pytest.raises(ConfigError) as raised:
        plan(workspace, sandbox)
    text = str(raised.value)
    assert says in text
    row = rows["Неизвестный Сотрудник"]
    where = f"`owners.xlsx` sheet `Ответственные` row {row} column `Исправить на (e-mail или ID"
    assert where in text
    assert path.read_bytes() == edited  # the client's workbook is left for the fix


def test_without_a_default_owner_unmatched_rows_block_and_are_listed(tmp_path, portal):
    workspace = owned_workspace(tmp_path, default_owner=None)
    planned = plan(workspace, portal(workspace))
    rules = {(b.rule, b.value) for b in planned.result.blockers}
    assert ("owner.no_default", "Неизвестный Сотрудник") in rules
    assert ("owner.no_default", "Волков Сергей") in rules
    rows = by_legacy(workspace)
    assert rows["Неизвестный Сотрудник"]["ID сотрудника"] is None
    assert rows["Неизвестный Сотрудник"]["Как найден"] == "никто — строки не загрузятся"
    assert rows["Неизвестный Сотрудник"]["Отметка"] == "нет на портале"
    assert rows["Волков Сергей"]["Отметка"] == "уволен: Волков Сергей (ID 5)"
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        assert {b.rule for b in plan_blockers(ledger)} == {"owner.no_default", "structure.proposed"}


def test_an_unreadable_owners_workbook_is_kept_aside_not_overwritten(tmp_path, portal):
    workspace = owned_workspace(tmp_path)
    path = workspace.reports_dir / "owners.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    planned = plan(workspace, portal(workspace))
    assert planned.owners is not None
    kept = planned.owners.kept_aside
    assert kept is not None
    assert kept.name.startswith("owners.kept-")
    assert kept.read_bytes() == b"PK\x03\x04 this is not a workbook"
    assert by_legacy(workspace)["Петров Иван"]["ID сотрудника"] == 2


def test_english_headers(tmp_path, portal):
    workspace = owned_workspace(tmp_path, language="en")
    plan(workspace, portal(workspace))
    assert sheet_names(workspace.reports_dir / "owners.xlsx") == ["Owners", "Portal users"]
    rows = sheet_rows(workspace.reports_dir / "owners.xlsx", "Owners")
    header = rows[0]
    assert header[:4] == ("In the source", "Companies", "Contacts", "Deals")
    assert "Correct to (e-mail or user id)" in header
    volkov = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == "Волков Сергей")
    assert volkov["Flag"] == "dismissed: Волков Сергей (id 5)"
    assert volkov["How matched"] == "default owner"


def test_users_past_the_first_page_of_user_get_are_matched(tmp_path, portal):
    workspace = owned_workspace(tmp_path)
    sandbox = portal(workspace)
    store = sandbox.app.store
    with store.transaction():
        for uid in range(100, 170):  # 70 more employees: user.get answers 50 per page
            store.put("user", uid, {"ID": uid, "ACTIVE": True, "NAME": f"Имя{uid}",
                                    "LAST_NAME": f"Фамилия{uid}", "EMAIL": f"u{uid}@example.ru",
                                    "USER_TYPE": "employee"})  # fmt: skip
    companies = [*OWNED, ["co9", "ООО «Лотос»", "", "", "U169@example.ru"]]
    write_csv(workspace.root / "data" / "companies.csv", companies)
    plan(workspace, sandbox)
    assert assigned(workspace)["co9"] == 169


USERS = [
    PortalUser(1, "Анна", "Смирнова", email="admin@portal.ru"),
    PortalUser(3, "Мария", "Кузнецова", email="m.k@portal.ru"),
    PortalUser(4, "Михаил", "Кузнецов", email="mk@portal.ru"),
    PortalUser(5, "Сергей", "Волков", email="s.volkov@portal.ru", active=False),
    PortalUser(6, "Татьяна", "Федорова", email="t.f@portal.ru"),
    PortalUser(7, "Тимур", "Федоров", email="tf@portal.ru"),
    PortalUser(8, "Фёдор", "Федоров", email="ff@portal.ru"),
]


@pytest.mark.parametrize(
    ("legacy", "user_id", "rule", "matched"),
    [
        ("Фёдорова Татьяна", 6, "owner.name", 6),  # ё in the export, е on the portal
        ("Федорова Т.", 6, "owner.initials", 6),
        ("Т. Федорова", 6, "owner.initials", 6),
        ("Кузнецова М.", 3, "owner.initials", 3),  # not Кузнецов Михаил: another surname
        ("Федоров Ф.", 8, "owner.initials", 8),
        ("Волков С.", 99, "owner.dismissed", 5),
        ("Смирнова А.Б.", 1, "owner.initials", 1),
        ("Иванов И.", 99, "owner.unknown", None),
        ("Смирнова Анна", 2, "owner.client", 2),  # the client's choice comes first
    ],
)
def test_resolver_initials_yo_and_the_clients_choice(legacy, user_id, rule, matched):
    users = [*USERS, PortalUser(2, "Иван", "Петров", email="i.p@portal.ru")]
    choices = {"a": OwnerChoice("Анна Смирнова", "2")}
    resolution = OwnerResolver(users, default_owner=99, choices=choices).resolve(legacy)
    assert (resolution.user_id, resolution.rule, resolution.matched) == (user_id, rule, matched)


def test_initials_that_fit_several_employees_are_not_guessed():
    users = [*USERS, PortalUser(9, "Тамара", "Федорова")]
    resolution = OwnerResolver(users, default_owner=99).resolve("Федорова Т.")
    assert (resolution.user_id, resolution.rule) == (99, "owner.ambiguous")


def test_load_refuses_owner_corrections_made_after_the_plan(tmp_path, portal):
    from migrate.errors import CheckpointError

    workspace = owned_workspace(tmp_path, default_owner="1")
    sandbox = portal(workspace)
    plan(workspace, sandbox, skip_refused=True)
    edit_choices(workspace, {"Неизвестный Сотрудник": "o.sokolov@sandbox.example"})
    with pytest.raises(CheckpointError, match="not planned yet"):
        Migration(workspace).load(settle_seconds=0)
    plan(workspace, sandbox, skip_refused=True)
    Migration(workspace).load(settle_seconds=0)
    sandbox.close()
    after = portal(workspace)  # the load wrote through its own app: open the data again
    listed = after.list("company", ["ORIGIN_ID", "ASSIGNED_BY_ID"])
    companies = {c["ORIGIN_ID"]: c["ASSIGNED_BY_ID"] for c in listed}
    assert (companies["co5"], companies["co7"], companies["co4"]) == ("4", "4", "1")
    assert companies["co6"] == "4"  # «Соколов О.»: surname and initial


@pytest.mark.parametrize(
    ("default_owner", "who"),
    [(None, "пользователя вебхука: задайте `owners.default_owner`"),
     ("o.sokolov@sandbox.example", "Соколов Олег (ID 4)")],
)  # fmt: skip
def test_plan_says_how_many_records_have_no_owner_and_who_gets_them(tmp_path, default_owner, who):
    owned_workspace(tmp_path, default_owner=default_owner)
    runner = CliRunner()
    shown = runner.invoke(cli, ["plan", "-w", str(tmp_path)])
    line = next(x for x in shown.output.splitlines() if x.startswith("Записей без ответственного"))
    assert line.startswith("Записей без ответственного в выгрузке: 1 — получат ")
    assert who in line
    summary = json.loads(runner.invoke(cli, ["plan", "-w", str(tmp_path), "--json"]).output)
    assert summary["no_owner"] == {"records": 1, "user_id": 4 if default_owner else None}
    assert "" not in summary["defaulted_owners"]


@pytest.mark.parametrize(
    ("language", "column", "said"),
    [("ru", "Без ответственного", "1 запись без ответственного в выгрузке: её получит"),
     ("en", "No owner", "1 record has no owner in the export: it goes to")],
)  # fmt: skip
def test_the_ownerless_count_is_in_plan_xlsx_and_summary_html(tmp_path, portal, language,
                                                               column, said):  # fmt: skip
    """co8 names no owner: the plan's summary sheet counts it per entity, and summary.html
    says it (with the owners.xlsx row to choose who gets it), in the report's language."""
    workspace = owned_workspace(tmp_path, default_owner="1", language=language)
    plan(workspace, portal(workspace), skip_refused=True)
    book = load_workbook(workspace.reports_dir / "plan.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    by_entity = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    companies = "Companies" if language == "en" else "Компании"
    assert {e: row[column] for e, row in by_entity.items()} == {
        e: (1 if e == companies else 0) for e in by_entity
    }
    page = Migration(workspace).report().report.read_text(encoding="utf-8")
    item = next(li for li in page.split("<li") if 'data-action="no_owner"' in li)
    assert said in item.replace("\xa0", " ")
    assert "owners.xlsx" in item
