"""A smart process named by its title: planned, loaded, read back, found again, rolled back."""

from __future__ import annotations

import sqlite3

import pytest

from migrate.errors import MappingError
from migrate.ledger import Ledger, State
from migrate.run import Migration
from tests.migrate.plan.workspace import NAME, Portal, make_workspace, write_csv

TITLE = "Договоры"
CONTRACTS = [
    ["ID", "Номер", "Компания", "Контакт", "Сделка", "Сумма", "Статус", "Дата"],
    ["k1", "Договор № 1", "co1", "ct1", "d1", "15 000,00", "Подписан", "15.01.2024"],
    ["k2", "Договор № 2", "co2", "ct2", "d2", "2500.50", "Согласование", "01.02.2024"],
    ["k3", "Договор № 3", "co3", "", "", "90000", "Расторгнут", "10.03.2024"],
]
MAPPING = """entity: smart_process
smart_process: {title}
key: ID
fields:
  TITLE: {{from: Номер, clean: [text], required: true}}
  COMPANY_ID: {{from: Компания, ref: company}}
  CONTACT_IDS: {{from: Контакт, ref: contact}}
  PARENT_ID_2: {{from: Сделка, ref: deal}}
  OPPORTUNITY: {{from: Сумма, clean: [money]}}
  CURRENCY_ID: {{const: RUB}}
  BEGINDATE: {{from: Дата, clean: [date]}}
  STAGE_ID:
    from: Статус
    map: {{Подписан: SUCCESS, Согласование: Согласование, Расторгнут: FAIL}}
"""


def _workspace(tmp_path, title=TITLE):
    workspace = make_workspace(tmp_path)
    deal = workspace.root / "mappings" / "deal.yaml"  # the portal has no UF_CRM_NOTE
    lines = deal.read_text(encoding="utf-8").splitlines(keepends=True)
    deal.write_text("".join(x for x in lines if "UF_CRM_NOTE" not in x), encoding="utf-8")
    write_csv(workspace.root / "data" / "contracts.csv", CONTRACTS)
    (workspace.root / "mappings" / "smart_process.yaml").write_text(
        MAPPING.format(title=title), encoding="utf-8"
    )
    config = workspace.root / "migration.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "owners:", "  smart_process: {files: [data/contracts.csv]}\nowners:"
    )
    config.write_text(text, encoding="utf-8")
    return workspace


@pytest.fixture
def loaded(tmp_path):
    workspace = _workspace(tmp_path)
    portal = Portal(workspace, smart_processes=(TITLE,))
    result = Migration(workspace, transport=portal.transport).plan().result
    assert result.blockers == ()
    portal.load()
    yield workspace, portal, result
    portal.close()


def _items(portal):
    return portal.call("crm.item.list", {"entityTypeId": 128, "select": ["*"]})["items"]


def _ids(portal, entity):
    return {r["ORIGIN_ID"]: int(r["ID"]) for r in portal.list(entity, ["ID", "ORIGIN_ID"])}


def test_items_carry_links_stage_and_amounts(loaded):
    _workspace_, portal, result = loaded
    assert result.count("smart_process", "create") == 3
    companies, contacts, deals = (_ids(portal, e) for e in ("company", "contact", "deal"))
    (category,) = portal.call("crm.category.list", {"entityTypeId": 128})["categories"]
    prefix = f"DT128_{category['id']}:"
    items = {item["xmlId"].removeprefix(f"{NAME}/"): item for item in _items(portal)}
    assert set(items) == {"k1", "k2", "k3"}
    k1, k2, k3 = items["k1"], items["k2"], items["k3"]
    assert (k1["title"], k1["companyId"], k1["contactIds"], k1["parentId2"]) == (
        "Договор № 1", companies["co1"], [contacts["ct1"]], deals["d1"],
    )  # fmt: skip
    assert k2["parentId2"] == deals["d2"]
    assert k3["contactIds"] == []
    assert k3["parentId2"] is None
    assert [k1["stageId"], k2["stageId"], k3["stageId"]] == [
        prefix + "SUCCESS", prefix + "CLIENT", prefix + "FAIL",  # by id, by name, by id
    ]  # fmt: skip
    assert sum(i["opportunity"] for i in items.values()) == pytest.approx(15000 + 2500.5 + 90000)
    assert k1["begindate"].startswith("2024-01-15")
    with Ledger.for_workspace(_workspace_.root, NAME) as ledger:
        done = {r.source_key: r.b24_id for r in ledger.records("smart_process")}
    assert done == {key: item["id"] for key, item in items.items()}


def test_an_unknown_outcome_is_found_again_not_sent_twice(loaded):
    workspace, portal, _ = loaded
    before = _items(portal)
    db = sqlite3.connect(workspace.state_dir / "ledger.sqlite")
    with db:
        db.execute("UPDATE records SET state = 'sending', b24_id = NULL "
                   "WHERE entity = 'smart_process'")  # fmt: skip
    db.close()
    portal.load()
    assert _items(portal) == before
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        records = ledger.records("smart_process")
    assert {r.state for r in records} == {State.DONE}
    assert sorted(r.b24_id for r in records) == sorted(i["id"] for i in before)


def test_a_second_plan_finds_the_items_and_creates_nothing(loaded):
    workspace, portal, _ = loaded
    again = Migration(workspace, transport=portal.transport).plan().result
    assert again.count("smart_process", "create") == 0
    portal.load()
    assert len(_items(portal)) == 3


def test_rollback_deletes_items_before_what_they_link_to(loaded):
    workspace, portal, _ = loaded
    rolled = Migration(workspace, transport=portal.transport).rollback()
    assert rolled.report.deleted["smart_process"] == 3
    assert rolled.report.errors == ()
    assert _items(portal) == []
    assert portal.list("deal") == []
    assert portal.list("company") == []


def test_an_unknown_title_names_the_portal_smart_processes(tmp_path):
    workspace = _workspace(tmp_path, title="Договора")
    portal = Portal(workspace, smart_processes=(TITLE, "Заявки"))
    try:
        with pytest.raises(MappingError) as caught:
            Migration(workspace, transport=portal.transport).plan()
    finally:
        portal.close()
    text = str(caught.value)
    assert "«Договора»" in text
    assert "«Договоры», «Заявки»" in text
    assert "did you mean `Договоры`?" in text
    assert "smart_process.yaml" in text
    assert portal.writes() == {}


def test_a_stage_the_pipeline_lacks_is_refused_with_the_stages_listed(tmp_path):
    workspace = _workspace(tmp_path)
    path = workspace.root / "mappings" / "smart_process.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("FAIL}", "ARCHIVE}"), "utf-8")
    portal = Portal(workspace, smart_processes=(TITLE,))
    try:
        result = Migration(workspace, transport=portal.transport).plan().result
    finally:
        portal.close()
    (refused,) = [i for i in result.refused if i.entity == "smart_process"]
    assert (refused.source_key, refused.rule, refused.field) == ("k3", "stage.unknown", "STAGE_ID")
    assert "Успех" in refused.message
    assert "ARCHIVE" in refused.message


def test_a_portal_given_the_smart_process_by_the_cli_is_planned_against(tmp_path):
    """As a user rehearses: `sandbox seed --smart-process` on the workspace's embedded portal,
    then `plan` (no transport: the workspace's own `portal.url: sandbox`)."""
    from click.testing import CliRunner

    from migrate.cli import cli

    workspace = _workspace(tmp_path)
    data = workspace.state_dir / "sandbox"
    seeded = CliRunner().invoke(cli, ["sandbox", "seed", "--data", str(data),
                                      "--smart-process", TITLE])  # fmt: skip
    assert seeded.exit_code == 0, seeded.output
    assert f"smart process «{TITLE}»: entityTypeId 128" in seeded.output
    result = Migration(workspace).plan().result
    assert result.count("smart_process", "create") == 3
    assert result.blockers == ()


def test_the_import_route_writes_items_by_batch_import(tmp_path):
    """`load.route: import`: the items go by crm.item.batchImport (no automation rules fire),
    carry xmlId and their links like the `add` route's."""
    from migrate.load import LoadOptions, load

    workspace = _workspace(tmp_path)
    portal = Portal(workspace, smart_processes=(TITLE,))
    try:
        Migration(workspace, transport=portal.transport).plan()

        async def go(client):
            with Ledger.for_workspace(workspace.root, NAME) as ledger:
                await load(ledger, client, LoadOptions(route="import", settle_seconds=0))

        portal.run(go)
        methods = {m.lower(): n for m, n in portal.app.stats()["methods"].items()}
        items = {i["xmlId"].removeprefix(f"{NAME}/"): i for i in _items(portal)}
        deals = _ids(portal, "deal")
    finally:
        portal.close()
    assert methods.get("crm.item.batchimport", 0) >= 1
    assert "crm.item.add" not in methods
    assert set(items) == {"k1", "k2", "k3"}
    assert items["k1"]["parentId2"] == deals["d1"]


def test_plan_xlsx_reconciles_the_items_amounts(loaded):
    """The plan's «Сверка» sheet adds up the contracts' amounts like the deals': in the file,
    refused, planned."""
    from openpyxl import load_workbook

    workspace, _portal, _ = loaded
    book = load_workbook(workspace.reports_dir / "plan.xlsx")
    rows = list(book["Сверка"].iter_rows(values_only=True))
    (spa,) = [r for r in rows if r[0] == "RUB · Смарт-процесс"]
    total = 15000 + 2500.5 + 90000
    assert spa[1] == 3  # items
    assert spa[2:6] == (pytest.approx(total), pytest.approx(total), 0, pytest.approx(total))
    assert spa[-1] == 0  # difference
    (records,) = [r for r in rows if r[0] == "smart_process"]
    assert records[1:5] == (3, 0, 0, 3)


KINDS = ["Поставка", "Услуги; Поставка", "Услуги"]


@pytest.mark.parametrize("kill", [False, True])
def test_a_smart_process_user_field_is_proposed_created_once_and_rolled_back(tmp_path, kill):
    """A mapping targets `UF_CRM_1_KIND` of the smart process (its object `CRM_1`): the plan
    proposes it, the load creates it through userfieldconfig.add exactly once (a kill
    between the add and the ledger write is looked up by fieldName, not re-created), the
    items hold their values as arrays of list ids, rollback deletes it — all read back."""
    workspace = _workspace(tmp_path)
    rows = [[*CONTRACTS[0], "Вид"]] + [[*r, k] for r, k in zip(CONTRACTS[1:], KINDS, strict=True)]
    write_csv(workspace.root / "data" / "contracts.csv", rows)
    mapping = workspace.root / "mappings" / "smart_process.yaml"
    text = mapping.read_text(encoding="utf-8")
    text += "  UF_CRM_1_KIND: {from: Вид, clean: [text], separator: ';'}\n"
    text += "  UF_CRM_KIND_WRONG: {from: Вид, clean: [text]}\n"  # not `UF_CRM_1_…`: refused
    mapping.write_text(text, encoding="utf-8")
    portal = Portal(workspace, smart_processes=(TITLE,))
    try:
        plan = Migration(workspace, transport=portal.transport).plan(accept_structure=True)
        result = plan.result
        (kind,) = result.structure.fields
        assert (kind.entity, kind.name, kind.uf_entity) == ("smart_process", "UF_CRM_1_KIND",
                                                            "CRM_1")  # fmt: skip
        assert (kind.type, kind.multiple, kind.items) == ("enumeration", True,
                                                          ("Поставка", "Услуги"))  # fmt: skip
        refused = {(i.field, i.rule) for i in result.refused}
        assert ("UF_CRM_KIND_WRONG", "field.unknown") in refused
        mapping.write_text(text.replace("  UF_CRM_KIND_WRONG: {from: Вид, clean: [text]}\n", ""),
                           encoding="utf-8")  # fmt: skip
        assert Migration(workspace, transport=portal.transport).plan(
            accept_structure=True).result.blockers == ()  # fmt: skip
        if kill:  # the portal created the field; the load died before the ledger knew
            with Ledger.for_workspace(workspace.root, NAME) as ledger:
                record = ledger.get("user_field", "smart_process:UF_CRM_1_KIND")
                items = [r.id for r in ledger.records("field_item")]
                run = ledger.start_run("load")
                ledger.mark_sending(run.id, [record.id, *items])
                ledger.finish_run(run.id, "interrupted")
                body = record.resolved_fields()
            listed = [{"value": i["VALUE"]} for i in body["LIST"]]
            portal.call("userfieldconfig.add", {"moduleId": "crm", "field": {
                "entityId": "CRM_1", "fieldName": "UF_CRM_1_KIND", "userTypeId": "enumeration",
                "multiple": "Y", "enum": listed}})  # fmt: skip
        portal.load()
        # once: by the load, or (killed) by the portal before the kill — never again
        assert portal.writes()["userfieldconfig.add"] == 1
        fields = portal.call(
            "userfieldconfig.list", {"moduleId": "crm", "filter": {"fieldName": "UF_CRM_1_KIND"}}
        )
        (field,) = fields["fields"]
        assert (field["entityId"], field["multiple"]) == ("CRM_1", "Y")
        got = portal.call("userfieldconfig.get", {"moduleId": "crm", "id": field["id"]})
        ids = {i["value"]: int(i["id"]) for i in got["field"]["enum"]}
        described = portal.call("crm.item.fields", {"entityTypeId": 128})["fields"]
        (camel,) = (k for k, v in described.items() if v.get("upperName") == "UF_CRM_1_KIND")
        values = {item["xmlId"].rsplit("/", 1)[-1]: sorted(map(int, item[camel]))
                  for item in _items(portal)}  # fmt: skip
        assert values == {
            "k1": [ids["Поставка"]],
            "k2": sorted([ids["Услуги"], ids["Поставка"]]),
            "k3": [ids["Услуги"]],
        }
        with Ledger.for_workspace(workspace.root, NAME) as ledger:
            assert ledger.get("user_field", "smart_process:UF_CRM_1_KIND").state is State.DONE
        Migration(workspace, transport=portal.transport).rollback()
        left = portal.call("userfieldconfig.list", {"moduleId": "crm"})["fields"]
        assert left == []
        assert _items(portal) == []
    finally:
        portal.close()


def test_items_are_found_by_the_migrations_xml_id_and_an_older_plain_one(tmp_path):
    """Two migrations into one portal never claim each other's items: ours carry
    ``<migration>/<key>``; an item another migration wrote under the same key is left alone,
    while an item this workspace wrote before the scoping (plain ``xmlId``) is still found."""
    workspace = _workspace(tmp_path)
    portal = Portal(workspace, smart_processes=(TITLE,))
    try:
        older = portal.call(
            "crm.item.add", {"entityTypeId": 128, "fields": {"title": "Договор № 1", "xmlId": "k1"}}
        )
        theirs = portal.call("crm.item.add", {"entityTypeId": 128, "fields": {
            "title": "Чужой договор", "xmlId": "other-2026/k2"}})  # fmt: skip
        result = Migration(workspace, transport=portal.transport).plan().result
        assert result.count("smart_process", "create") == 2  # k2 and k3; k1 is found
        portal.load()
        items = _items(portal)
        again = Migration(workspace, transport=portal.transport).plan().result
    finally:
        portal.close()
    by_xml = {i["xmlId"]: i for i in items}
    assert set(by_xml) == {"k1", "other-2026/k2", f"{NAME}/k2", f"{NAME}/k3"}
    assert by_xml["k1"]["id"] == older["item"]["id"]
    assert by_xml["other-2026/k2"]["title"] == "Чужой договор", "another migration's item"
    assert by_xml["other-2026/k2"]["id"] == theirs["item"]["id"]
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        ids = {r.source_key: r.b24_id for r in ledger.records("smart_process")}
    assert ids == {"k1": older["item"]["id"], "k2": by_xml[f"{NAME}/k2"]["id"],
                   "k3": by_xml[f"{NAME}/k3"]["id"]}  # fmt: skip
    assert again.count("smart_process", "create") == 0
