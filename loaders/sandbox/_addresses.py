"""Addresses: ``crm.address.{add,update,list,delete,fields}`` and ``crm.enum.addresstype``.

Recorded (bitrix24/b24restdocs@5988ed13, api-reference/crm/requisites/addresses/ and
auxiliary/enum/crm-enum-address-type.md):

* an address has no id of its own: (TYPE_ID, ENTITY_TYPE_ID, ENTITY_ID) names it, one address
  of a type per parent ("TypeAddress exists." on a second add, "TypeAddress not found." when
  update/delete name none);
* parents are requisites (8) and leads (1); companies and contacts only on old portals whose
  old address mode support switched on, which a cloud portal today is not, so 3 and 4 are
  refused with "ENTITY_TYPE_ID is not defined or invalid.";
* ANCHOR_TYPE_ID/ANCHOR_ID are the requisite's owner (or the lead) and read-only;
  LOC_ADDR_ID is the location-module copy the portal makes on add;
* list rows are strings, COUNTRY_CODE ``null`` when unset; add/update/delete answer ``true``;
* the six address types of a Russian portal, in the enum's recorded order.
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, method
from loaders.sandbox._errors import legacy_error
from loaders.sandbox._params import as_int, param_fields
from loaders.sandbox._refs import plain_list, string_row
from loaders.sandbox._schema import FieldDef, describe_field

__all__: list[str] = []

KIND = "address"
#: crm.enum.addresstype as recorded (English portal names; the order is the portal's).
ADDRESS_TYPES = (
    (11, "Shipping address"), (1, "Physical address"), (6, "Legal address"),
    (4, "Registered address"), (8, "Mailing address"), (9, "Beneficiary address"),
)  # fmt: skip
_TEXT = ("ADDRESS_1", "ADDRESS_2", "CITY", "POSTAL_CODE", "REGION", "PROVINCE", "COUNTRY",
         "COUNTRY_CODE")  # fmt: skip
FIELDS: dict[str, FieldDef] = {
    "TYPE_ID": FieldDef("integer", "TYPE_ID", "RI"),
    "ENTITY_TYPE_ID": FieldDef("integer", "ENTITY_TYPE_ID", "RI"),
    "ENTITY_ID": FieldDef("integer", "ENTITY_ID", "RI"),
    "ADDRESS_1": FieldDef("string", "Street, house, building, structure"),
    "ADDRESS_2": FieldDef("string", "Apartment / office"),
    "CITY": FieldDef("string", "City"),
    "POSTAL_CODE": FieldDef("string", "Postal code"),
    "REGION": FieldDef("string", "Region"),
    "PROVINCE": FieldDef("string", "Province"),
    "COUNTRY": FieldDef("string", "Country"),
    "COUNTRY_CODE": FieldDef("string", "COUNTRY_CODE"),
    "LOC_ADDR_ID": FieldDef("integer", "Location address identifier"),
    "ANCHOR_TYPE_ID": FieldDef("integer", "ANCHOR_TYPE_ID", "O"),
    "ANCHOR_ID": FieldDef("integer", "ANCHOR_ID", "O"),
}
_OWNERS = {8: "requisite", 1: "lead"}


def _key(ctx: Ctx, fields: dict[str, Any]) -> tuple[int, int, int, tuple[int, int]]:
    """(type, parent type, parent id, anchor) of a call, checked in the portal's order."""
    type_id = as_int(fields.get("TYPE_ID"))
    if type_id not in {t for t, _ in ADDRESS_TYPES}:
        raise legacy_error("TYPE_ID is not defined or invalid.")
    entity_type = as_int(fields.get("ENTITY_TYPE_ID"))
    if entity_type not in _OWNERS:
        raise legacy_error("ENTITY_TYPE_ID is not defined or invalid.")
    entity_id = as_int(fields.get("ENTITY_ID"))
    parent = ctx.store.get(_OWNERS[entity_type], entity_id) if entity_id else None
    if entity_id is None or parent is None:
        raise legacy_error("ENTITY_ID is not defined or invalid.")
    if entity_type == 8:
        anchor = (int(parent["ENTITY_TYPE_ID"]), int(parent["ENTITY_ID"]))
    else:
        anchor = (1, entity_id)
    return type_id, entity_type, entity_id, anchor


def _find(ctx: Ctx, type_id: int, entity_type: int, entity_id: int) -> int | None:
    for aid, rec in ctx.store.table(KIND).items():
        if (rec["TYPE_ID"], rec["ENTITY_TYPE_ID"], rec["ENTITY_ID"]) == (
            type_id, entity_type, entity_id,
        ):  # fmt: skip
            return aid
    return None


def _text(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if fields[k] is None else str(fields[k])) for k in _TEXT if k in fields}


def _out(rec: dict[str, Any]) -> dict[str, Any]:
    return string_row({k: rec.get(k) for k in FIELDS})


@method("crm.address.add")
def address_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = param_fields(params)
    type_id, entity_type, entity_id, anchor = _key(ctx, fields)
    if _find(ctx, type_id, entity_type, entity_id) is not None:
        raise legacy_error("TypeAddress exists.")
    record: dict[str, Any] = {name: None for name in FIELDS}
    record.update(TYPE_ID=type_id, ENTITY_TYPE_ID=entity_type, ENTITY_ID=entity_id,
                  ANCHOR_TYPE_ID=anchor[0], ANCHOR_ID=anchor[1],
                  LOC_ADDR_ID=ctx.store.next_id("locationaddress"))  # fmt: skip
    record.update(_text(fields))
    ctx.store.insert(KIND, record)
    ctx.touch()
    return Reply(True)


def _existing(ctx: Ctx, fields: dict[str, Any]) -> int:
    """The stored id of the address the fields name by type and owner (an update or delete of
    one the owner lacks: "TypeAddress not found.")."""
    type_id, entity_type, entity_id, _ = _key(ctx, fields)
    aid = _find(ctx, type_id, entity_type, entity_id)
    if aid is None:
        raise legacy_error("TypeAddress not found.")
    return aid


@method("crm.address.update")
def address_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = param_fields(params)
    aid = _existing(ctx, fields)
    old = ctx.store.get(KIND, aid) or {}
    ctx.store.put(KIND, aid, {**old, **_text(fields)})
    ctx.touch()
    return Reply(True)


@method("crm.address.delete")
def address_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    aid = _existing(ctx, param_fields(params))
    ctx.store.delete(KIND, aid)
    ctx.touch()
    return Reply(True)


@method("crm.address.list")
def address_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return plain_list(ctx, KIND, params, _out)


@method("crm.address.fields")
def address_fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply({name: describe_field(fdef) for name, fdef in FIELDS.items()})


@method("crm.enum.addresstype")
def address_types(ctx: Ctx, params: dict[str, Any]) -> Reply:
    ctx.touch()
    rows = [{"ID": t, "NAME": n, "SYMBOL_CODE": None, "SYMBOL_CODE_SHORT": None}
            for t, n in ADDRESS_TYPES]  # fmt: skip
    return Reply(rows)
