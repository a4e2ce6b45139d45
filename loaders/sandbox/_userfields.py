"""``crm.{lead,deal,contact,company}.userfield.{get,update,delete}``: an admin's fix, rehearsed.

A load refused because of a user field (a list item missing, a field that should be optional,
a field of the wrong type) is fixed by the portal's admin; these let the fix be rehearsed on
the sandbox before the real portal. ``add`` and ``list`` live beside the other relations.

Shapes from the official docs (bitrix24/b24restdocs, read 2026-11):
``api-reference/crm/deals/user-defined-fields/crm-deal-userfield-update.md``,
``.../crm-deal-userfield-delete.md``, ``.../crm-deal-userfield-get.md`` and
``api-reference/crm/contacts/userfield/crm-contact-userfield-update.md`` (the ``LIST``
element with ``ID`` changes an item, with ``DEL: Y`` deletes it, without ``ID`` adds one):

* ``update`` takes ``id`` and ``fields`` with only what changes; ``USER_TYPE_ID``,
  ``FIELD_NAME``, ``MULTIPLE`` and unknown keys are ignored ("an incorrect field in fields
  will be ignored"); ``SETTINGS`` overwrites only the keys passed; a label given as a string
  is set for every language. Replies ``{"result": true}``.
* ``delete`` takes ``id``; the field and its values are gone. Replies ``{"result": true}``.
* errors (HTTP 400, the documented texts): ``ID is not defined or invalid``, ``Parameter
  'fields' must be array`` (empty ``error`` code, as the docs' example body), and
  ``ERROR_NOT_FOUND`` ``The entity with ID '<id>' is not found`` (the docs give no HTTP
  status for it; 400, as every other legacy CRM error); a field of another entity is
  ``Access denied.`` (the docs' example body).
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes
from loaders.sandbox._relations import _enum_items, _userfield_row
from loaders.sandbox._schema import ENTITIES

__all__: list[str] = []

_FLAGS = ("MANDATORY", "SHOW_FILTER", "SHOW_IN_LIST", "EDIT_IN_LIST", "IS_SEARCHABLE")
_LABELS = (
    "EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL", "ERROR_MESSAGE", "HELP_MESSAGE",
)  # fmt: skip


def _field(ctx: Ctx, params: dict[str, Any], uf_entity: str) -> dict[str, Any]:
    """The user field ``params["id"]`` names, checked to belong to this entity."""
    uf_id = as_int(params.get("id", params.get("ID")))
    if uf_id is None or uf_id <= 0:
        raise legacy_error("ID is not defined or invalid.")
    found = ctx.store.get("userfield", uf_id)
    if found is None:
        raise RestError(400, "ERROR_NOT_FOUND", f"The entity with ID '{uf_id}' is not found.")
    if found["ENTITY_ID"] != uf_entity:
        raise legacy_error("Access denied.")
    return found


def _changed(ctx: Ctx, field: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    new = dict(field)
    for flag in _FLAGS:
        if flag in fields:
            new[flag] = "Y" if is_yes(fields[flag]) else "N"
    for label in _LABELS:
        if label in fields:
            new[label] = fields[label]
    if "XML_ID" in fields:
        new["XML_ID"] = fields["XML_ID"]
    if "SORT" in fields and (as_int(fields["SORT"]) or 0) > 0:
        new["SORT"] = as_int(fields["SORT"])
    if "SETTINGS" in fields:
        settings = as_dict(fields["SETTINGS"], "SETTINGS")
        new["SETTINGS"] = {**(field.get("SETTINGS") or {}), **settings}
    if "LIST" in fields and field["USER_TYPE_ID"] == "enumeration":
        new["LIST"] = _list(ctx, field.get("LIST") or [], fields["LIST"])
    return new


def _list(ctx: Ctx, items: list[dict[str, Any]], changes: Any) -> list[dict[str, Any]]:
    """Items with ``ID`` change (or go, with ``DEL: Y``); items without one are added."""
    by_id = {int(item["ID"]): dict(item) for item in items}
    added = []
    for change in as_list(changes):
        change = change if isinstance(change, dict) else {"VALUE": change}
        item_id = as_int(change.get("ID"))
        if item_id is None:
            added.append(change)
        elif item_id in by_id and is_yes(change.get("DEL", "N")):
            del by_id[item_id]
        elif item_id in by_id:
            by_id[item_id].update(
                {k: change[k] for k in ("VALUE", "SORT", "XML_ID") if k in change},
                **({"DEF": "Y" if is_yes(change["DEF"]) else "N"} if "DEF" in change else {}),
            )
    return [*by_id.values(), *_enum_items(ctx, added)]


def _make(entity: str) -> None:
    edef = ENTITIES[entity]

    @method(f"crm.{entity}.userfield.get")
    def get(ctx: Ctx, params: dict[str, Any]) -> Reply:
        return Reply(_userfield_row(_field(ctx, params, edef.uf_entity), None))

    @method(f"crm.{entity}.userfield.update")
    def update(ctx: Ctx, params: dict[str, Any]) -> Reply:
        field = _field(ctx, params, edef.uf_entity)
        if not isinstance(params.get("fields"), dict):
            raise legacy_error("Parameter 'fields' must be array.")
        ctx.store.put("userfield", int(field["ID"]), _changed(ctx, field, params["fields"]))
        ctx.touch()
        return Reply(True)

    @method(f"crm.{entity}.userfield.delete")
    def delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
        field = _field(ctx, params, edef.uf_entity)
        name = field["FIELD_NAME"]
        for rid, record in list(ctx.store.table(edef.name).items()):
            if name in record:
                ctx.store.put(edef.name, rid, {k: v for k, v in record.items() if k != name})
        ctx.store.delete("userfield", int(field["ID"]))
        ctx.touch()
        return Reply(True)


for _entity in ("contact", "company", "deal", "lead"):
    _make(_entity)
