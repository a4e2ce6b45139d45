"""Requisites: ``crm.requisite.{add,update,get,list,delete,fields}``.

A requisite has every ``RQ_*`` field of the Russian presets, ``null`` when unset (recorded:
crm-requisite-get.md; the field list matches the PHP SDK's live-portal test,
RequisiteItemResult). A missing one answers "The Requisite with ID '…' is not found".
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._cascade import drop_requisite
from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._params import as_int, param_fields, param_id
from loaders.sandbox._refs import plain_list, string_row
from loaders.sandbox._schema import FieldDef, describe_field

__all__: list[str] = []

_RQ = (
    "RQ_NAME", "RQ_FIRST_NAME", "RQ_LAST_NAME", "RQ_SECOND_NAME", "RQ_COMPANY_ID",
    "RQ_COMPANY_NAME", "RQ_COMPANY_FULL_NAME", "RQ_COMPANY_REG_DATE", "RQ_DIRECTOR",
    "RQ_ACCOUNTANT", "RQ_CEO_NAME", "RQ_CEO_WORK_POS", "RQ_CONTACT", "RQ_EMAIL", "RQ_PHONE",
    "RQ_FAX", "RQ_IDENT_TYPE", "RQ_IDENT_DOC", "RQ_IDENT_DOC_SER", "RQ_IDENT_DOC_NUM",
    "RQ_IDENT_DOC_PERS_NUM", "RQ_IDENT_DOC_DATE", "RQ_IDENT_DOC_ISSUED_BY",
    "RQ_IDENT_DOC_DEP_CODE", "RQ_INN", "RQ_KPP", "RQ_USRLE", "RQ_IFNS", "RQ_OGRN", "RQ_OGRNIP",
    "RQ_OKPO", "RQ_OKTMO", "RQ_OKVED", "RQ_EDRPOU", "RQ_DRFO", "RQ_KBE", "RQ_IIN", "RQ_BIN",
    "RQ_ST_CERT_SER", "RQ_ST_CERT_NUM", "RQ_ST_CERT_DATE", "RQ_VAT_PAYER", "RQ_VAT_ID",
    "RQ_VAT_CERT_SER", "RQ_VAT_CERT_NUM", "RQ_VAT_CERT_DATE", "RQ_RESIDENCE_COUNTRY",
    "RQ_BASE_DOC", "RQ_REGON", "RQ_KRS", "RQ_PESEL", "RQ_LEGAL_FORM", "RQ_SIRET", "RQ_SIREN",
    "RQ_CAPITAL", "RQ_RCS", "RQ_CNPJ", "RQ_STATE_REG", "RQ_MNPL_REG", "RQ_CPF",
)  # fmt: skip
#: Field descriptions (a reading: the recorded SDK test pins the names, not the types).
FIELDS: dict[str, FieldDef] = {
    "ID": FieldDef("integer", "ID", "O"),
    "ENTITY_TYPE_ID": FieldDef("integer", "Parent entity type", "RI"),
    "ENTITY_ID": FieldDef("integer", "Parent entity", "RI"),
    "PRESET_ID": FieldDef("integer", "Template", "R"),
    "DATE_CREATE": FieldDef("datetime", "Created on", "O"),
    "DATE_MODIFY": FieldDef("datetime", "Modified on", "O"),
    "CREATED_BY_ID": FieldDef("user", "Created by", "O"),
    "MODIFY_BY_ID": FieldDef("user", "Modified by", "O"),
    "NAME": FieldDef("string", "Name", "R"),
    "CODE": FieldDef("string", "Symbolic code"),
    "XML_ID": FieldDef("string", "External ID"),
    "ORIGINATOR_ID": FieldDef("string", "External source"),
    "ACTIVE": FieldDef("char", "Active"),
    "ADDRESS_ONLY": FieldDef("char", "Address only"),
    "SORT": FieldDef("integer", "Sort"),
    **{name: FieldDef("char" if name == "RQ_VAT_PAYER" else "string", name) for name in _RQ},
}
_WRITABLE = tuple(n for n, f in FIELDS.items() if not f.read_only)


def _missing(rid: Any) -> RestError:
    return legacy_error(f"The Requisite with ID '{rid}' is not found")


def _check(ctx: Ctx, record: dict[str, Any]) -> None:
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


def _build(ctx: Ctx, fields: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    if old is None:
        record: dict[str, Any] = {name: None for name in FIELDS}
        record.update(ACTIVE="Y", ADDRESS_ONLY="N", SORT=500, RQ_VAT_PAYER="N",
                      DATE_CREATE=format_dt(ctx.now), CREATED_BY_ID=ctx.user_id)  # fmt: skip
    else:
        record = {**old, "DATE_MODIFY": format_dt(ctx.now), "MODIFY_BY_ID": ctx.user_id}
    record.update({k: fields[k] for k in _WRITABLE if k in fields})
    if old is not None:
        record.update(ENTITY_TYPE_ID=old["ENTITY_TYPE_ID"], ENTITY_ID=old["ENTITY_ID"])
    _check(ctx, record)
    return record


def _existing(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rid = param_id(params)
    record = ctx.store.get("requisite", rid)
    if record is None:
        raise _missing(rid)
    return rid, record


def _out(record: dict[str, Any]) -> dict[str, Any]:
    out = string_row(record)
    out["DATE_MODIFY"] = record.get("DATE_MODIFY") or ""
    return out


@method("crm.requisite.add")
def requisite_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    record = _build(ctx, param_fields(params), None)
    ctx.touch()
    return Reply(ctx.store.insert("requisite", record))


@method("crm.requisite.update")
def requisite_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, old = _existing(ctx, params)
    ctx.store.put("requisite", rid, {**_build(ctx, param_fields(params), old), "ID": rid})
    ctx.touch()
    return Reply(True)


@method("crm.requisite.delete")
def requisite_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, _ = _existing(ctx, params)
    drop_requisite(ctx.store, rid)  # with its bank details and addresses
    ctx.touch()
    return Reply(True)


@method("crm.requisite.get")
def requisite_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _, record = _existing(ctx, params)
    ctx.touch()
    return Reply(_out(record))


@method("crm.requisite.list")
def requisite_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "requisite", params, _out)


@method("crm.requisite.fields")
def requisite_fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply({name: describe_field(fdef) for name, fdef in FIELDS.items()})
