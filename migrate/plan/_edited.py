"""Portal edits of the records that are not legacy CRM objects: catalogue products,
smart-process items and activities (cut-over conflicts, :mod:`migrate.plan._cutover`).

A legacy object has ``DATE_MODIFY`` and is listed by ``>DATE_MODIFY``. A catalogue product has
``timestampX`` and ``modifiedBy`` (catalog-product-get.md / catalog-product-list.md: the
product's fields), a smart-process item ``updatedTime`` and ``updatedBy`` (crm-item-fields.md);
both are read by id, 50 ids per list command, within their iblock (``iblockId`` is required in
a catalogue list's filter and select) or their type (``entityTypeId``): the stamp and the fields
we carry in one read. The rows come back under the names the ledger holds (``DATE_MODIFY``,
``MODIFY_BY_ID``, ``TITLE``/``NAME`` and our upper-case field names), so the comparison with
what we wrote is the one of the legacy objects. An activity has ``LAST_UPDATED`` and
``EDITOR_ID`` (crm-activity-fields.md) and legacy names; its ``DESCRIPTION`` is compared
without the line of original date and author the load puts in front
(:func:`loaders.entities.history_header`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import (
    ENTITY_TYPE_HINT,
    camel_field,
    catalog_names,
    entity_type_of,
    history_header,
    unwrap_rows,
)
from migrate.ledger import LedgerRecord
from migrate.portal.read import read_all

__all__ = ["CAMEL_EDITED", "read_camel_rows"]

#: Entities read here (the rest of the edited records are legacy CRM objects).
CAMEL_EDITED = ("product", "smart_process", "activity")
_CHUNK = 50
_PRODUCT_IDS = frozenset({"MEASURE", "VAT_ID", "SORT"})
#: activity fields a list does not give back as written (the binding, the communication)
_ACTIVITY_UNREAD = frozenset({"OWNER_TYPE_ID", "OWNER_ID", "COMMUNICATIONS", "FILES"})
#: (stamp, modifier, title) as each entity's list names them, and the legacy names we use.
_FIXED = {
    "product": {"id": "ID", "timestampX": "DATE_MODIFY", "modifiedBy": "MODIFY_BY_ID",
                "name": "NAME"},
    "smart_process": {"id": "ID", "updatedTime": "DATE_MODIFY", "updatedBy": "MODIFY_BY_ID",
                      "title": "TITLE"},
    "activity": {"ID": "ID", "LAST_UPDATED": "DATE_MODIFY", "EDITOR_ID": "MODIFY_BY_ID",
                 "SUBJECT": "TITLE"},
}  # fmt: skip


async def read_camel_rows(
    client: Bitrix24Client, entity: str, records: Sequence[LedgerRecord], fields: Iterable[str]
) -> list[dict[str, Any]]:
    """The portal rows of ``records`` (``product`` or ``smart_process``) with their modify
    stamp and ``fields`` (our names), named as the ledger names them."""
    names = {**_names(entity, fields), **_FIXED[entity]}
    calls: list[tuple[str, Mapping[str, Any]]] = []
    for scope, ids in _scopes(entity, records).items():
        for start in range(0, len(ids), _CHUNK):
            calls.append(_call(entity, scope, ids[start : start + _CHUNK], sorted(names)))
    written = {int(r.b24_id or 0): r.fields for r in records}
    out = []
    for result in await read_all(client, calls):
        for row in unwrap_rows(result):
            if isinstance(row, Mapping):
                legacy = {names[k]: v for k, v in row.items() if k in names}
                ours = written.get(_int(legacy.get("ID")) or 0)
                if entity == "activity" and "SUBJECT" in row:  # its title, and a field
                    legacy["SUBJECT"] = row["SUBJECT"]
                out.append(_own_text(entity, _sent_only(entity, legacy, ours), ours))
    return out


def _own_text(entity: str, row: dict[str, Any], fields: Mapping[str, Any] | None) -> dict[str, Any]:
    """An activity's text without the header line the load wrote in front of it."""
    if entity != "activity" or fields is None or "DESCRIPTION" not in row:
        return row
    header, text = history_header(fields), str(row.get("DESCRIPTION") or "")
    if header and (text == header or text.startswith(header + "\n")):
        row = {**row, "DESCRIPTION": text[len(header) + 1 :]}
    return row


def _sent_only(
    entity: str, row: dict[str, Any], fields: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A product's id fields (unit, VAT rate, sort) whose written value was a text are not
    compared: the catalogue's writer does not send a text there (``шт`` is not a unit id)."""
    if entity != "product" or fields is None:
        return row
    return {k: v for k, v in row.items()
            if k not in _PRODUCT_IDS or _int(fields.get(k)) is not None}  # fmt: skip


def _names(entity: str, fields: Iterable[str]) -> dict[str, str]:
    """camelCase name → our name, for the fields the portal can return."""
    if entity == "product":
        catalog = catalog_names(entity)
        return {catalog[f]: f for f in fields if f in catalog and f != "CATALOG_ID"}
    if entity == "activity":
        return {f: f for f in fields if f not in _ACTIVITY_UNREAD}
    return {camel_field(f): f for f in fields}


def _scopes(entity: str, records: Sequence[LedgerRecord]) -> dict[int, list[int]]:
    """iblock (products) or entityTypeId (items) → the portal ids written there."""
    out: dict[int, list[int]] = defaultdict(list)
    for record in records:
        if entity == "product":
            scope = _int(record.fields.get("CATALOG_ID"))
        elif entity == "activity":
            scope = 0
        else:
            scope = entity_type_of(record.fields) if record.fields.get(ENTITY_TYPE_HINT) else None
        if scope is not None and record.b24_id is not None:
            out[scope].append(int(record.b24_id))
    return {scope: sorted(ids) for scope, ids in out.items()}


def _call(
    entity: str, scope: int, ids: list[int], select: list[str]
) -> tuple[str, Mapping[str, Any]]:
    if entity == "activity":
        return "crm.activity.list", {"filter": {"@ID": ids}, "select": select,
                                     "order": {"ID": "ASC"}}  # fmt: skip
    if entity == "product":
        return "catalog.product.list", {
            "filter": {"iblockId": scope, "@id": ids}, "select": ["iblockId", *select],
            "order": {"id": "ASC"},
        }  # fmt: skip
    return "crm.item.list", {
        "entityTypeId": scope, "filter": {"@id": ids}, "select": select, "order": {"id": "ASC"},
    }  # fmt: skip


def _int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None
