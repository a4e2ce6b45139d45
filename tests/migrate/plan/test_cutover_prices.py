"""Cut-over: a product price edited in the portal (which does not move the product's
``timestampX``) is a conflict when the new export changes that price too; held until the
client decides, then written on "take source"."""

from __future__ import annotations

import pytest

from migrate.run import Migration
from tests.migrate.plan.test_cutover import _decide, conflicts, todo
from tests.migrate.plan.test_cutover_items import PRODUCTS, _products, _with_products
from tests.migrate.plan.test_smart_process import TITLE
from tests.migrate.plan.test_smart_process import _workspace as smart_workspace
from tests.migrate.plan.workspace import Portal, write_csv


def _modifies(portal: Portal) -> int:
    """``catalog.price.modify`` calls so far (a write ``Portal.writes`` does not count)."""
    return int(portal.app.stats()["methods"].get("catalog.price.modify", 0))


def _price(portal: Portal, key: str) -> float:
    product = _products(portal)[key]
    (row,) = portal.call("catalog.price.list", {"filter": {"productId": product["id"]},
                                                "select": ["price"]})["prices"]  # fmt: skip
    return float(row["price"])


@pytest.fixture
def loaded(tmp_path):
    """Products loaded; p2's price (3.10) then changed to 4.00 by a portal user."""
    workspace = _with_products(smart_workspace(tmp_path))
    portal = Portal(workspace, smart_processes=(TITLE,))
    Migration(workspace, transport=portal.transport).plan()
    portal.load()
    product = _products(portal)["p2"]
    portal.call("catalog.price.modify", {"fields": {"product": {"id": product["id"], "prices": [
        {"catalogGroupId": 1, "price": 4.0, "currency": "RUB"}]}}})  # fmt: skip
    assert _price(portal, "p2") == 4.0
    yield workspace, portal
    portal.close()


def _export(workspace, prices: dict[str, str]) -> None:
    rows = [row[:] for row in PRODUCTS]
    for row in rows[1:]:
        row[2] = prices.get(row[0], row[2])
    write_csv(workspace.root / "data" / "products.csv", rows)


def test_a_price_edited_in_the_portal_is_a_conflict_then_taken_from_the_source(loaded):
    workspace, portal = loaded
    _export(workspace, {"p2": "3.50", "p3": "1.40"})
    before = _modifies(portal)
    planned = Migration(workspace, transport=portal.transport).plan()
    assert todo(planned.result) == {("product_prices", "set"): 1}, "p3's price only"
    assert conflicts(planned.result) == {
        ("product_prices", "p2", "PRICES", "3.50 RUB (1)", "4.0 RUB (1)", ""),
    }
    portal.load()
    assert _modifies(portal) - before == 1, "p3's prices only"
    assert (_price(portal, "p2"), _price(portal, "p3")) == (4.0, 1.4), "the edit is kept"

    _decide(planned.report, "p2", "взять из источника")
    again = Migration(workspace, transport=portal.transport).plan().result
    assert todo(again) == {("product_prices", "set"): 1}
    portal.load()
    assert _price(portal, "p2") == 3.5
    settled = Migration(workspace, transport=portal.transport).plan().result
    assert todo(settled) == {}
    assert conflicts(settled) == set()


def test_a_price_edited_in_the_portal_is_no_conflict_while_the_source_keeps_it(loaded):
    workspace, portal = loaded
    before = _modifies(portal)
    planned = Migration(workspace, transport=portal.transport).plan().result
    assert todo(planned) == {}
    assert conflicts(planned) == set()
    portal.load()
    assert _modifies(portal) == before
    assert _price(portal, "p2") == 4.0
