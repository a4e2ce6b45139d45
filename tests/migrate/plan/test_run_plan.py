"""The plan, through the orchestrator, against the workspace's sandbox: blockers, existing records,
deltas, plan.xlsx."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from migrate.ledger import Ledger, Op
from migrate.ledger.blockers import plan_blockers
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


def plan(workspace, sandbox, **options):
    """A fresh orchestrator per call, as a new `b24migrate plan` command would have."""
    return Migration(workspace, transport=sandbox.transport).plan(**options).result


def plan_xlsx(workspace):
    return workspace.reports_dir / "plan.xlsx"


BAD_DEALS = [
    *DEALS,
    ["d4", "Тендер на кабель", "Тендер", "co1", "ct1", "700", "Неизвестный Сотрудник", "тендер"],
    ["d5", "Сервис", "Новая", "co2", "ct2", "100", "Неизвестный Сотрудник", ""],
]


@pytest.fixture
def portal(tmp_path):
    opened: list[Portal] = []

    def open_(workspace):
        opened.append(Portal(workspace))
        return opened[-1]

    yield open_
    for p in opened:
        p.close()


def blockers_of(workspace):
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        return {(b.entity, b.rule, b.field, b.value): b for b in plan_blockers(ledger)}


def test_missing_stage_user_field_and_owner_block_until_fixed(tmp_path, portal):
    workspace = make_workspace(tmp_path, default_owner=None, deals=BAD_DEALS)
    sandbox = portal(workspace)
    result = plan(workspace, sandbox)

    blockers = {(b.entity, b.rule, b.field, b.value): b for b in result.blockers}
    assert set(blockers) == {
        ("deal", "stage.unknown", "STAGE_ID", "C1:UC_OFFER"),  # an id: not proposed
        ("deal", "structure.proposed", "UF_CRM_NOTE", ""),
        ("deal", "owner.no_default", "ASSIGNED_BY_ID", "Неизвестный Сотрудник"),
    }
    stage = blockers[("deal", "stage.unknown", "STAGE_ID", "C1:UC_OFFER")]
    assert stage.rows == (("deals.csv", 5, "d4"),)
    field = blockers[("deal", "structure.proposed", "UF_CRM_NOTE", "")]
    assert sorted(key for _, _, key in field.rows) == ["d2", "d4"]
    assert "--accept-structure" in field.message
    assert [(f.entity, f.name) for f in result.structure.fields] == [("deal", "UF_CRM_NOTE")]
    assert not result.structure_accepted
    owner = blockers[("deal", "owner.no_default", "ASSIGNED_BY_ID", "Неизвестный Сотрудник")]
    assert sorted(row for _, row, _ in owner.rows) == [5, 6]
    assert set(blockers_of(workspace)) == set(blockers)
    assert sandbox.writes() == {}, "plan must not write to the portal"
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        planned = {r.source_key for r in ledger.records("deal")}
    assert planned == {"d1", "d3"}

    book = load_workbook(plan_xlsx(workspace))
    refused = list(book["Отклонённые строки"].iter_rows(values_only=True))
    assert refused[0][:4] == ("Сущность", "Файл", "Лист", "Строка")
    assert ("deal", "deals.csv", None, 5, "d4", "STAGE_ID") in [r[:6] for r in refused]
    assert {r[-1] for r in refused[1:]} == {"да"}
    reasons = list(book["Причины"].iter_rows(values_only=True))
    assert reasons[0] == ("Важность", "Сущность", "Поле", "Правило", "Строк", "Например",
                          "Причина", "Блокирует загрузку")  # fmt: skip
    assert ("отклонено", "deal", "UF_CRM_NOTE", "structure.proposed", 2) in [r[:5] for r in reasons]

    # fixed: the field is created on the portal, the stage mapped, a default owner set
    sandbox.call(
        "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "NOTE", "USER_TYPE_ID": "string"}}
    )
    mapping = workspace.root / "mappings" / "deal.yaml"
    mapping.write_text(mapping.read_text().replace("C1:UC_OFFER", "PREPARATION"))
    config = workspace.config_path
    config.write_text(config.read_text().replace("default_owner: null", "default_owner: 2"))
    fixed = plan(workspace, sandbox)
    assert fixed.blockers == ()
    assert blockers_of(workspace) == {}
    assert fixed.count("deal", "create") == 5
    owners = {o.legacy: o for o in fixed.owners}
    assert owners["Неизвестный Сотрудник"].user_id == 2
    assert owners["Неизвестный Сотрудник"].defaulted
    assert owners["Неизвестный Сотрудник"].rows == 2
    assert not owners["Петров Иван"].defaulted
    sheet = load_workbook(plan_xlsx(workspace))["Ответственные"]
    fills = {row[0].value: row[0].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert fills["Неизвестный Сотрудник"].endswith("FFF2CC")
    assert not fills["Петров Иван"].endswith("FFF2CC")
    assert sandbox.writes() == {"crm.deal.userfield.add": 1}


def test_skip_refused_accepts_leaving_the_rows_out(tmp_path, portal):
    workspace = make_workspace(tmp_path, default_owner=None, deals=BAD_DEALS)
    sandbox = portal(workspace)
    assert plan(workspace, sandbox).blockers
    result = plan(workspace, sandbox, skip_refused=True)
    assert result.blockers == ()
    assert blockers_of(workspace) == {}
    assert {i.source_key for i in result.refused} == {"d2", "d4", "d5"}
    book = load_workbook(plan_xlsx(workspace))
    marks = {r[-1] for r in book["Отклонённые строки"].iter_rows(min_row=2, values_only=True)}
    assert marks == {"пропущено намеренно (--skip-refused)"}
    sandbox.load()
    assert sorted(d["TITLE"] for d in sandbox.list("deal", ["ID", "TITLE"])) == [
        "Монтаж",
        "Поставка болтов",
    ]
    # a plan without the flag blocks again
    assert plan(workspace, sandbox).blockers


def _seed_existing(sandbox: Portal) -> dict[str, int]:
    """A portal that holds co1 from a previous run, co2 only by INN, ct2 only by phone."""
    sandbox.call(
        "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "NOTE", "USER_TYPE_ID": "string"}}
    )
    co1 = sandbox.call(
        "crm.company.add",
        {"fields": {"TITLE": "Ромашка (старое)", "ORIGINATOR_ID": NAME, "ORIGIN_ID": "co1",
                    "PHONE": [{"VALUE": "+74951234567", "VALUE_TYPE": "WORK"}]}},
    )  # fmt: skip
    co2 = sandbox.call("crm.company.add", {"fields": {"TITLE": "Лютик, ООО"}})
    requisite = sandbox.call(
        "crm.requisite.add",
        {"fields": {"ENTITY_TYPE_ID": 4, "ENTITY_ID": co2, "PRESET_ID": 1, "NAME": "Лютик",
                    "RQ_INN": "7702070139"}},
    )  # fmt: skip
    ct2 = sandbox.call(
        "crm.contact.add",
        {"fields": {"NAME": "Анна", "LAST_NAME": "Орлова",
                    "PHONE": [{"VALUE": "8 (916) 222-33-44", "VALUE_TYPE": "MOBILE"}]}},
    )  # fmt: skip
    other = sandbox.call(
        "crm.contact.add",
        {"fields": {"NAME": "Пётр", "LAST_NAME": "Другой",
                    "PHONE": [{"VALUE": "+79163334455", "VALUE_TYPE": "WORK"}]}},
    )  # fmt: skip
    return {"co1": co1, "co2": co2, "requisite": requisite, "ct2": ct2, "other": other}


def test_existing_records_are_updated_without_duplicates(tmp_path, portal):
    workspace = make_workspace(tmp_path, on_existing="update")
    sandbox = portal(workspace)
    ids = _seed_existing(sandbox)
    writes_before = sandbox.writes()
    result = plan(workspace, sandbox)
    assert sandbox.writes() == writes_before

    matched = {(m.existing.entity, m.existing.source_key): m for m in result.matches}
    assert {k: (m.existing.by, m.existing.b24_id, m.op) for k, m in matched.items()} == {
        ("company", "co1"): ("origin", ids["co1"], Op.UPDATE),
        ("company", "co2"): ("inn", ids["co2"], Op.UPDATE),
        ("contact", "ct2"): ("phone", ids["ct2"], Op.UPDATE),
    }  # ct3 shares a phone with "Другой Пётр": another surname, not a match
    assert result.count("company", "update") == 2
    assert result.count("company", "create") == 1
    assert result.count("requisite", "skip") == 1  # co2's INN is already on the portal
    book = load_workbook(plan_xlsx(workspace))
    existing = list(book["Уже на портале"].iter_rows(min_row=2, values_only=True))
    assert ("company", "co2", "companies.csv", 3, ids["co2"], "Лютик, ООО", "inn") in [
        r[:7] for r in existing
    ]

    sandbox.load()
    companies = sandbox.list("company")
    contacts = sandbox.list("contact")
    assert len(companies) == 3
    assert len(contacts) == 4  # ct1, ct3 created; ct2 updated; "Другой" untouched
    by_id = {int(c["ID"]): c for c in companies}
    assert by_id[ids["co1"]]["TITLE"] == "ООО «Ромашка»"
    assert len(by_id[ids["co1"]]["PHONE"]) == 1, "the phone the portal had is not added again"
    ct2 = next(c for c in contacts if int(c["ID"]) == ids["ct2"])
    assert len(ct2["PHONE"]) == 1
    assert [e["VALUE"] for e in ct2["EMAIL"]] == ["orlova@example.ru"]
    requisites = sandbox.call("crm.requisite.list", {"filter": {"RQ_INN": "7702070139"}})
    assert len(requisites) == 1
    deals = sandbox.list("deal", ["ID", "COMPANY_ID", "CONTACT_ID"])
    assert len(deals) == 3
    assert {int(d["COMPANY_ID"]) for d in deals} >= {ids["co1"], ids["co2"]}
    assert ids["ct2"] in {int(d["CONTACT_ID"]) for d in deals}


def test_existing_records_are_skipped_with_on_existing_skip(tmp_path, portal):
    workspace = make_workspace(tmp_path, on_existing="skip")
    sandbox = portal(workspace)
    ids = _seed_existing(sandbox)
    result = plan(workspace, sandbox)
    assert {m.op for m in result.matches} == {Op.SKIP}
    assert result.count("company", "skip") == 2
    sandbox.load()
    companies = {int(c["ID"]): c for c in sandbox.list("company")}
    assert len(companies) == 3
    assert companies[ids["co1"]]["TITLE"] == "Ромашка (старое)"
    assert len(sandbox.list("contact")) == 4
    again = plan(workspace, sandbox)
    assert again.delta.get("company", "unchanged") == 3
    assert again.count("company", "skip") == 2


def test_existing_records_are_created_anyway_with_on_existing_create(tmp_path, portal):
    workspace = make_workspace(tmp_path, on_existing="create")
    sandbox = portal(workspace)
    _seed_existing(sandbox)
    result = plan(workspace, sandbox)
    ops = {(m.existing.source_key, m.op) for m in result.matches}
    assert ops == {("co1", Op.UPDATE), ("co2", Op.CREATE), ("ct2", Op.CREATE)}


def test_replan_after_a_source_change_updates_only_the_changed_records(tmp_path, portal):
    workspace = make_workspace(tmp_path)
    sandbox = portal(workspace)
    plan(workspace, sandbox)
    sandbox.load()
    same = plan(workspace, sandbox)
    assert {op for (_, op), n in same.counts.items() if n} == {"unchanged"}

    changed = [row[:] for row in COMPANIES]
    changed[2][1] = "ООО «Лютик и партнёры»"
    changed[3][2] = "+7 495 333-44-55, +7 495 999-00-11"
    write_csv(workspace.root / "data" / "companies.csv", changed)
    result = plan(workspace, sandbox)
    assert result.delta.get("company", "changed") == 2
    assert result.delta.get("company", "unchanged") == 1
    assert result.count("company", "update") == 2
    # co2's requisite carries the company name, so it follows the new title
    todo = {(e, op): n for (e, op), n in result.counts.items() if op != "unchanged" and n}
    assert todo == {("company", "update"): 2, ("requisite", "update"): 1}
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        co3 = ledger.get("company", "co3")
    assert [v[0] for v in co3.fields["PHONE"]] == ["+74959990011"], "only the new phone"
    sandbox.load()
    companies = {c["TITLE"]: c for c in sandbox.list("company")}
    assert len(companies) == 3
    assert len(companies["АО «Василёк»"]["PHONE"]) == 2
    settled = plan(workspace, sandbox)
    assert {op for (_, op), n in settled.counts.items() if n} == {"unchanged"}
    assert sandbox.writes().get("crm.company.add") == 3


def test_plan_xlsx_in_english(tmp_path, portal):
    workspace = make_workspace(tmp_path, language="en", default_owner="admin@sandbox.example")
    sandbox = portal(workspace)
    plan(workspace, sandbox)
    book = load_workbook(plan_xlsx(workspace))
    assert book.sheetnames == [
        "Summary",
        "Reconciliation",
        "Reasons",
        "Refused rows",
        "Warnings",
        "Owners",
        "Already in portal",
        "Creation dates",
        "Conflicts",
        "Gone from the source",
        "Merges",
        "Structure",  # UF_CRM_NOTE, proposed
    ]
    rows = list(book["Summary"].iter_rows(values_only=True))
    summary = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert summary["Companies"]["Create"] == 3  # named as summary.html names them
    assert summary["Deals"]["Refused rows"] == 1  # d2 has UF_CRM_NOTE
    reconciled = {r[0]: r for r in book["Reconciliation"].iter_rows(min_row=2, values_only=True)}
    assert reconciled["deal"][1:6] == (3, 1, 0, 2, 0)  # source, refused, merged, planned, off
    owners = list(book["Owners"].iter_rows(values_only=True))
    assert owners[0] == (
        "In the source",
        "User id",
        "Portal user",
        "How found",
        "Rows",
        "Defaulted",
    )


def test_the_warnings_count_of_plan_xlsx_is_the_rows_of_its_warnings_sheet(tmp_path, portal):
    workspace = make_workspace(tmp_path, default_owner="admin@sandbox.example")
    companies = [row[:] for row in COMPANIES]
    companies[1][4] = "Неизвестный Сотрудник"  # → the default owner, with an owner warning
    write_csv(workspace.root / "data" / "companies.csv", companies)
    result = plan(workspace, portal(workspace))
    assert any(i.rule.startswith("owner.") for i in result.issues)
    book = load_workbook(plan_xlsx(workspace))
    listed = len(list(book["Предупреждения"].iter_rows(min_row=2)))
    counted = sum(r[-1] for r in book["Сводка"].iter_rows(min_row=2, values_only=True))
    assert counted == listed  # owner warnings are on the owners sheet, not counted as listed


def test_one_portal_record_stands_for_one_source_record(tmp_path, portal):
    workspace = make_workspace(tmp_path)
    contacts = [*CONTACTS, ["ct4", "Орлова", "Мария", "+7 916 222-33-44", "", "co2", ""]]
    write_csv(workspace.root / "data" / "contacts.csv", contacts)
    sandbox = portal(workspace)
    ids = _seed_existing(sandbox)
    result = plan(workspace, sandbox, dedupe=False)
    contact_matches = {
        m.existing.source_key for m in result.matches if m.existing.entity == "contact"
    }
    assert contact_matches == {"ct2"}
    claimed = [i for i in result.issues if i.rule == "existing.claimed"]
    assert [(i.source_key, i.severity, i.row) for i in claimed] == [("ct4", "warning", 5)]
    assert f"запись портала {ids['ct2']} уже соответствует строке «ct2»" in claimed[0].message
    assert result.count("contact", "create") == 3


def test_rows_refused_since_an_earlier_plan_are_withdrawn(tmp_path, portal):
    workspace = make_workspace(tmp_path)
    sandbox = portal(workspace)
    sandbox.call(
        "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "NOTE", "USER_TYPE_ID": "string"}}
    )
    assert plan(workspace, sandbox).count("deal", "create") == 3
    deals = [row[:] for row in DEALS]
    deals[1][2] = "Тендер"
    write_csv(workspace.root / "data" / "deals.csv", deals)
    result = plan(workspace, sandbox, skip_refused=True)
    assert result.withdrawn == 1
    assert result.count("deal", "create") == 2
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        assert ledger.get("deal", "d1") is None


def _with_duplicate_company(tmp_path):
    workspace = make_workspace(tmp_path)
    companies = [*COMPANIES, ["co9", "ООО Ромашка", "+7 495 123-45-67", "7707083893", ""]]
    write_csv(workspace.root / "data" / "companies.csv", companies)
    contacts = [row[:] for row in CONTACTS]
    contacts[1][5] = "co9"
    write_csv(workspace.root / "data" / "contacts.csv", contacts)
    return workspace


def test_plan_merges_nothing_dedupe_has_not_decided(tmp_path, portal):
    workspace = _with_duplicate_company(tmp_path)
    planned = Migration(workspace, transport=portal(workspace).transport).plan()
    assert not planned.dedupe_ran
    assert planned.result.merges == ()
    # co9 is co1's duplicate, but nobody decided
    assert planned.result.count("company", "create") == 4


def test_a_merge_found_after_dedupe_ran_is_not_applied_unseen(tmp_path, portal):
    workspace = make_workspace(tmp_path)
    sandbox = portal(workspace)
    Migration(workspace).dedupe()  # the client saw no duplicates
    companies = [*COMPANIES, ["co9", "ООО Ромашка", "+7 495 123-45-67", "7707083893", ""]]
    write_csv(workspace.root / "data" / "companies.csv", companies)  # a new row since
    planned = Migration(workspace, transport=sandbox.transport).plan()
    assert planned.dedupe_ran
    assert planned.result.merges == ()
    assert planned.result.count("company", "create") == 4


def test_duplicates_are_merged_and_references_follow_the_survivor(tmp_path, portal):
    workspace = _with_duplicate_company(tmp_path)
    sandbox = portal(workspace)
    Migration(workspace).dedupe()
    planned = Migration(workspace, transport=sandbox.transport).plan()
    result = planned.result
    assert result.dedupe
    assert planned.dedupe_ran
    assert {(m.entity, m.absorbed, m.survivor) for m in result.merges} <= {
        ("company", "co9", "co1"),
        ("company", "co1", "co9"),
    }
    assert len(result.merges) == 1
    book = load_workbook(planned.report)
    merged = list(book["Объединения"].values)
    assert merged[1][0] == "company"
    assert {merged[1][1], merged[1][4]} == {"co1", "co9"}
    assert result.count("company", "create") == 3
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        keys = {r.source_key for r in ledger.records("company")}
    assert len({"co1", "co9"} & keys) == 1
    sandbox.load()
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        survivor_id = ledger.b24_ids("company")[({"co1", "co9"} & keys).pop()]
        ct1_id = ledger.b24_ids("contact")["ct1"]
    assert int(sandbox.call("crm.contact.get", {"id": ct1_id})["COMPANY_ID"]) == survivor_id
    assert len(sandbox.list("company", ["ID"])) == 3
