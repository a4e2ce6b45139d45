"""Requisites, products and product rows, deal contacts, history, duplicates, user fields."""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error, not_found
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes
from loaders.sandbox._refs import plain_list
from loaders.sandbox._schema import ENTITIES

__all__ = ["normalize_phone"]

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
_ENTITY_TYPES = {"lead": 1, "deal": 2, "contact": 3, "company": 4}


def _id(params: dict[str, Any], key: str = "id") -> int:
    rid = as_int(params.get(key, params.get(key.upper())))
    if rid is None or rid <= 0:
        raise legacy_error("ID is not defined or invalid.")
    return rid


def _copy(fields: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: fields[k] for k in names if k in fields}


def _fields(params: dict[str, Any]) -> dict[str, Any]:
    if "fields" not in params:
        raise legacy_error("Parameter 'fields' must be array.")
    return as_dict(params["fields"], "fields")


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


@method("crm.requisite.add")
def requisite_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    record = _requisite(ctx, _fields(params), None)
    ctx.touch()
    return Reply(ctx.store.insert("requisite", record))


@method("crm.requisite.update")
def requisite_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid = _id(params)
    old = ctx.store.get("requisite", rid)
    if old is None:
        raise not_found()
    ctx.store.put("requisite", rid, _requisite(ctx, _fields(params), old))
    ctx.touch()
    return Reply(True)


@method("crm.requisite.list")
def requisite_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "requisite", params)


def _delete(kind: str) -> Any:
    def delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid = _id(params)
        if ctx.store.get(kind, rid) is None:
            raise not_found()
        ctx.store.delete(kind, rid)
        ctx.touch()
        return Reply(True)

    return delete


method("crm.requisite.delete")(_delete("requisite"))
method("crm.product.delete")(_delete("product"))


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


@method("crm.product.add")
def product_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    record = _product(ctx, _fields(params), None)
    ctx.touch()
    return Reply(ctx.store.insert("product", record))


@method("crm.product.update")
def product_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid = _id(params)
    old = ctx.store.get("product", rid)
    if old is None:
        raise not_found()
    ctx.store.put("product", rid, _product(ctx, _fields(params), old))
    ctx.touch()
    return Reply(True)


def _product_out(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: (None if v is None else str(v)) for k, v in rec.items()}
    if rec.get("PRICE") is not None:
        out["PRICE"] = f"{rec['PRICE']:.2f}"
    return out


@method("crm.product.get")
def product_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    record = ctx.store.get("product", _id(params))
    if record is None:
        raise not_found()
    ctx.touch()
    return Reply(_product_out(record))


@method("crm.product.list")
def product_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "product", params, _product_out)


@method("crm.productsection.add")
def section_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = _fields(params)
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
    deal_id = _id(params)
    deal = ctx.store.get("deal", deal_id)
    if deal is None:
        raise not_found()
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
    deal_id = _id(params)
    if ctx.store.get("deal", deal_id) is None:
        raise not_found()
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


# -- deal contacts ---------------------------------------------------------------------------------
@method("crm.deal.contact.items.set")
def deal_contacts_set(ctx: Ctx, params: dict[str, Any]) -> Reply:
    deal_id = _id(params)
    deal = ctx.store.get("deal", deal_id)
    if deal is None:
        raise not_found()
    items = []
    for i, item in enumerate(as_list(params.get("items"))):
        contact = as_int(item.get("CONTACT_ID")) if isinstance(item, dict) else None
        if contact is None or ctx.store.get("contact", contact) is None:
            raise legacy_error("CONTACT_ID is not defined or invalid.")
        primary = is_yes(item.get("IS_PRIMARY", "N"))
        items.append((not primary, as_int(item.get("SORT")) or (i + 1) * 10, contact))
    ids = [c for _, _, c in sorted(items)]
    ctx.store.put(
        "deal", deal_id, {**deal, "CONTACT_IDS": ids, "CONTACT_ID": ids[0] if ids else None}
    )
    ctx.touch(max(len(ids), 1))
    return Reply(True)


@method("crm.deal.contact.items.get")
def deal_contacts_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    deal = ctx.store.get("deal", _id(params))
    if deal is None:
        raise not_found()
    ids = deal.get("CONTACT_IDS") or []
    ctx.touch(max(len(ids), 1))
    return Reply(
        [
            {
                "CONTACT_ID": c,
                "SORT": (i + 1) * 10,
                "ROLE_ID": 0,
                "IS_PRIMARY": "Y" if i == 0 else "N",
            }
            for i, c in enumerate(ids)
        ]
    )


# -- history ---------------------------------------------------------------------------------------
def _owner_kind(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text not in _ENTITY_TYPES:
        raise RestError(400, "INVALID_ARG_VALUE", "Invalid value of ENTITY_TYPE.")
    return text


@method("crm.timeline.comment.add")
def comment_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = as_dict(params.get("fields"), "fields")
    kind = _owner_kind(fields.get("ENTITY_TYPE"))
    owner = as_int(fields.get("ENTITY_ID"))
    if owner is None or ctx.store.get(kind, owner) is None:
        raise RestError(400, "OWNER_NOT_FOUND", "Owner entity not found.")
    text = str(fields.get("COMMENT") or "").strip()
    if not text:
        raise RestError(400, "INVALID_ARG_VALUE", "Empty comment.")
    record = {
        "ENTITY_TYPE": kind,
        "ENTITY_ID": owner,
        "COMMENT": text,
        "AUTHOR_ID": as_int(fields.get("AUTHOR_ID")) or ctx.user_id,
        "CREATED": format_dt(ctx.now),
    }
    ctx.touch()
    return Reply(ctx.store.insert("comment", record))


@method("crm.timeline.comment.list")
def comment_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "comment", params)


@method("crm.activity.add")
def activity_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = _fields(params)
    owner_type, owner = as_int(fields.get("OWNER_TYPE_ID")), as_int(fields.get("OWNER_ID"))
    kinds = {v: k for k, v in _ENTITY_TYPES.items()}
    if owner_type not in kinds or owner is None or not ctx.store.get(kinds[owner_type], owner):
        raise legacy_error("OWNER_ID is not defined or invalid.")
    if as_int(fields.get("TYPE_ID")) not in range(1, 7):
        raise legacy_error("TYPE_ID is not defined or invalid.")
    if not as_list(fields.get("COMMUNICATIONS")):
        raise legacy_error("COMMUNICATIONS is not defined or invalid.")
    record = {k: v for k, v in fields.items() if k not in ("ID", "CREATED", "LAST_UPDATED")}
    record.update(
        OWNER_TYPE_ID=owner_type,
        OWNER_ID=owner,
        TYPE_ID=as_int(fields["TYPE_ID"]),
        RESPONSIBLE_ID=as_int(fields.get("RESPONSIBLE_ID")) or ctx.user_id,
        COMPLETED="Y" if is_yes(fields.get("COMPLETED", "N")) else "N",
        CREATED=format_dt(ctx.now),
        AUTHOR_ID=ctx.user_id,
    )
    ctx.touch()
    return Reply(ctx.store.insert("activity", record))


@method("crm.activity.list")
def activity_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "activity", params)


# -- duplicates ------------------------------------------------------------------------------------
def normalize_phone(value: str) -> str:
    """Digits of a phone without the extension: ``+7 (900) 123-45-67 доб. 12`` → ``79001234567``."""
    main = re.split(r"(?i)(доб|ext|#|x)", value)[0]
    return re.sub(r"\D", "", main)


@method("crm.duplicate.findbycomm")
def findbycomm(ctx: Ctx, params: dict[str, Any]) -> Reply:
    comm = str(params.get("type") or "").upper()
    if not comm:
        raise RestError(400, "Communication type is not defined", "Parameter 'type' is required.")
    if comm not in ("PHONE", "EMAIL"):
        raise RestError(
            400,
            f"Communication type '{comm}' is not supported in current context",
            "Parameter 'type' is invalid.",
        )
    values = params.get("values")
    if not isinstance(values, list | dict) or not as_list(values):
        raise RestError(
            400, "Communication values is not defined", "Parameter 'values' must be array."
        )
    norm = normalize_phone if comm == "PHONE" else (lambda v: v.strip().lower())
    wanted = {norm(str(v)) for v in as_list(values)[:20]} - {""}
    entity = str(params.get("entity_type") or "").upper()
    kinds = [entity.lower()] if entity else ["lead", "contact", "company"]
    out: dict[str, list[int]] = {}
    for kind in kinds:
        if kind not in ("lead", "contact", "company"):
            raise RestError(400, "", "Parameter 'entity_type' is invalid.")
        hits = [
            rid
            for rid, rec in ctx.store.table(kind).items()
            if any(norm(e["VALUE"]) in wanted for e in rec.get(comm, []))
        ]
        ctx.touch(max(len(hits), 1))
        if hits:
            out[kind.upper()] = hits[:20]
            if len(hits) >= 20:
                break
    return Reply(out or [])


# -- user fields -----------------------------------------------------------------------------------
_UF_TYPES = (
    "string",
    "integer",
    "double",
    "boolean",
    "date",
    "datetime",
    "money",
    "url",
    "address",
    "enumeration",
    "file",
    "employee",
    "crm_status",
    "crm",
    "iblock_section",
    "iblock_element",
)


def _uf_name(raw: str) -> str:
    name = raw.strip().upper()
    name = name.removeprefix("UF_CRM_").removeprefix("UF_")
    return "UF_CRM_" + name


def _make_userfield(entity: str) -> None:
    uf_entity = ENTITIES[entity].uf_entity

    @method(f"crm.{entity}.userfield.add")
    def add(ctx: Ctx, params: dict[str, Any]) -> Reply:
        fields = _fields(params)
        utype = str(fields.get("USER_TYPE_ID") or "")
        if utype not in _UF_TYPES:
            raise legacy_error("The 'USER_TYPE_ID' field is not found.")
        raw = str(fields.get("FIELD_NAME") or "")
        if not raw or not re.fullmatch(r"[A-Za-z0-9_]+", raw):
            raise legacy_error("The 'FIELD_NAME' field is not found.")
        name = _uf_name(raw)
        if len(name) > 50:
            raise RestError(400, "ERROR_CORE", "Field name is too long (more than 50 characters).")
        if any(
            u["FIELD_NAME"] == name and u["ENTITY_ID"] == uf_entity
            for u in ctx.store.table("userfield").values()
        ):
            raise RestError(400, "ERROR_CORE", f"The field {name} already exists.")
        multiple = (
            "N" if utype == "boolean" else ("Y" if is_yes(fields.get("MULTIPLE", "N")) else "N")
        )
        record = {
            "ENTITY_ID": uf_entity,
            "FIELD_NAME": name,
            "USER_TYPE_ID": utype,
            "XML_ID": fields.get("XML_ID"),
            "SORT": as_int(fields.get("SORT")) or 100,
            "MULTIPLE": multiple,
            "MANDATORY": "Y" if is_yes(fields.get("MANDATORY", "N")) else "N",
            "SHOW_FILTER": "N",
            "SHOW_IN_LIST": "Y",
            "EDIT_IN_LIST": "Y",
            "IS_SEARCHABLE": "N",
            "SETTINGS": fields.get("SETTINGS") or {},
            "EDIT_FORM_LABEL": fields.get("EDIT_FORM_LABEL") or fields.get("LABEL") or name,
            "LIST": as_list(fields.get("LIST")),
        }
        ctx.touch()
        return Reply(ctx.store.insert("userfield", record))

    @method(f"crm.{entity}.userfield.list")
    def list_(ctx: Ctx, params: dict[str, Any]) -> Reply:
        merged = {**as_dict(params.get("filter"), "filter"), "ENTITY_ID": uf_entity}
        return plain_list(ctx, "userfield", {**params, "filter": merged})


for _entity in ("contact", "company", "deal", "lead"):
    _make_userfield(_entity)
