"""Field definitions of the CRM entities and the two ways the portal writes them out.

Records are stored with UPPER_CASE legacy keys and typed Python values (int, float, "Y"/"N",
ISO dates); legacy methods read them as strings, ``crm.item.*`` reads them as camelCase with
typed values.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

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
    """One field: ``type`` as ``crm.*.fields`` names it; ``flags`` R required, O read-only,
    I immutable, M multiple, D deprecated, W write-only (not returned on read)."""

    type: str
    title: str
    flags: str = ""
    status_type: str | None = None

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
    """``LAST_NAME`` → ``lastName``; ``UF_CRM_5_1639669411830`` → ``ufCrm5_1639669411830``."""
    parts = legacy.lower().split("_")
    out = parts[0]
    for prev, part in itertools.pairwise(parts):
        if part.isdigit() and prev.isdigit():
            out += "_" + part
        else:
            out += part[:1].upper() + part[1:]
    return out


def describe_field(fdef: FieldDef) -> dict[str, Any]:
    """The ``crm.*.fields`` description object of one field."""
    out: dict[str, Any] = {
        "type": fdef.type,
        "isRequired": "R" in fdef.flags,
        "isReadOnly": "O" in fdef.flags,
        "isImmutable": "I" in fdef.flags,
        "isMultiple": "M" in fdef.flags,
        "isDynamic": False,
        "title": fdef.title,
    }
    if fdef.status_type:
        out["statusType"] = fdef.status_type
    if "D" in fdef.flags:
        out["isDeprecated"] = True
    return out


def _f(type_: str, title: str, flags: str = "", status: str | None = None) -> FieldDef:
    return FieldDef(type_, title, flags, status)


_COMMON_HEAD = {"ID": _f("integer", "ID", "O")}
_PERSON = {
    "HONORIFIC": _f("crm_status", "Salutation", "", "HONORIFIC"),
    "NAME": _f("string", "First name"),
    "SECOND_NAME": _f("string", "Second name"),
    "LAST_NAME": _f("string", "Last name"),
    "BIRTHDATE": _f("date", "Date of birth"),
    "POST": _f("string", "Position"),
}
_ADDRESS = {
    "ADDRESS": _f("string", "Address"),
    "ADDRESS_CITY": _f("string", "City"),
    "ADDRESS_POSTAL_CODE": _f("string", "Zip"),
    "ADDRESS_COUNTRY": _f("string", "Country"),
}
_SOURCE = {
    "SOURCE_ID": _f("crm_status", "Source", "", "SOURCE"),
    "SOURCE_DESCRIPTION": _f("string", "Source information"),
}
_TAIL = {
    "OPENED": _f("char", "Available to everyone"),
    "COMMENTS": _f("string", "Comment"),
    "ASSIGNED_BY_ID": _f("user", "Responsible person"),
    "CREATED_BY_ID": _f("user", "Created by", "O"),
    "MODIFY_BY_ID": _f("user", "Modified by", "O"),
    "DATE_CREATE": _f("datetime", "Created on", "O"),
    "DATE_MODIFY": _f("datetime", "Modified on", "O"),
    "LEAD_ID": _f("crm_lead", "Lead", "O"),
    "ORIGINATOR_ID": _f("string", "External source"),
    "ORIGIN_ID": _f("string", "Item ID in data source"),
    "ORIGIN_VERSION": _f("string", "Original version"),
    "UTM_SOURCE": _f("string", "Ad system"),
    "UTM_MEDIUM": _f("string", "Traffic type"),
    "UTM_CAMPAIGN": _f("string", "Ad campaign UTM"),
    "UTM_CONTENT": _f("string", "Campaign contents"),
    "UTM_TERM": _f("string", "Campaign search term"),
}
_COMM = {
    "HAS_PHONE": _f("char", "Has phone", "O"),
    "HAS_EMAIL": _f("char", "Has email", "O"),
    "HAS_IMOL": _f("char", "Has Open Channel", "O"),
    "PHONE": _f("crm_multifield", "Phone", "M"),
    "EMAIL": _f("crm_multifield", "E-mail", "M"),
    "WEB": _f("crm_multifield", "Website", "M"),
    "IM": _f("crm_multifield", "Messenger", "M"),
    "LINK": _f("crm_multifield", "Link", "M"),
}
_MONEY = {
    "CURRENCY_ID": _f("crm_currency", "Currency"),
    "OPPORTUNITY": _f("double", "Total"),
    "IS_MANUAL_OPPORTUNITY": _f("char", "Manual total"),
}
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

CONTACT = EntityDef(
    "contact",
    3,
    "CRM_CONTACT",
    {
        **_COMMON_HEAD,
        **_PERSON,
        "TYPE_ID": _f("crm_status", "Contact type", "", "CONTACT_TYPE"),
        **_SOURCE,
        **_ADDRESS,
        "EXPORT": _f("char", "Included in export"),
        "COMPANY_ID": _f("crm_company", "Company"),
        "COMPANY_IDS": _f("crm_company", "Companies", "M"),
        **_TAIL,
        **_COMM,
    },
    _DATES,
)
COMPANY = EntityDef(
    "company",
    4,
    "CRM_COMPANY",
    {
        **_COMMON_HEAD,
        "TITLE": _f("string", "Company name", "R"),
        "COMPANY_TYPE": _f("crm_status", "Company type", "", "COMPANY_TYPE"),
        "INDUSTRY": _f("crm_status", "Industry", "", "INDUSTRY"),
        "EMPLOYEES": _f("crm_status", "Employees", "", "EMPLOYEES"),
        "CURRENCY_ID": _f("crm_currency", "Currency"),
        "REVENUE": _f("double", "Annual revenue"),
        "IS_MY_COMPANY": _f("char", "My company"),
        "BANKING_DETAILS": _f("string", "Payment details"),
        **_ADDRESS,
        **_TAIL,
        **_COMM,
    },
    _DATES,
)
DEAL = EntityDef(
    "deal",
    2,
    "CRM_DEAL",
    {
        **_COMMON_HEAD,
        "TITLE": _f("string", "Name"),
        "TYPE_ID": _f("crm_status", "Type", "", "DEAL_TYPE"),
        "CATEGORY_ID": _f("crm_category", "Pipeline", "I"),
        "STAGE_ID": _f("crm_status", "Deal stage", "", "DEAL_STAGE"),
        "STAGE_SEMANTIC_ID": _f("string", "Stage group", "O"),
        "IS_NEW": _f("char", "New deal", "O"),
        "PROBABILITY": _f("integer", "Probability"),
        **_MONEY,
        "TAX_VALUE": _f("double", "Tax rate"),
        "COMPANY_ID": _f("crm_company", "Company"),
        "CONTACT_ID": _f("crm_contact", "Contact", "D"),
        "CONTACT_IDS": _f("crm_contact", "Contacts", "MW"),
        "BEGINDATE": _f("date", "Start date"),
        "CLOSEDATE": _f("date", "End date"),
        "CLOSED": _f("char", "Closed"),
        **_SOURCE,
        "ADDITIONAL_INFO": _f("string", "Additional information"),
        "MOVED_TIME": _f("datetime", "Moved on", "O"),
        "MOVED_BY_ID": _f("user", "Moved by", "O"),
        **_TAIL,
    },
    _DATES,
)
LEAD = EntityDef(
    "lead",
    1,
    "CRM_LEAD",
    {
        **_COMMON_HEAD,
        "TITLE": _f(
            "string", "Lead name", "R"
        ),  # described as required; a missing one is defaulted
        **_PERSON,
        "COMPANY_TITLE": _f("string", "Company name"),
        **_SOURCE,
        "STATUS_ID": _f("crm_status", "Stage", "", "STATUS"),
        "STATUS_DESCRIPTION": _f("string", "Additional info about stage"),
        "STATUS_SEMANTIC_ID": _f("string", "Status details", "O"),
        **_MONEY,
        **_ADDRESS,
        "COMPANY_ID": _f("crm_company", "Company"),
        "CONTACT_ID": _f("crm_contact", "Contact"),
        **_TAIL,
        **_COMM,
    },
    {**_DATES, "STATUS_ID": "stageId"},
)

ENTITIES: dict[str, EntityDef] = {e.name: e for e in (LEAD, DEAL, CONTACT, COMPANY)}
