"""Deal contacts, timeline comments, activities, duplicate search and user fields."""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes, param_fields
from loaders.sandbox._refs import plain_list, string_row
from loaders.sandbox._schema import ENTITIES

__all__ = ["normalize_phone"]

_ENTITY_TYPES = {"lead": 1, "deal": 2, "contact": 3, "company": 4}


# -- bindings: deal ↔ contacts, contact ↔ companies ----------------------------------------------
def _register_bindings(owner: str, target: str) -> None:
    """``crm.<owner>.<target>.items.{set,get}``; the first item is the primary binding."""
    key, many, one = f"{target.upper()}_ID", f"{target.upper()}_IDS", f"{target.upper()}_ID"

    @method(f"crm.{owner}.{target}.items.set")
    def items_set(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid, record = ctx.existing(owner, params)
        items = []
        for i, item in enumerate(as_list(params.get("items"))):
            linked = as_int(item.get(key)) if isinstance(item, dict) else None
            if linked is None or ctx.store.get(target, linked) is None:
                raise legacy_error(f"{key} is not defined or invalid.")
            primary = is_yes(item.get("IS_PRIMARY", "N"))
            items.append((not primary, as_int(item.get("SORT")) or (i + 1) * 10, linked))
        ids = [linked for _, _, linked in sorted(items)]
        ctx.store.put(owner, rid, {**record, many: ids, one: ids[0] if ids else None})
        ctx.touch(max(len(ids), 1))
        return Reply(True)

    @method(f"crm.{owner}.{target}.items.get")
    def items_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
        _, record = ctx.existing(owner, params)
        ids = record.get(many) or []
        ctx.touch(max(len(ids), 1))
        rows = [{key: linked, "SORT": (i + 1) * 10, "ROLE_ID": 0,
                 "IS_PRIMARY": "Y" if i == 0 else "N"} for i, linked in enumerate(ids)]  # fmt: skip
        return Reply(rows)


_register_bindings("deal", "contact")
_register_bindings("contact", "company")


@method("crm.company.contact.items.get")
def company_contacts_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The contacts bound to a company, seen from the contact side (captured real reply:
    ``SORT``/``IS_PRIMARY`` are that contact's binding to this company), by contact id."""
    company, _ = ctx.existing("company", params)
    rows = []
    for cid, contact in ctx.store.table("contact").items():
        companies = contact.get("COMPANY_IDS") or []
        if company in companies:
            i = companies.index(company)
            rows.append({"CONTACT_ID": cid, "SORT": (i + 1) * 10, "ROLE_ID": 0,
                         "IS_PRIMARY": "Y" if i == 0 else "N"})  # fmt: skip
    ctx.touch(max(len(rows), 1))
    return Reply(rows)


@method("crm.company.contact.items.set")
def company_contacts_set(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Bind exactly these contacts to the company (``IS_PRIMARY=Y``: first for that contact)."""
    company, _ = ctx.existing("company", params)
    wanted: dict[int, bool] = {}
    for item in as_list(params.get("items")):
        cid = as_int(item.get("CONTACT_ID")) if isinstance(item, dict) else None
        if cid is None or ctx.store.get("contact", cid) is None:
            raise legacy_error("CONTACT_ID is not defined or invalid.")
        wanted[cid] = is_yes(item.get("IS_PRIMARY", "N"))
    for cid, contact in list(ctx.store.table("contact").items()):
        old = contact.get("COMPANY_IDS") or []
        ids = [c for c in old if c != company]
        if cid in wanted:
            ids = [company, *ids] if wanted[cid] else [*ids, company]
        if ids != old:
            ctx.store.put("contact", cid, {**contact, "COMPANY_IDS": ids,
                                           "COMPANY_ID": ids[0] if ids else None})  # fmt: skip
    ctx.touch(max(len(wanted), 1))
    return Reply(True)


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


@method("crm.timeline.comment.delete")
def comment_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """``id`` (``ownerTypeId``/``ownerId`` accepted and ignored) → ``true``."""
    rid = as_int(params.get("id", params.get("ID")))
    if rid is None or ctx.store.get("comment", rid) is None:
        raise RestError(400, "NOT_FOUND", "Not found.")
    ctx.store.delete("comment", rid)
    ctx.touch()
    return Reply(True)


@method("crm.activity.add")
def activity_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = param_fields(params)
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


@method("crm.activity.delete")
def activity_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, _ = ctx.existing("activity", params)
    ctx.store.delete("activity", rid)
    ctx.touch()
    return Reply(True)


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


def _enum_items(ctx: Ctx, raw: Any) -> list[dict[str, Any]]:
    """Enumeration values get ids (``crm.*.userfield.list`` answers ``LIST`` with them)."""
    items = []
    for i, item in enumerate(as_list(raw)):
        item = item if isinstance(item, dict) else {"VALUE": item}
        if not str(item.get("VALUE") or "").strip():
            continue
        items.append(
            {
                "ID": ctx.store.next_id("ufenum"),
                "SORT": as_int(item.get("SORT")) or (i + 1) * 10,
                "VALUE": str(item["VALUE"]),
                "DEF": "Y" if is_yes(item.get("DEF", "N")) else "N",
                "XML_ID": item.get("XML_ID") or str(i + 1),
            }
        )
    return items


def _userfield_row(rec: dict[str, Any]) -> dict[str, Any]:
    return {**string_row(rec), "LIST": [string_row(item) for item in rec.get("LIST", [])]}


def _uf_name(raw: str) -> str:
    name = raw.strip().upper()
    name = name.removeprefix("UF_CRM_").removeprefix("UF_")
    return "UF_CRM_" + name


def _make_userfield(entity: str) -> None:
    uf_entity = ENTITIES[entity].uf_entity

    @method(f"crm.{entity}.userfield.add")
    def add(ctx: Ctx, params: dict[str, Any]) -> Reply:
        fields = param_fields(params)
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
            "LIST_COLUMN_LABEL": fields.get("LIST_COLUMN_LABEL") or fields.get("LABEL"),
            "LIST_FILTER_LABEL": fields.get("LIST_FILTER_LABEL") or fields.get("LABEL"),
            "LIST": _enum_items(ctx, fields.get("LIST")) if utype == "enumeration" else [],
        }
        ctx.touch()
        return Reply(ctx.store.insert("userfield", record))

    @method(f"crm.{entity}.userfield.list")
    def list_(ctx: Ctx, params: dict[str, Any]) -> Reply:
        merged = {**as_dict(params.get("filter"), "filter"), "ENTITY_ID": uf_entity}
        return plain_list(ctx, "userfield", {**params, "filter": merged}, _userfield_row)


for _entity in ("contact", "company", "deal", "lead"):
    _make_userfield(_entity)
