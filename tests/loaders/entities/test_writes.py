"""Legacy write commands, table-driven: request in, exact command out."""

from __future__ import annotations

import pytest

from loaders.entities import (
    Command,
    MultiValue,
    WriteRequest,
    address_written,
    build_write,
    history_header,
)

ORIG = "amo-2026"
QUIET = {"REGISTER_SONET_EVENT": "N"}

CASES = [
    pytest.param(
        WriteRequest(
            "company",
            "create",
            "101",
            {
                "TITLE": "ООО «Ромашка»",
                "PHONE": [["+74951234567", "WORK"]],
                "EMAIL": [],
                "_company_name_key": "ромашка",
            },
        ),
        Command(
            "crm.company.add",
            {
                "fields": {
                    "TITLE": "ООО «Ромашка»",
                    "PHONE": [{"VALUE": "+74951234567", "VALUE_TYPE": "WORK"}],
                    "EMAIL": [],
                    "ORIGINATOR_ID": ORIG,
                    "ORIGIN_ID": "101",
                },
                "params": QUIET,
            },
        ),
        id="company add: multi-field pairs become legacy entries, hints dropped",
    ),
    pytest.param(
        WriteRequest(
            "contact",
            "create",
            "c7",
            {
                "NAME": "Иван",
                "DATE_CREATE": "2019-03-01T10:00:00+03:00",
                "CREATED_BY_ID": 5,
            },
        ),
        Command(
            "crm.contact.add",
            {
                "fields": {
                    "NAME": "Иван",
                    "DATE_CREATE": "2019-03-01T10:00:00+03:00",
                    "CREATED_BY_ID": 5,
                    "ORIGINATOR_ID": ORIG,
                    "ORIGIN_ID": "c7",
                },
                "params": {**QUIET, "IMPORT": "Y"},
            },
        ),
        id="contact add with history dates: IMPORT=Y",
    ),
    pytest.param(
        WriteRequest("contact", "create", "c8", {"NAME": "Пётр", "DATE_CREATE": None}),
        Command(
            "crm.contact.add",
            {
                "fields": {
                    "NAME": "Пётр",
                    "DATE_CREATE": None,
                    "ORIGINATOR_ID": ORIG,
                    "ORIGIN_ID": "c8",
                },
                "params": QUIET,
            },
        ),
        id="contact add without dates: no IMPORT",
    ),
    pytest.param(
        WriteRequest(
            "deal",
            "create",
            "d1",
            {
                "TITLE": "Поставка",
                "DATE_CREATE": "2020-01-01",
                "COMPANY_ID": 11,
                "CONTACT_IDS": [31, 32],
                "EMAIL": (MultiValue("a@b.ru", "WORK"),),
            },
        ),
        Command(
            "crm.deal.add",
            {
                "fields": {
                    "TITLE": "Поставка",
                    "COMPANY_ID": 11,
                    "CONTACT_IDS": [31, 32],
                    "EMAIL": [{"VALUE": "a@b.ru", "VALUE_TYPE": "WORK"}],
                    "ORIGINATOR_ID": ORIG,
                    "ORIGIN_ID": "d1",
                },
                "params": QUIET,
            },
        ),
        id="deal add: history fields dropped (no IMPORT for deals)",
    ),
    pytest.param(
        WriteRequest("lead", "update", "l1", {"TITLE": "Лид", "DATE_CREATE": "2020-01-01"}, 77),
        Command("crm.lead.update", {"id": 77, "fields": {"TITLE": "Лид"}, "params": QUIET}),
        id="lead update: no origin, no history",
    ),
    pytest.param(
        WriteRequest(
            "company",
            "update",
            "101",
            {
                "TITLE": "ООО Ромашка",
                "PHONE": [{"ID": 5, "VALUE": "+74950000000", "VALUE_TYPE": "WORK"}],
            },
            12,
        ),
        Command(
            "crm.company.update",
            {
                "id": 12,
                "fields": {
                    "TITLE": "ООО Ромашка",
                    "PHONE": [{"ID": 5, "VALUE": "+74950000000", "VALUE_TYPE": "WORK"}],
                },
                "params": QUIET,
            },
        ),
        id="company update keeps multi-field entries with their ID",
    ),
    pytest.param(
        WriteRequest(
            "product",
            "create",
            "SKU-1",
            {
                "NAME": "Болт М8",
                "SECTION_ID": 4,
                "CATALOG_ID": 25,
                "MEASURE": "шт",  # a unit's name is not the catalogue's unit id: left out
                "VAT_ID": "2",
                "DESCRIPTION": "Оцинкованный",
                "PROPERTY_ARTICLE": "Б-8",  # iblock properties are not sent
            },
        ),
        Command(
            "catalog.product.add",
            {
                "fields": {
                    "name": "Болт М8",
                    "iblockSectionId": 4,
                    "vatId": 2,
                    "detailText": "Оцинкованный",
                    "iblockId": 25,
                    "xmlId": "SKU-1",
                }
            },
        ),
        id="product add through the catalogue, with xmlId",
    ),
    pytest.param(
        WriteRequest("product", "update", "SKU-1", {"NAME": "Болт М8 оцинк.", "CATALOG_ID": 25}, 9),
        Command("catalog.product.update", {"id": 9, "fields": {"name": "Болт М8 оцинк."}}),
        id="product update (the catalogue stays)",
    ),
    pytest.param(
        WriteRequest(
            "product_section",
            "create",
            "cat-2",
            {"NAME": "Крепёж", "SECTION_ID": 3, "CATALOG_ID": 25},
        ),
        Command(
            "catalog.section.add",
            {"fields": {"name": "Крепёж", "iblockSectionId": 3, "iblockId": 25, "xmlId": "cat-2"}},
        ),
        id="product section add with parent and xmlId",
    ),
    pytest.param(
        WriteRequest(
            "product_prices",
            "set",
            "SKU-1",
            {
                "OWNER_ID": 9,
                "PRICES": [{"CATALOG_GROUP_ID": 1, "PRICE": "12.50", "CURRENCY_ID": "RUB"}],
            },
        ),
        Command(
            "catalog.price.modify",
            {
                "fields": {
                    "product": {
                        "id": 9,
                        "prices": [{"catalogGroupId": 1, "price": "12.50", "currency": "RUB"}],
                    }
                }
            },
        ),
        id="product prices set, replacing the product's prices",
    ),
    pytest.param(
        WriteRequest(
            "requisite",
            "create",
            "101",
            {
                "ENTITY_ID": 11,
                "PRESET_ID": 1,
                "RQ_INN": "7707083893",
                "RQ_COMPANY_NAME": "ООО «Ромашка»",
            },
        ),
        Command(
            "crm.requisite.add",
            {
                "fields": {
                    "ENTITY_ID": 11,
                    "PRESET_ID": 1,
                    "RQ_INN": "7707083893",
                    "RQ_COMPANY_NAME": "ООО «Ромашка»",
                    "ENTITY_TYPE_ID": 4,
                    "NAME": "ООО «Ромашка»",
                    "XML_ID": "101",
                    "ORIGINATOR_ID": ORIG,
                }
            },
        ),
        id="requisite add: company owner, name from company name, XML_ID + ORIGINATOR_ID",
    ),
    pytest.param(
        WriteRequest(
            "requisite",
            "create",
            "p5",
            {"ENTITY_TYPE_ID": 3, "ENTITY_ID": 31, "PRESET_ID": 3, "NAME": "Паспорт"},
        ),
        Command(
            "crm.requisite.add",
            {
                "fields": {
                    "ENTITY_TYPE_ID": 3,
                    "ENTITY_ID": 31,
                    "PRESET_ID": 3,
                    "NAME": "Паспорт",
                    "XML_ID": "p5",
                    "ORIGINATOR_ID": ORIG,
                }
            },
        ),
        id="requisite add for a contact keeps its owner type and name",
    ),
    pytest.param(
        WriteRequest("requisite", "create", "p6", {"ENTITY_ID": 1, "PRESET_ID": 1}),
        Command(
            "crm.requisite.add",
            {
                "fields": {
                    "ENTITY_ID": 1,
                    "PRESET_ID": 1,
                    "ENTITY_TYPE_ID": 4,
                    "NAME": "p6",
                    "XML_ID": "p6",
                    "ORIGINATOR_ID": ORIG,
                }
            },
        ),
        id="requisite add without any name falls back to the key",
    ),
    pytest.param(
        WriteRequest(
            "requisite",
            "update",
            "101",
            {"ENTITY_TYPE_ID": 4, "ENTITY_ID": 11, "RQ_KPP": "770701001"},
            40,
        ),
        Command("crm.requisite.update", {"id": 40, "fields": {"RQ_KPP": "770701001"}}),
        id="requisite update never moves it to another owner",
    ),
    pytest.param(
        WriteRequest(
            "deal_products",
            "set",
            "d1",
            {"OWNER_ID": 50, "ROWS": [{"PRODUCT_ID": 9, "PRICE": "12.50", "QUANTITY": 4}]},
        ),
        Command(
            "crm.deal.productrows.set",
            {"id": 50, "rows": [{"PRODUCT_ID": 9, "PRICE": "12.50", "QUANTITY": 4}]},
        ),
        id="deal product rows set",
    ),
    pytest.param(
        WriteRequest("deal_products", "set", "d2", {"OWNER_ID": 51}),
        Command("crm.deal.productrows.set", {"id": 51, "rows": []}),
        id="empty product rows clear the deal's rows",
    ),
    pytest.param(
        WriteRequest("deal_contacts", "set", "d1", {"OWNER_ID": 50, "CONTACT_IDS": [31, 32]}),
        Command(
            "crm.deal.contact.items.set",
            {
                "id": 50,
                "items": [
                    {"CONTACT_ID": 31, "IS_PRIMARY": "Y", "SORT": 10},
                    {"CONTACT_ID": 32, "IS_PRIMARY": "N", "SORT": 20},
                ],
            },
        ),
        id="deal contacts: first is primary",
    ),
    pytest.param(
        WriteRequest("contact_companies", "set", "c7", {"OWNER_ID": 31, "COMPANY_IDS": [11]}),
        Command(
            "crm.contact.company.items.set",
            {"id": 31, "items": [{"COMPANY_ID": 11, "IS_PRIMARY": "Y", "SORT": 10}]},
        ),
        id="contact companies",
    ),
    pytest.param(
        WriteRequest(
            "comment",
            "create",
            "n1",
            {
                "ENTITY_TYPE": "DEAL",
                "ENTITY_ID": 50,
                "COMMENT": "Клиент просил перезвонить",
                "_DATE": "2021-03-12T14:05:00+03:00",
                "_AUTHOR": "Иванов Иван",
            },
        ),
        Command(
            "crm.timeline.comment.add",
            {
                "fields": {
                    "ENTITY_TYPE": "deal",
                    "ENTITY_ID": 50,
                    "COMMENT": "[i]12.03.2021 14:05 · Иванов Иван[/i]\nКлиент просил перезвонить\n"
                    "b24migrate: amo-2026/n1",
                }
            },
        ),
        id="timeline comment: date and author in the text, tag last",
    ),
    pytest.param(
        WriteRequest(
            "comment",
            "update",
            "n1",
            {"ENTITY_TYPE": "deal", "ENTITY_ID": 50, "COMMENT": "Исправлено"},
            700,
        ),
        Command(
            "crm.timeline.comment.update",
            {"id": 700, "fields": {"COMMENT": "Исправлено\nb24migrate: amo-2026/n1"}},
        ),
        id="timeline comment update keeps the tag",
    ),
    pytest.param(
        WriteRequest(
            "activity",
            "create",
            "call-9",
            {
                "OWNER_TYPE_ID": 2,
                "OWNER_ID": 50,
                "TYPE_ID": 2,
                "SUBJECT": "Входящий звонок",
                "DIRECTION": 1,
                "START_TIME": "2021-03-12T14:05:00+03:00",
                "RESPONSIBLE_ID": 5,
                "COMMUNICATIONS": [{"VALUE": "+74951234567", "ENTITY_ID": 31, "ENTITY_TYPE_ID": 3}],
                "DESCRIPTION": "Обсудили поставку",
                "_DATE": "2021-03-12",
                "_AUTHOR": "Петров",
            },
        ),
        Command(
            "crm.activity.add",
            {
                "fields": {
                    "OWNER_TYPE_ID": 2,
                    "OWNER_ID": 50,
                    "TYPE_ID": 2,
                    "SUBJECT": "Входящий звонок",
                    "DIRECTION": 1,
                    "START_TIME": "2021-03-12T14:05:00+03:00",
                    "RESPONSIBLE_ID": 5,
                    "COMMUNICATIONS": [
                        {"VALUE": "+74951234567", "ENTITY_ID": 31, "ENTITY_TYPE_ID": 3}
                    ],
                    "DESCRIPTION": "[i]12.03.2021 · Петров[/i]\nОбсудили поставку",
                    "DESCRIPTION_TYPE": 1,
                    "COMPLETED": "Y",
                    "ORIGINATOR_ID": ORIG,
                    "ORIGIN_ID": "call-9",
                }
            },
        ),
        id="call activity with origin key and original date",
    ),
    pytest.param(
        WriteRequest(
            "activity",
            "update",
            "call-9",
            {"OWNER_TYPE_ID": 2, "OWNER_ID": 50, "SUBJECT": "Звонок"},
            88,
        ),
        Command(
            "crm.activity.update",
            {"id": 88, "fields": {"SUBJECT": "Звонок", "DESCRIPTION": "", "DESCRIPTION_TYPE": 1}},
        ),
        id="activity update never moves it to another owner",
    ),
]


@pytest.mark.parametrize(("request_", "expected"), CASES)
def test_build_write(request_, expected):
    assert build_write(request_, ORIG) == expected


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (WriteRequest("company", "update", "1", {}), "update needs b24_id"),
        (WriteRequest("company", "set", "1", {}), "op 'set' not allowed"),
        (WriteRequest("deal_products", "create", "1", {}), "op 'create' not allowed"),
    ],
)
def test_build_write_refuses_impossible_requests(request_, message):
    with pytest.raises(ValueError, match=message):
        build_write(request_, ORIG)


def test_unknown_entity_names_the_known_ones():
    with pytest.raises(KeyError, match="known: activity, address, bank_detail, comment"):
        build_write(WriteRequest("invoice", "create", "1", {}), ORIG)


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        (
            {"_DATE": "2021-03-12T14:05:00+03:00", "_AUTHOR": " Иванов "},
            "[i]12.03.2021 14:05 · Иванов[/i]",
        ),
        ({"_DATE": "2021-03-12"}, "[i]12.03.2021[/i]"),
        ({"_DATE": "вчера"}, "[i]вчера[/i]"),
        ({"_AUTHOR": "Петров"}, "[i]Петров[/i]"),
        ({}, ""),
    ],
)
def test_history_header(hints, expected):
    assert history_header(hints) == expected


def test_bank_detail_carries_its_origin_and_keeps_its_requisite_on_update():
    fields = {"ENTITY_ID": 7, "RQ_BANK_NAME": "ПАО Сбербанк", "RQ_BIK": "044525225", "_row": 2}
    create = build_write(WriteRequest("bank_detail", "create", "b1", fields), ORIG)
    assert create.method == "crm.requisite.bankdetail.add"
    assert create.params == {"fields": {
        "ENTITY_ID": 7, "RQ_BANK_NAME": "ПАО Сбербанк", "RQ_BIK": "044525225",
        "NAME": "ПАО Сбербанк", "XML_ID": "b1", "ORIGINATOR_ID": ORIG,
    }}  # fmt: skip
    update = build_write(WriteRequest("bank_detail", "update", "b1", fields, 12), ORIG)
    assert update.method == "crm.requisite.bankdetail.update"
    assert update.params == {"id": 12, "fields": {"RQ_BANK_NAME": "ПАО Сбербанк",
                                                  "RQ_BIK": "044525225"}}  # fmt: skip


def test_address_is_named_by_type_and_requisite_not_by_id():
    fields = {"TYPE_ID": 6, "ENTITY_TYPE_ID": 8, "ENTITY_ID": 3, "CITY": "Тула"}
    create = build_write(WriteRequest("address", "create", "rq/r2/6", fields), ORIG)
    assert (create.method, create.params) == ("crm.address.add", {"fields": fields})
    update = build_write(WriteRequest("address", "update", "rq/r2/6", fields, 3), ORIG)
    assert (update.method, update.params) == ("crm.address.update", {"fields": fields})
    assert address_written(create, True) == 3
    assert address_written(update, True) is None
    with pytest.raises(ValueError, match="ENTITY_TYPE_ID is missing"):
        build_write(WriteRequest("address", "create", "rq/r2/6", {"TYPE_ID": 6}), ORIG)
