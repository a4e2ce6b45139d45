"""Reading CRM records back: the legacy dialect (strings) and the crm.item dialect (typed).

Shapes follow recorded real replies (``tests/loaders/sandbox/recorded/``): a legacy ``get``
returns every standard field (``null`` when unset, ``""`` for empty dates) plus the non-empty
multi-fields; crm.item replies of leads and deals carry the portal's full item (computed
fields included, :mod:`._items_shape`).
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx
from loaders.sandbox._crm import required_names, userfields
from loaders.sandbox._files import item_file, legacy_file
from loaders.sandbox._items_shape import ITEM_SHAPES, item_extras
from loaders.sandbox._schema import MULTIFIELDS, EntityDef, FieldDef
from loaders.sandbox._values import render_item_value, render_legacy_value

__all__ = ["describe_userfields", "fm_out", "render_item", "render_legacy"]

#: Double fields stored as PHP floats (REVENUE "0", recorded crm-company-get.md); the other
#: doubles are decimal(18,2) columns ("19999.99", "0.00").
_PHP_FLOATS = frozenset({"REVENUE"})
_UF_EMPTY: dict[str, Any] = {"boolean": "0"}


def _label(value: Any, fallback: str) -> str:
    """A user-field label: a string, or ``{lang: text}`` (the portal answers in Russian)."""
    if isinstance(value, dict):
        value = value.get("ru") or value.get("en") or next(iter(value.values()), "")
    return str(value) if value not in (None, "") else fallback


def describe_userfields(ctx: Ctx, edef: EntityDef) -> dict[str, dict[str, Any]]:
    """``crm.*.fields`` entries of the user fields, as captured real replies show them:
    ``title`` is the field name, the human labels are ``listLabel``/``formLabel``/
    ``filterLabel``, plus ``settings`` and, for lists, ``items`` (``ID``/``VALUE``)."""
    required = set(required_names(ctx, edef))
    out: dict[str, dict[str, Any]] = {}
    for uf in ctx.store.table("userfield").values():
        if uf["ENTITY_ID"] != edef.uf_entity:
            continue
        name = uf["FIELD_NAME"]
        form = _label(uf.get("EDIT_FORM_LABEL"), name)
        entry: dict[str, Any] = {
            "type": uf["USER_TYPE_ID"],
            "isRequired": name in required,
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


# -- legacy ----------------------------------------------------------------------------------------
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


def fm_out(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Multi-field entries as legacy reads give them (strings), in the order they were sent."""
    return [
        {"ID": str(e["ID"]), "VALUE_TYPE": e["VALUE_TYPE"], "VALUE": e["VALUE"],
         "TYPE_ID": e["TYPE_ID"]}
        for e in entries
    ]  # fmt: skip


def _legacy_value(name: str, fdef: FieldDef, value: Any) -> Any:
    if fdef.type.startswith("uf:"):
        utype = fdef.type[3:]
        if value in (None, []):
            return [] if fdef.multiple else _UF_EMPTY.get(utype, "")
        if utype == "file":
            return legacy_file(value)
        return render_legacy_value("date" if utype == "date" else "string", value)
    if fdef.type in ("file", "location") and value is None:
        return None
    return render_legacy_value("php_float" if name in _PHP_FLOATS else fdef.type, value)


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
            out[name] = fm_out(record.get(name, []))
        else:
            out[name] = _legacy_value(name, fdef, record.get(name))
    if get:
        for type_id in MULTIFIELDS:
            if record.get(type_id):
                out[type_id] = fm_out(record[type_id])
    return out


# -- crm.item --------------------------------------------------------------------------------------
def _item_value(fdef: FieldDef, value: Any) -> Any:
    if fdef.type.startswith("uf:"):
        utype = fdef.type[3:]
        if value in (None, []):
            return [] if fdef.multiple else None
        if utype == "file":
            return item_file(value)
        if utype == "double":
            return float(value) if not isinstance(value, list) else [float(v) for v in value]
        return render_item_value("date" if utype == "date" else "string", value)
    return render_item_value(fdef.type, value)


def _full_item(
    ctx: Ctx, edef: EntityDef, record: dict[str, Any], original_uf: bool
) -> dict[str, Any]:
    """Every key of the entity's item, in the order a real portal writes them."""
    ufs = userfields(ctx, edef)
    shape = ITEM_SHAPES.get(edef.name)
    out: dict[str, Any] = {}
    if shape is None:
        for name, fdef in edef.fields.items():
            if name not in MULTIFIELDS:
                value = record.get(name)  # an empty multiple field reads [] (crm-item-add.md)
                out[edef.camel(name)] = (
                    [] if fdef.multiple and not value else _item_value(fdef, value)
                )
    else:
        extras = item_extras(edef, record)
        for key, legacy in shape:
            if legacy is None:
                out[key] = extras.get(key)
            else:
                out[key] = _item_value(edef.fields[legacy], record.get(legacy))
            if key in extras and legacy is not None and out[key] is None:
                out[key] = extras[key]
    for name, fdef in ufs.items():
        key = name if original_uf else edef.camel(name)
        out[key] = _item_value(fdef, record.get(name))
    _place_tail(out, edef, record)
    return out


def _place_tail(out: dict[str, Any], edef: EntityDef, record: dict[str, Any]) -> None:
    """The keys real items end with: UTM marks, observers, contact ids, the entity type."""
    for name in ("UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM"):
        if edef.type_id >= 128:  # smart processes have no UTM marks (crm-item-fields.md)
            break
        key = edef.camel(name)
        out[key] = out.pop(key, record.get(name))
    if edef.name in ("lead", "deal"):
        out["observers"] = list(record.get("OBSERVERS") or [])
        out["contactIds"] = list(record.get("CONTACT_IDS") or [])
    out["entityTypeId"] = edef.type_id


def render_item(
    ctx: Ctx,
    edef: EntityDef,
    record: dict[str, Any],
    select: list[str] | None = None,
    *,
    original_uf: bool = False,
) -> dict[str, Any]:
    """crm.item shape: camelCase keys, typed values; ``fm`` only with ``*`` (or no select)."""
    full = _full_item(ctx, edef, record, original_uf)
    if "fm" not in full and edef.name in ("contact", "company", "lead"):
        full["fm"] = [{"id": e["ID"], "valueType": e["VALUE_TYPE"], "value": e["VALUE"],
                       "typeId": e["TYPE_ID"]}
                      for e in sorted(_all_entries(record), key=lambda e: e["ID"])]  # fmt: skip
    wanted = [str(s) for s in select or ["*"]]
    if "*" in wanted:
        return full
    names = {edef.camel(s) if s.isupper() else s for s in wanted}
    return {k: v for k, v in full.items() if k in names or k == "id"}


def _all_entries(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for t in MULTIFIELDS for e in record.get(t, [])]
