"""Structure set-up: the plan proposes the user fields, pipelines and stages the mapping needs
and the portal lacks; accepted, the load creates them first (exactly once, through the
ledger), the records use them, and rollback removes them last — read back from the sandbox."""

from __future__ import annotations

import json

import pytest

from migrate.ledger import Ledger, State
from migrate.run import Migration
from tests.migrate.plan.workspace import (
    COMPANIES,
    CONTACTS,
    NAME,
    make_workspace,
    open_portals,
    sheet_names,
    sheet_rows,
    write_csv,
)

SPHERES = ["Розница", "Опт", "Розница"]
DEALS = [
    ["ID", "Название", "Воронка", "Этап", "Компания", "Контакт", "Бюджет", "Ответственный",
     "Заметка"],
    ["d1", "Поставка болтов", "Общая", "Новая", "co1", "ct1", "15000", "Петров Иван", ""],
    ["d2", "Тендер на кабель", "Тендеры", "Подготовка заявки", "co2", "ct2", "700",
     "Петров Иван", "срочно"],
    ["d3", "Тендер на трубы", "Тендеры", "Заявка подана", "co3", "ct3", "900",
     "Петров Иван", ""],
    ["d4", "Тендер на краску", "Тендеры", "Успешно реализовано", "co1", "ct1", "300",
     "Петров Иван", ""],
    ["d5", "Тендер на лак", "Тендеры", "Закрыто и не реализовано", "co2", "ct2", "100",
     "Петров Иван", ""],
    ["d6", "Монтаж", "Общая", "Переговоры по монтажу", "co3", "ct3", "90000", "Петров Иван", ""],
]  # fmt: skip
DEAL_MAPPING = """entity: deal
key: ID
fields:
  TITLE: {from: Название, clean: [text]}
  CATEGORY_ID: {from: Воронка, map: {Общая: '0'}, keep_unmapped: true}
  STAGE_ID:
    from: [Воронка, Этап]
    join: ' / '
    map: {Общая / Новая: NEW}
    keep_unmapped: true
  COMPANY_ID: {from: Компания, ref: company}
  CONTACT_IDS: {from: Контакт, ref: contact}
  OPPORTUNITY: {from: Бюджет, clean: [money]}
  CURRENCY_ID: {const: RUB}
  ASSIGNED_BY_ID: {owner: Ответственный}
  UF_CRM_NOTE: {from: Заметка, clean: [text]}
"""
COMPANY_MAPPING = """entity: company
key: ID
fields:
  TITLE: {from: Название, clean: [company_name], required: true}
  RQ_INN: {from: ИНН, clean: [inn]}
  ASSIGNED_BY_ID: {owner: Ответственный}
  UF_CRM_SPHERE: {from: Сфера деятельности, clean: [text], type: enumeration}
"""


def structured_workspace(root, *, language="ru", structure=None):
    workspace = make_workspace(root, language=language, deals=DEALS)
    companies = [[*COMPANIES[0], "Сфера деятельности"]]
    companies += [[*row, sphere] for row, sphere in zip(COMPANIES[1:], SPHERES, strict=True)]
    write_csv(root / "data" / "companies.csv", companies)
    write_csv(root / "data" / "contacts.csv", CONTACTS)
    (root / "mappings" / "deal.yaml").write_text(DEAL_MAPPING, encoding="utf-8")
    (root / "mappings" / "company.yaml").write_text(COMPANY_MAPPING, encoding="utf-8")
    if structure:
        config = workspace.config_path
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("load: {", f"load: {{structure: {structure}, "), "utf-8")
    return workspace


@pytest.fixture
def portal():
    yield from open_portals()


def plan(workspace, sandbox, **options):
    return Migration(workspace, transport=sandbox.transport).plan(**options).result


def structure_of(sandbox):
    """Every pipeline, stage and user field of the portal (what rollback must restore)."""
    categories = sandbox.call("crm.category.list", {"entityTypeId": 2})["categories"]
    stages = all_stages(sandbox)
    fields = {
        e: sandbox.call(f"crm.{e}.userfield.list", {}) for e in ("company", "contact", "deal")
    }
    return (
        sorted((c["id"], c["name"]) for c in categories),
        sorted((s["ID"], s["ENTITY_ID"], s["STATUS_ID"], s["NAME"], s["SORT"]) for s in stages),
        {e: sorted((f["ID"], f["FIELD_NAME"]) for f in rows) for e, rows in fields.items()},
    )


def all_stages(sandbox):
    return sandbox.run(lambda client: client.list_all("crm.status.list"))


def test_the_plan_proposes_structure_and_refuses_the_rows_until_accepted(tmp_path, portal):
    workspace = structured_workspace(tmp_path)
    sandbox = portal(workspace)
    result = plan(workspace, sandbox)

    fields = {(f.entity, f.name): f for f in result.structure.fields}
    assert set(fields) == {("company", "UF_CRM_SPHERE"), ("deal", "UF_CRM_NOTE")}
    assert fields[("company", "UF_CRM_SPHERE")].type == "enumeration"
    assert fields[("company", "UF_CRM_SPHERE")].items == ("Опт", "Розница")
    assert fields[("company", "UF_CRM_SPHERE")].label == "Сфера деятельности"
    assert fields[("deal", "UF_CRM_NOTE")].type == "string"  # one value: not a list
    assert [p.name for p in result.structure.pipelines] == ["Тендеры"]
    stages = {s.name: s for s in result.structure.stages}
    assert set(stages) == {"Переговоры по монтажу", "Подготовка заявки", "Заявка подана",
                           "Успешно реализовано", "Закрыто и не реализовано"}  # fmt: skip
    assert stages["Переговоры по монтажу"].category == 0  # a new stage of an existing pipeline
    assert stages["Закрыто и не реализовано"].semantics == "F"
    assert stages["Успешно реализовано"].existing == "C-1:WON"  # the new pipeline's own
    assert stages["Подготовка заявки"].sort < stages["Заявка подана"].sort
    assert not result.structure_accepted

    rules = {(b.rule, b.field) for b in result.blockers}
    assert rules == {("structure.proposed", "UF_CRM_SPHERE"), ("structure.proposed", "UF_CRM_NOTE"),
                     ("structure.proposed", "CATEGORY_ID"),
                     ("structure.proposed", "STAGE_ID")}  # fmt: skip
    assert all("--accept-structure" in b.message for b in result.blockers)
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        assert {r.source_key for r in ledger.records("deal")} == {"d1"}
        assert ledger.records("user_field") == []
    assert sandbox.writes() == {}, "plan must not write to the portal"

    assert sheet_names(workspace.reports_dir / "plan.xlsx")[-1] == "Структура"
    rows = sheet_rows(workspace.reports_dir / "plan.xlsx", "Структура")
    assert rows[0][:5] == ("Что", "Сущность", "Код", "Название", "Тип")
    by_name = {r[3]: r for r in rows[1:]}
    assert by_name["Сфера деятельности"][2] == "UF_CRM_SPHERE"
    assert by_name["Сфера деятельности"][6] == "Опт; Розница"
    assert by_name["Тендеры"][0] == "Воронка"
    assert by_name["Закрыто и не реализовано"][4] == "провал"
    assert by_name["Успешно реализовано"][9].startswith("стадия успеха воронки")
    assert {r[10] for r in rows[1:]} == {"нет — plan --accept-structure или load.structure: create"}


def test_plan_xlsx_structure_sheet_in_english(tmp_path, portal):
    workspace = structured_workspace(tmp_path, language="en", structure="create")
    result = plan(workspace, portal(workspace))
    assert result.structure_accepted
    rows = sheet_rows(workspace.reports_dir / "plan.xlsx", "Structure")
    assert rows[0] == ("What", "Entity", "Code", "Name", "Type", "Pipeline", "List values",
                       "Sort", "Rows", "What happens", "Accepted", "Why this type")  # fmt: skip
    assert {r[10] for r in rows[1:]} == {"yes"}
    reasons = {r[2]: r[11] for r in rows[1:] if r[0] == "User field"}
    assert reasons == {
        "UF_CRM_SPHERE": "type from the mapping (`type:`); change with `type:` in the mapping",
        "UF_CRM_NOTE": "text: the column «Заметка» holds free text; change with `type:` in the "
        "mapping",
    }
    assert rows[-1][:2] == ("Stage", "deal")


def test_accepted_structure_is_created_first_used_by_the_records_and_rolled_back(tmp_path, portal):
    workspace = structured_workspace(tmp_path)
    sandbox = portal(workspace)
    before = structure_of(sandbox)
    result = plan(workspace, sandbox, accept_structure=True)
    assert result.blockers == ()
    assert result.structure_accepted
    assert result.count("deal", "create") == 6
    sandbox.load()

    categories = {c["name"]: c["id"] for c in
                  sandbox.call("crm.category.list", {"entityTypeId": 2})["categories"]}  # fmt: skip
    tenders = categories["Тендеры"]
    stages = {s["NAME"]: s for s in sandbox.call(
        "crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{tenders}"}})}  # fmt: skip
    assert stages["Закрыто и не реализовано"]["SEMANTICS"] == "F"
    assert stages["Подготовка заявки"]["STATUS_ID"].startswith(f"C{tenders}:UC_")
    success = int(next(s["SORT"] for s in stages.values() if s["SEMANTICS"] == "S"))
    assert int(stages["Заявка подана"]["SORT"]) < success < int(
        stages["Закрыто и не реализовано"]["SORT"])  # fmt: skip
    general = {s["NAME"]: s["STATUS_ID"] for s in sandbox.call(
        "crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE"}})}  # fmt: skip
    assert general["Переговоры по монтажу"].startswith("UC_")

    (sphere,) = sandbox.call(
        "crm.company.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_SPHERE"}}
    )
    assert sphere["USER_TYPE_ID"] == "enumeration"
    items = {i["VALUE"]: int(i["ID"]) for i in sandbox.call(
        "crm.company.userfield.get", {"id": sphere["ID"]})["LIST"]}  # fmt: skip
    assert set(items) == {"Опт", "Розница"}
    companies = {c["ORIGIN_ID"]: c for c in sandbox.list("company", ["*", "UF_*"])}
    assert {k: int(c["UF_CRM_SPHERE"]) for k, c in companies.items()} == {
        "co1": items["Розница"], "co2": items["Опт"], "co3": items["Розница"]}  # fmt: skip
    deals = {d["ORIGIN_ID"]: d for d in sandbox.list("deal", ["*", "UF_*"])}
    assert int(deals["d2"]["CATEGORY_ID"]) == tenders
    assert deals["d2"]["STAGE_ID"] == stages["Подготовка заявки"]["STATUS_ID"]
    assert deals["d4"]["STAGE_ID"] == f"C{tenders}:WON"
    assert deals["d5"]["STAGE_ID"] == stages["Закрыто и не реализовано"]["STATUS_ID"]
    assert deals["d6"]["STAGE_ID"] == general["Переговоры по монтажу"]
    assert deals["d2"]["UF_CRM_NOTE"] == "срочно"
    writes = sandbox.writes()
    assert writes["crm.category.add"] == 1
    assert writes["crm.status.add"] == 4  # 2 in progress + 1 failure in «Тендеры» (WON came
    # with the pipeline), 1 in the general pipeline
    assert writes["crm.company.userfield.add"] == writes["crm.deal.userfield.add"] == 1

    # what existed is unchanged: every pipeline, stage and field of before is still as it was
    after = structure_of(sandbox)
    assert set(before[0]) <= set(after[0])
    assert set(before[1]) <= set(after[1])
    assert all(set(before[2][e]) <= set(after[2][e]) for e in before[2])

    # a second plan of the same sources: nothing new to create, nothing to send
    again = plan(workspace, sandbox)
    assert again.blockers == ()
    assert again.count("deal", "unchanged") == 6
    assert again.count("deal", "update") == 0
    assert again.count("user_field", "create") == again.count("pipeline", "create") == 0

    Migration(workspace, transport=sandbox.transport).rollback()
    assert structure_of(sandbox) == before
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        left = [r for e in ("user_field", "field_item", "pipeline", "stage")
                for r in ledger.records(e) if r.b24_id is not None]  # fmt: skip
    assert left == []


@pytest.mark.parametrize("entity", ["user_field", "pipeline", "stage"])
def test_a_kill_between_the_add_and_the_ledger_write_creates_nothing_twice(
    tmp_path, portal, entity
):
    """The load is killed after the portal created a field, a pipeline or a stage and before
    the ledger recorded it (the record is left `sending`): the next load finds it by
    FIELD_NAME / name / STATUS_ID instead of creating a second one."""
    workspace = structured_workspace(tmp_path, structure="create")
    sandbox = portal(workspace)
    plan(workspace, sandbox)
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        if entity == "stage":  # its pipeline is there already
            pipeline = ledger.get("pipeline", "Тендеры")
            created = sandbox.call("crm.category.add",
                                   {"entityTypeId": 2, "fields": {"name": "Тендеры"}})  # fmt: skip
            batch = ledger.mark_sending(1, [pipeline.id])
            ledger.reconcile({pipeline.id: created["category"]["id"]})
            assert batch.id
        key = {"user_field": "company:UF_CRM_SPHERE", "pipeline": "Тендеры",
               "stage": "Тендеры / Подготовка заявки"}[entity]  # fmt: skip
        record = ledger.get(entity, key)
        run = ledger.start_run("load")
        ledger.mark_sending(run.id, [record.id])
        ledger.finish_run(run.id, "interrupted")
        fields = record.resolved_fields()
    _create_behind_the_ledgers_back(sandbox, entity, fields)

    sandbox.load()
    assert sandbox.writes()[_ADD[entity]] == _EXPECTED_ADDS[entity]
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        assert ledger.get(entity, key).state is State.DONE
        assert {r.state for r in ledger.records("deal")} == {State.DONE}
    categories = [c["name"] for c in
                  sandbox.call("crm.category.list", {"entityTypeId": 2})["categories"]]  # fmt: skip
    assert categories.count("Тендеры") == 1
    names = [s["NAME"] for s in all_stages(sandbox)]
    assert names.count("Подготовка заявки") == 1
    fields_now = sandbox.call("crm.company.userfield.list", {})
    assert [f["FIELD_NAME"] for f in fields_now].count("UF_CRM_SPHERE") == 1
    (sphere,) = (f for f in fields_now if f["FIELD_NAME"] == "UF_CRM_SPHERE")
    listed = sandbox.call("crm.company.userfield.get", {"id": sphere["ID"]})["LIST"]
    assert sorted(i["VALUE"] for i in listed) == ["Опт", "Розница"]  # no value added twice


_ADD = {"user_field": "crm.company.userfield.add", "pipeline": "crm.category.add",
        "stage": "crm.status.add"}  # fmt: skip
_EXPECTED_ADDS = {"user_field": 1, "pipeline": 1, "stage": 4}


def _create_behind_the_ledgers_back(sandbox, entity, fields):
    if entity == "user_field":
        sandbox.call(
            "crm.company.userfield.add",
            {
                "fields": {
                    "FIELD_NAME": "SPHERE",
                    "USER_TYPE_ID": "enumeration",
                    "LIST": fields["LIST"],
                }
            },
        )
    elif entity == "pipeline":
        sandbox.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Тендеры"}})
    else:
        category = fields["CATEGORY_ID"]
        sandbox.call("crm.status.add", {"fields": {
            "ENTITY_ID": f"DEAL_STAGE_{category}", "STATUS_ID": fields["STATUS_ID"],
            "NAME": fields["NAME"], "SORT": fields["SORT"]}})  # fmt: skip


def test_the_commands_say_what_structure_is_proposed_and_created(tmp_path, capsys):
    from tests.migrate.test_cli_load import run

    workspace = structured_workspace(tmp_path, structure="create")
    code, out, _ = run(capsys, "plan", "-w", str(workspace.root), "--json")
    assert code == 0, out
    proposed = json.loads(out)["structure"]
    assert proposed["accepted"] is True
    assert proposed["user_fields"] == ["company:UF_CRM_SPHERE", "deal:UF_CRM_NOTE"]
    assert proposed["pipelines"] == ["Тендеры"]
    assert len(proposed["stages"]) == 4
    code, out, _ = run(capsys, "load", "-w", str(workspace.root))
    assert code == 0, out
    assert ("Структура: создано польз. полей 2, значений списков 2, воронок 1, стадий 4; "
            "найдено после обрыва 0; отказано 0.") in out  # fmt: skip
    code, out, _ = run(capsys, "status", "-w", str(workspace.root))
    rows = [line.split("│")[1].strip() for line in out.splitlines() if line.count("│") > 3]
    assert rows[:4] == ["user_field", "field_item", "pipeline", "stage"]  # created first
    # a re-plan of the loaded workspace: the structure exists, nothing is left to create
    code, out, _ = run(capsys, "plan", "-w", str(workspace.root))
    assert code == 0, out
    assert "план предлагает создать" not in out
    assert "Структура: создана ранее (2 польз. полей, 1 воронок, 4 стадий)" in out
    code, out, _ = run(capsys, "plan", "-w", str(workspace.root), "--json")
    replanned = json.loads(out)["structure"]
    assert replanned["to_create"] == {"user_fields": [], "pipelines": [], "stages": []}
    assert replanned["user_fields"] == ["company:UF_CRM_SPHERE", "deal:UF_CRM_NOTE"]
    sheet = sheet_rows(workspace.root / "reports" / "plan.xlsx", "Структура")
    actions = {row[9] for row in sheet[1:]}
    assert "создать" not in actions
    assert "создано ранее (загрузкой)" in actions


SEGMENTS = ["VIP; Опт", "Опт", "Розница; VIP", "VIP", "Розница", "Опт"]
MORE_COMPANIES = [
    ["co4", "ООО «Клевер»", "", "", "Петров Иван"],
    ["co5", "ООО «Мята»", "", "", "Петров Иван"],
    ["co6", "ООО «Осока»", "", "", "Петров Иван"],
]


@pytest.mark.parametrize("split_by", ["evidence", "mapping"])
def test_several_values_per_cell_are_a_multiple_list_loaded_as_arrays(tmp_path, portal, split_by):
    """«VIP; Опт»: the plan proposes a multiple list of the single values, the load creates
    it (MULTIPLE=Y, one item per value) and writes each company's values as an array of item
    ids — read back from the portal; rollback removes the field."""
    workspace = structured_workspace(tmp_path, structure="create")
    companies = [[*COMPANIES[0], "Сфера деятельности", "Сегмент"]]
    rows = zip(COMPANIES[1:] + MORE_COMPANIES, SPHERES * 2, SEGMENTS, strict=True)
    companies += [[*row, sphere, segment] for row, sphere, segment in rows]
    write_csv(tmp_path / "data" / "companies.csv", companies)
    how = "" if split_by == "evidence" else ", separator: ';'"
    mapping = COMPANY_MAPPING + f"  UF_CRM_SEGMENT: {{from: Сегмент, clean: [text]{how}}}\n"
    (tmp_path / "mappings" / "company.yaml").write_text(mapping, encoding="utf-8")
    sandbox = portal(workspace)
    before = structure_of(sandbox)
    result = plan(workspace, sandbox)
    (segment,) = (f for f in result.structure.fields if f.name == "UF_CRM_SEGMENT")
    assert (segment.type, segment.multiple, segment.items) == (
        "enumeration", True, ("VIP", "Опт", "Розница"))  # fmt: skip
    assert segment.split == (";" if split_by == "evidence" else "")
    assert "несколько значений в ячейке" in segment.reason()
    sandbox.load()
    (field,) = (f for f in sandbox.call("crm.company.userfield.list", {})
                if f["FIELD_NAME"] == "UF_CRM_SEGMENT")  # fmt: skip
    assert field["MULTIPLE"] == "Y"
    got = sandbox.call("crm.company.userfield.get", {"id": field["ID"]})
    ids = {item["VALUE"]: str(item["ID"]) for item in got["LIST"]}
    assert set(ids) == {"VIP", "Опт", "Розница"}
    rows = sandbox.call("crm.company.list", {"select": ["ORIGIN_ID", "UF_CRM_SEGMENT"]})
    values = {r["ORIGIN_ID"]: sorted(map(str, r["UF_CRM_SEGMENT"])) for r in rows}
    assert values == {
        "co1": sorted([ids["VIP"], ids["Опт"]]),
        "co2": [ids["Опт"]],
        "co3": sorted([ids["Розница"], ids["VIP"]]),
        "co4": [ids["VIP"]],
        "co5": [ids["Розница"]],
        "co6": [ids["Опт"]],
    }
    again = plan(workspace, sandbox)  # nothing left to create, nothing changed
    assert again.structure_new.empty
    assert again.count("company", "update") == 0
    sheet = sheet_rows(workspace.root / "reports" / "plan.xlsx", "Структура")
    reasons = [row[-1] for row in sheet[1:] if row[2] == "UF_CRM_SEGMENT"]
    assert len(reasons) == 1
    assert "несколько значений в ячейке" in reasons[0]
    Migration(workspace, transport=sandbox.transport).rollback()
    assert structure_of(sandbox) == before
