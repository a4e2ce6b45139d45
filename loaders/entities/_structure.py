"""Portal structure: a user field with its list items, a deal pipeline, a stage — the
commands that create, find again and delete each, and their results.

Pure, like the other builders. The REST shapes (bitrix24/b24restdocs, see ``docs/sandbox.md``):

* ``crm.<entity>.userfield.add`` ``{fields: {FIELD_NAME, USER_TYPE_ID, EDIT_FORM_LABEL, …,
  MULTIPLE: Y|N, LIST: [{VALUE, SORT}], SETTINGS: {…}}}`` → the field's id; the portal
  prefixes ``UF_CRM_`` itself, so the name is sent without it; found again by
  ``userfield.list`` ``filter[FIELD_NAME]``; its list items (ids by value) read by
  ``userfield.get``; items added by ``userfield.update`` with ``LIST`` entries without an
  ``ID``; ``userfield.delete`` ``{id}``
  (``api-reference/crm/deals/user-defined-fields/crm-deal-userfield-*.md``);
* ``crm.category.add`` ``{entityTypeId: 2, fields: {name}}`` → ``{category: {id, …}}``; found
  again by name in ``crm.category.list``; ``crm.category.delete`` ``{entityTypeId, id}``
  (``api-reference/crm/universal/category/crm-category-*.md``);
* ``crm.status.add`` ``{fields: {ENTITY_ID, STATUS_ID, NAME, SORT, SEMANTICS}}`` → the entry's
  id; ``ENTITY_ID`` is ``DEAL_STAGE`` (the general pipeline) or ``DEAL_STAGE_<n>``, and the
  portal prefixes ``C<n>:`` to the STATUS_ID itself; found again by STATUS_ID in
  ``crm.status.list`` ``filter[ENTITY_ID]``; ``crm.status.delete`` ``{id}``
  (``api-reference/crm/status/crm-status-*.md``);
* a smart process's user field (``UF_ENTITY`` ``CRM_<id>``): ``userfieldconfig.add``
  ``{moduleId: crm, field: {entityId, fieldName, userTypeId, multiple, editFormLabel, enum:
  [{value, sort}]}}`` → ``{field: {id, …, enum: [{id, value}]}}``; found again by
  ``userfieldconfig.list`` ``filter[fieldName]`` (``{fields: [...]}``), items read by
  ``userfieldconfig.get``, deleted by ``userfieldconfig.delete``
  (``api-reference/crm/universal/userfieldconfig/userfieldconfig-*.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.entities._command import Command, UnexpectedResult
from loaders.entities._lookup import unwrap_rows

__all__ = [
    "build_item_add",
    "build_item_read",
    "build_structure_add",
    "build_structure_delete",
    "build_structure_lookup",
    "find_structure",
    "list_item_ids",
    "parse_structure_id",
]

_DEALS = 2
_SMART_PROCESS = "smart_process"  # the ledger's entity of smart-process items


def build_structure_add(entity: str, fields: Mapping[str, Any], originator: str) -> Command:
    """The command that creates one structure record (``user_field``, ``pipeline``, ``stage``)."""
    if entity == "user_field" and fields.get("UF_ENTITY"):
        return _config_add(fields, originator)
    if entity == "user_field":
        label = str(fields["LABEL"])
        body: dict[str, Any] = {
            "FIELD_NAME": str(fields["FIELD_NAME"]).removeprefix("UF_CRM_"),
            "USER_TYPE_ID": fields["USER_TYPE_ID"], "XML_ID": originator,
            "EDIT_FORM_LABEL": label, "LIST_COLUMN_LABEL": label, "LIST_FILTER_LABEL": label,
        }  # fmt: skip
        if fields.get("MULTIPLE") == "Y":  # several values per record, sent as an array
            body["MULTIPLE"] = "Y"
        if fields.get("LIST"):
            body["LIST"] = [dict(item) for item in fields["LIST"]]
        if fields.get("SETTINGS"):
            body["SETTINGS"] = dict(fields["SETTINGS"])
        return Command(f"crm.{fields['ENTITY']}.userfield.add", {"fields": body})
    if entity == "pipeline":
        return Command("crm.category.add", {"entityTypeId": _DEALS,
                                            "fields": {"name": fields["name"]}})  # fmt: skip
    if entity == "stage":
        body = {"ENTITY_ID": _dictionary(fields), "STATUS_ID": fields["STATUS_ID"],
                "NAME": fields["NAME"], "SORT": fields["SORT"]}  # fmt: skip
        if fields.get("SEMANTICS"):
            body["SEMANTICS"] = fields["SEMANTICS"]
        return Command("crm.status.add", {"fields": body})
    raise KeyError(f"`{entity}` is not a structure entity")


def build_structure_lookup(entity: str, fields: Mapping[str, Any]) -> Command:
    """The read that finds a structure record again after an unknown outcome."""
    if entity == "user_field" and fields.get("UF_ENTITY"):
        wanted = {"fieldName": fields["FIELD_NAME"]}
        return Command("userfieldconfig.list", {"moduleId": "crm", "filter": wanted})
    if entity == "user_field":
        return Command(f"crm.{fields['ENTITY']}.userfield.list",
                       {"filter": {"FIELD_NAME": fields["FIELD_NAME"]}})  # fmt: skip
    if entity == "pipeline":
        return Command("crm.category.list", {"entityTypeId": _DEALS})
    if entity == "stage":
        return Command("crm.status.list", {"filter": {"ENTITY_ID": _dictionary(fields)}})
    raise KeyError(f"`{entity}` is not a structure entity")


def find_structure(entity: str, fields: Mapping[str, Any], result: Any) -> int | None:
    """The id of the record :func:`build_structure_lookup`'s ``result`` holds, if any."""
    rows = unwrap_rows(result)
    if isinstance(result, Mapping):  # crm.category.list, userfieldconfig.list
        rows = result.get("categories") or result.get("fields") or []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        if entity == "user_field" and row.get("fieldName") == fields["FIELD_NAME"]:
            return int(row["id"])
        if entity == "user_field" and row.get("FIELD_NAME") == fields["FIELD_NAME"]:
            return int(row["ID"])
        if entity == "pipeline" and str(row.get("name", "")).strip() == str(fields["name"]):
            return int(row["id"])
        if entity == "stage" and _status_code(row.get("STATUS_ID")) == fields["STATUS_ID"]:
            return int(row["ID"])
    return None


def build_structure_delete(entity: str, fields: Mapping[str, Any], b24_id: int) -> Command:
    """The command that deletes a structure record the load created."""
    if entity == "user_field" and fields.get("UF_ENTITY"):
        return Command("userfieldconfig.delete", {"moduleId": "crm", "id": b24_id})
    if entity == "user_field":
        return Command(f"crm.{fields['ENTITY']}.userfield.delete", {"id": b24_id})
    if entity == "pipeline":
        return Command("crm.category.delete", {"entityTypeId": _DEALS, "id": b24_id})
    if entity == "stage":
        return Command("crm.status.delete", {"id": b24_id})
    raise KeyError(f"`{entity}` is not a structure entity")


def parse_structure_id(entity: str, result: Any) -> int:
    """The new record's id from an add's result."""
    value = result
    if isinstance(result, Mapping):  # crm.category.add, userfieldconfig.add
        value = (result.get("category") or result.get("field") or {}).get("id")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UnexpectedResult(f"{entity}: no id in the portal's reply {result!r:.80}") from None


def build_item_read(entity: str, field_id: int) -> Command:
    """``userfield.get`` (a smart process's: ``userfieldconfig.get``): the field with its list
    items (ids by value)."""
    if entity == _SMART_PROCESS:
        return Command("userfieldconfig.get", {"moduleId": "crm", "id": field_id})
    return Command(f"crm.{entity}.userfield.get", {"id": field_id})


def build_item_add(entity: str, field_id: int, values: list[str]) -> Command:
    """``userfield.update`` adding list items (entries without an ``ID`` are added)."""
    listed = [{"VALUE": v} for v in values]
    return Command(f"crm.{entity}.userfield.update", {"id": field_id, "fields": {"LIST": listed}})


def list_item_ids(result: Any) -> dict[str, int]:
    """A ``userfield.get`` result → its list items' ids by value."""
    if isinstance(result, Mapping) and isinstance(result.get("field"), Mapping):
        items = result["field"].get("enum")  # userfieldconfig.get: camelCase items
        return {
            str(item["value"]): int(item["id"])
            for item in items or []
            if isinstance(item, Mapping) and item.get("id") is not None
        }
    items = result.get("LIST") if isinstance(result, Mapping) else None
    return {
        str(item["VALUE"]): int(item["ID"])
        for item in items or []
        if isinstance(item, Mapping) and item.get("ID") is not None
    }


def _config_add(fields: Mapping[str, Any], originator: str) -> Command:
    """``userfieldconfig.add``: a smart process's user field (its object ``CRM_<id>``; the
    name keeps its ``UF_CRM_<id>_`` prefix; list items as ``enum``)."""
    body: dict[str, Any] = {
        "entityId": fields["UF_ENTITY"], "fieldName": fields["FIELD_NAME"],
        "userTypeId": fields["USER_TYPE_ID"], "xmlId": originator,
        "multiple": "Y" if fields.get("MULTIPLE") == "Y" else "N",
        "editFormLabel": str(fields["LABEL"]),
    }  # fmt: skip
    if fields.get("LIST"):
        body["enum"] = [{"value": i["VALUE"], "sort": i.get("SORT", 100)} for i in fields["LIST"]]
    return Command("userfieldconfig.add", {"moduleId": "crm", "field": body})


def _dictionary(fields: Mapping[str, Any]) -> str:
    category = int(fields.get("CATEGORY_ID") or 0)
    return "DEAL_STAGE" if category == 0 else f"DEAL_STAGE_{category}"


def _status_code(value: Any) -> str:
    return str(value or "").split(":")[-1]
