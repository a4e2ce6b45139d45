"""Products and sections of the CRM catalogue, read and written through the deprecated
``crm.product.*``/``crm.productsection.*`` (here) and the current ``catalog.*`` (:mod:`._iblock`).

Both APIs see the same iblock elements, so a product has one record (legacy upper-case keys,
the trade-catalogue extras in ``CATALOG``) and one base price (catalogue group 1), mirrored in
``PRICE``/``CURRENCY_ID``. A new element's ``XML_ID`` is its id unless one is sent (recorded:
catalog-product-add.md).
"""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError
from loaders.sandbox._params import as_int, param_fields
from loaders.sandbox._refs import plain_list
from loaders.sandbox._schema import FieldDef, describe_field

__all__ = [
    "CATALOG_IBLOCK",
    "OFFERS_IBLOCK",
    "build_product",
    "build_section",
    "delete_product",
    "set_base_price",
]

#: The CRM product catalogue and its variations (offers) catalogue.
CATALOG_IBLOCK = 25
OFFERS_IBLOCK = 26
_PRODUCT_FIELDS = ("NAME", "PRICE", "CURRENCY_ID", "SECTION_ID", "SORT", "ACTIVE", "DESCRIPTION",
                   "DESCRIPTION_TYPE", "MEASURE", "VAT_ID", "VAT_INCLUDED", "XML_ID", "CATALOG_ID",
                   "CODE", "PREVIEW_TEXT", "PREVIEW_TEXT_TYPE")  # fmt: skip
#: crm.product.fields: the names the PHP SDK's live test pins (ProductItemResult); types a reading
PRODUCT_FIELDS: dict[str, FieldDef] = {
    "ID": FieldDef("integer", "ID", "O"), "CATALOG_ID": FieldDef("integer", "Catalog"),
    "PRICE": FieldDef("double", "Price"), "CURRENCY_ID": FieldDef("crm_currency", "Currency"),
    "NAME": FieldDef("string", "Name", "R"), "CODE": FieldDef("string", "Symbolic code"),
    "DESCRIPTION": FieldDef("string", "Description"),
    "DESCRIPTION_TYPE": FieldDef("string", "Description type"),
    "ACTIVE": FieldDef("char", "Active"), "SECTION_ID": FieldDef("integer", "Section"),
    "SORT": FieldDef("integer", "Sort"), "VAT_ID": FieldDef("integer", "VAT rate"),
    "VAT_INCLUDED": FieldDef("char", "VAT included"), "MEASURE": FieldDef("integer", "Unit"),
    "XML_ID": FieldDef("string", "External ID"),
    "PREVIEW_PICTURE": FieldDef("product_file", "Preview image"),
    "DETAIL_PICTURE": FieldDef("product_file", "Full image"),
    "DATE_CREATE": FieldDef("datetime", "Created on", "O"),
    "TIMESTAMP_X": FieldDef("datetime", "Modified on", "O"),
    "MODIFIED_BY": FieldDef("user", "Modified by", "O"),
    "CREATED_BY": FieldDef("user", "Created by", "O"),
}  # fmt: skip


def _price(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise RestError(400, "ERROR_CORE", 'The field "Price" has an invalid value.') from None


def _section_id(ctx: Ctx, value: Any) -> int | None:
    section = as_int(value)
    unset = value in (None, "", 0, "0")
    if not unset and (section is None or not ctx.store.get("productsection", section)):
        raise RestError(400, "ERROR_CORE", "Section is not found.")
    return section or None


def build_product(ctx: Ctx, fields: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """A product record from legacy-named ``fields`` (new when ``old`` is None)."""
    stamp = format_dt(ctx.now)
    base = old or {"ACTIVE": "Y", "SORT": 500, "CURRENCY_ID": "RUB", "CATALOG_ID": CATALOG_IBLOCK,
                   "DESCRIPTION_TYPE": "text", "PREVIEW_TEXT_TYPE": "text", "VAT_INCLUDED": "N",
                   "DATE_CREATE": stamp, "CREATED_BY": ctx.user_id, "CATALOG": {}}  # fmt: skip
    record = {**base, **{k: fields[k] for k in _PRODUCT_FIELDS if k in fields}}
    if not str(record.get("NAME") or "").strip():
        raise RestError(400, "ERROR_CORE", 'The "Name" field is required.')
    record["PRICE"] = _price(record.get("PRICE"))
    record["SECTION_ID"] = _section_id(ctx, record.get("SECTION_ID"))
    record["TIMESTAMP_X"], record["MODIFIED_BY"] = stamp, ctx.user_id
    code = re.sub(r"\W+", "_", str(record["NAME"]).lower()).strip("_")[:100]
    record.setdefault("CODE", code)
    return record


def set_base_price(ctx: Ctx, product: int, price: float | None, currency: str) -> None:
    """The product's base price (catalogue group 1), kept as a ``price`` record too."""
    for rid, row in list(ctx.store.table("price").items()):
        if row["PRODUCT_ID"] == product and row["CATALOG_GROUP_ID"] == 1:
            ctx.store.delete("price", rid)
    if price is not None:
        row = {"PRODUCT_ID": product, "CATALOG_GROUP_ID": 1, "PRICE": price,
               "CURRENCY": currency, "TIMESTAMP_X": format_dt(ctx.now)}  # fmt: skip
        ctx.store.insert("price", row)


def store_product(ctx: Ctx, record: dict[str, Any], rid: int | None = None) -> int:
    """Insert (``rid`` None) or replace a product; an empty XML_ID becomes the id."""
    if rid is None:
        rid = ctx.store.insert("product", record)
    if not record.get("XML_ID"):
        record["XML_ID"] = str(rid)
    ctx.store.put("product", rid, {**record, "ID": rid})
    set_base_price(ctx, rid, record.get("PRICE"), str(record.get("CURRENCY_ID") or "RUB"))
    return rid


def _product_out(rec: dict[str, Any]) -> dict[str, Any]:
    out = {name: (None if rec.get(name) is None else str(rec[name])) for name in PRODUCT_FIELDS}
    if rec.get("PRICE") is not None:
        out["PRICE"] = f"{rec['PRICE']:.2f}"
    return out


def _product(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return ctx.existing("product", params)


@method("crm.product.add")
def product_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    record = build_product(ctx, param_fields(params), None)
    ctx.touch()
    return Reply(store_product(ctx, record))


@method("crm.product.update")
def product_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, old = _product(ctx, params)
    store_product(ctx, build_product(ctx, param_fields(params), old), rid)
    ctx.touch()
    return Reply(True)


def delete_product(ctx: Ctx, rid: int) -> Reply:
    """Product ``rid`` and its prices go (``crm.product.delete``, ``catalog.product.delete``)."""
    ctx.store.delete("product", rid)
    set_base_price(ctx, rid, None, "")
    ctx.touch()
    return Reply(True)


@method("crm.product.delete")
def product_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return delete_product(ctx, _product(ctx, params)[0])


@method("crm.product.get")
def product_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _, record = _product(ctx, params)
    ctx.touch()
    return Reply(_product_out(record))


@method("crm.product.list")
def product_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "product", params, _product_out)


@method("crm.product.fields")
def product_fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply({name: describe_field(fdef) for name, fdef in PRODUCT_FIELDS.items()})


# -- sections ------------------------------------------------------------------------------------
def build_section(ctx: Ctx, fields: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """A section record from legacy-named ``fields``."""
    base = old or {"CATALOG_ID": CATALOG_IBLOCK, "SORT": 500, "ACTIVE": "Y",
                   "DESCRIPTION_TYPE": "text"}  # fmt: skip
    names = ("NAME", "CATALOG_ID", "SECTION_ID", "XML_ID", "CODE", "SORT", "ACTIVE",
             "DESCRIPTION", "DESCRIPTION_TYPE")  # fmt: skip
    record = {**base, **{k: fields[k] for k in names if k in fields}}
    if not str(record.get("NAME") or "").strip():
        raise RestError(400, "ERROR_CORE", 'The "Name" field is required.')
    record["SECTION_ID"] = _section_id(ctx, record.get("SECTION_ID"))
    record["CATALOG_ID"] = as_int(record.get("CATALOG_ID")) or CATALOG_IBLOCK
    record["SORT"] = as_int(record.get("SORT")) or 500
    return record


@method("crm.productsection.add")
def section_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    record = build_section(ctx, param_fields(params), None)
    ctx.touch()
    return Reply(ctx.store.insert("productsection", record))


@method("crm.productsection.update")
def section_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, old = ctx.existing("productsection", params)
    ctx.store.put("productsection", rid, build_section(ctx, param_fields(params), old))
    ctx.touch()
    return Reply(True)


@method("crm.productsection.list")
def section_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "productsection", params)


@method("crm.productsection.delete")
def section_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Deletes the section; its products and subsections stay, detached from it."""
    rid, _ = ctx.existing("productsection", params)
    delete_section(ctx, rid)
    return Reply(True)


def delete_section(ctx: Ctx, rid: int) -> None:
    ctx.store.delete("productsection", rid)
    for kind in ("product", "productsection"):
        for child_id, child in list(ctx.store.table(kind).items()):
            if child.get("SECTION_ID") == rid:
                ctx.store.put(kind, child_id, {**child, "SECTION_ID": None})
    ctx.touch()
