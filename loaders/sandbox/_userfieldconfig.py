"""``userfieldconfig.{add,get,list,delete}``: user fields of a smart process.

A smart process's user fields are not made by ``crm.<entity>.userfield.add``: they belong to
the object ``CRM_<id>`` (``id`` of the type in ``crm.type.list``, not its ``entityTypeId``)
and are created through the ``userfieldconfig.*`` methods with ``moduleId: crm``. Stored in
the same table as the legacy user fields (``ENTITY_ID`` ``CRM_<id>``), so ``crm.item.fields``
describes them (upper name ``UF_CRM_<id>_…``, camelCase ``ufCrm<id>_…``) and ``crm.item.*``
reads and writes them. Shapes from bitrix24/b24restdocs (read 2026-12):
``api-reference/crm/universal/userfieldconfig/userfieldconfig-add.md``, ``-get.md``,
``-list.md``, ``-delete.md`` and ``tutorials/crm/how-to-add-crm-objects/
how-to-add-user-field-to-spa.md``:

* ``add`` ``{moduleId, field: {entityId, fieldName, userTypeId, multiple, editFormLabel,
  enum: [{value, def, sort, xmlId}], …}}`` → ``{"field": {id, entityId, fieldName, …,
  "enum": [{id, userFieldId, value, def, sort, xmlId}]}}`` (ids and flags as strings,
  ``enum`` only for lists). ``fieldName`` must start with ``UF_<entityId>_`` (``You cannot
  create custom fields``); unknown keys are ignored; errors are HTTP 400 with an empty code:
  ``The 'USER_TYPE_ID' field is not found``, ``The 'FIELD_NAME' field is not found``,
  ``Field … already exists``;
* ``get`` ``{moduleId, id}`` → ``{"field": {…}}``;
* ``list`` ``{moduleId, filter: {fieldName, userTypeId, multiple, …}}`` → ``{"fields":
  [...]}`` (no ``enum`` in the rows), 50 a page with ``total``/``next``;
* ``delete`` ``{moduleId, id}`` → ``null``; a field already deleted (or of another module)
  is ``You cannot delete the user field``.

Not modelled: ``update``, ``getTypes``, modules other than ``crm`` (``No settings for
UserFieldAccess``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, method
from loaders.sandbox._errors import legacy_error
from loaders.sandbox._lists import page_of
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes

__all__: list[str] = []

_TYPES = ("string", "integer", "double", "boolean", "date", "datetime", "enumeration", "url",
          "money", "address", "file", "employee", "crm", "crm_status")  # fmt: skip
_SPA_OBJECT = re.compile(r"CRM_\d+")
#: ``list`` filter keys (userfieldconfig-list.md, «Filterable Fields») → stored names.
_FILTER = {"id": "ID", "fieldName": "FIELD_NAME", "userTypeId": "USER_TYPE_ID",
           "xmlId": "XML_ID", "sort": "SORT", "multiple": "MULTIPLE", "mandatory": "MANDATORY",
           "showFilter": "SHOW_FILTER", "showInList": "SHOW_IN_LIST",
           "editInList": "EDIT_IN_LIST", "isSearchable": "IS_SEARCHABLE"}  # fmt: skip


def _module(params: dict[str, Any]) -> None:
    if str(params.get("moduleId") or "") != "crm":
        raise legacy_error("No settings for UserFieldAccess")


def _label(raw: Any) -> dict[str, Any]:
    """A ``lang_map`` as stored: a plain string is the label in every language."""
    if isinstance(raw, dict):
        return {str(k): v for k, v in raw.items()}
    return {"ru": raw, "en": raw} if raw not in (None, "") else {}


@method("userfieldconfig.add")
def add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _module(params)
    field = as_dict(params.get("field"), "field")
    entity = str(field.get("entityId") or "")
    utype = str(field.get("userTypeId") or "")
    name = str(field.get("fieldName") or "").strip().upper()
    if utype not in _TYPES:
        raise legacy_error("The 'USER_TYPE_ID' field is not found.")
    if not name:
        raise legacy_error("The 'FIELD_NAME' field is not found.")
    if not _SPA_OBJECT.fullmatch(entity) or not _known_object(ctx, entity):
        raise legacy_error("Access denied.")
    if not name.startswith(f"UF_{entity}_") or not re.fullmatch(r"[A-Z0-9_]{1,50}", name):
        raise legacy_error("You cannot create custom fields")
    if any(u["ENTITY_ID"] == entity and u["FIELD_NAME"] == name
           for u in ctx.store.table("userfield").values()):  # fmt: skip
        raise legacy_error(f"Field {name} already exists")
    label = _label(field.get("editFormLabel"))
    record = {
        "ENTITY_ID": entity, "FIELD_NAME": name, "USER_TYPE_ID": utype,
        "XML_ID": field.get("xmlId"), "SORT": as_int(field.get("sort")) or 100,
        "MULTIPLE": "N" if utype == "boolean" else _flag(field.get("multiple")),
        "MANDATORY": _flag(field.get("mandatory")), "SHOW_FILTER": _flag(field.get("showFilter")),
        "SHOW_IN_LIST": "Y", "EDIT_IN_LIST": "Y", "IS_SEARCHABLE": _flag(field.get("isSearchable")),
        "SETTINGS": as_dict(field.get("settings") or {}, "settings"),
        "EDIT_FORM_LABEL": label, "LIST_COLUMN_LABEL": None, "LIST_FILTER_LABEL": None,
        "ERROR_MESSAGE": None, "HELP_MESSAGE": _label(field.get("helpMessage")) or None,
        "LIST": _enum(ctx, field.get("enum")) if utype == "enumeration" else [],
    }  # fmt: skip
    rid = ctx.store.insert("userfield", record)
    ctx.touch()
    return Reply({"field": _row(ctx.store.get("userfield", rid) or {}, with_enum=True)})


@method("userfieldconfig.get")
def get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _module(params)
    found = _spa_field(ctx, params.get("id"))
    if found is None:
        raise legacy_error("The user field is not found")
    return Reply({"field": _row(found, with_enum=True)})


@method("userfieldconfig.list")
def list_(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _module(params)
    wanted = as_dict(params.get("filter") or {}, "filter")
    conds = {_FILTER[k]: str(v) for k, v in wanted.items() if k in _FILTER}
    rows = {
        rid: r
        for rid, r in ctx.store.table("userfield").items()
        if _SPA_OBJECT.fullmatch(str(r["ENTITY_ID"]))
        and all(str(r.get(k)) == v for k, v in conds.items())
    }
    page, total, nxt = page_of(rows, [], [], params.get("start"))
    ctx.touch(max(len(page), 1))
    return Reply({"fields": [_row(r, with_enum=False) for r in page]}, total, nxt)


@method("userfieldconfig.delete")
def delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _module(params)
    found = _spa_field(ctx, params.get("id"))
    if found is None:
        raise legacy_error("You cannot delete the user field")
    name, entity = found["FIELD_NAME"], found["ENTITY_ID"]
    for item_type in ctx.store.table("smart_type").values():
        if f"CRM_{item_type['id']}" != entity:
            continue
        kind = f"dynamic_{item_type['entityTypeId']}"
        for rid, record in list(ctx.store.table(kind).items()):
            if name in record:
                ctx.store.put(kind, rid, {k: v for k, v in record.items() if k != name})
    ctx.store.delete("userfield", int(found["ID"]))
    ctx.touch()
    return Reply(None)


def _known_object(ctx: Ctx, entity: str) -> bool:
    return any(f"CRM_{t['id']}" == entity for t in ctx.store.table("smart_type").values())


def _spa_field(ctx: Ctx, raw: Any) -> dict[str, Any] | None:
    rid = as_int(raw)
    found = ctx.store.get("userfield", rid) if rid is not None else None
    if found is None or not _SPA_OBJECT.fullmatch(str(found["ENTITY_ID"])):
        return None
    return found


def _flag(value: Any) -> str:
    return "Y" if is_yes(value if value is not None else "N") else "N"


def _enum(ctx: Ctx, raw: Any) -> list[dict[str, Any]]:
    items = []
    for i, item in enumerate(as_list(raw)):
        item = item if isinstance(item, dict) else {"value": item}
        if not str(item.get("value") or "").strip():
            continue
        item_id = ctx.store.next_id("ufenum")
        digest = hashlib.md5(f"{item_id}".encode()).hexdigest()  # a 32-hex code, not a secret
        items.append({
            "ID": item_id, "SORT": as_int(item.get("sort")) or (i + 1) * 100,
            "VALUE": str(item["value"]), "DEF": _flag(item.get("def")),
            "XML_ID": str(item.get("xmlId") or digest),
        })  # fmt: skip
    return items


def _row(rec: dict[str, Any], *, with_enum: bool) -> dict[str, Any]:
    """The camelCase shape of userfieldconfig-add.md's reply (numbers as strings)."""
    out: dict[str, Any] = {
        "id": str(rec["ID"]), "entityId": rec["ENTITY_ID"], "fieldName": rec["FIELD_NAME"],
        "userTypeId": rec["USER_TYPE_ID"], "xmlId": rec.get("XML_ID"),
        "sort": str(rec.get("SORT") or 100), "multiple": rec.get("MULTIPLE", "N"),
        "mandatory": rec.get("MANDATORY", "N"), "showFilter": rec.get("SHOW_FILTER", "N"),
        "showInList": rec.get("SHOW_IN_LIST", "Y"), "editInList": rec.get("EDIT_IN_LIST", "Y"),
        "isSearchable": rec.get("IS_SEARCHABLE", "N"), "settings": rec.get("SETTINGS") or {},
        "languageId": {"en": "en", "ru": "ru"},
        "editFormLabel": rec.get("EDIT_FORM_LABEL") or {"en": None, "ru": None},
        "listColumnLabel": {"en": None, "ru": None}, "listFilterLabel": {"en": None, "ru": None},
        "errorMessage": {"en": None, "ru": None},
        "helpMessage": rec.get("HELP_MESSAGE") or {"en": None, "ru": None},
    }  # fmt: skip
    if with_enum and rec["USER_TYPE_ID"] == "enumeration":
        out["enum"] = [
            {"id": str(i["ID"]), "userFieldId": str(rec["ID"]), "value": i["VALUE"],
             "def": i.get("DEF", "N"), "sort": str(i.get("SORT") or 100),
             "xmlId": i.get("XML_ID")}
            for i in rec.get("LIST", [])
        ]  # fmt: skip
    return out
