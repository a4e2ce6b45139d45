"""Field definitions of the CRM entities and the two ways the portal writes them out.

Records are stored with UPPER_CASE legacy keys and typed Python values (int, float, "Y"/"N",
ISO dates); legacy methods read them as strings, ``crm.item.*`` reads them as camelCase with
typed values.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from loaders.sandbox._fields import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    DEAL_FIELDS,
    LEAD_FIELDS,
    FieldRow,
)

__all__ = [
    "ENTITIES",
    "MULTIFIELDS",
    "EntityDef",
    "FieldDef",
    "camel_name",
    "describe_field",
]

MULTIFIELDS = ("PHONE", "EMAIL", "WEB", "IM", "LINK")

VALUE_TYPES = {
    "PHONE": ("WORK", "MOBILE", "FAX", "HOME", "PAGER", "MAILING", "OTHER"),
    "EMAIL": ("WORK", "HOME", "MAILING", "OTHER"),
    "WEB": ("WORK", "HOME", "FACEBOOK", "VK", "LIVEJOURNAL", "TWITTER", "OTHER"),
    "IM": (
        "FACEBOOK",
        "TELEGRAM",
        "VK",
        "SKYPE",
        "VIBER",
        "INSTAGRAM",
        "BITRIX24",
        "OPENLINE",
        "IMOL",
        "ICQ",
        "MSN",
        "JABBER",
        "OTHER",
    ),
    "LINK": ("USER",),
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field: ``type`` as ``crm.*.fields`` names it; ``flags`` R described as required,
    O read-only, I immutable, M multiple, D deprecated, W not returned by legacy reads."""

    type: str
    title: str
    flags: str = ""
    extra: tuple[tuple[str, Any], ...] = ()

    @property
    def multiple(self) -> bool:
        return "M" in self.flags

    @property
    def read_only(self) -> bool:
        return "O" in self.flags


@dataclass(frozen=True, slots=True)
class EntityDef:
    """A legacy CRM entity: its name in method names, entityTypeId, UF entity code, fields."""

    name: str
    type_id: int
    uf_entity: str
    fields: dict[str, FieldDef]
    camel_overrides: dict[str, str]

    def camel(self, legacy: str) -> str:
        return self.camel_overrides.get(legacy) or camel_name(legacy)


def camel_name(legacy: str) -> str:
    """``LAST_NAME`` → ``lastName``; ``UF_CRM_5_1639669411830`` → ``ufCrm5_1639669411830``;
    ``UF_CRM_1721244707107`` → ``ufCrm_1721244707107`` (recorded: crm-item-add.md)."""
    parts = legacy.lower().split("_")
    if len(parts) == 3 and parts[:2] == ["uf", "crm"] and parts[2].isdigit():
        return "ufCrm_" + parts[2]
    out = parts[0]
    for prev, part in itertools.pairwise(parts):
        if part.isdigit() and prev.isdigit():
            out += "_" + part
        else:
            out += part[:1].upper() + part[1:]
    return out


def describe_field(fdef: FieldDef, required: bool = False) -> dict[str, Any]:
    """The ``crm.*.fields`` description object of one field (``required``: the portal's
    settings make it required)."""
    out: dict[str, Any] = {
        "type": fdef.type,
        "isRequired": required or "R" in fdef.flags,
        "isReadOnly": "O" in fdef.flags,
        "isImmutable": "I" in fdef.flags,
        "isMultiple": "M" in fdef.flags,
        "isDynamic": False,
    }
    if "D" in fdef.flags:
        out["isDeprecated"] = True
    out.update(dict(fdef.extra))
    out["title"] = fdef.title
    return out


def _table(rows: list[FieldRow]) -> dict[str, FieldDef]:
    return {name: FieldDef(ftype, title, flags, tuple(extra.items()))
            for name, ftype, title, flags, extra in rows}  # fmt: skip


_DATES = {
    "DATE_CREATE": "createdTime",
    "DATE_MODIFY": "updatedTime",
    "CREATED_BY_ID": "createdBy",
    "MODIFY_BY_ID": "updatedBy",
    "MOVED_TIME": "movedTime",
    "MOVED_BY_ID": "movedBy",
    "BEGINDATE": "begindate",
    "CLOSEDATE": "closedate",
}

CONTACT = EntityDef("contact", 3, "CRM_CONTACT", _table(CONTACT_FIELDS), _DATES)
COMPANY = EntityDef("company", 4, "CRM_COMPANY", _table(COMPANY_FIELDS), _DATES)
DEAL = EntityDef("deal", 2, "CRM_DEAL", _table(DEAL_FIELDS), _DATES)
LEAD = EntityDef(
    "lead",
    1,
    "CRM_LEAD",
    _table(LEAD_FIELDS),
    {**_DATES, "STATUS_ID": "stageId", "STATUS_SEMANTIC_ID": "stageSemanticId"},
)

ENTITIES: dict[str, EntityDef] = {e.name: e for e in (LEAD, DEAL, CONTACT, COMPANY)}
