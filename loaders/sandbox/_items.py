"""Universal ``crm.item.*``: camelCase, typed values, ``fm``, import and 20-item batchImport."""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._crm import delete_record, required_names, userfields
from loaders.sandbox._errors import RestError
from loaders.sandbox._legacy import create_record, update_record
from loaders.sandbox._lists import page_of, parse_filter, parse_order, parse_select
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes
from loaders.sandbox._render import describe_userfields, render_item
from loaders.sandbox._schema import ENTITIES, EntityDef, describe_field
from loaders.sandbox._seed import ADMINS
from loaders.sandbox._smart import UPPER_NAMES, smart_entity
from loaders.sandbox._values import BadValue, parse_datetime

__all__ = ["MAX_IMPORT"]

MAX_IMPORT = 20
_BY_TYPE = {e.type_id: e for e in ENTITIES.values()}
_HISTORY = {"createdTime", "updatedTime", "movedTime", "createdBy", "updatedBy", "movedBy"}
_INVALID = "CRM_FIELD_ERROR_VALUE_NOT_VALID"


def _entity(ctx: Ctx, params: dict[str, Any]) -> EntityDef:
    type_id = as_int(params.get("entityTypeId"))
    if type_id is None:
        raise RestError(400, "NOT_FOUND", "Smart process not found")
    edef = _BY_TYPE.get(type_id) or smart_entity(ctx, type_id)
    if edef is None:
        raise RestError(400, "NOT_FOUND", "Smart process not found")
    return edef


def _smart(edef: EntityDef) -> bool:
    return edef.type_id not in _BY_TYPE


def _names(ctx: Ctx, edef: EntityDef, original_uf: bool) -> dict[str, str]:
    """camelCase (and, with useOriginalUfNames, UF_CRM_*) → stored legacy name."""
    names = {edef.camel(n): n for n in edef.fields}
    for uf in userfields(ctx, edef):
        names[uf if original_uf else edef.camel(uf)] = uf
    return names


def _fields(params: dict[str, Any]) -> dict[str, Any]:
    if "fields" not in params:
        raise RestError(400, "ERROR_ARGUMENT", "Required parameter 'fields' is missing.")
    return as_dict(params["fields"], "fields", code="ERROR_ARGUMENT")


def _item_error(exc: RestError) -> RestError:
    """Core validation in the crm.item dialect carries a CRM_FIELD_ERROR_* code."""
    if exc.code in ("", "ERROR_CORE"):
        return RestError(400, _INVALID, exc.description.removesuffix("<br>"))
    return exc


def _check_history(ctx: Ctx, edef: EntityDef, fields: dict[str, Any]) -> None:
    created, updated, moved = (fields.get(k) for k in ("createdTime", "updatedTime", "movedTime"))
    if not (created or updated or moved):
        return
    try:
        c, u, m = (parse_datetime(v) for v in (created, updated, moved))
    except BadValue as exc:
        raise RestError(400, _INVALID, f'Invalid value for field "{exc}"') from None
    now = format_dt(ctx.now)
    if any(v and v > now for v in (c, u, m)):
        raise RestError(400, _INVALID, "Dates in the future are not allowed.")
    newest = max((r.get("DATE_CREATE") or "" for r in ctx.store.table(edef.name).values()),
                 default="")  # fmt: skip
    if c and newest and c < newest:
        raise RestError(400, _INVALID, f'The "createdTime" value must not be earlier than {newest}')
    if c and u and u < c:
        raise RestError(
            400, _INVALID, 'The "updatedTime" value must not be earlier than createdTime'
        )
    if m and ((c and m < c) or (u and m > u)):
        raise RestError(
            400, _INVALID, 'The "movedTime" value must be between createdTime and updatedTime'
        )


def _observers(edef: EntityDef, record: dict[str, Any], fields: dict[str, Any]) -> None:
    """Leads and deals have observers (users who follow the item), crm.item only."""
    if edef.name in ("lead", "deal") and "observers" in fields:
        record["OBSERVERS"] = [v for v in (as_int(o) for o in as_list(fields["observers"])) if v]


def _create(ctx: Ctx, edef: EntityDef, params: dict[str, Any], fields: dict[str, Any], *,
            historical: bool) -> dict[str, Any]:  # fmt: skip
    original = is_yes(params.get("useOriginalUfNames", "N"))
    if historical and ctx.user_id not in ADMINS and _HISTORY & set(fields):
        raise RestError(400, _INVALID, "Only an administrator can set historical fields.")
    if historical:
        _check_history(ctx, edef, fields)
    else:
        fields = {k: v for k, v in fields.items() if k not in _HISTORY}
    try:
        record = create_record(ctx, edef, fields, historical=historical, dialect="item",
                               names=_names(ctx, edef, original), fm=fields.get("fm"))  # fmt: skip
    except RestError as exc:
        raise _item_error(exc) from None
    _observers(edef, record, fields)
    return record


def _render(ctx: Ctx, edef: EntityDef, record: dict[str, Any], params: dict[str, Any]) -> Any:
    return render_item(
        ctx, edef, record, None, original_uf=is_yes(params.get("useOriginalUfNames", "N"))
    )


@method("crm.item.add")
def item_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    record = _create(ctx, edef, params, _fields(params), historical=False)
    return Reply({"item": _render(ctx, edef, record, params)})


@method("crm.item.import")
def item_import(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    record = _create(ctx, edef, params, _fields(params), historical=True)
    return Reply({"item": {"id": record["ID"]}})


@method("crm.item.batchimport")
def item_batch_import(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    data = as_list(params.get("data"))
    if len(data) > MAX_IMPORT:
        raise RestError(
            400, "MAX_IMPORT_BATCH_SIZE_EXCEEDED", "You cannot import more than 20 items"
        )
    out: list[dict[str, Any]] = []
    for fields in data:
        try:
            if not isinstance(fields, dict):
                raise RestError(400, _INVALID, "Each item of 'data' must be an object.")
            record = _create(ctx, edef, params, fields, historical=True)
        except RestError as exc:
            out.append(exc.body())
            continue
        out.append({"item": {"id": record["ID"]}})
    return Reply({"items": out})


@method("crm.item.update")
def item_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    rid = as_int(params.get("id"))
    if rid is None or ctx.store.get(edef.name, rid) is None:
        raise RestError(400, "NOT_FOUND", "Element not found")
    fields = {k: v for k, v in _fields(params).items() if k not in _HISTORY}
    original = is_yes(params.get("useOriginalUfNames", "N"))
    try:
        record = update_record(ctx, edef, rid, fields, dialect="item",
                               names=_names(ctx, edef, original), fm=fields.get("fm"))  # fmt: skip
    except RestError as exc:
        raise _item_error(exc) from None
    _observers(edef, record, fields)
    return Reply({"item": _render(ctx, edef, record, params)})


@method("crm.item.get")
def item_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    record = ctx.store.get(edef.name, as_int(params.get("id")) or 0)
    if record is None:
        raise RestError(400, "NOT_FOUND", "Element not found")
    ctx.touch()
    return Reply({"item": _render(ctx, edef, record, params)})


@method("crm.item.delete")
def item_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    rid = as_int(params.get("id")) or 0
    if ctx.store.get(edef.name, rid) is None:
        raise RestError(400, "NOT_FOUND", "Item not found")  # recorded: crm-item-delete.md
    delete_record(ctx, edef, rid)
    ctx.touch()
    return Reply([])


@method("crm.item.fields")
def item_fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    required = set(required_names(ctx, edef))
    out = {edef.camel(n): {**describe_field(f, n in required),
                           "upperName": UPPER_NAMES.get(n, n) if _smart(edef) else n}
           for n, f in edef.fields.items()}  # fmt: skip
    for name, described in describe_userfields(ctx, edef).items():
        out[edef.camel(name)] = {**described, "upperName": name}
    return Reply({"fields": out})


@method("crm.item.list")
def item_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    edef = _entity(ctx, params)
    original = is_yes(params.get("useOriginalUfNames", "N"))
    names = _names(ctx, edef, original)

    def known(key: str) -> str | None:
        return names.get(key) or names.get(key[:1].lower() + key[1:])

    def required_known(key: str) -> str | None:
        found = known(key)
        if found is None:  # recorded: crm-item-list.md refuses an unknown filter field
            raise RestError(400, "INVALID_ARG_VALUE",
                            f"Invalid filter: field '{key}' is not allowed in filter")  # fmt: skip
        return found

    conds = parse_filter(params.get("filter"), required_known, nested=True)
    order = parse_order(params.get("order"), known)
    select = parse_select(params.get("select")) or ["*"]
    rows, total, nxt = page_of(
        ctx.store.table(edef.name), conds, order, params.get("start"), round_start=False
    )
    ctx.touch(max(len(rows), 1))
    items = [render_item(ctx, edef, r, select, original_uf=original) for r in rows]
    return Reply({"items": items}, total, nxt)
