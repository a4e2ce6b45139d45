"""What Bitrix24 fields each entity has, as far as a mapping file needs to know.

The catalog lists the standard writable fields of the legacy `crm.<entity>.add` methods (see
``bitrix24-rest.md`` §4, §6, §7) plus requisite fields (`RQ_*`, written through
`crm.requisite.add`). User fields (`UF_CRM_*`) and product properties (`PROPERTY_*`) are
accepted by pattern. The portal's own `crm.*.fields` metadata, when available, is applied
later by validation.
"""

from __future__ import annotations

import re

from mappings.entities import ENTITIES, MULTI_FIELDS, where

__all__ = [
    "ADDRESS_FIELDS",
    "BANK_DETAIL_FIELDS",
    "ENTITIES",
    "FIO_PARTS",
    "MULTI_FIELDS",
    "MULTI_VALUE_TYPES",
    "REF_ANY",
    "REQUISITE_RQ_FIELDS",
    "TEXT_LIMITS",
    "entity_fields",
    "is_known_field",
    "is_multiple_ref",
]

FIO_PARTS = ("LAST_NAME", "NAME", "SECOND_NAME")
"""What `split_fio` can fill: the parts of a full name, whatever order it is written in."""
REF_ANY = "any"  # a reference whose entity is named per row by `ENTITY_TYPE` (history tables)

MULTI_VALUE_TYPES: dict[str, tuple[str, ...]] = {
    "PHONE": ("WORK", "MOBILE", "FAX", "HOME", "PAGER", "MAILING", "OTHER"),
    "EMAIL": ("WORK", "HOME", "MAILING", "OTHER"),
    "WEB": ("WORK", "HOME", "VK", "LIVEJOURNAL", "TWITTER", "OTHER"),
    "IM": (
        "TELEGRAM", "VK", "SKYPE", "VIBER", "BITRIX24", "OPENLINE", "IMOL", "ICQ", "MSN",
        "JABBER", "OTHER",
    ),
}  # fmt: skip

_ADDRESS = (
    "ADDRESS", "ADDRESS_2", "ADDRESS_CITY", "ADDRESS_POSTAL_CODE", "ADDRESS_REGION",
    "ADDRESS_PROVINCE", "ADDRESS_COUNTRY",
)  # fmt: skip
_COMMON = (
    "ASSIGNED_BY_ID", "COMMENTS", "OPENED", "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID",
    "MODIFY_BY_ID", "ORIGINATOR_ID", "ORIGIN_ID", "ORIGIN_VERSION", "UTM_SOURCE", "UTM_MEDIUM",
    "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM",
)  # fmt: skip
_REQUISITES = (
    "RQ_INN", "RQ_KPP", "RQ_OGRN", "RQ_OGRNIP", "RQ_OKPO", "RQ_COMPANY_NAME",
    "RQ_COMPANY_FULL_NAME", "RQ_DIRECTOR", "RQ_ACCOUNTANT", "RQ_ADDRESS",
)  # fmt: skip

#: Every ``RQ_*`` field of a requisite (crm-requisite-fields.md; the PHP SDK's live-portal
#: test lists the same), whatever the preset's country.
REQUISITE_RQ_FIELDS = (
    "RQ_NAME", "RQ_FIRST_NAME", "RQ_LAST_NAME", "RQ_SECOND_NAME", "RQ_COMPANY_ID",
    "RQ_COMPANY_NAME", "RQ_COMPANY_FULL_NAME", "RQ_COMPANY_REG_DATE", "RQ_DIRECTOR",
    "RQ_ACCOUNTANT", "RQ_CEO_NAME", "RQ_CEO_WORK_POS", "RQ_CONTACT", "RQ_EMAIL", "RQ_PHONE",
    "RQ_FAX", "RQ_IDENT_TYPE", "RQ_IDENT_DOC", "RQ_IDENT_DOC_SER", "RQ_IDENT_DOC_NUM",
    "RQ_IDENT_DOC_PERS_NUM", "RQ_IDENT_DOC_DATE", "RQ_IDENT_DOC_ISSUED_BY",
    "RQ_IDENT_DOC_DEP_CODE", "RQ_INN", "RQ_KPP", "RQ_USRLE", "RQ_IFNS", "RQ_OGRN", "RQ_OGRNIP",
    "RQ_OKPO", "RQ_OKTMO", "RQ_OKVED", "RQ_EDRPOU", "RQ_DRFO", "RQ_KBE", "RQ_IIN", "RQ_BIN",
    "RQ_ST_CERT_SER", "RQ_ST_CERT_NUM", "RQ_ST_CERT_DATE", "RQ_VAT_PAYER", "RQ_VAT_ID",
    "RQ_VAT_CERT_SER", "RQ_VAT_CERT_NUM", "RQ_VAT_CERT_DATE", "RQ_RESIDENCE_COUNTRY",
    "RQ_BASE_DOC", "RQ_REGON", "RQ_KRS", "RQ_PESEL", "RQ_LEGAL_FORM", "RQ_SIRET", "RQ_SIREN",
    "RQ_CAPITAL", "RQ_RCS", "RQ_CNPJ", "RQ_STATE_REG", "RQ_MNPL_REG", "RQ_CPF",
)  # fmt: skip
#: A bank detail's writable fields (crm-requisite-bank-detail-fields.md), ENTITY_ID = the
#: requisite's source key.
BANK_DETAIL_FIELDS = (
    "ENTITY_ID", "NAME", "ACTIVE", "SORT", "COUNTRY_ID", "RQ_BANK_NAME", "RQ_BANK_ADDR",
    "RQ_BANK_CODE", "RQ_AGENCY_NAME", "RQ_BANK_ROUTE_NUM", "RQ_BIK", "RQ_MFO", "RQ_ACC_NAME",
    "RQ_ACC_NUM", "RQ_ACC_TYPE", "RQ_IIK", "RQ_ACC_CURRENCY", "RQ_COR_ACC_NUM", "RQ_IBAN",
    "RQ_SWIFT", "RQ_BIC", "RQ_CODEB", "RQ_CODEG", "RQ_RIB", "COMMENTS",
)  # fmt: skip
#: An address's fields (crm-address-fields.md): its owner (``ENTITY_TYPE`` + ``ENTITY_ID``),
#: its type (``TYPE_ID``: a code or a name, see docs/mappings.md) and the text parts.
ADDRESS_FIELDS = (
    "ENTITY_TYPE", "ENTITY_ID", "TYPE_ID", "ADDRESS_1", "ADDRESS_2", "CITY", "POSTAL_CODE",
    "REGION", "PROVINCE", "COUNTRY", "COUNTRY_CODE",
)  # fmt: skip

_FIELDS: dict[str, tuple[str, ...]] = {
    "company": (
        "TITLE", "COMPANY_TYPE", "INDUSTRY", "EMPLOYEES", "REVENUE", "CURRENCY_ID",
        "IS_MY_COMPANY", "BANKING_DETAILS", "ADDRESS_LEGAL", "CONTACT_IDS",
        *MULTI_FIELDS, *_ADDRESS, *_COMMON, *_REQUISITES,
    ),
    "contact": (
        "NAME", "LAST_NAME", "SECOND_NAME", "HONORIFIC", "BIRTHDATE", "POST", "TYPE_ID",
        "SOURCE_ID", "SOURCE_DESCRIPTION", "EXPORT", "COMPANY_ID", "COMPANY_IDS",
        *MULTI_FIELDS, *_ADDRESS, *_COMMON, *_REQUISITES,
    ),
    "deal": (
        "TITLE", "TYPE_ID", "CATEGORY_ID", "STAGE_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY",
        "CURRENCY_ID", "TAX_VALUE", "PROBABILITY", "BEGINDATE", "CLOSEDATE", "CLOSED",
        "COMPANY_ID", "CONTACT_ID", "CONTACT_IDS", "SOURCE_ID", "SOURCE_DESCRIPTION",
        "ADDITIONAL_INFO", "LOCATION_ID", "PRODUCT_ROWS", *_COMMON,
    ),
    "lead": (
        "TITLE", "NAME", "LAST_NAME", "SECOND_NAME", "HONORIFIC", "BIRTHDATE", "POST",
        "COMPANY_TITLE", "STATUS_ID", "STATUS_DESCRIPTION", "SOURCE_ID", "SOURCE_DESCRIPTION",
        "OPPORTUNITY", "CURRENCY_ID", "COMPANY_ID", "CONTACT_ID", "CONTACT_IDS",
        *MULTI_FIELDS, *_ADDRESS, *_COMMON,
    ),
    # crm-item-fields.md (an SPA), in legacy names; CONTACT_IDS and PARENT_ID_<type> are links
    "smart_process": (
        "TITLE", "ASSIGNED_BY_ID", "OPENED", "BEGINDATE", "CLOSEDATE", "COMPANY_ID",
        "CONTACT_IDS", "OBSERVERS", "CATEGORY_ID", "STAGE_ID", "SOURCE_ID", "SOURCE_DESCRIPTION",
        "CURRENCY_ID", "IS_MANUAL_OPPORTUNITY", "OPPORTUNITY", "TAX_VALUE", "MYCOMPANY_ID",
        "WEBFORM_ID",
    ),
    "product": (
        "NAME", "PRICE", "CURRENCY_ID", "SECTION_ID", "DESCRIPTION", "DESCRIPTION_TYPE",
        "MEASURE", "VAT_ID", "VAT_INCLUDED", "ACTIVE", "SORT", "CODE", "XML_ID",
        "PURCHASING_PRICE", "QUANTITY",
    ),
    "product_section": ("NAME", "SECTION_ID", "CODE", "SORT", "ACTIVE", "DESCRIPTION", "XML_ID"),
    "note": ("ENTITY_TYPE", "ENTITY_ID", "COMMENT", "CREATED", "AUTHOR_ID", "NOTE_TYPE", "FILES"),
    # crm.activity.add (crm-activity-add.md); TYPE: call | email | meeting; DURATION in minutes
    # gives END_TIME when the export has no end; COMMUNICATION: the phone or e-mail called
    "activity": (
        "ENTITY_TYPE", "ENTITY_ID", "TYPE", "DIRECTION", "SUBJECT", "DESCRIPTION",
        "START_TIME", "END_TIME", "DURATION", "COMPLETED", "PRIORITY", "RESPONSIBLE_ID",
        "AUTHOR_ID", "CREATED", "COMMUNICATION", "FILES",
    ),
    # crm.requisite.add: its owner (ENTITY_TYPE company|contact + ENTITY_ID, `ref: any`), its
    # preset by name (PRESET; else chosen from the INN), every RQ_* field
    "requisite": (
        "ENTITY_TYPE", "ENTITY_ID", "PRESET", "NAME", "ACTIVE", "SORT", *REQUISITE_RQ_FIELDS,
    ),
    "bank_detail": BANK_DETAIL_FIELDS,
    "address": ADDRESS_FIELDS,
    # tasks.task.add (tasks-task-add.md, fields.md): bound to ENTITY_TYPE/ENTITY_ID; FILES:
    # the task's files (paths beside the source), carried as the plan says (`task.files`)
    "task": (
        "ENTITY_TYPE", "ENTITY_ID", "TITLE", "DESCRIPTION", "RESPONSIBLE_ID", "CREATED_BY",
        "DEADLINE", "STATUS", "PRIORITY", "CREATED", "FILES",
    ),
}  # fmt: skip

_PATTERNS: dict[str, re.Pattern[str]] = {
    entity: re.compile(r"UF_CRM_[A-Z0-9_]{1,43}") for entity in where(crm=True)
}
_PATTERNS["product"] = re.compile(r"PROPERTY_[A-Z0-9_]{1,40}")
_PATTERNS["smart_process"] = re.compile(r"UF_CRM_[A-Z0-9_]{1,43}|PARENT_ID_[0-9]{1,6}")

TEXT_LIMITS: dict[str, int | None] = {
    "COMMENTS": None, "COMMENT": None, "DESCRIPTION": None, "FILES": None, "ADDITIONAL_INFO": None,
    "SOURCE_DESCRIPTION": None, "STATUS_DESCRIPTION": None, "BANKING_DETAILS": None,
    "ADDRESS": None, "ADDRESS_LEGAL": None, "RQ_ADDRESS": None,
    "NAME": 255, "LAST_NAME": 255, "SECOND_NAME": 255, "TITLE": 255, "POST": 255,
}  # fmt: skip
"""Longest text Bitrix24 keeps per field (`None`: long text). Other text fields: 255."""


def entity_fields(entity: str) -> tuple[str, ...]:
    """The standard fields of ``entity`` (empty for an unknown entity)."""
    return _FIELDS.get(entity, ())


def is_known_field(entity: str, name: str) -> bool:
    """Whether ``name`` is a field of ``entity``: standard, user field or product property."""
    if name in _FIELDS.get(entity, ()):
        return True
    pattern = _PATTERNS.get(entity)
    return bool(pattern and pattern.fullmatch(name))


def is_multiple_ref(name: str) -> bool:
    """Whether the reference field ``name`` holds several keys (`CONTACT_IDS`, `PRODUCT_ROWS`)."""
    return name.endswith("_IDS") or name == "PRODUCT_ROWS"
