"""Cut-over conflicts beyond the legacy CRM objects: catalogue products (``timestampX``) and
smart-process items (``updatedTime``), on the sandbox.

After the first load, N products change in the source and M smart-process items (plus one
product) are edited in the portal: the re-plan updates exactly the N, lists the M + 1 as
conflicts and leaves them as the portal has them; "take source" sends the source's values.
"""

from __future__ import annotations

import time

import pytest

from migrate.run import Migration
from tests.migrate.plan.test_cutover import _decide, conflicts, todo, writes_since
from tests.migrate.plan.test_smart_process import TITLE, _items
from tests.migrate.plan.test_smart_process import _workspace as smart_workspace
from tests.migrate.plan.workspace import NAME, Portal, write_csv

PRODUCTS = [
    ["Код", "Наименование", "Цена", "Описание"],
    ["p1", "Болт М8", "12.50", "оцинкованный"],
    ["p2", "Гайка М8", "3.10", "шестигранная"],
    ["p3", "Шайба М8", "1.20", "плоская"],
    ["p4", "Винт М6", "4.00", "с потайной головкой"],
]
PRODUCT_MAPPING = """entity: product
key: Код
fields:
  NAME: {from: Наименование, clean: [text], required: true}
  PRICE: {from: Цена, clean: [money]}
  CURRENCY_ID: {const: RUB}
  DESCRIPTION: {from: Описание, clean: [text]}
"""


def _with_products(workspace):
    root = workspace.root
    write_csv(root / "data" / "products.csv", PRODUCTS)
    (root / "mappings" / "product.yaml").write_text(PRODUCT_MAPPING, encoding="utf-8")
    config = root / "migration.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "owners:", "  product: {files: [data/products.csv]}\nowners:"
    )
    config.write_text(text, encoding="utf-8")
    return workspace


def _products(portal) -> dict[str, dict]:
    catalog = portal.call("catalog.catalog.list", {"select": ["iblockId"]})["catalogs"]
    iblock = catalog[0]["iblockId"]
    rows = portal.call("catalog.product.list", {
        "filter": {"iblockId": iblock}, "select": ["id", "iblockId", "xmlId", "name", "detailText"],
    })["products"]  # fmt: skip
    return {r["xmlId"]: r for r in rows}


@pytest.fixture
def loaded(tmp_path):
    """Loaded once; then M = 2 items and one product edited in the portal after our write."""
    workspace = _with_products(smart_workspace(tmp_path))
    portal = Portal(workspace, smart_processes=(TITLE,))
    first = Migration(workspace, transport=portal.transport).plan().result
    assert first.blockers == ()
    assert first.count("product", "create") == 4
    portal.load()
    time.sleep(2.1)  # the stamps are in whole seconds; one second of slack after our write
    items = {i["xmlId"].removeprefix(f"{NAME}/"): i for i in _items(portal)}
    for key, title in (("k1", "Договор № 1 (доп. соглашение)"), ("k3", "Договор № 3 (архив)")):
        portal.call("crm.item.update", {"entityTypeId": 128, "id": items[key]["id"],
                                        "fields": {"title": title}})  # fmt: skip
    product = _products(portal)["p1"]
    portal.call("catalog.product.update", {"id": product["id"], "fields": {"name": "Болт М8х40"}})
    yield workspace, portal
    portal.close()


EDITED = {
    ("smart_process", "k1", "TITLE", "Договор № 1", "Договор № 1 (доп. соглашение)", ""),
    ("smart_process", "k3", "TITLE", "Договор № 3", "Договор № 3 (архив)", ""),
    ("product", "p1", "NAME", "Болт М8", "Болт М8х40", ""),
}


def test_n_changed_products_are_updated_and_m_edited_items_are_conflicts(loaded):
    workspace, portal = loaded
    products = [row[:] for row in PRODUCTS]
    products[2][3] = "шестигранная, класс 8"  # p2
    products[3][3] = "плоская, увеличенная"  # p3
    write_csv(workspace.root / "data" / "products.csv", products)
    before = portal.writes()
    planned = Migration(workspace, transport=portal.transport).plan()
    result = planned.result
    assert todo(result) == {("product", "update"): 2}  # N = 2; the edited p1, k1, k3 held
    assert conflicts(result) == EDITED
    assert {(c.entity, c.source_key): c.source_changed for c in result.cutover.conflicts} == {
        ("smart_process", "k1"): False, ("smart_process", "k3"): False, ("product", "p1"): False,
    }  # fmt: skip
    assert writes_since(portal, before) == {}, "a plan writes nothing"

    portal.load()
    assert writes_since(portal, before) == {"catalog.product.update": 2}
    listed = _products(portal)
    assert (listed["p2"]["detailText"], listed["p3"]["detailText"]) == (
        "шестигранная, класс 8", "плоская, увеличенная",
    )  # fmt: skip
    assert listed["p1"]["name"] == "Болт М8х40", "the portal edit is not overwritten"
    titles = {i["xmlId"].removeprefix(f"{NAME}/"): i["title"] for i in _items(portal)}
    assert titles == {"k1": "Договор № 1 (доп. соглашение)", "k2": "Договор № 2",
                      "k3": "Договор № 3 (архив)"}  # fmt: skip

    # the client takes the source's title for k1 and keeps the portal's product name
    _decide(planned.report, "k1", "взять из источника")
    _decide(planned.report, "p1", "оставить как на портале")
    before = portal.writes()
    again = Migration(workspace, transport=portal.transport).plan().result
    assert todo(again) == {("smart_process", "update"): 1}
    portal.load()
    assert writes_since(portal, before) == {"crm.item.update": 1}
    titles = {i["xmlId"].removeprefix(f"{NAME}/"): i["title"] for i in _items(portal)}
    assert titles["k1"] == "Договор № 1"
    assert titles["k3"] == "Договор № 3 (архив)"
    assert _products(portal)["p1"]["name"] == "Болт М8х40"
    settled = Migration(workspace, transport=portal.transport).plan().result
    assert todo(settled) == {}


ACTIVITIES = [
    ["ID", "Сущность", "ID сущности", "Тип", "Тема", "Описание", "Начало", "Ответственный",
     "Телефон или e-mail", "Дата создания", "Автор", "Длительность, мин", "Завершено",
     "Вложения"],
    ["a1", "Контакт", "ct1", "Входящий звонок", "Звонок", "договорились о встрече",
     "2021-03-12 14:05", "Петров Иван", "+79161112233", "2021-03-12 14:00", "Петров Иван",
     "7", "Да", ""],
    ["a2", "Сделка", "d1", "Встреча", "Встреча в офисе", "обсудили поставку",
     "2021-03-15 10:00", "Петров Иван", "sidorov@example.ru", "2021-03-14 09:00", "Петров Иван",
     "60", "Нет", ""],
]  # fmt: skip


def test_an_activity_edited_in_the_portal_is_a_conflict_its_dated_text_is_not(tmp_path):
    """The load writes the original date and author in front of an activity's text; a portal
    edit of its subject is a conflict, and that header alone is never one."""
    from pathlib import Path

    from tests.migrate.plan.workspace import make_workspace

    workspace = make_workspace(tmp_path)
    root = workspace.root
    deal = root / "mappings" / "deal.yaml"  # the portal has no UF_CRM_NOTE
    lines = deal.read_text(encoding="utf-8").splitlines(keepends=True)
    deal.write_text("".join(x for x in lines if "UF_CRM_NOTE" not in x), encoding="utf-8")
    preset = Path(__file__).parents[3] / "mappings" / "sample" / "activity.yaml"
    (root / "mappings" / "activity.yaml").write_text(preset.read_text("utf-8"), "utf-8")
    write_csv(root / "data" / "activities.csv", ACTIVITIES)
    config = root / "migration.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "owners:", "  activity: {files: [data/activities.csv]}\nowners:"
        ),
        encoding="utf-8",
    )
    portal = Portal(workspace)
    try:
        first = Migration(workspace, transport=portal.transport).plan().result
        assert first.count("activity", "create") == 2
        portal.load()
        time.sleep(2.1)
        listed = portal.call("crm.activity.list", {"select": ["ID", "ORIGIN_ID", "DESCRIPTION"]})
        ids = {r["ORIGIN_ID"]: int(r["ID"]) for r in listed}
        assert all("договорились" in r["DESCRIPTION"] or "обсудили" in r["DESCRIPTION"]
                   for r in listed)  # fmt: skip
        portal.call(
            "crm.activity.update", {"id": ids["a1"], "fields": {"SUBJECT": "Звонок (перезвонить)"}}
        )
        activities = [row[:] for row in ACTIVITIES]
        activities[2][5] = "обсудили поставку и сроки"  # a2 changes in the source
        write_csv(root / "data" / "activities.csv", activities)
        before = portal.writes()
        again = Migration(workspace, transport=portal.transport).plan().result
        assert todo(again) == {("activity", "update"): 1}
        assert conflicts(again) == {
            ("activity", "a1", "SUBJECT", "Звонок", "Звонок (перезвонить)", ""),
        }
        portal.load()
        assert writes_since(portal, before) == {"crm.activity.update": 1}
        rows = {
            r["ORIGIN_ID"]: r
            for r in portal.call(
                "crm.activity.list", {"select": ["ID", "ORIGIN_ID", "SUBJECT", "DESCRIPTION"]}
            )
        }
        assert rows["a1"]["SUBJECT"] == "Звонок (перезвонить)", "not overwritten"
        assert rows["a2"]["DESCRIPTION"].endswith("обсудили поставку и сроки")
    finally:
        portal.close()
