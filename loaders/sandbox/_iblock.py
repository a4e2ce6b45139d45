"""The trade catalogue API a current portal prefers (``crm.product.*`` is deprecated):
``catalog.catalog.list``, ``catalog.product.*``, ``catalog.section.*``, ``catalog.price.*``.

Replies follow catalog-product-{add,get,list,update}.md, catalog-section-add.md,
catalog-price-add.md and catalog-catalog-list.md (tests/loaders/sandbox/recorded/cases/
catalog.yaml): camelCase keys, typed numbers, ``purchasingPrice`` a 6-decimal string in
single-element replies and a number in lists, empty texts ``null``, errors with numeric codes.
Pictures and iblock properties are not emulated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loaders.sandbox._catalog import (
    CATALOG_IBLOCK,
    OFFERS_IBLOCK,
    build_product,
    build_section,
    delete_product,
    delete_section,
    set_base_price,
    store_product,
)
from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError
from loaders.sandbox._lists import page_of, parse_filter, parse_order, parse_select
from loaders.sandbox._params import as_dict, as_int
from loaders.sandbox._values import BadValue, parse_datetime

__all__: list[str] = []

#: catalog field → the product record's legacy key
_LEGACY = {"name": "NAME", "code": "CODE", "xmlId": "XML_ID", "active": "ACTIVE", "sort": "SORT",
           "iblockSectionId": "SECTION_ID", "iblockId": "CATALOG_ID", "measure": "MEASURE",
           "vatId": "VAT_ID", "vatIncluded": "VAT_INCLUDED", "detailText": "DESCRIPTION",
           "detailTextType": "DESCRIPTION_TYPE", "previewText": "PREVIEW_TEXT",
           "previewTextType": "PREVIEW_TEXT_TYPE", "dateCreate": "DATE_CREATE",
           "createdBy": "CREATED_BY", "modifiedBy": "MODIFIED_BY"}  # fmt: skip
#: trade-catalogue fields kept in the record's CATALOG map
_EXTRA = ("canBuyZero", "quantity", "quantityReserved", "quantityTrace", "subscribe", "weight",
          "width", "height", "length", "purchasingPrice", "purchasingCurrency", "dateActiveFrom",
          "dateActiveTo", "barcodeMulti", "recurSchemeLength", "recurSchemeType", "trialPriceId",
          "withoutOrder")  # fmt: skip
_INTS = frozenset({"createdBy", "modifiedBy", "iblockId", "iblockSectionId", "measure", "sort",
                   "vatId", "quantity", "quantityReserved", "weight", "width", "height", "length",
                   "recurSchemeLength", "trialPriceId"})  # fmt: skip
_DATES = frozenset({"dateActiveFrom", "dateActiveTo", "dateCreate"})
#: keys a list returns only when selected (single-element replies leave them out)
_LIST_ONLY = ("barcodeMulti", "recurSchemeLength", "recurSchemeType", "trialPriceId",
              "withoutOrder")  # fmt: skip
_ELEMENT = ("active", "available", "bundle", "canBuyZero", "code", "createdBy", "dateActiveFrom",
            "dateActiveTo", "dateCreate", "detailText", "detailTextType", "height", "iblockId",
            "iblockSectionId", "id", "length", "measure", "modifiedBy", "name", "previewText",
            "previewTextType", "purchasingCurrency", "purchasingPrice", "quantity",
            "quantityReserved", "quantityTrace", "sort", "subscribe", "timestampX", "type",
            "vatId", "vatIncluded", "weight", "width", "xmlId")  # fmt: skip
_DEFAULTS = {"canBuyZero": "N", "quantityTrace": "D", "subscribe": "D"}
_NO_PRODUCT = "The product does not exist"


def _typed(key: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if key in _INTS:
        number = as_int(value)
        return number if number is not None else value
    if key in _DATES:
        try:
            return parse_datetime(value)
        except BadValue:
            raise RestError(400, 0, f"Invalid value of {key}.") from None
    return value


def _fields(params: dict[str, Any]) -> dict[str, Any]:
    fields = as_dict(params.get("fields"), "fields", code="100")
    if not fields:
        raise RestError(400, 100, "Parameter fields not specified or empty")
    return fields


def _to_record(
    fields: dict[str, Any], old: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(legacy-named fields, catalogue extras) from camelCase ``fields``."""
    legacy = {_LEGACY[k]: _typed(k, v) for k, v in fields.items() if k in _LEGACY}
    extras = dict((old or {}).get("CATALOG") or _DEFAULTS)
    extras.update({k: _typed(k, v) for k, v in fields.items() if k in _EXTRA})
    return legacy, extras


def _view(rec: dict[str, Any], *, listing: bool) -> dict[str, Any]:
    """The product as catalog.* replies show it (every key, for filters and selects)."""
    out: dict[str, Any] = {key: rec.get(legacy) for key, legacy in _LEGACY.items()}
    extras = rec.get("CATALOG") or {}
    out.update({key: extras.get(key) for key in _EXTRA})
    out.update(id=rec["ID"], available="Y", bundle="N", type=1, timestampX=rec.get("TIMESTAMP_X"))
    for key in ("detailText", "previewText"):
        out[key] = out[key] or None
    price = extras.get("purchasingPrice")
    if price is not None:
        out["purchasingPrice"] = float(price) if listing else f"{float(price):.6f}"
    return {k: _typed(k, v) if k in _INTS else v for k, v in out.items()}


def _element(rec: dict[str, Any]) -> dict[str, Any]:
    view = _view(rec, listing=False)
    return {key: view[key] for key in _ELEMENT}


def _product(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rid = as_int(params.get("id"))
    if rid is None:
        raise RestError(400, 100, "Parameter id not specified")
    record = ctx.store.get("product", rid)
    if record is None:
        raise RestError(400, 0, _NO_PRODUCT)
    return rid, record


def _save(
    ctx: Ctx, fields: dict[str, Any], old: dict[str, Any] | None, rid: int | None
) -> dict[str, Any]:
    legacy, extras = _to_record(fields, old)
    iblock = legacy.get("CATALOG_ID") or (old or {}).get("CATALOG_ID")
    if iblock not in (CATALOG_IBLOCK, OFFERS_IBLOCK):
        raise RestError(400, 200040300000, "Information block with the specified identifier "
                                           "does not exist")  # fmt: skip
    record = build_product(ctx, legacy, old)
    record["CATALOG"] = extras
    if legacy.get("DATE_CREATE"):
        record["DATE_CREATE"] = legacy["DATE_CREATE"]
    record["CREATED_BY"] = legacy.get("CREATED_BY") or record.get("CREATED_BY")
    rid = store_product(ctx, record, rid)
    ctx.touch()
    result: dict[str, Any] = ctx.store.get("product", rid) or {}
    return result


@method("catalog.product.add")
def product_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply({"element": _element(_save(ctx, _fields(params), None, None))})


@method("catalog.product.update")
def product_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, old = _product(ctx, params)
    return Reply({"element": _element(_save(ctx, _fields(params), old, rid))})


@method("catalog.product.get")
def product_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _, record = _product(ctx, params)
    ctx.touch()
    return Reply({"product": _element(record)})


@method("catalog.product.delete")
def product_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return delete_product(ctx, _product(ctx, params)[0])


Page = tuple[list[dict[str, Any]], int | None, int | None]


def _listing(
    ctx: Ctx, kind: str, params: dict[str, Any], view: Callable[[dict[str, Any]], dict[str, Any]]
) -> Page:
    """Rows of ``kind`` as ``view`` shows them, filtered, ordered and paged (ORM offsets)."""
    views = {rid: view(rec) for rid, rec in ctx.store.table(kind).items()}
    known = next(iter(views.values()), {}).keys() | {"id"}

    def names(key: str) -> str | None:
        return key if key in known else None

    conds = parse_filter(params.get("filter"), names)
    order = parse_order(params.get("order"), names)
    order = [("ID" if f == "id" else f, d) for f, d in order]

    def get(rec: dict[str, Any], name: str) -> Any:
        return rec.get("id" if name == "ID" else name)

    rows, total, nxt = page_of(views, conds, order, params.get("start"), get=get,
                               round_start=False)  # fmt: skip
    select = parse_select(params.get("select"))
    if select:
        rows = [{k: row.get(k) for k in select if k in row} for row in rows]
    ctx.touch(max(len(rows), 1))
    return rows, total, nxt


@method("catalog.product.list")
def product_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    def view(rec: dict[str, Any]) -> dict[str, Any]:
        return {"ID": rec["ID"], **_view(rec, listing=True)}

    if not parse_select(params.get("select")):
        params = {**params, "select": ["id", *(k for k in _ELEMENT if k != "id")]}
    rows, total, nxt = _listing(ctx, "product", params, view)
    return Reply({"products": rows}, total, nxt)


# -- sections ------------------------------------------------------------------------------------
_SECTION = {"name": "NAME", "code": "CODE", "xmlId": "XML_ID", "active": "ACTIVE", "sort": "SORT",
            "iblockId": "CATALOG_ID", "iblockSectionId": "SECTION_ID",
            "description": "DESCRIPTION", "descriptionType": "DESCRIPTION_TYPE"}  # fmt: skip


def _section_view(rec: dict[str, Any]) -> dict[str, Any]:
    out = {key: rec.get(legacy) for key, legacy in _SECTION.items()}
    out["id"] = rec["ID"]
    return dict(sorted(out.items()))


def _section(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rid = as_int(params.get("id"))
    record = ctx.store.get("productsection", rid) if rid is not None else None
    if rid is None or record is None:
        raise RestError(400, 0, "Section is not exists")
    return rid, record


def _section_fields(params: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(params)
    return {_SECTION[k]: v for k, v in fields.items() if k in _SECTION}


@method("catalog.section.add")
def section_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid = ctx.store.insert("productsection", build_section(ctx, _section_fields(params), None))
    ctx.touch()
    return Reply({"section": _section_view(ctx.store.get("productsection", rid) or {})})


@method("catalog.section.update")
def section_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, old = _section(ctx, params)
    ctx.store.put("productsection", rid, build_section(ctx, _section_fields(params), old))
    ctx.touch()
    return Reply({"section": _section_view(ctx.store.get("productsection", rid) or {})})


@method("catalog.section.delete")
def section_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, _ = _section(ctx, params)
    delete_section(ctx, rid)
    return Reply(True)


@method("catalog.section.list")
def section_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    def view(rec: dict[str, Any]) -> dict[str, Any]:
        return {"ID": rec["ID"], **_section_view(rec)}

    rows, total, nxt = _listing(ctx, "productsection", params, view)
    return Reply({"sections": [{k: v for k, v in r.items() if k != "ID"} for r in rows]},
                 total, nxt)  # fmt: skip


# -- prices and catalogues -------------------------------------------------------------------------
def _price_view(rec: dict[str, Any]) -> dict[str, Any]:
    return {"catalogGroupId": rec["CATALOG_GROUP_ID"], "currency": rec["CURRENCY"],
            "extraId": None, "id": rec["ID"], "price": rec["PRICE"], "productId": rec["PRODUCT_ID"],
            "quantityFrom": None, "quantityTo": None, "timestampX": rec["TIMESTAMP_X"]}  # fmt: skip


@method("catalog.price.add")
def price_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """A price of a product; the base one (group 1) is the product's price."""
    fields = _fields(params)
    product_id, group = as_int(fields.get("productId")), as_int(fields.get("catalogGroupId")) or 1
    product = ctx.store.get("product", product_id or 0)
    if product_id is None or product is None:
        raise RestError(400, 0, _NO_PRODUCT)
    try:
        price = float(fields.get("price"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RestError(400, 0, "Invalid value of price.") from None
    currency = str(fields.get("currency") or "RUB")
    if group == 1:
        ctx.store.put("product", product_id, {**product, "PRICE": price, "CURRENCY_ID": currency})
        set_base_price(ctx, product_id, price, currency)
    else:
        ctx.store.insert("price", {"PRODUCT_ID": product_id, "CATALOG_GROUP_ID": group,
                                   "PRICE": price, "CURRENCY": currency,
                                   "TIMESTAMP_X": format_dt(ctx.now)})  # fmt: skip
    rows = [r for r in ctx.store.table("price").values()
            if r["PRODUCT_ID"] == product_id and r["CATALOG_GROUP_ID"] == group]  # fmt: skip
    ctx.touch()
    return Reply({"price": _price_view(rows[-1])})


@method("catalog.price.modify")
def price_modify(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The product's prices become exactly these: one with an ``id`` is changed, one without
    is added, the others are deleted (catalog-price-modify.md)."""
    product = as_dict(_fields(params).get("product"), "product", code="100")
    product_id = as_int(product.get("id"))
    record = ctx.store.get("product", product_id or 0)
    if product_id is None or record is None:
        raise RestError(400, 0, _NO_PRODUCT)
    wanted = [p for p in product.get("prices") or [] if isinstance(p, dict)]
    if any(p.get("price") in (None, "") or not p.get("currency") for p in wanted):
        raise RestError(400, 0, "Required fields: price, currency")
    old = {rid: r for rid, r in ctx.store.table("price").items() if r["PRODUCT_ID"] == product_id}
    kept = {as_int(p.get("id")) for p in wanted} - {None}
    for rid in old.keys() - kept:
        ctx.store.delete("price", rid)
    out = []
    for price in wanted:
        group = as_int(price.get("catalogGroupId")) or 1
        row = {"PRODUCT_ID": product_id, "CATALOG_GROUP_ID": group, "PRICE": float(price["price"]),
               "CURRENCY": str(price["currency"]), "TIMESTAMP_X": format_dt(ctx.now)}  # fmt: skip
        known = as_int(price.get("id"))
        if known is not None and known in old:
            rid = known
            ctx.store.put("price", rid, {**row, "ID": rid})
        else:
            rid = ctx.store.insert("price", row)
        out.append({**_price_view({**row, "ID": rid}), "priceScale": row["PRICE"]})
        if row["CATALOG_GROUP_ID"] == 1:
            ctx.store.put("product", product_id, {**record, "PRICE": row["PRICE"],
                                                  "CURRENCY_ID": row["CURRENCY"]})  # fmt: skip
    ctx.touch(max(len(out), 1))
    return Reply({"prices": out})


@method("catalog.priceType.list")
def price_type_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The price types: the base one (``BASE``, id 1) and a wholesale one
    (catalog-price-type-list.md)."""
    types = {1: {"ID": 1, "id": 1, "name": "BASE", "xmlId": "BASE", "base": "Y", "sort": 100},
             2: {"ID": 2, "id": 2, "name": "Оптовая цена", "xmlId": "basewholesale", "base": "N",
                 "sort": 200}}  # fmt: skip

    def names(key: str) -> str | None:
        return key if key in types[1] else None

    conds = parse_filter(params.get("filter"), names)
    rows, total, nxt = page_of(types, conds, [("ID", False)], params.get("start"),
                               round_start=False)  # fmt: skip
    select = parse_select(params.get("select")) or ["id", "name", "xmlId", "base", "sort"]
    ctx.touch()
    return Reply({"priceTypes": [{k: r[k] for k in select if k in r} for r in rows]}, total, nxt)


#: A new portal's units: ids and codes 1-4 as catalog-measure-list.md's reply gives them,
#: «Штука» (OKEI 796) the default unit every Bitrix24 catalogue starts with.
_MEASURES = {
    i: {"ID": i, "id": i, "code": code, "measureTitle": title, "symbol": symbol,
        "symbolIntl": intl, "symbolLetterIntl": letter, "isDefault": "Y" if code == 796 else "N"}
    for i, code, title, symbol, intl, letter in (
        (1, 6, "Метр", "м", "m", "MTR"), (2, 112, "Литр", "л", "l", "LTR"),
        (3, 163, "Грамм", "г", "g", "GRM"), (4, 166, "Килограмм", "кг", "kg", "KGM"),
        (5, 796, "Штука", "шт", "pc. 1", "PCE"),
    )
}  # fmt: skip


@method("catalog.measure.list")
def measure_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The catalogue's units of measure (catalog-measure-list.md: ``{"measures": [...]}``)."""

    def names(key: str) -> str | None:
        return key if key in _MEASURES[1] else None

    conds = parse_filter(params.get("filter"), names)
    rows, total, nxt = page_of(_MEASURES, conds, [("ID", False)], params.get("start"),
                               round_start=False)  # fmt: skip
    select = parse_select(params.get("select")) or [k for k in _MEASURES[1] if k != "ID"]
    ctx.touch()
    return Reply({"measures": [{k: r[k] for k in select if k in r} for r in rows]}, total, nxt)


#: A new Russian portal's VAT rates: 2 and 3 as catalog-vat-list.md's reply gives them, «Без
#: НДС» (no rate) and 10% beside them.
_VATS = {
    i: {"ID": i, "id": i, "name": name, "rate": rate, "active": "Y", "sort": 100 * i}
    for i, name, rate in ((1, "Без НДС", None), (2, "НДС 0%", 0), (3, "НДС 20%", 20),
                          (4, "НДС 10%", 10))
}  # fmt: skip


@method("catalog.vat.list")
def vat_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The catalogue's VAT rates (catalog-vat-list.md: ``{"vats": [...]}``)."""

    def names(key: str) -> str | None:
        return key if key in _VATS[1] else None

    conds = parse_filter(params.get("filter"), names)
    rows, total, nxt = page_of(_VATS, conds, [("ID", False)], params.get("start"),
                               round_start=False)  # fmt: skip
    select = parse_select(params.get("select")) or [k for k in _VATS[1] if k != "ID"]
    ctx.touch()
    return Reply({"vats": [{k: r[k] for k in select if k in r} for r in rows]}, total, nxt)


@method("catalog.price.list")
def price_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    def view(rec: dict[str, Any]) -> dict[str, Any]:
        return {"ID": rec["ID"], **_price_view(rec)}

    rows, total, nxt = _listing(ctx, "price", params, view)
    return Reply({"prices": [{k: v for k, v in r.items() if k != "ID"} for r in rows]},
                 total, nxt)  # fmt: skip


_CATALOGS: list[dict[str, Any]] = [
    {"ID": CATALOG_IBLOCK, "iblockId": CATALOG_IBLOCK, "iblockTypeId": 0, "id": CATALOG_IBLOCK,
     "lid": "s1", "name": "Товары CRM", "productIblockId": None, "skuPropertyId": None,
     "subscription": "N", "vatId": 1},
    {"ID": OFFERS_IBLOCK, "iblockId": OFFERS_IBLOCK, "iblockTypeId": 0, "id": OFFERS_IBLOCK,
     "lid": "s1", "name": "Товары CRM (предложения)", "productIblockId": CATALOG_IBLOCK,
     "skuPropertyId": 97, "subscription": "N", "vatId": 1},
]  # fmt: skip


@method("catalog.catalog.list")
def catalog_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The CRM catalogue and its offers (variations) catalogue."""

    def names(key: str) -> str | None:
        return key if key in _CATALOGS[0] else None

    conds = parse_filter(params.get("filter"), names)
    order = parse_order(params.get("order"), names)
    table: dict[int, dict[str, Any]] = {int(c["ID"]): c for c in _CATALOGS}
    rows, total, nxt = page_of(table, conds, [("ID" if f == "id" else f, d) for f, d in order],
                               params.get("start"), round_start=False)  # fmt: skip
    select = parse_select(params.get("select")) or [k for k in _CATALOGS[0] if k != "ID"]
    ctx.touch()
    return Reply({"catalogs": [{k: r[k] for k in select if k in r} for r in rows]}, total, nxt)
