"""Bank details: ``crm.requisite.bankdetail.{add,update,get,list,delete,fields}``.

Recorded (bitrix24/b24restdocs@5988ed13, api-reference/crm/requisites/bank-detail/): the field
list and titles of crm-requisite-bank-detail-fields.md, the key order and ``null``s of
crm-requisite-bank-detail-get.md (no ENTITY_TYPE_ID: a bank detail's parent is always a
requisite), the errors "ENTITY_ID is not defined or invalid." (add) and "The
RequisiteBankDetail with ID '…' is not found" (get/update/delete). NAME is required on add
(marked so on the add page, though ``fields`` answers isRequired false); its error text is not
recorded and reads like the requisite's. COUNTRY_ID defaults to the requisite's preset country.
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._params import as_int, param_fields, param_id
from loaders.sandbox._refs import plain_list, string_row
from loaders.sandbox._schema import FieldDef, describe_field

__all__: list[str] = []

#: (name, type, title, flags) in the order of the recorded ``fields`` reply.
_FIELD_ROWS = (
    ("ID", "integer", "ID", "O"), ("ENTITY_ID", "integer", "Object ID", "RI"),
    ("COUNTRY_ID", "integer", "Country ID", ""), ("DATE_CREATE", "datetime", "Creation Date", "O"),
    ("DATE_MODIFY", "datetime", "Modification Date", "O"),
    ("CREATED_BY_ID", "user", "Created By", "O"), ("MODIFY_BY_ID", "user", "Modified By", "O"),
    ("NAME", "string", "Name", ""), ("CODE", "string", "Code", ""),
    ("XML_ID", "string", "External Code", ""), ("ACTIVE", "char", "Active", ""),
    ("SORT", "integer", "Sort Order", ""), ("RQ_BANK_NAME", "string", "Bank Name", ""),
    ("RQ_BANK_ADDR", "string", "Bank Address", ""), ("RQ_BANK_CODE", "string", "RQ_BANK_CODE", ""),
    ("RQ_AGENCY_NAME", "string", "RQ_AGENCY_NAME", ""),
    ("RQ_BANK_ROUTE_NUM", "string", "RQ_BANK_ROUTE_NUM", ""),
    ("RQ_BIK", "string", "Routing Number", ""), ("RQ_MFO", "string", "RQ_MFO", ""),
    ("RQ_ACC_NAME", "string", "RQ_ACC_NAME", ""), ("RQ_ACC_NUM", "string", "Account Number", ""),
    ("RQ_ACC_TYPE", "string", "RQ_ACC_TYPE", ""), ("RQ_IIK", "string", "RQ_IIK", ""),
    ("RQ_ACC_CURRENCY", "string", "Account Currency", ""),
    ("RQ_COR_ACC_NUM", "string", "Correspondent Account", ""),
    ("RQ_IBAN", "string", "RQ_IBAN", ""), ("RQ_SWIFT", "string", "SWIFT", ""),
    ("RQ_BIC", "string", "RQ_BIC", ""), ("RQ_CODEB", "string", "RQ_CODEB", ""),
    ("RQ_CODEG", "string", "RQ_CODEG", ""), ("RQ_RIB", "string", "RQ_RIB", ""),
    ("COMMENTS", "string", "Comment", ""), ("ORIGINATOR_ID", "string", "External Source", ""),
)  # fmt: skip
FIELDS: dict[str, FieldDef] = {n: FieldDef(t, title, f) for n, t, title, f in _FIELD_ROWS}
#: The key order of a recorded ``get`` reply.
_GET_ORDER = (
    "ID", "ENTITY_ID", "COUNTRY_ID", "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID",
    "MODIFY_BY_ID", "NAME", "CODE", "XML_ID", "ORIGINATOR_ID", "ACTIVE", "SORT", "RQ_BANK_NAME",
    "RQ_BANK_CODE", "RQ_BANK_ADDR", "RQ_BANK_ROUTE_NUM", "RQ_BIK", "RQ_MFO", "RQ_ACC_NAME",
    "RQ_ACC_NUM", "RQ_ACC_TYPE", "RQ_IIK", "RQ_ACC_CURRENCY", "RQ_COR_ACC_NUM", "RQ_IBAN",
    "RQ_SWIFT", "RQ_BIC", "RQ_CODEB", "RQ_CODEG", "RQ_RIB", "RQ_AGENCY_NAME", "COMMENTS",
)  # fmt: skip
_WRITABLE = tuple(n for n, f in FIELDS.items() if not f.read_only and n != "ENTITY_ID")
KIND = "bankdetail"


def _missing(bid: Any) -> RestError:
    return legacy_error(f"The RequisiteBankDetail with ID '{bid}' is not found")


def _country(ctx: Ctx, requisite: dict[str, Any]) -> Any:
    preset = ctx.store.get("preset", as_int(requisite.get("PRESET_ID")) or 0) or {}
    return preset.get("COUNTRY_ID", 1)


def _new(ctx: Ctx, fields: dict[str, Any]) -> dict[str, Any]:
    rid = as_int(fields.get("ENTITY_ID"))
    requisite = ctx.store.get("requisite", rid) if rid is not None and rid > 0 else None
    if rid is None or requisite is None:
        raise legacy_error("ENTITY_ID is not defined or invalid.")
    record: dict[str, Any] = {name: None for name in _GET_ORDER}
    record.update(ENTITY_ID=rid, COUNTRY_ID=_country(ctx, requisite), ACTIVE="Y", SORT=500,
                  DATE_CREATE=format_dt(ctx.now), CREATED_BY_ID=ctx.user_id)  # fmt: skip
    return record


def _apply(record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    record.update({k: fields[k] for k in _WRITABLE if k in fields})
    for key in ("COUNTRY_ID", "SORT"):
        record[key] = as_int(record[key]) if record[key] not in (None, "") else record[key]
    if not str(record.get("NAME") or "").strip():
        raise legacy_error("NAME is not defined or invalid.")
    return record


def _existing(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    bid = param_id(params)
    record = ctx.store.get(KIND, bid)
    if record is None:
        raise _missing(bid)
    return bid, record


def _out(record: dict[str, Any]) -> dict[str, Any]:
    out = string_row({k: record.get(k) for k in _GET_ORDER})
    out["DATE_MODIFY"] = record.get("DATE_MODIFY") or ""
    return out


@method("crm.requisite.bankdetail.add")
def bankdetail_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = param_fields(params)
    record = _apply(_new(ctx, fields), fields)
    ctx.touch()
    return Reply(ctx.store.insert(KIND, record))


@method("crm.requisite.bankdetail.update")
def bankdetail_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    bid, old = _existing(ctx, params)
    record = {**old, "DATE_MODIFY": format_dt(ctx.now), "MODIFY_BY_ID": ctx.user_id}
    ctx.store.put(KIND, bid, _apply(record, param_fields(params)))
    ctx.touch()
    return Reply(True)


@method("crm.requisite.bankdetail.delete")
def bankdetail_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    bid, _ = _existing(ctx, params)
    ctx.store.delete(KIND, bid)
    ctx.touch()
    return Reply(True)


@method("crm.requisite.bankdetail.get")
def bankdetail_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _, record = _existing(ctx, params)
    ctx.touch()
    return Reply(_out(record))


@method("crm.requisite.bankdetail.list")
def bankdetail_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, KIND, params, _out)


@method("crm.requisite.bankdetail.fields")
def bankdetail_fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply({name: describe_field(fdef) for name, fdef in FIELDS.items()})
