"""The standard fields of leads, deals, contacts and companies, as real portals describe them.

Each table is the ``crm.<entity>.fields`` reply of a real portal (name, type, flags, extras),
recorded in ``tests/loaders/sandbox/recorded/cases/crm.<entity>.yaml`` (b24restdocs
``crm-<entity>-fields.md``) and cross-checked against the official PHP SDK's live-portal
field lists (``cases/b24phpsdk.yaml``). Titles are the English portal's labels.

Flags: ``R`` described as required, ``O`` read-only, ``I`` immutable, ``M`` multiple, ``D``
deprecated; ``W`` (the sandbox's own) is described by ``*.fields`` but never returned by a
legacy ``get``/``list`` (``COMPANY_IDS`` of a contact, ``CONTACT_IDS`` of a deal…).
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMPANY_FIELDS", "CONTACT_FIELDS", "DEAL_FIELDS", "LEAD_FIELDS", "FieldRow"]

FieldRow = tuple[str, str, str, str, dict[str, Any]]

_LEAD_LINK = {"settings": {"parentEntityTypeId": 1}}
_COMPANY_LINK = {"settings": {"parentEntityTypeId": 4}}


def _status(kind: str) -> dict[str, Any]:
    return {"statusType": kind}


def _address(prefix: str, titles: tuple[str, ...]) -> list[FieldRow]:
    parts = ("", "_2", "_CITY", "_POSTAL_CODE", "_REGION", "_PROVINCE", "_COUNTRY",
             "_COUNTRY_CODE", "_LOC_ADDR_ID")  # fmt: skip
    return [
        (prefix + part, "integer" if part == "_LOC_ADDR_ID" else "string", title, "", {})
        for part, title in zip(parts, titles, strict=True)
    ]


_ADDRESS_TITLES = ("Address", "Address (Line 2)", "City", "Postal Code", "Region", "Province",
                   "Country", "Country Code", "Location Address ID")  # fmt: skip
_LEGAL_TITLES = tuple(f"Legal Address {t}" if i else "Legal Address"
                      for i, t in enumerate(_ADDRESS_TITLES))  # fmt: skip
_UTM: list[FieldRow] = [
    ("UTM_SOURCE", "string", "Advertising System", "", {}),
    ("UTM_MEDIUM", "string", "Traffic Type", "", {}),
    ("UTM_CAMPAIGN", "string", "Campaign Identifier", "", {}),
    ("UTM_CONTENT", "string", "Campaign Content", "", {}),
    ("UTM_TERM", "string", "Campaign Search Condition", "", {}),
]
_ORIGIN: list[FieldRow] = [
    ("ORIGINATOR_ID", "string", "External Source", "", {}),
    ("ORIGIN_ID", "string", "Identifier in External Source", "", {}),
]
_AUTHORS: list[FieldRow] = [
    ("ASSIGNED_BY_ID", "user", "Responsible Person", "", {}),
    ("CREATED_BY_ID", "user", "Created By", "O", {}),
    ("MODIFY_BY_ID", "user", "Modified By", "O", {}),
]
_DATES: list[FieldRow] = [
    ("DATE_CREATE", "datetime", "Creation Date", "O", {}),
    ("DATE_MODIFY", "datetime", "Modification Date", "O", {}),
]
_MOVED: list[FieldRow] = [
    ("MOVED_BY_ID", "user", "MOVED_BY_ID", "O", {}),
    ("MOVED_TIME", "datetime", "MOVED_TIME", "O", {}),
]
_HAS: list[FieldRow] = [
    ("HAS_PHONE", "char", "Phone Set", "O", {}),
    ("HAS_EMAIL", "char", "E-mail Set", "O", {}),
    ("HAS_IMOL", "char", "Open Line Set", "O", {}),
]
_ACTIVITY: list[FieldRow] = [
    ("LAST_ACTIVITY_TIME", "datetime", "Last Activity", "O", {}),
    ("LAST_ACTIVITY_BY", "user", "Last Activity By", "O", {}),
]
_MULTI: list[FieldRow] = [
    ("PHONE", "crm_multifield", "Phone", "M", {}),
    ("EMAIL", "crm_multifield", "E-mail", "M", {}),
    ("WEB", "crm_multifield", "Website", "M", {}),
    ("IM", "crm_multifield", "Messenger", "M", {}),
    ("LINK", "crm_multifield", "LINK", "M", {}),
]
_PERSON: list[FieldRow] = [
    ("HONORIFIC", "crm_status", "Salutation", "", _status("HONORIFIC")),
    ("NAME", "string", "First Name", "", {}),
    ("SECOND_NAME", "string", "Middle Name", "", {}),
    ("LAST_NAME", "string", "Last Name", "", {}),
]
_SOURCE: list[FieldRow] = [
    ("SOURCE_ID", "crm_status", "Source", "", _status("SOURCE")),
    ("SOURCE_DESCRIPTION", "string", "Additional Source Information", "", {}),
]
_MONEY: list[FieldRow] = [
    ("CURRENCY_ID", "crm_currency", "Currency", "", {}),
    ("OPPORTUNITY", "double", "Amount", "", {}),
    ("IS_MANUAL_OPPORTUNITY", "char", "IS_MANUAL_OPPORTUNITY", "", {}),
]


def _required(rows: list[FieldRow], names: tuple[str, ...]) -> list[FieldRow]:
    return [(n, t, ti, f + "R" if n in names else f, x) for n, t, ti, f, x in rows]


CONTACT_FIELDS: list[FieldRow] = [
    ("ID", "integer", "ID", "O", {}),
    *_required(_PERSON, ("NAME", "SECOND_NAME", "LAST_NAME")),
    ("PHOTO", "file", "Photo", "", {}),
    ("BIRTHDATE", "date", "Birthdate", "", {}),
    ("TYPE_ID", "crm_status", "Contact Type", "", _status("CONTACT_TYPE")),
    *_SOURCE,
    ("POST", "string", "Position", "", {}),
    *[(n, t, ti, "W" if n == "ADDRESS_COUNTRY_CODE" else f, x)
      for n, t, ti, f, x in _address("ADDRESS", _ADDRESS_TITLES)],
    ("COMMENTS", "string", "Comment", "", {}),
    ("OPENED", "char", "Available to All", "", {}),
    ("EXPORT", "char", "Participates in Contact Export", "", {}),
    *_HAS,
    *_AUTHORS,
    *_DATES,
    ("COMPANY_ID", "crm_company", "Company", "D", {}),
    ("COMPANY_IDS", "crm_company", "COMPANY_IDS", "MW", {}),
    ("LEAD_ID", "crm_lead", "Lead", "O", _LEAD_LINK),
    *_ORIGIN,
    ("ORIGIN_VERSION", "string", "Original Version", "", {}),
    ("FACE_ID", "integer", "FACE_ID", "O", {}),
    *_UTM,
    *_ACTIVITY,
    *_MULTI,
]  # fmt: skip

COMPANY_FIELDS: list[FieldRow] = [
    ("ID", "integer", "ID", "O", {}),
    ("TITLE", "string", "Company Name", "R", {}),
    ("COMPANY_TYPE", "crm_status", "Company Type", "", _status("COMPANY_TYPE")),
    ("LOGO", "file", "Logo", "", {}),
    *_address("ADDRESS", _ADDRESS_TITLES),
    ("ADDRESS_LEGAL", "string", "Legal Address", "", {}),
    *_address("REG_ADDRESS", _LEGAL_TITLES),
    ("BANKING_DETAILS", "string", "Banking Details", "", {}),
    ("INDUSTRY", "crm_status", "Industry", "", _status("INDUSTRY")),
    ("EMPLOYEES", "crm_status", "Number of Employees", "", _status("EMPLOYEES")),
    ("CURRENCY_ID", "crm_currency", "Currency", "", {}),
    ("REVENUE", "double", "Annual Revenue", "", {}),
    ("OPENED", "char", "Available to Everyone", "", {}),
    ("COMMENTS", "string", "Comment", "", {}),
    *_HAS,
    ("IS_MY_COMPANY", "char", "My Company", "", {}),
    *_AUTHORS,
    *_DATES,
    ("CONTACT_ID", "crm_contact", "Contact", "MW", {}),
    ("LEAD_ID", "crm_lead", "Lead", "O", _LEAD_LINK),
    *_ORIGIN,
    ("ORIGIN_VERSION", "string", "Original Version", "", {}),
    *_UTM,
    ("LAST_ACTIVITY_TIME", "datetime", "Last Activity Time", "", {}),
    ("LAST_ACTIVITY_BY", "user", "Last Activity Author", "", {}),
    ("LAST_COMMUNICATION_TIME", "string", "Last Communication Date", "O", {}),
    *_MULTI,
]

DEAL_FIELDS: list[FieldRow] = [
    ("ID", "integer", "ID", "O", {}),
    ("TITLE", "string", "Title", "", {}),
    ("TYPE_ID", "crm_status", "Type", "", _status("DEAL_TYPE")),
    ("CATEGORY_ID", "crm_category", "Sales Funnel", "I", {}),
    ("STAGE_ID", "crm_status", "Deal Stage", "", _status("DEAL_STAGE")),
    ("STAGE_SEMANTIC_ID", "string", "Stage Group", "O", {}),
    ("IS_NEW", "char", "New Deal", "O", {}),
    ("IS_RECURRING", "char", "Recurring Deal", "", {}),
    ("IS_RETURN_CUSTOMER", "char", "Repeat Deal", "", {}),
    ("IS_REPEATED_APPROACH", "char", "Repeated Approach", "", {}),
    ("PROBABILITY", "integer", "Probability", "", {}),
    *_MONEY,
    ("TAX_VALUE", "double", "Tax Rate", "", {}),
    ("COMPANY_ID", "crm_company", "Company", "", _COMPANY_LINK),
    ("CONTACT_ID", "crm_contact", "Contact", "D", {}),
    ("CONTACT_IDS", "crm_contact", "Contacts", "MW", {}),
    ("QUOTE_ID", "crm_quote", "Estimate", "O", {"settings": {"parentEntityTypeId": 7}}),
    ("BEGINDATE", "date", "Start Date", "", {}),
    ("CLOSEDATE", "date", "Close Date", "", {}),
    ("OPENED", "char", "Available to All", "", {}),
    ("CLOSED", "char", "Closed", "", {}),
    ("COMMENTS", "string", "Comment", "", {}),
    *_AUTHORS,
    *_MOVED[:1],
    *_DATES,
    *_MOVED[1:],
    *_SOURCE,
    ("LEAD_ID", "crm_lead", "Lead", "O", _LEAD_LINK),
    ("ADDITIONAL_INFO", "string", "Additional Information", "", {}),
    ("LOCATION_ID", "location", "Location", "", {}),
    *_ORIGIN,
    *_UTM,
    *_ACTIVITY,
]

LEAD_FIELDS: list[FieldRow] = [
    ("ID", "integer", "ID", "O", {}),
    ("TITLE", "string", "Lead Name", "", {}),
    *_PERSON,
    ("BIRTHDATE", "date", "Birthdate", "", {}),
    ("COMPANY_TITLE", "string", "Company Name", "", {}),
    *_SOURCE,
    ("STATUS_ID", "crm_status", "Stage", "", _status("STATUS")),
    ("STATUS_DESCRIPTION", "string", "Stage Description", "", {}),
    ("STATUS_SEMANTIC_ID", "string", "Status Semantic", "O", {}),
    ("POST", "string", "Position", "", {}),
    *_address("ADDRESS", _ADDRESS_TITLES),
    *_MONEY,
    ("OPENED", "char", "Available to All", "", {}),
    ("COMMENTS", "string", "Comments", "", {}),
    *_HAS,
    *_AUTHORS,
    *_MOVED[:1],
    *_DATES,
    *_MOVED[1:],
    ("COMPANY_ID", "crm_company", "Company", "", _COMPANY_LINK),
    ("CONTACT_ID", "crm_contact", "Contact", "D", {}),
    ("CONTACT_IDS", "crm_contact", "CONTACT_IDS", "MW", {}),
    ("IS_RETURN_CUSTOMER", "char", "Returning Lead", "O", {}),
    ("DATE_CLOSED", "datetime", "Closing Date", "O", {}),
    *_ORIGIN,
    *_UTM,
    *_ACTIVITY,
    *_MULTI,
]
