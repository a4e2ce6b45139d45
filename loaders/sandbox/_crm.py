"""Writing and reading CRM records (lead, deal, contact, company) in both dialects.

Records are stored as legacy UPPER_CASE keys with typed values; multifields are lists of
``{"ID", "TYPE_ID", "VALUE_TYPE", "VALUE"}``. The legacy dialect answers errors with an empty
code (``ERROR_CORE`` for core validation); the crm.item dialect with ``CRM_FIELD_ERROR_*``.
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, format_dt
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._params import as_int, as_list, is_yes
from loaders.sandbox._schema import MULTIFIELDS, VALUE_TYPES, EntityDef, FieldDef
from loaders.sandbox._values import (
    EMAIL_RE,
    BadValue,
    parse_value,
    render_item_value,
    render_legacy_value,
)

__all__ = [
    "apply_fields",
    "apply_fm",
    "apply_multifields",
    "describe_userfields",
    "finish_record",
    "render_item",
    "render_legacy",
    "userfields",
]

IMPORT_FIELDS = (
    "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID", "MOVED_TIME", "MOVED_BY_ID",
)  # fmt: skip
_EMAIL_LABELS = {
    "WORK": "Work e-mail",
    "HOME": "Private e-mail",
    "MAILING": "E-mail for newsletters",
}
_HAS = {"HAS_PHONE": "PHONE", "HAS_EMAIL": "EMAIL", "HAS_IMOL": "IM"}


def userfields(ctx: Ctx, edef: EntityDef) -> dict[str, FieldDef]:
    """User fields defined for the entity, as field definitions."""
    out = {}
    for uf in ctx.store.table("userfield").values():
        if uf["ENTITY_ID"] == edef.uf_entity:
            flags = "M" if uf.get("MULTIPLE") == "Y" else ""
            out[uf["FIELD_NAME"]] = FieldDef("uf:" + uf["USER_TYPE_ID"], uf["FIELD_NAME"], flags)
    return out


def _label(value: Any, fallback: str) -> str:
    """A user-field label: a string, or ``{lang: text}`` (the portal answers in Russian)."""
    if isinstance(value, dict):
        value = value.get("ru") or value.get("en") or next(iter(value.values()), "")
    return str(value) if value not in (None, "") else fallback


def describe_userfields(ctx: Ctx, edef: EntityDef) -> dict[str, dict[str, Any]]:
    """``crm.*.fields`` entries of the user fields, as captured real replies show them:
    ``title`` is the field name, the human labels are ``listLabel``/``formLabel``/
    ``filterLabel``, plus ``settings`` and, for lists, ``items`` (``ID``/``VALUE``)."""
    out: dict[str, dict[str, Any]] = {}
    for uf in ctx.store.table("userfield").values():
        if uf["ENTITY_ID"] != edef.uf_entity:
            continue
        name = uf["FIELD_NAME"]
        form = _label(uf.get("EDIT_FORM_LABEL"), name)
        entry: dict[str, Any] = {
            "type": uf["USER_TYPE_ID"],
            "isRequired": uf.get("MANDATORY") == "Y",
            "isReadOnly": False,
            "isImmutable": False,
            "isMultiple": uf.get("MULTIPLE") == "Y",
            "isDynamic": True,
            "title": name,
            "listLabel": _label(uf.get("LIST_COLUMN_LABEL"), form),
            "formLabel": form,
            "filterLabel": _label(uf.get("LIST_FILTER_LABEL"), form),
            "settings": uf.get("SETTINGS") or [],
        }
        if uf["USER_TYPE_ID"] == "enumeration":
            entry["items"] = [{"ID": str(i["ID"]), "VALUE": i["VALUE"]} for i in uf.get("LIST", [])]
        out[name] = entry
    return out


def _bad(dialect: str, fdef: FieldDef, name: str, value: Any) -> RestError:
    text = str(value)[:80]
    if dialect == "item":
        return RestError(
            400, "CRM_FIELD_ERROR_VALUE_NOT_VALID", f'Invalid value for field "{name}"'
        )
    return RestError(400, "ERROR_CORE", f'The field "{fdef.title}" has an invalid value "{text}".')


def _store_value(fdef: FieldDef, value: Any) -> Any:
    if fdef.type.startswith("uf:"):
        utype = fdef.type[3:]
        base = {"integer": "integer", "double": "double", "boolean": "char", "date": "date",
                "datetime": "datetime", "employee": "integer"}.get(utype, "string")  # fmt: skip
        if fdef.multiple:
            return [parse_value(base, v) for v in as_list(value)]
        if base == "char":
            return None if value in (None, "") else ("1" if is_yes(value) else "0")
        return parse_value(base, value)
    if fdef.multiple:
        values = [parse_value(fdef.type, v) for v in as_list(value)]
        return [v for v in values if v is not None]
    return parse_value(fdef.type, value)


def apply_fields(
    ctx: Ctx,
    edef: EntityDef,
    record: dict[str, Any],
    fields: dict[str, Any],
    *,
    creating: bool,
    historical: bool = False,
    dialect: str = "legacy",
    names: dict[str, str] | None = None,
) -> None:
    """Copy known, writable ``fields`` into ``record``; unknown keys are silently ignored.

    ``historical`` unlocks DATE_CREATE/DATE_MODIFY/CREATED_BY_ID/MODIFY_BY_ID (IMPORT=Y or
    crm.item.import). ``names`` maps the keys the client used (camelCase) to legacy names.
    """
    ufs = userfields(ctx, edef)
    for key, value in fields.items():
        legacy = names.get(key, "") if names is not None else key
        fdef = edef.fields.get(legacy) or ufs.get(legacy)
        if fdef is None or legacy in MULTIFIELDS:
            continue
        if fdef.read_only and not (historical and legacy in IMPORT_FIELDS):
            continue
        if "I" in fdef.flags and not creating:
            continue
        try:
            record[legacy] = _store_value(fdef, value)
        except BadValue:
            raise _bad(dialect, fdef, key, value) from None


def _check_email(value: str, value_type: str) -> None:
    if not EMAIL_RE.match(value):
        label = _EMAIL_LABELS.get(value_type, "E-mail")
        raise RestError(400, "ERROR_CORE", f'The field "{label}" contains an invalid address<br>')


def _new_entry(ctx: Ctx, type_id: str, value_type: Any, value: Any) -> dict[str, Any] | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    vtype = str(value_type or VALUE_TYPES[type_id][0]).upper()
    if type_id == "EMAIL":
        _check_email(text, vtype)
    return {"ID": ctx.store.next_id("fm"), "TYPE_ID": type_id, "VALUE_TYPE": vtype, "VALUE": text}


def apply_multifields(ctx: Ctx, record: dict[str, Any], fields: dict[str, Any]) -> None:
    """Legacy PHONE/EMAIL/WEB/IM: items with ID change or delete that entry, others are added."""
    for type_id in MULTIFIELDS:
        if type_id not in fields:
            continue
        entries = [dict(e) for e in record.get(type_id, [])]
        by_id = {e["ID"]: e for e in entries}
        for item in as_list(fields[type_id]):
            if not isinstance(item, dict):
                raise legacy_error(f"Parameter '{type_id}' must be array.")
            rid = as_int(item.get("ID"))
            if rid is None:
                entry = _new_entry(ctx, type_id, item.get("VALUE_TYPE"), item.get("VALUE"))
                if entry:
                    entries.append(entry)
                continue
            old = by_id.get(rid)
            if old is None:
                continue
            value = item.get("VALUE")
            if is_yes(item.get("DELETE", "N")) or value is None or str(value).strip() == "":
                entries.remove(old)
                continue
            old["VALUE"] = str(value).strip()
            old["VALUE_TYPE"] = str(item.get("VALUE_TYPE") or old["VALUE_TYPE"]).upper()
            if type_id == "EMAIL":
                _check_email(old["VALUE"], old["VALUE_TYPE"])
        record[type_id] = entries


def apply_fm(ctx: Ctx, record: dict[str, Any], fm: Any, *, creating: bool) -> None:
    """crm.item ``fm``: a list on add; on update a map ``n0``/id → entry (empty value deletes)."""
    items = fm.items() if isinstance(fm, dict) and not creating else enumerate(as_list(fm))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for key, item in items:
        if not isinstance(item, dict) or str(item.get("typeId", "")).upper() not in MULTIFIELDS:
            continue  # typeId is mandatory; without it the entry is silently ignored
        type_id = str(item["typeId"]).upper()
        rid = None if creating else as_int(key)
        entry: dict[str, Any] = {"VALUE": item.get("value"), "VALUE_TYPE": item.get("valueType")}
        if rid is not None:
            entry["ID"] = rid
        by_type.setdefault(type_id, []).append(entry)
    apply_multifields(ctx, record, by_type)


def finish_record(ctx: Ctx, record: dict[str, Any], *, creating: bool) -> None:
    """Timestamps, authors and the HAS_* flags, after fields were applied."""
    stamp = format_dt(ctx.now)
    if creating:
        record.setdefault("DATE_CREATE", None)
        record["DATE_CREATE"] = record["DATE_CREATE"] or stamp
        record["CREATED_BY_ID"] = record.get("CREATED_BY_ID") or ctx.user_id
        record["OPENED"] = record.get("OPENED") or "Y"
        record["ASSIGNED_BY_ID"] = record.get("ASSIGNED_BY_ID") or ctx.user_id
    if not (creating and record.get("DATE_MODIFY")):
        record["DATE_MODIFY"] = record["DATE_CREATE"] if creating else stamp
    if not (creating and record.get("MODIFY_BY_ID")):
        record["MODIFY_BY_ID"] = ctx.user_id
    for flag, type_id in _HAS.items():
        record[flag] = "Y" if record.get(type_id) else "N"


# -- reading ------------------------------------------------------------------------------------
def _standard(edef: EntityDef) -> list[str]:
    return [n for n, f in edef.fields.items() if not f.multiple and "W" not in f.flags]


def _selected(ctx: Ctx, edef: EntityDef, select: list[str] | None) -> list[str]:
    ufs = list(userfields(ctx, edef))
    if not select:
        return _standard(edef) + ufs
    names: list[str] = []
    for name in select:
        key = str(name).upper()
        if key == "*":
            names += _standard(edef)
        elif key == "UF_*":
            names += ufs
        elif (key in edef.fields and "W" not in edef.fields[key].flags) or key in ufs:
            names.append(key)
    if "ID" not in names:
        names.insert(0, "ID")
    return list(dict.fromkeys(names))


def _fm_out(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "ID": str(e["ID"]),
            "VALUE_TYPE": e["VALUE_TYPE"],
            "VALUE": e["VALUE"],
            "TYPE_ID": e["TYPE_ID"],
        }
        for e in entries
    ]


def render_legacy(
    ctx: Ctx,
    edef: EntityDef,
    record: dict[str, Any],
    select: list[str] | None,
    *,
    get: bool = False,
) -> dict[str, Any]:
    """Legacy shape: strings everywhere; multifields only when named (or non-empty, for get)."""
    ufs = userfields(ctx, edef)
    out: dict[str, Any] = {}
    for name in _selected(ctx, edef, select):
        fdef = edef.fields.get(name) or ufs[name]
        if name in MULTIFIELDS:
            out[name] = _fm_out(record.get(name, []))
        else:
            out[name] = render_legacy_value(fdef.type, record.get(name))
    if get:
        for type_id in MULTIFIELDS:
            if record.get(type_id):
                out[type_id] = _fm_out(record[type_id])
    return out


def render_item(
    ctx: Ctx,
    edef: EntityDef,
    record: dict[str, Any],
    select: list[str] | None = None,
    *,
    original_uf: bool = False,
) -> dict[str, Any]:
    """crm.item shape: camelCase keys, typed values, ``fm`` only with ``*`` (or no select)."""
    ufs = userfields(ctx, edef)
    wanted = {str(s) for s in select or ["*"]}
    star = "*" in wanted
    out: dict[str, Any] = {}
    for name, fdef in list(edef.fields.items()) + list(ufs.items()):
        if name in MULTIFIELDS or name.startswith("HAS_"):
            continue
        key = name if original_uf and name.startswith("UF_") else edef.camel(name)
        if star or key in wanted or name in wanted:
            out[key] = render_item_value(fdef.type, record.get(name))
    if star or "entityTypeId" in wanted:  # every item carries its type (captured crm.item.add)
        out["entityTypeId"] = edef.type_id
    if star:
        out["fm"] = [
            {
                "id": e["ID"],
                "typeId": e["TYPE_ID"],
                "valueType": e["VALUE_TYPE"],
                "value": e["VALUE"],
            }
            for t in MULTIFIELDS
            for e in record.get(t, [])
        ]
    return out
