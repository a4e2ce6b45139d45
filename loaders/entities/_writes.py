"""Write commands: CRM objects, requisites, relation sets and history by the legacy route;
products, sections and prices through the trade catalogue (:mod:`._catalog`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from loaders.entities._catalog import catalog_fields, product_prices
from loaders.entities._command import (
    Command,
    WriteRequest,
    entity_type_of,
    item_xml_id,
    sendable,
)
from loaders.entities._import import camel_field
from loaders.entities._specs import spec_for

__all__ = [
    "ADDRESS_KEY",
    "ATTACHMENTS",
    "FIELD_FILES",
    "FILE_DATA",
    "FILE_FIELDS_SET",
    "HISTORY_FIELDS",
    "address_written",
    "build_address_delete",
    "build_write",
    "comment_tag",
    "history_header",
    "task_binding",
    "task_xml_id",
]

# Read-only on a legacy add unless params[IMPORT]=Y (contacts and companies only).
HISTORY_FIELDS = ("DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID")
_QUIET = {"REGISTER_SONET_EVENT": "N"}  # no live-feed post for every migrated record
COMMENT_TAG_PREFIX = "b24migrate: "
ADDRESS_KEY = ("TYPE_ID", "ENTITY_TYPE_ID", "ENTITY_ID")
REQUISITE_TYPE_ID = 8  # crm.enum.ownertype: a requisite, the parent of an address
"""What names an address (it has no id of its own)."""
ATTACHMENTS = "_FILES"
"""The plan's hint of a record's attachments: ``[{"path", "name", "size", "sha256"}, …]``; the
load reads those files and turns the hint into :data:`FILE_DATA`."""
FIELD_FILES = "_UF_FILES"
"""The plan's hint of a record's file user fields: ``{field: {"multiple": bool, "files":
[{"path", "name", "size", "sha256"}, …]}}``; the load puts their ``fileData`` into the fields
themselves (how-to-upload-files.md: ``{"fileData": [name, base64]}``, a list for a multiple
field), on a create only."""
FILE_DATA = "_FILE_DATA"
"""The hint holding a record's attachments as ``[[name, base64], …]`` (the load reads the
files named by the plan and puts them here; only a create sends them, so a file is uploaded
with its record exactly once)."""
FILE_FIELDS_SET = "_FILE_FIELDS"
"""A ``record_files`` set's fields: ``{field: {"multiple", "keep": [file ids the portal holds],
"files": [planned files], "data": [[name, base64], …]}}`` (``data`` filled by the load)."""
#: ``UF_CRM_TASK`` prefixes by owner type (fields.md: ``L_``, ``D_``, ``C_``, ``CO_``).
_TASK_PREFIX = {"lead": "L", "deal": "D", "contact": "C", "company": "CO"}


def build_write(request: WriteRequest, originator: str) -> Command:
    """The one command that performs ``request`` (legacy ``add``, or the catalogue's)."""
    spec = spec_for(request.entity)
    if (request.op == "set") != (request.entity in _RELATION_SETS):
        raise ValueError(f"{request.entity} {request.source_key!r}: op {request.op!r} not allowed")
    if request.op == "set":
        return _RELATION_SETS[request.entity](request.fields)
    creating = request.op == "create"
    if not creating and request.b24_id is None:
        raise ValueError(f"{request.entity} {request.source_key!r}: update needs b24_id")
    if spec.item:
        return _item_command(request, originator, creating)
    if spec.origin == "natural_key":
        return _address_command(request, creating)
    fields = _COMPOSERS[request.entity](request, originator, creating)
    id_key = "taskId" if spec.origin == "task_marker" else "id"
    params: dict[str, Any] = (
        {"fields": fields} if creating else {id_key: request.b24_id, "fields": fields}
    )
    if spec.entity_type_id is not None:  # CRM objects: no live-feed post per record
        params["params"] = dict(_QUIET)
        if creating and spec.history_import and any(fields.get(n) for n in HISTORY_FIELDS):
            params["params"]["IMPORT"] = "Y"
    return Command(spec.add if creating else spec.update, params)


def _crm_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    keep_history = creating and spec_for(request.entity).history_import
    fields = sendable(request.fields, () if keep_history else HISTORY_FIELDS)
    if creating:
        fields.update(ORIGINATOR_ID=originator, ORIGIN_ID=request.source_key)
    return fields


def _xml_id_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    return catalog_fields(request, creating)


def _requisite_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    if not creating:
        return sendable(request.fields, ("ENTITY_TYPE_ID", "ENTITY_ID"))
    fields = sendable(request.fields)
    fields.setdefault("ENTITY_TYPE_ID", 4)
    fields.setdefault("NAME", fields.get("RQ_COMPANY_NAME") or request.source_key)
    fields.update(XML_ID=request.source_key, ORIGINATOR_ID=originator)
    return fields


def _bank_detail_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    """``crm.requisite.bankdetail.add`` / ``update``: found again by ``ORIGINATOR_ID`` +
    ``XML_ID`` (its source key); its requisite (``ENTITY_ID``) is immutable."""
    if not creating:
        return sendable(request.fields, ("ENTITY_ID",))
    fields = sendable(request.fields)
    fields.setdefault("NAME", fields.get("RQ_BANK_NAME") or request.source_key)
    fields.update(XML_ID=request.source_key, ORIGINATOR_ID=originator)
    return fields


def _address_command(request: WriteRequest, creating: bool) -> Command:
    """``crm.address.add`` / ``update``: no id, the address is named by ``TYPE_ID``,
    ``ENTITY_TYPE_ID`` (8, a requisite) and ``ENTITY_ID`` (crm-address-update.md: the three
    identify it and must be given)."""
    fields = sendable(request.fields)
    for name in ADDRESS_KEY:
        if fields.get(name) in (None, ""):
            raise ValueError(f"address {request.source_key!r}: {name} is missing")
    spec = spec_for(request.entity)
    return Command(spec.add if creating else spec.update, {"fields": fields})


def build_address_delete(type_id: int, requisite_id: int) -> Command:
    """``crm.address.delete`` of a requisite's address of one type."""
    fields = {"TYPE_ID": type_id, "ENTITY_TYPE_ID": REQUISITE_TYPE_ID, "ENTITY_ID": requisite_id}
    return Command("crm.address.delete", {"fields": fields})


def address_written(command: Command, result: Any) -> int | None:
    """The id a ledger keeps for an address ``crm.address.add`` wrote (its requisite's id;
    the method answers ``true``), ``None`` for another command or result."""
    if command.method != "crm.address.add" or result is not True:
        return None
    return int(command.params["fields"]["ENTITY_ID"])


def _comment_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    fields = sendable(request.fields, () if creating else ("ENTITY_TYPE", "ENTITY_ID"))
    body = str(fields.get("COMMENT") or "")
    tag = comment_tag(originator, request.source_key)
    fields["COMMENT"] = "\n".join(p for p in (history_header(request.fields), body, tag) if p)
    if creating:
        fields["ENTITY_TYPE"] = str(fields["ENTITY_TYPE"]).lower()
        files = _file_pairs(request.fields)
        if files:  # crm-timeline-comment-add.md: FILES = [[name, base64], …]
            fields["FILES"] = files
    return fields


def _activity_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    """``crm.activity.add`` fields: the original start/end times as they are (the portal takes
    them), the original author and creation date in the text (``CREATED`` is read-only), a
    communication bound to the owner (``COMMUNICATIONS`` is required: crm-activity-add.md)."""
    fields = sendable(request.fields, () if creating else ("OWNER_TYPE_ID", "OWNER_ID"))
    description = str(fields.get("DESCRIPTION") or "")
    header = history_header(request.fields)
    fields["DESCRIPTION"] = "\n".join(part for part in (header, description) if part)
    fields.setdefault("DESCRIPTION_TYPE", 1)
    if creating:
        fields.setdefault("COMPLETED", "Y")
        fields.setdefault("COMMUNICATIONS", [_communication(request.fields)])
        fields.update(ORIGINATOR_ID=originator, ORIGIN_ID=request.source_key)
        files = _file_pairs(request.fields)
        if files:  # crm-activity-add.md: FILES = [{"fileData": [name, base64]}, …]
            fields["FILES"] = [{"fileData": pair} for pair in files]
    return fields


def _communication(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {"VALUE": str(fields.get("_COMM") or ""), "ENTITY_ID": fields["OWNER_ID"],
            "ENTITY_TYPE_ID": fields["OWNER_TYPE_ID"]}  # fmt: skip


def _task_fields(request: WriteRequest, originator: str, creating: bool) -> dict[str, Any]:
    """``tasks.task.add`` fields: bound to its CRM record through ``UF_CRM_TASK``; found again
    by ``XML_ID`` and, should a portal drop it, by the tag line ending the description."""
    fields = sendable(request.fields, ("OWNER_TYPE", "OWNER_ID"))
    body = str(fields.get("DESCRIPTION") or "")
    tag = comment_tag(originator, request.source_key)
    fields["DESCRIPTION"] = "\n".join(p for p in (history_header(request.fields), body, tag) if p)
    if creating:
        owner = task_binding(str(request.fields["OWNER_TYPE"]), int(request.fields["OWNER_ID"]))
        fields.update(UF_CRM_TASK=[owner], XML_ID=task_xml_id(originator, request.source_key))
    return fields


def task_binding(owner_type: str, owner_id: int) -> str:
    """``UF_CRM_TASK`` value of a CRM record: ``("deal", 5)`` → ``"D_5"``."""
    return f"{_TASK_PREFIX[owner_type.lower()]}_{owner_id}"


def task_xml_id(originator: str, source_key: str) -> str:
    """A migrated task's ``XML_ID``: the migration and the source key."""
    return f"{originator}/{source_key}"


def _file_pairs(fields: Mapping[str, Any]) -> list[list[str]]:
    return [[str(name), str(data)] for name, data in fields.get(FILE_DATA) or ()]


def _item_command(request: WriteRequest, originator: str, creating: bool) -> Command:
    """``crm.item.add`` / ``update`` of a smart process: camelCase fields, ``xmlId`` = the
    scoped source key on create (how reconciliation finds the item again)."""
    spec = spec_for(request.entity)
    fields = {camel_field(name): value for name, value in sendable(request.fields).items()}
    params: dict[str, Any] = {"entityTypeId": entity_type_of(request.fields)}
    if creating:
        fields["xmlId"] = item_xml_id(originator, request.source_key)
    else:
        params["id"] = request.b24_id
    params["fields"] = fields
    return Command(spec.add if creating else spec.update, params)


def history_header(fields: Mapping[str, Any]) -> str:
    """``[i]12.03.2021 14:05 · Иванов Иван[/i]`` from the ``_DATE`` / ``_AUTHOR`` hints.

    The portal cannot back-date timeline comments and activities (``CREATED`` is read-only),
    so the original date and author go into the text.
    """
    parts = [_display_date(fields.get("_DATE")), str(fields.get("_AUTHOR") or "").strip()]
    text = " · ".join(part for part in parts if part)
    return f"[i]{text}[/i]" if text else ""


def comment_tag(originator: str, source_key: str) -> str:
    """The last line of a migrated comment: how reconciliation finds it again."""
    return f"{COMMENT_TAG_PREFIX}{originator}/{source_key}"


def _display_date(value: Any) -> str:
    if not value:
        return ""
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%d.%m.%Y" if len(text) <= 10 else "%d.%m.%Y %H:%M")


def _product_rows(fields: Mapping[str, Any]) -> Command:
    return Command(
        "crm.deal.productrows.set",
        {"id": fields["OWNER_ID"], "rows": [dict(row) for row in fields.get("ROWS") or ()]},
    )


def _linked_items(method: str, id_field: str, list_field: str) -> Callable[..., Command]:
    def build(fields: Mapping[str, Any]) -> Command:
        items = [
            {id_field: linked, "IS_PRIMARY": "Y" if index == 0 else "N", "SORT": (index + 1) * 10}
            for index, linked in enumerate(fields.get(list_field) or ())
        ]
        return Command(method, {"id": fields["OWNER_ID"], "items": items})

    return build


_COMPOSERS: dict[str, Callable[[WriteRequest, str, bool], dict[str, Any]]] = {
    "company": _crm_fields,
    "contact": _crm_fields,
    "deal": _crm_fields,
    "lead": _crm_fields,
    "product": _xml_id_fields,
    "product_section": _xml_id_fields,
    "requisite": _requisite_fields,
    "bank_detail": _bank_detail_fields,
    "comment": _comment_fields,
    "activity": _activity_fields,
    "task": _task_fields,
}


def _record_files(fields: Mapping[str, Any]) -> Command:
    """``crm.item.update`` of a loaded record's file fields (how-to-update-files.md): in a
    multiple field the files it holds kept by ``{"id": …}`` and the new ones as
    ``[name, base64]`` (a file whose id is not named is deleted, so a re-sent command leaves
    each new file once); a single field takes the new file (the old one is deleted)."""
    out: dict[str, Any] = {}
    for name, field in (fields.get(FILE_FIELDS_SET) or {}).items():
        new = [[str(n), str(d)] for n, d in field["data"]]
        if field["multiple"]:
            out[camel_field(name)] = [{"id": int(i)} for i in field["keep"]] + new
        elif new:
            out[camel_field(name)] = new[-1]
    params = {"entityTypeId": int(fields["ENTITY_TYPE_ID"]), "id": int(fields["OWNER_ID"]),
              "fields": out}  # fmt: skip
    return Command("crm.item.update", params)


_RELATION_SETS: dict[str, Callable[[Mapping[str, Any]], Command]] = {
    "deal_products": _product_rows,
    "product_prices": product_prices,
    "record_files": _record_files,
    "deal_contacts": _linked_items("crm.deal.contact.items.set", "CONTACT_ID", "CONTACT_IDS"),
    "contact_companies": _linked_items(
        "crm.contact.company.items.set", "COMPANY_ID", "COMPANY_IDS"
    ),
}
