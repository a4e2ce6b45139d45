"""Portal metadata: users, dictionaries and stages, pipelines, currencies, requisite presets."""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import METHODS, Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError
from loaders.sandbox._lists import page_of, parse_filter, parse_order, parse_select
from loaders.sandbox._params import as_int, is_yes
from loaders.sandbox._seed import ADMINS, add_pipeline_stages
from loaders.sandbox._smart import add_smart_stages, smart_entity

__all__ = ["plain_list", "string_row"]


def _upper(key: str) -> str:
    return key.upper()


def plain_list(
    ctx: Ctx,
    kind: str,
    params: dict[str, Any],
    render: Any = None,
    *,
    filter_key: str = "filter",
    order: Any = None,
) -> Reply:
    """A legacy-style list over one kind: filter/order/start, 50 per page, string values."""
    conds = parse_filter(params.get(filter_key, params.get(filter_key.upper())), _upper)
    sort = parse_order(order if order is not None else params.get("order"), _upper)
    rows, total, nxt = page_of(ctx.store.table(kind), conds, sort, params.get("start"))
    ctx.touch(max(len(rows), 1))
    out = [(render or string_row)(r) for r in rows]
    select = [str(s).upper() for s in parse_select(params.get("select", params.get("SELECT")))]
    if select and "*" not in select:
        out = [{k: v for k, v in row.items() if k in select} for row in out]
    return Reply(out, total, nxt)


def string_row(rec: dict[str, Any]) -> dict[str, Any]:
    """A stored row as legacy lists answer it: numbers as strings, booleans as ``Y``/``N``."""
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if key.startswith("_"):
            continue
        if isinstance(value, bool):
            out[key] = "Y" if value else "N"
        elif isinstance(value, int | float):
            out[key] = str(value)
        else:
            out[key] = value
    return out


_USER_GET_ORDER = ("ID", "ACTIVE", "NAME", "LAST_NAME", "SECOND_NAME", "EMAIL", "LAST_LOGIN",
                   "DATE_REGISTER", "TIME_ZONE", "IS_ONLINE", "TIMESTAMP_X", "LAST_ACTIVITY_DATE",
                   "PERSONAL_GENDER", "PERSONAL_WWW", "PERSONAL_BIRTHDAY", "PERSONAL_MOBILE",
                   "PERSONAL_CITY", "WORK_PHONE", "WORK_POSITION", "UF_EMPLOYMENT_DATE",
                   "UF_DEPARTMENT", "USER_TYPE")  # fmt: skip


def _user(rec: dict[str, Any]) -> dict[str, Any]:
    """A user.get row (recorded: user-get.md): the set fields only, ID as a string, ACTIVE a
    boolean, TIMESTAMP_X and LAST_ACTIVITY_DATE as empty objects."""
    row = {**rec, "TIMESTAMP_X": {}, "LAST_ACTIVITY_DATE": {}}
    out = {k: row[k] for k in _USER_GET_ORDER if k in row}
    out["ID"] = str(rec["ID"])
    return out


def _current_user(rec: dict[str, Any], now: float) -> dict[str, Any]:
    """user.current (recorded: user-current.md, batch.md): LAST_ACTIVITY_DATE is a local
    "Y-m-d H:i:s" text and TIMESTAMP_X a formatted date; no USER_TYPE."""
    out = {k: v for k, v in _user(rec).items() if k not in ("USER_TYPE", "TIME_ZONE")}
    local = format_dt(now)
    out["TIMESTAMP_X"] = f"{local[8:10]}.{local[5:7]}.{local[:4]} {local[11:19]}"
    out["LAST_ACTIVITY_DATE"] = f"{local[:10]} {local[11:19]}"
    return out


@method("user.get")
def user_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    upper = {str(k).upper(): v for k, v in params.items()}  # the portal upper-cases the keys
    raw = upper.get("FILTER")
    filt = dict(raw) if isinstance(raw, dict) else {}
    for key in ("ID", "EMAIL", "ACTIVE", "NAME", "LAST_NAME", "USER_TYPE"):
        if key in upper:  # user.get also takes filter fields at the top level
            filt[key] = upper[key]
    for key, value in list(filt.items()):
        if key.lstrip("!=") == "ACTIVE":
            filt[key] = str(value).lower() in ("true", "y", "1")
        elif key[:1].isalpha() and isinstance(value, str) and "%" in value:
            # a plain key whose value holds `%` is a LIKE (user-get.md: NAME "Iv%" finds the
            # names starting with "Iv")
            del filt[key]
            filt[f"=%{key}"] = value
    sort = upper.get("SORT")
    order = {str(sort): str(upper.get("ORDER") or "ASC")} if sort else None
    return plain_list(ctx, "user", {**params, "FILTER": filt}, _user, filter_key="FILTER",
                      order=order)  # fmt: skip


@method("user.current")
def user_current(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rec = ctx.store.get("user", ctx.user_id)
    if rec is None:
        raise RestError(401, "NO_AUTH_FOUND", "Wrong authorization data")
    ctx.touch()
    return Reply(_current_user(rec, ctx.now))


@method("user.admin")
def user_admin(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Whether the caller is an administrator (recorded: user-admin.md)."""
    return Reply(ctx.user_id in ADMINS)


# -- global methods of the rest module: server.time, profile, scope, methods, method.get --------
_SCOPES = ("crm", "user", "catalog", "task")
_GLOBAL = (
    "batch",
    "server.time",
    "profile",
    "scope",
    "methods",
    "method.get",
    "app.info",
    "user.admin",
)


@method("server.time")
def server_time(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply(format_dt(ctx.now))


@method("profile")
def profile(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The caller's short profile (the classic check that a webhook works)."""
    rec = ctx.store.get("user", ctx.user_id)
    if rec is None or not rec["ACTIVE"]:
        return Reply([])
    return Reply(
        {
            "ID": str(rec["ID"]),
            "ADMIN": ctx.user_id in ADMINS,
            "NAME": rec["NAME"],
            "LAST_NAME": rec["LAST_NAME"],
            "PERSONAL_GENDER": "",
            "TIME_ZONE": "",
        }
    )  # fmt: skip (recorded: profile.md)


@method("scope")
def scope(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply(list(_SCOPES))


@method("methods")
def methods(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Every method, or those of one ``scope`` (recorded: methods.md lists scope `user`)."""
    names = sorted({*METHODS, *_GLOBAL})
    scope_name = str(params.get("scope") or params.get("SCOPE") or "")
    if scope_name:
        names = [n for n in names if n.split(".")[0] == scope_name]
    return Reply(names)


@method("method.get")
def method_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    name = str(params.get("name") or "").lower()
    known = name in METHODS or name in _GLOBAL
    return Reply({"isExisting": known, "isAvailable": known})


@method("app.info")
def app_info(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """A webhook gets its scopes and the license; an OAuth application its installation."""
    license_name = "ru_ent250" if ctx.config.plan == "enterprise" else "ru_std"
    if ctx.credential.startswith("hook:"):
        return Reply({"SCOPE": list(_SCOPES), "LICENSE": license_name})
    oauth = ctx.config.oauth
    return Reply({"ID": 1, "CODE": oauth.client_id if oauth else "", "VERSION": 1, "STATUS": "L",
                  "INSTALLED": True, "PAYMENT_EXPIRED": "N", "DAYS": None, "LANGUAGE_ID": "ru",
                  "LICENSE": license_name})  # fmt: skip


@method("crm.currency.base.get")
def currency_base(ctx: Ctx, params: dict[str, Any]) -> Reply:
    base = next((c["CURRENCY"] for c in ctx.store.table("currency").values() if c["BASE"] == "Y"),
                "RUB")  # fmt: skip
    return Reply(base)


@method("crm.status.list")
def status_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    order = params.get("order") or {"SORT": "ASC"}
    return plain_list(ctx, "status", params, _status_row, order=order)


def _status_row(rec: dict[str, Any]) -> dict[str, Any]:
    out = string_row(rec)
    category = rec.get("CATEGORY_ID")  # the general pipeline's stages: null (crm-status-list.md)
    out["CATEGORY_ID"] = str(category) if category else None
    if "EXTRA" in rec:  # a smart process's stages have none (how-to-add-category-to-spa.md)
        out["EXTRA"] = rec["EXTRA"]
    return out


@method("crm.status.entity.items", "crm.dealcategory.stage.list")
def status_entity_items(ctx: Ctx, params: dict[str, Any]) -> Reply:
    entity = params.get("entityId") or params.get("ENTITY_ID")
    if entity is None and ("id" in params or "ID" in params):
        category = as_int(params.get("id", params.get("ID"))) or 0
        entity = "DEAL_STAGE" if category == 0 else f"DEAL_STAGE_{category}"
    if not entity:  # recorded: crm-status-entity-items.md
        raise RestError(
            400,
            "The parameter entityId is not defined or invalid.",
            "The directory ID is not specified or is incorrect.",
        )
    rows = [s for s in ctx.store.table("status").values() if s["ENTITY_ID"] == entity]
    ctx.touch(max(len(rows), 1))
    rows.sort(key=lambda s: s["SORT"])
    return Reply(
        [{"NAME": s["NAME"], "SORT": s["SORT"], "STATUS_ID": s["STATUS_ID"]} for s in rows]
    )


@method("crm.category.list")
def category_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    entity_type = as_int(params.get("entityTypeId"))
    if smart_entity(ctx, entity_type) is None:  # a smart process has pipelines of its own
        entity_type = _category_type(params)
    rows = [c for c in ctx.store.table("category").values() if c["ENTITY_TYPE_ID"] == entity_type]
    rows.sort(key=lambda c: (c["SORT"], c["ID"]))  # ascending, as captured real replies show
    out = []
    for c in rows:
        item = {"id": c["ID"], "name": c["NAME"], "sort": c["SORT"],
                "entityTypeId": c["ENTITY_TYPE_ID"], "isDefault": c["IS_DEFAULT"]}  # fmt: skip
        if c["IS_DEFAULT"] != "Y":
            item.update(originId=c.get("ORIGIN_ID", ""), originatorId=c.get("ORIGINATOR_ID", ""))
        out.append(item)
    ctx.touch(max(len(out), 1))
    return Reply({"categories": out}, len(out))


def _category_type(params: dict[str, Any]) -> int:
    """Deals have pipelines; any other type is refused as the portal refuses a missing smart
    process (recorded: crm-category-list.md)."""
    entity_type = as_int(params.get("entityTypeId"))
    if entity_type != 2:
        raise RestError(400, "NOT_FOUND", "Smart process not found")
    return entity_type


@method("crm.category.add")
def category_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """A new pipeline of deals (the general pipeline's stages, ``C<id>:NEW`` …) or of a smart
    process (its five stages); ``isDefault: Y`` makes a smart process's new pipeline its
    default one (recorded reply shape: crm-category-add.md, a smart process's)."""
    entity_type = as_int(params.get("entityTypeId"))
    smart = smart_entity(ctx, entity_type) is not None
    if not smart:
        entity_type = _category_type(params)
    raw = params.get("fields")
    fields: dict[str, Any] = raw if isinstance(raw, dict) else {}
    name = str(fields.get("name") or "").strip()
    if not name:
        raise RestError(400, "0", "Field 'NAME' is required")
    sort = as_int(fields.get("sort")) or 500
    # deals: the new pipeline is not made the default one (new deals without CATEGORY_ID go to
    # the general pipeline here) - see docs/sandbox.md
    default = "Y" if smart and is_yes(fields.get("isDefault", "N")) else "N"
    record = {"ENTITY_TYPE_ID": entity_type, "NAME": name, "SORT": sort, "IS_DEFAULT": default,
              "ORIGIN_ID": "", "ORIGINATOR_ID": ""}  # fmt: skip
    if default == "Y":
        for cid, other in list(ctx.store.table("category").items()):
            if other["ENTITY_TYPE_ID"] == entity_type and other["IS_DEFAULT"] == "Y":
                ctx.store.put("category", cid, {**other, "IS_DEFAULT": "N"})
    rid = ctx.store.insert("category", record)
    if smart and entity_type is not None:
        add_smart_stages(ctx.store, entity_type, rid)
    else:
        add_pipeline_stages(ctx.store, rid)
    ctx.touch()
    return Reply({"category": {"id": rid, "name": name, "sort": record["SORT"],
                               "entityTypeId": entity_type, "isDefault": default}})  # fmt: skip


@method("crm.currency.list")
def currency_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rows = sorted(ctx.store.table("currency").values(), key=lambda c: c["SORT"])
    ctx.touch(max(len(rows), 1))
    out = [{"CURRENCY": c["CURRENCY"], "AMOUNT_CNT": str(c["AMOUNT_CNT"]),
            "AMOUNT": f"{c['AMOUNT']:.4f}", "SORT": str(c["SORT"]), "BASE": c["BASE"],
            "FULL_NAME": c["FULL_NAME"], "LID": "ru", "FORMAT_STRING": "# ₽"
            if c["CURRENCY"] == "RUB" else "#", "DEC_POINT": ".", "THOUSANDS_SEP": "&nbsp;",
            "DECIMALS": "2", "DATE_UPDATE": c.get("DATE_UPDATE") or ""}
           for c in rows]  # fmt: skip
    return Reply(out, 0)  # `total` is 0 here (recorded: crm-currency-list.md)


@method("crm.requisite.preset.list")
def preset_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, "preset", params)


@method("crm.dealcategory.list")
def dealcategory_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rows = [{"ID": str(c["ID"]), "NAME": c["NAME"], "SORT": str(c["SORT"]), "IS_LOCKED": "N"}
            for c in ctx.store.table("category").values() if c["ID"] != 0]  # fmt: skip
    ctx.touch(max(len(rows), 1))
    return Reply(rows, len(rows))
