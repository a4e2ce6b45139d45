"""Requisites and presets, products, product sections and deal product rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._lists import page_of, parse_filter, parse_order
from loaders.sandbox._params import as_int, as_list, is_yes, param_fields
from loaders.sandbox._refs import plain_list, string_row

__all__: list[str] = []

_REQUISITE_FIELDS = (
    "ENTITY_TYPE_ID",
    "ENTITY_ID",
    "PRESET_ID",
    "NAME",
    "ACTIVE",
    "SORT",
    "XML_ID",
    "ORIGINATOR_ID",
    "CODE",
    "RQ_INN",
    "RQ_KPP",
    "RQ_OGRN",
    "RQ_OGRNIP",
    "RQ_OKPO",
    "RQ_COMPANY_NAME",
    "RQ_COMPANY_FULL_NAME",
    "RQ_DIRECTOR",
    "RQ_ACCOUNTANT",
    "RQ_FIRST_NAME",
    "RQ_LAST_NAME",
    "RQ_SECOND_NAME",
)
_PRODUCT_FIELDS = (
    "NAME",
    "PRICE",
    "CURRENCY_ID",
    "SECTION_ID",
    "SORT",
    "ACTIVE",
    "DESCRIPTION",
    "DESCRIPTION_TYPE",
    "MEASURE",
    "VAT_ID",
    "VAT_INCLUDED",
    "XML_ID",
    "CATALOG_ID",
    "CODE",
)
_ROW_NUMBERS = (
    "PRICE",
    "PRICE_EXCLUSIVE",
    "PRICE_NETTO",
    "PRICE_BRUTTO",
    "QUANTITY",
    "DISCOUNT_RATE",
    "DISCOUNT_SUM",
    "TAX_RATE",
)


def _copy(fields: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: fields[k] for k in names if k in fields}


# -- requisites ----------------------------------------------------------------------------------
def _requisite(ctx: Ctx, fields: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    record = {**(old or {"ACTIVE": "Y", "SORT": 500}), **_copy(fields, _REQUISITE_FIELDS)}
    entity_type = as_int(record.get("ENTITY_TYPE_ID"))
    if entity_type not in (3, 4):
        raise legacy_error("ENTITY_TYPE_ID is not defined or invalid.")
    owner = as_int(record.get("ENTITY_ID"))
    kind = "contact" if entity_type == 3 else "company"
    if owner is None or ctx.store.get(kind, owner) is None:
        raise legacy_error("ENTITY_ID is not defined or invalid.")
    preset = as_int(record.get("PRESET_ID"))
    if preset is None or ctx.store.get("preset", preset) is None:
        raise legacy_error("PRESET_ID is not defined or invalid.")
    if not str(record.get("NAME") or "").strip():
        raise legacy_error("NAME is not defined or invalid.")
    record.update(ENTITY_TYPE_ID=entity_type, ENTITY_ID=owner, PRESET_ID=preset)
    record["DATE_MODIFY" if old else "DATE_CREATE"] = format_dt(ctx.now)
    return record


Builder = Callable[[Ctx, dict[str, Any], dict[str, Any] | None], dict[str, Any]]


def _register_crud(
    kind: str, build: Builder, render: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    """``crm.<kind>.{add,update,delete,get,list}`` over a builder that validates fields."""

    @method(f"crm.{kind}.add")
    def add(ctx: Ctx, params: dict[str, Any]) -> Reply:
        record = build(ctx, param_fields(params), None)
        ctx.touch()
        return Reply(ctx.store.insert(kind, record))

    @method(f"crm.{kind}.update")
    def update(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid, old = ctx.existing(kind, params)
        ctx.store.put(kind, rid, build(ctx, param_fields(params), old))
        ctx.touch()
        return Reply(True)

    @method(f"crm.{kind}.delete")
    def delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid, _ = ctx.existing(kind, params)
        ctx.store.delete(kind, rid)
        ctx.touch()
        return Reply(True)

    @method(f"crm.{kind}.get")
    def get(ctx: Ctx, params: dict[str, Any]) -> Reply:
        _, record = ctx.existing(kind, params)
        ctx.touch()
        return Reply(render(record))

    @method(f"crm.{kind}.list")
    def list_(ctx: Ctx, params: dict[str, Any]) -> Reply:
        return plain_list(ctx, kind, params, render)


# -- products -------------------------------------------------------------------------------------
def _product(ctx: Ctx, fields: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    record = {
        **(old or {"ACTIVE": "Y", "SORT": 500, "CURRENCY_ID": "RUB", "CATALOG_ID": 25}),
        **_copy(fields, _PRODUCT_FIELDS),
    }
    if not str(record.get("NAME") or "").strip():
        raise RestError(400, "ERROR_CORE", 'The "Name" field is required.')
    if record.get("PRICE") not in (None, ""):
        try:
            record["PRICE"] = float(str(record["PRICE"]).replace(",", "."))
        except ValueError:
            raise RestError(400, "ERROR_CORE", 'The field "Price" has an invalid value.') from None
    section = as_int(record.get("SECTION_ID"))
    if record.get("SECTION_ID") and (
        section is None or not ctx.store.get("productsection", section)
    ):
        raise RestError(400, "ERROR_CORE", "Section is not found.")
    record["SECTION_ID"] = section
    code = re.sub(r"\W+", "_", str(record["NAME"]).lower()).strip("_")[:100]
    record.setdefault("CODE", code)
    return record


def _product_out(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: (None if v is None else str(v)) for k, v in rec.items()}
    if rec.get("PRICE") is not None:
        out["PRICE"] = f"{rec['PRICE']:.2f}"
    return out


@method("crm.productsection.add")
def section_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = param_fields(params)
    if not str(fields.get("NAME") or "").strip():
        raise RestError(400, "ERROR_CORE", 'The "Name" field is required.')
    parent = as_int(fields.get("SECTION_ID"))
    record = {
        "NAME": str(fields["NAME"]),
        "CATALOG_ID": as_int(fields.get("CATALOG_ID")) or 25,
        "SECTION_ID": parent,
        "XML_ID": fields.get("XML_ID"),
        "CODE": fields.get("CODE"),
    }
    ctx.touch()
    return Reply(ctx.store.insert("productsection", record))


@method("crm.productsection.list")
def section_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "productsection", params)


@method("crm.productsection.delete")
def section_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Deletes the section; its products and subsections stay, detached from it."""
    rid, _ = ctx.existing("productsection", params)
    ctx.store.delete("productsection", rid)
    for kind in ("product", "productsection"):
        for child_id, child in list(ctx.store.table(kind).items()):
            if child.get("SECTION_ID") == rid:
                ctx.store.put(kind, child_id, {**child, "SECTION_ID": None})
    ctx.touch()
    return Reply(True)


def _row(ctx: Ctx, deal_id: int, raw: Any, sort: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise legacy_error("Parameter 'rows' must be array.")
    row: dict[str, Any] = {"OWNER_ID": deal_id, "OWNER_TYPE": "D", "SORT": sort}
    product_id = as_int(raw.get("PRODUCT_ID")) or 0
    product = ctx.store.get("product", product_id) if product_id else None
    if product_id and product is None:
        raise RestError(400, "ERROR_CORE", f"Product with ID {product_id} is not found.")
    row["PRODUCT_ID"] = product_id
    row["PRODUCT_NAME"] = str(raw.get("PRODUCT_NAME") or (product or {}).get("NAME") or "")
    for key in _ROW_NUMBERS:
        try:
            row[key] = float(raw.get(key) or (1.0 if key == "QUANTITY" else 0.0))
        except (TypeError, ValueError):
            raise RestError(400, "ERROR_CORE", f"Invalid value of {key}.") from None
    if not row["PRICE"] and product and product.get("PRICE"):
        row["PRICE"] = float(product["PRICE"])
    row["DISCOUNT_TYPE_ID"] = as_int(raw.get("DISCOUNT_TYPE_ID")) or 2
    if row["DISCOUNT_RATE"] == 100 and not row["DISCOUNT_SUM"]:
        raise RestError(
            400,
            "ERROR_CORE",
            "Discount Sum (DISCOUNT_SUM) is required if the "
            "discount type is percent and DISCOUNT_RATE is 100%",
        )
    row["TAX_INCLUDED"] = "Y" if is_yes(raw.get("TAX_INCLUDED", "N")) else "N"
    row["MEASURE_CODE"] = as_int(raw.get("MEASURE_CODE")) or 796
    row["MEASURE_NAME"] = str(raw.get("MEASURE_NAME") or "шт")
    row["SORT"] = as_int(raw.get("SORT")) or sort
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
    if deal.get("IS_MANUAL_OPPORTUNITY") != "Y" and rows:
        total = sum(r["PRICE"] * r["QUANTITY"] for r in rows)
        ctx.store.put("deal", deal_id, {**deal, "OPPORTUNITY": round(total, 2)})
    ctx.touch(max(len(rows), 1))
    return Reply(True)


@method("crm.deal.productrows.get")
def productrows_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    deal_id, _ = ctx.existing("deal", params)
    rows = [
        r
        for r in ctx.store.table("productrow").values()
        if r["OWNER_ID"] == deal_id and r["OWNER_TYPE"] == "D"
    ]
    ctx.touch(max(len(rows), 1))
    return Reply(
        [
            {
                **r,
                "ID": str(r["ID"]),
                "OWNER_ID": str(deal_id),
                "PRICE_ACCOUNT": r["PRICE"],
                "CUSTOMIZED": "Y",
                "TYPE": 1,
                "STORE_ID": None,
                "XML_ID": None,
            }
            for r in sorted(rows, key=lambda r: (r["SORT"], r["ID"]))
        ]
    )


#: crm.item.productrow.* field names (captured real reply crm_item_productrow_list)
_ROW_FIELDS = {
    "id": "ID", "ownerId": "OWNER_ID", "ownerType": "OWNER_TYPE", "productId": "PRODUCT_ID",
    "productName": "PRODUCT_NAME", "price": "PRICE", "priceAccount": "PRICE",
    "priceExclusive": "PRICE_EXCLUSIVE", "priceNetto": "PRICE_NETTO",
    "priceBrutto": "PRICE_BRUTTO", "quantity": "QUANTITY", "discountTypeId": "DISCOUNT_TYPE_ID",
    "discountRate": "DISCOUNT_RATE", "discountSum": "DISCOUNT_SUM", "taxRate": "TAX_RATE",
    "taxIncluded": "TAX_INCLUDED", "measureCode": "MEASURE_CODE", "measureName": "MEASURE_NAME",
    "sort": "SORT",
}  # fmt: skip


def _item_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {camel: row.get(upper) for camel, upper in _ROW_FIELDS.items()}
    out.update(customized="Y", xmlId="", type=1)
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


_register_crud("requisite", _requisite, string_row)
_register_crud("product", _product, _product_out)
