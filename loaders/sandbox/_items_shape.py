"""The crm.item shapes of leads and deals, key by key, as real portals return them.

Recorded: ``crm-item-get.md`` (a lead) and ``crm-item-add.md`` (a deal) in
``tests/loaders/sandbox/recorded/cases/crm.item.yaml``. A key maps to a stored legacy field,
or (``None``) to a value the portal computes (:func:`item_extras`): the lead's phone and
e-mail shortcuts, the search index, and the keys a portal leaves ``null``/``0``.
User fields, UTM marks, ``observers``, ``contactIds`` and ``entityTypeId`` follow the shape.
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._schema import MULTIFIELDS, EntityDef

__all__ = ["ITEM_SHAPES", "item_extras"]

Shape = list[tuple[str, str | None]]

_HEAD: Shape = [
    ("id", "ID"), ("createdTime", "DATE_CREATE"), ("dateCreateShort", None),
    ("updatedTime", "DATE_MODIFY"), ("dateModifyShort", None), ("createdBy", "CREATED_BY_ID"),
    ("updatedBy", "MODIFY_BY_ID"), ("assignedById", "ASSIGNED_BY_ID"), ("opened", "OPENED"),
]  # fmt: skip

LEAD_SHAPE: Shape = [
    *_HEAD,
    ("companyId", "COMPANY_ID"), ("contactId", "CONTACT_ID"), ("stageId", "STATUS_ID"),
    ("isConvert", None), ("statusDescription", "STATUS_DESCRIPTION"),
    ("stageSemanticId", "STATUS_SEMANTIC_ID"), ("productId", None),
    ("opportunity", "OPPORTUNITY"), ("currencyId", "CURRENCY_ID"), ("sourceId", "SOURCE_ID"),
    ("sourceDescription", "SOURCE_DESCRIPTION"), ("title", "TITLE"), ("name", "NAME"),
    ("lastName", "LAST_NAME"), ("secondName", "SECOND_NAME"), ("shortName", None),
    ("companyTitle", "COMPANY_TITLE"), ("post", "POST"), ("address", "ADDRESS"),
    ("comments", "COMMENTS"), ("webformId", None), ("originatorId", "ORIGINATOR_ID"),
    ("originId", "ORIGIN_ID"), ("dateClosed", "DATE_CLOSED"), ("birthdate", "BIRTHDATE"),
    ("honorific", "HONORIFIC"), ("hasPhone", "HAS_PHONE"), ("hasEmail", "HAS_EMAIL"),
    ("hasImol", "HAS_IMOL"), ("login", None), ("isReturnCustomer", "IS_RETURN_CUSTOMER"),
    ("searchContent", None), ("isManualOpportunity", "IS_MANUAL_OPPORTUNITY"),
    ("movedBy", "MOVED_BY_ID"), ("movedTime", "MOVED_TIME"),
    ("lastActivityBy", "LAST_ACTIVITY_BY"), ("lastActivityTime", "LAST_ACTIVITY_TIME"),
    ("phoneMobile", None), ("phoneWork", None), ("phoneMailing", None), ("emailHome", None),
    ("emailWork", None), ("emailMailing", None), ("skype", None), ("icq", None),
    ("imol", None), ("email", None), ("phone", None), ("fm", None),
]  # fmt: skip

DEAL_SHAPE: Shape = [
    *_HEAD,
    ("leadId", "LEAD_ID"), ("companyId", "COMPANY_ID"), ("contactId", "CONTACT_ID"),
    ("quoteId", "QUOTE_ID"), ("title", "TITLE"), ("productId", None),
    ("categoryId", "CATEGORY_ID"), ("stageId", "STAGE_ID"),
    ("stageSemanticId", "STAGE_SEMANTIC_ID"), ("isNew", "IS_NEW"),
    ("isRecurring", "IS_RECURRING"), ("isReturnCustomer", "IS_RETURN_CUSTOMER"),
    ("isRepeatedApproach", "IS_REPEATED_APPROACH"), ("closed", "CLOSED"), ("typeId", "TYPE_ID"),
    ("opportunity", "OPPORTUNITY"), ("isManualOpportunity", "IS_MANUAL_OPPORTUNITY"),
    ("taxValue", "TAX_VALUE"), ("currencyId", "CURRENCY_ID"), ("probability", "PROBABILITY"),
    ("comments", "COMMENTS"), ("begindate", "BEGINDATE"), ("begindateShort", None),
    ("closedate", "CLOSEDATE"), ("closedateShort", None), ("eventDate", None),
    ("eventDateShort", None), ("eventId", None), ("eventDescription", None),
    ("locationId", "LOCATION_ID"), ("webformId", None), ("sourceId", "SOURCE_ID"),
    ("sourceDescription", "SOURCE_DESCRIPTION"), ("originatorId", "ORIGINATOR_ID"),
    ("originId", "ORIGIN_ID"), ("additionalInfo", "ADDITIONAL_INFO"), ("searchContent", None),
    ("orderStage", None), ("movedBy", "MOVED_BY_ID"), ("movedTime", "MOVED_TIME"),
    ("lastActivityBy", "LAST_ACTIVITY_BY"), ("lastActivityTime", "LAST_ACTIVITY_TIME"),
    ("isWork", None), ("isWon", None), ("isLose", None), ("receivedAmount", None),
    ("lostAmount", None), ("hasProducts", None),
]  # fmt: skip

ITEM_SHAPES: dict[str, Shape] = {"lead": LEAD_SHAPE, "deal": DEAL_SHAPE}

#: Shortcuts a lead item carries: the first value of that type (``""`` when none; ``null``
#: for the messengers the recording shows as null).
_SHORTCUTS = {
    "phoneMobile": ("PHONE", "MOBILE", ""), "phoneWork": ("PHONE", "WORK", ""),
    "phoneMailing": ("PHONE", "MAILING", ""), "emailHome": ("EMAIL", "HOME", ""),
    "emailWork": ("EMAIL", "WORK", ""), "emailMailing": ("EMAIL", "MAILING", ""),
    "skype": ("IM", "SKYPE", None), "icq": ("IM", "ICQ", None), "imol": ("IM", "IMOL", ""),
}  # fmt: skip


def _first(record: dict[str, Any], type_id: str, value_type: str | None) -> str | None:
    for entry in record.get(type_id, []):
        if value_type is None or entry["VALUE_TYPE"] == value_type:
            return str(entry["VALUE"])
    return None


def _lead_extras(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"webformId": 0, "companyId": 0, "contactId": 0}
    for key, (type_id, value_type, empty) in _SHORTCUTS.items():
        found = _first(record, type_id, value_type)
        out[key] = empty if found is None else found
    out["email"] = _first(record, "EMAIL", None) or ""
    out["phone"] = _first(record, "PHONE", None) or ""
    entries = sorted((e for t in MULTIFIELDS for e in record.get(t, [])), key=lambda e: e["ID"])
    out["fm"] = [{"id": e["ID"], "valueType": e["VALUE_TYPE"], "value": e["VALUE"],
                  "typeId": e["TYPE_ID"]} for e in entries]  # fmt: skip
    words = [record.get(k) for k in ("ID", "TITLE", "LAST_NAME", "NAME", "SECOND_NAME",
                                     "COMPANY_TITLE", "OPPORTUNITY", "CURRENCY_ID")]  # fmt: skip
    out["searchContent"] = " ".join(str(w) for w in words if w not in (None, ""))
    return out


def item_extras(edef: EntityDef, record: dict[str, Any]) -> dict[str, Any]:
    """Values of the computed keys (and of ids a portal writes as 0 when unset)."""
    if edef.name == "lead":
        return _lead_extras(record)
    if edef.name == "deal":
        return {"companyId": 0, "contactId": 0}
    return {}
