"""Legacy CRM methods: ``crm.{lead,deal,contact,company}.{add,update,get,list,delete,fields}``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from loaders.sandbox._bindings import links_from_ids, set_links
from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._crm import (
    apply_fields,
    apply_fm,
    apply_multifields,
    check_required,
    delete_record,
    finish_record,
    mark_moved,
    required_names,
    userfields,
)
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._lists import page_of, parse_filter, parse_order, parse_select
from loaders.sandbox._params import as_dict, is_yes, param_fields, param_id
from loaders.sandbox._render import describe_userfields, render_legacy
from loaders.sandbox._schema import ENTITIES, MULTIFIELDS, EntityDef, describe_field
from loaders.sandbox._smart import SMART_PREFIX, smart_stage_defaults

__all__ = [
    "check_import_date",
    "create_record",
    "deal_stage_defaults",
    "lead_status",
    "update_record",
]

#: What a portal fills in when the add leaves it out (the first contact type and source, the
#: base currency; a lead's IS_MANUAL_OPPORTUNITY is "N", crm-lead-get.md).
_DEFAULTS: dict[str, dict[str, Any]] = {
    "contact": {"EXPORT": "Y", "TYPE_ID": "CLIENT", "SOURCE_ID": "CALL"},
    "company": {"COMPANY_TYPE": "CUSTOMER", "CURRENCY_ID": "RUB", "IS_MY_COMPANY": "N"},
    "deal": {
        "CATEGORY_ID": 0,
        "CURRENCY_ID": "RUB",
        "OPPORTUNITY": 0.0,
        "IS_MANUAL_OPPORTUNITY": "N",
        "TAX_VALUE": 0.0,
        "TYPE_ID": "SALE",
        "IS_RECURRING": "N",
        "IS_RETURN_CUSTOMER": "N",
        "IS_REPEATED_APPROACH": "N",
    },
    "lead": {
        "STATUS_ID": "NEW",
        "CURRENCY_ID": "RUB",
        "OPPORTUNITY": 0.0,
        "IS_MANUAL_OPPORTUNITY": "N",
        "IS_RETURN_CUSTOMER": "N",
    },
}
_DEFAULT_TITLE = {"deal": "Сделка #{id}", "lead": "Лид #{id}"}
#: "Not found" replies differ per entity and method (recorded in the error examples and
#: tables of crm-<entity>-{get,update,delete}.md): (code, text) by (entity, action).
_MISSING: dict[tuple[str, str], tuple[str, str]] = {
    ("contact", "update"): ("", "Contact is not found"),
    ("contact", "delete"): ("ERROR_CORE", "Element not found"),
    ("company", "update"): ("", "Company is not found"),
    ("company", "delete"): ("", "Company is not found"),
}


def missing(entity: str, action: str) -> RestError:
    """The portal's reply to a call on a record that does not exist."""
    code, text = _MISSING.get((entity, action), ("", "Not found"))
    return RestError(400, code, text)


def _stages(ctx: Ctx, category: int) -> list[dict[str, Any]]:
    entity = "DEAL_STAGE" if category == 0 else f"DEAL_STAGE_{category}"
    rows = [s for s in ctx.store.table("status").values() if s["ENTITY_ID"] == entity]
    return sorted(rows, key=lambda s: s["SORT"])


def deal_stage_defaults(ctx: Ctx, record: dict[str, Any], *, creating: bool) -> None:
    """Check the pipeline and stage; default to the first stage; derive the semantic fields."""
    category = record.get("CATEGORY_ID") or 0
    if not any(c["ID"] == category for c in ctx.store.table("category").values()):
        raise RestError(400, "ERROR_CORE", f"Pipeline with ID {category} is not found.")
    stages = _stages(ctx, category)
    by_id = {s["STATUS_ID"]: s for s in stages}
    if creating and not record.get("STAGE_ID"):
        record["STAGE_ID"] = stages[0]["STATUS_ID"]
    stage = by_id.get(record.get("STAGE_ID") or "")
    if stage is None:
        raise RestError(
            400, "ERROR_CORE", f'Stage "{record.get("STAGE_ID")}" is not in pipeline {category}.'
        )
    semantics = stage.get("SEMANTICS") or "P"
    record["STAGE_SEMANTIC_ID"] = semantics
    record["CLOSED"] = "N" if semantics == "P" else "Y"
    record["IS_NEW"] = "Y" if stage is stages[0] else "N"


def lead_status(ctx: Ctx, record: dict[str, Any]) -> None:
    """A lead's STATUS_ID must be a lead stage; STATUS_SEMANTIC_ID follows it."""
    status = record.get("STATUS_ID") or "NEW"
    found = next((s for s in ctx.store.table("status").values()
                  if s["ENTITY_ID"] == "STATUS" and s["STATUS_ID"] == status), None)  # fmt: skip
    if found is None:
        raise RestError(400, "ERROR_CORE", f'Lead stage "{status}" is not found.')
    semantics = found.get("SEMANTICS") or "P"
    if semantics == "P":
        record["DATE_CLOSED"] = None
    elif record.get("STATUS_SEMANTIC_ID") != semantics or not record.get("DATE_CLOSED"):
        record["DATE_CLOSED"] = format_dt(ctx.now)  # closed (converted or junk) now
    record["STATUS_ID"] = status
    record["STATUS_SEMANTIC_ID"] = semantics


def check_import_date(ctx: Ctx, kind: str, created: str | None, code: str = "ERROR_CORE") -> None:
    """Historical creation dates: not in the future, not before the newest existing record."""
    if not created:
        return
    if created > format_dt(ctx.now):
        raise RestError(400, code, "The creation date cannot be in the future.")
    newest = max((r.get("DATE_CREATE") or "" for r in ctx.store.table(kind).values()), default="")
    if newest and created < newest:
        raise RestError(
            400,
            code,
            f"The creation date cannot be earlier than that of the last {kind} ({newest}).",
        )


def _multifields(
    ctx: Ctx,
    record: dict[str, Any],
    fields: dict[str, Any],
    fm: Any,
    *,
    creating: bool,
    legacy: bool,
) -> None:
    if legacy:
        apply_multifields(ctx, record, fields)
    elif fm is not None:
        apply_fm(ctx, record, fm, creating=creating)
    for type_id in MULTIFIELDS:
        if type_id in record and not record[type_id]:
            del record[type_id]


def create_record(
    ctx: Ctx,
    edef: EntityDef,
    fields: dict[str, Any],
    *,
    historical: bool,
    fm: Any = None,
    check_dates: bool = True,
    **kw: Any,
) -> dict[str, Any]:
    """Validate and store a new record (legacy keys); returns it with its new ID.

    Everything is checked before the record is stored, so a refused command writes nothing.
    """
    record: dict[str, Any] = dict(_DEFAULTS.get(edef.name, {}))
    apply_fields(ctx, edef, record, fields, creating=True, historical=historical, **kw)
    _multifields(ctx, record, fields, fm, creating=True, legacy="names" not in kw)
    check_required(ctx, edef, record, kw.get("dialect", "legacy"))
    _links(record, edef)
    if edef.name == "deal":
        deal_stage_defaults(ctx, record, creating=True)
        today = date.fromtimestamp(ctx.now)
        record.setdefault("BEGINDATE", None)
        record["BEGINDATE"] = record["BEGINDATE"] or today.isoformat()
        record["CLOSEDATE"] = record.get("CLOSEDATE") or (today + timedelta(days=7)).isoformat()
    if edef.name == "lead":
        lead_status(ctx, record)
    if edef.name.startswith(SMART_PREFIX):
        smart_stage_defaults(ctx, edef, record, creating=True)
    _check_currency(ctx, record)
    if historical and check_dates:
        check_import_date(ctx, edef.name, record.get("DATE_CREATE"))
    finish_record(ctx, edef, record, creating=True)
    rid = ctx.store.insert(edef.name, record)
    if edef.name in _DEFAULT_TITLE and not str(record.get("TITLE") or "").strip():
        record["TITLE"] = _DEFAULT_TITLE[edef.name].format(id=rid)
    ctx.touch()
    return record


def update_record(
    ctx: Ctx, edef: EntityDef, rid: int, fields: dict[str, Any], *, fm: Any = None, **kw: Any
) -> dict[str, Any]:
    """Validate and store changed fields of an existing record; returns the new record."""
    old = ctx.store.get(edef.name, rid)
    if old is None:
        raise missing(edef.name, "update")
    record = dict(old)
    apply_fields(ctx, edef, record, fields, creating=False, **kw)
    _multifields(ctx, record, fields, fm, creating=False, legacy="names" not in kw)
    if edef.name == "company" and not str(record.get("TITLE") or "").strip():
        check_required(ctx, edef, record, kw.get("dialect", "legacy"))
    _links(record, edef, old)
    if edef.name == "deal" and "STAGE_ID" in fields:
        deal_stage_defaults(ctx, record, creating=False)
    if edef.name == "lead":
        lead_status(ctx, record)
    if edef.name.startswith(SMART_PREFIX):
        smart_stage_defaults(ctx, edef, record, creating=False)
    stage = "STATUS_ID" if edef.name == "lead" else "STAGE_ID"
    if stage in edef.fields and record.get(stage) != old.get(stage):
        mark_moved(ctx, record)
    _check_currency(ctx, record)
    finish_record(ctx, edef, record, creating=False)
    ctx.store.put(edef.name, rid, record)
    ctx.touch()
    return record


def _links(record: dict[str, Any], edef: EntityDef, before: dict[str, Any] | None = None) -> None:
    """COMPANY_ID/COMPANY_IDS (contact) and CONTACT_ID/CONTACT_IDS (deal) written by the add or
    update become the record's bindings (:mod:`._bindings`); unchanged ones stay as they are."""
    pairs = {"contact": ("COMPANY_ID", "COMPANY_IDS"), "deal": ("CONTACT_ID", "CONTACT_IDS")}
    if edef.name not in pairs:
        return
    one, many = pairs[edef.name]
    old = before or {}
    if record.get(many) != old.get(many) and record.get(many) is not None:
        set_links(record, edef.name, links_from_ids(record[many]))
    elif record.get(one) != old.get(one):
        set_links(record, edef.name, links_from_ids([record[one]] if record.get(one) else []))
    elif before is None:
        set_links(record, edef.name, [])


def _check_currency(ctx: Ctx, record: dict[str, Any]) -> None:
    currency = record.get("CURRENCY_ID")
    if currency and ctx.store.get("currency", _currency_key(ctx, currency)) is None:
        raise legacy_error('Invalid value for the "Currency" field')


def _currency_key(ctx: Ctx, code: str) -> int:
    for rid, cur in ctx.store.table("currency").items():
        if cur["CURRENCY"] == code:
            return rid
    return -1


def _make(edef: EntityDef) -> None:
    name = f"crm.{edef.name}"

    @method(f"{name}.add")
    def add(ctx: Ctx, params: dict[str, Any]) -> Reply:
        fields = param_fields(params)
        options = as_dict(params.get("params"), "params")
        historical = edef.name in ("contact", "company") and is_yes(options.get("IMPORT", "N"))
        record = create_record(ctx, edef, fields, historical=historical)
        return Reply(record["ID"])

    @method(f"{name}.update")
    def update(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid = param_id(params)
        fields = param_fields(params)
        update_record(ctx, edef, rid, fields)
        return Reply(True)

    @method(f"{name}.get")
    def get(ctx: Ctx, params: dict[str, Any]) -> Reply:
        _, record = ctx.existing(edef.name, params, missing(edef.name, "get"))
        ctx.touch()
        return Reply(render_legacy(ctx, edef, record, None, get=True))

    @method(f"{name}.delete")
    def delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid, _ = ctx.existing(edef.name, params, missing(edef.name, "delete"))
        delete_record(ctx, edef, rid)
        ctx.touch()
        return Reply(True)

    @method(f"{name}.fields")
    def fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
        required = set(required_names(ctx, edef))
        out = {n: describe_field(f, n in required) for n, f in edef.fields.items()}
        out.update(describe_userfields(ctx, edef))
        return Reply(out)

    @method(f"{name}.list")
    def list_(ctx: Ctx, params: dict[str, Any]) -> Reply:
        ufs = userfields(ctx, edef)

        def known(key: str) -> str | None:
            key = key.upper()
            return key if key in edef.fields or key in ufs else None

        conds = parse_filter(params.get("filter", params.get("FILTER")), known)
        order = parse_order(params.get("order", params.get("ORDER")), known)
        select = parse_select(params.get("select", params.get("SELECT")))
        rows, total, nxt = page_of(ctx.store.table(edef.name), conds, order, params.get("start"))
        ctx.touch(max(len(rows), 1))
        return Reply([render_legacy(ctx, edef, r, select) for r in rows], total, nxt)


for _edef in ENTITIES.values():
    _make(_edef)
