"""Deal product rows: ``crm.deal.productrows.{set,get}`` and ``crm.item.productrow.*``.

The portal derives the other prices of a row from what the client sends (recorded:
crm-item-productrow-add.md and -list.md, crm-deal-productrows-get.md): ``PRICE`` is the final
unit price (discount and tax applied); ``PRICE_EXCLUSIVE`` = PRICE without the tax,
``PRICE_NETTO`` = before the discount, ``PRICE_BRUTTO`` = before the discount with the tax,
each rounded to cents from the previous one. A money discount (``DISCOUNT_TYPE_ID`` 1) gives
the percent it amounts to, a percent discount (2) the money. ``TAX_RATE`` stays null when not
sent; ``PRICE_ACCOUNT`` is the price in the account currency, a string in legacy replies.
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._lists import page_of, parse_filter, parse_order
from loaders.sandbox._params import as_int, as_list, is_yes

__all__: list[str] = []

_FULL_DISCOUNT = (
    "Discount Sum (DISCOUNT_SUM) is required if Percentage Discount Type "
    "(DISCOUNT_TYPE_ID) is defined and Discount Rate (DISCOUNT_RATE) is 100%<br>"
)


def _number(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise RestError(400, "ERROR_CORE", f"Invalid value of {key}.") from None


def _prices(raw: dict[str, Any], catalog_price: float | None) -> dict[str, Any]:
    """The price columns of one row, as the portal computes them."""
    tax = _number(raw, "TAX_RATE")
    factor = 1 + (tax or 0) / 100
    kind = as_int(raw.get("DISCOUNT_TYPE_ID")) or 2
    rate, money = _number(raw, "DISCOUNT_RATE") or 0.0, _number(raw, "DISCOUNT_SUM")
    if kind == 2 and rate >= 100 and not money:
        raise RestError(400, "ERROR_CORE", _FULL_DISCOUNT)
    price = _number(raw, "PRICE")
    if price is None:
        price = _forward_price(raw, kind, rate, money or 0.0, factor, catalog_price)
    exclusive = round(price / factor, 2)
    if kind == 1:
        money = money or 0.0
        netto = round(exclusive + money, 2)
        rate = round(money / netto * 100, 2) if netto else 0.0
    else:
        netto = round(exclusive / (1 - rate / 100), 2) if rate < 100 else round(money or 0, 2)
        money = round(netto - exclusive, 2)
    return {"PRICE": price, "PRICE_EXCLUSIVE": exclusive, "PRICE_NETTO": netto,
            "PRICE_BRUTTO": round(netto * factor, 2), "DISCOUNT_TYPE_ID": kind,
            "DISCOUNT_RATE": rate, "DISCOUNT_SUM": money, "TAX_RATE": tax}  # fmt: skip


def _forward_price(raw: dict[str, Any], kind: int, rate: float, money: float, factor: float,
                   catalog_price: float | None) -> float:  # fmt: skip
    """No PRICE sent: from PRICE_NETTO (or the catalogue price) through discount and tax."""
    netto = _number(raw, "PRICE_NETTO")
    netto = catalog_price or 0.0 if netto is None else netto
    exclusive = netto - money if kind == 1 else netto * (1 - rate / 100)
    return exclusive * factor


def _row(ctx: Ctx, owner: int, raw: Any, sort: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise legacy_error("Parameter 'rows' must be array.")
    product_id = as_int(raw.get("PRODUCT_ID")) or 0
    product = ctx.store.get("product", product_id) if product_id else None
    if product_id and product is None:
        raise RestError(400, "ERROR_CORE", f"Product with ID {product_id} is not found.")
    catalog_name = str((product or {}).get("NAME") or "")
    name = str(raw.get("PRODUCT_NAME") or catalog_name)
    catalog_price = (product or {}).get("PRICE")
    row: dict[str, Any] = {"OWNER_ID": owner, "OWNER_TYPE": "D", "PRODUCT_ID": product_id,
                           "PRODUCT_NAME": name, "ORIGINAL_PRODUCT_NAME": catalog_name or name,
                           "PRODUCT_DESCRIPTION": (product or {}).get("DESCRIPTION")}  # fmt: skip
    row.update(_prices(raw, float(catalog_price) if catalog_price is not None else None))
    row["QUANTITY"] = _number(raw, "QUANTITY") if raw.get("QUANTITY") not in (None, "") else 1.0
    row["TAX_INCLUDED"] = "Y" if is_yes(raw.get("TAX_INCLUDED", "N")) else "N"
    row["MEASURE_CODE"] = as_int(raw.get("MEASURE_CODE")) or 796
    row["MEASURE_NAME"] = str(raw.get("MEASURE_NAME") or "шт")
    row["SORT"] = as_int(raw.get("SORT")) or sort
    row["XML_ID"] = str(raw.get("XML_ID") or "")
    row["TYPE"] = 1
    return row


@method("crm.deal.productrows.set")
def productrows_set(ctx: Ctx, params: dict[str, Any]) -> Reply:
    deal_id, deal = ctx.existing("deal", params)
    rows = [_row(ctx, deal_id, r, (i + 1) * 10) for i, r in enumerate(as_list(params.get("rows")))]
    for rid, old in list(ctx.store.table("productrow").items()):
        if old["OWNER_ID"] == deal_id and old["OWNER_TYPE"] == "D":
            ctx.store.delete("productrow", rid)
    for row in rows:
        ctx.store.insert("productrow", row)
    changed = {"TAX_VALUE": round(sum((r["PRICE"] - r["PRICE_EXCLUSIVE"]) * r["QUANTITY"]
                                      for r in rows), 2)}  # fmt: skip
    if deal.get("IS_MANUAL_OPPORTUNITY") != "Y" and rows:
        changed["OPPORTUNITY"] = round(sum(r["PRICE"] * r["QUANTITY"] for r in rows), 2)
    ctx.store.put("deal", deal_id, {**deal, **changed})
    ctx.touch(max(len(rows), 1))
    return Reply(True)


_LEGACY_KEYS = (
    "ID",
    "OWNER_ID",
    "OWNER_TYPE",
    "PRODUCT_ID",
    "PRODUCT_NAME",
    "ORIGINAL_PRODUCT_NAME",
    "PRODUCT_DESCRIPTION",
    "PRICE",
    "PRICE_EXCLUSIVE",
    "PRICE_NETTO",
    "PRICE_BRUTTO",
    "PRICE_ACCOUNT",
    "QUANTITY",
    "DISCOUNT_TYPE_ID",
    "DISCOUNT_RATE",
    "DISCOUNT_SUM",
    "TAX_RATE",
    "TAX_INCLUDED",
    "CUSTOMIZED",
    "MEASURE_CODE",
    "MEASURE_NAME",
    "SORT",
    "XML_ID",
    "TYPE",
    "STORE_ID",
    "RESERVE_ID",
    "DATE_RESERVE_END",
    "RESERVE_QUANTITY",
)  # fmt: skip (the keys and order the PHP SDK's live test pins, DealProductRowsTest)


def _legacy_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: row.get(key) for key in _LEGACY_KEYS}
    out.update(ID=str(row["ID"]), OWNER_ID=str(row["OWNER_ID"]), CUSTOMIZED="Y",
               PRICE_ACCOUNT=f"{row['PRICE']:.8f}")  # fmt: skip
    return out


def _deal_rows(ctx: Ctx, deal_id: int) -> list[dict[str, Any]]:
    rows = [r for r in ctx.store.table("productrow").values()
            if r["OWNER_ID"] == deal_id and r["OWNER_TYPE"] == "D"]  # fmt: skip
    return sorted(rows, key=lambda r: (r["SORT"], r["ID"]))


@method("crm.deal.productrows.get")
def productrows_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    if (as_int(params.get("id", params.get("ID"))) or 0) <= 0:
        raise RestError(400, "", "The parameter id is invalid or not defined.")
    deal_id, _ = ctx.existing("deal", params)
    rows = _deal_rows(ctx, deal_id)
    ctx.touch(max(len(rows), 1))
    return Reply([_legacy_row(r) for r in rows])


#: crm.item.productrow.* keys, in the order of the recorded replies
_ROW_FIELDS = {
    "id": "ID", "ownerId": "OWNER_ID", "ownerType": "OWNER_TYPE", "productId": "PRODUCT_ID",
    "productName": "PRODUCT_NAME", "price": "PRICE", "priceAccount": "PRICE",
    "priceExclusive": "PRICE_EXCLUSIVE", "priceNetto": "PRICE_NETTO",
    "priceBrutto": "PRICE_BRUTTO", "quantity": "QUANTITY", "discountTypeId": "DISCOUNT_TYPE_ID",
    "discountRate": "DISCOUNT_RATE", "discountSum": "DISCOUNT_SUM", "taxRate": "TAX_RATE",
    "taxIncluded": "TAX_INCLUDED", "customized": "CUSTOMIZED", "measureCode": "MEASURE_CODE",
    "measureName": "MEASURE_NAME", "sort": "SORT", "xmlId": "XML_ID", "type": "TYPE",
}  # fmt: skip


def _item_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {camel: row.get(upper) for camel, upper in _ROW_FIELDS.items()}
    out["customized"] = "Y"
    return out


@method("crm.item.productrow.list")
def item_productrow_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Product rows by ``filter`` (``=ownerType``/``=ownerId``/``@ownerId``), ORM paging."""

    def known(key: str) -> str | None:
        return _ROW_FIELDS.get(key[:1].lower() + key[1:])

    conds = parse_filter(params.get("filter"), known)
    order = parse_order(params.get("order"), known)
    table = ctx.store.table("productrow")
    rows, total, nxt = page_of(table, conds, order, params.get("start"), round_start=False)
    ctx.touch(max(len(rows), 1))
    return Reply({"productRows": [_item_row(r) for r in rows]}, total, nxt)
