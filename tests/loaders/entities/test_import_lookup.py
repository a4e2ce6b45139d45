"""batchImport commands, reconciliation look-ups, results and requisite presets."""

from __future__ import annotations

import pytest

from loaders.entities import (
    Command,
    MultiValue,
    RequisitePresets,
    UnexpectedResult,
    WriteRequest,
    build_comment_lookup,
    build_imports,
    build_lookups,
    camel_field,
    choose_preset,
    import_item,
    parse_import_result,
    parse_lookup,
    parse_write_result,
    presets_from_rows,
    spec_for,
)

ORIG = "amo-2026"


@pytest.mark.parametrize(
    ("legacy", "camel"),
    [
        ("TITLE", "title"),
        ("ASSIGNED_BY_ID", "assignedById"),
        ("IS_MANUAL_OPPORTUNITY", "isManualOpportunity"),
        ("UF_CRM_1720697698689", "ufCrm1720697698689"),
        ("UF_CRM_2_1639669411830", "ufCrm2_1639669411830"),
        ("UF_CRM_MY_FIELD", "ufCrmMyField"),
        ("DATE_CREATE", "createdTime"),
        ("DATE_MODIFY", "updatedTime"),
        ("CREATED_BY_ID", "createdBy"),
        ("MODIFY_BY_ID", "updatedBy"),
        ("STATUS_ID", "stageId"),
        ("UTM_SOURCE", "utmSource"),
    ],
)
def test_camel_field(legacy, camel):
    assert camel_field(legacy) == camel


def test_import_item_uses_fm_for_multi_fields_and_origin_keys():
    request = WriteRequest(
        "contact",
        "create",
        "c1",
        {
            "NAME": "Иван",
            "PHONE": [["+79161234567", "MOBILE"]],  # as the ledger's JSON holds it
            "EMAIL": (MultiValue("ivan@example.ru", "WORK"),),
            "_row": 4,
        },
    )
    assert import_item(request, ORIG) == {
        "name": "Иван",
        "fm": [
            {"typeId": "PHONE", "valueType": "MOBILE", "value": "+79161234567"},
            {"typeId": "EMAIL", "valueType": "WORK", "value": "ivan@example.ru"},
        ],
        "originatorId": ORIG,
        "originId": "c1",
    }
    assert "fm" not in import_item(WriteRequest("contact", "create", "c2", {"PHONE": []}), ORIG)


def test_build_imports_chunks_by_20_in_ascending_created_time():
    requests = [
        WriteRequest(
            "deal",
            "create",
            f"d{i}",
            {"TITLE": f"Сделка {i}", "DATE_CREATE": f"2020-01-{30 - i:02d}"},
        )
        for i in range(25)
    ]
    requests.append(WriteRequest("deal", "create", "undated", {"TITLE": "Без даты"}))
    requests.append(WriteRequest("deal", "create", "naive", {"DATE_CREATE": "2019-12-31T23:00"}))
    commands = build_imports("deal", requests, ORIG)
    assert [len(c.source_keys) for c in commands] == [20, 7]
    keys = [k for c in commands for k in c.source_keys]
    assert keys[0] == "naive"
    assert keys[1] == "d24"
    assert keys[-1] == "undated"
    first = commands[0].command
    assert first.method == "crm.item.batchImport"
    assert first.params["entityTypeId"] == 2
    assert [item["originId"] for item in first.params["data"]] == list(commands[0].source_keys)
    assert first.params["data"][1]["createdTime"] == "2020-01-06"


@pytest.mark.parametrize(
    ("entity", "requests", "message"),
    [
        ("product", [], "cannot be loaded by crm.item.batchImport"),
        ("deal", [WriteRequest("deal", "update", "1", {}, 5)], "only creates"),
        ("deal", [WriteRequest("contact", "create", "1", {})], "only creates"),
    ],
)
def test_build_imports_refuses_what_it_cannot_import(entity, requests, message):
    with pytest.raises(ValueError, match=message):
        build_imports(entity, requests, ORIG)


def test_parse_import_result_aligns_items_with_data():
    result = {
        "items": [
            {"item": {"id": 15}},
            {
                "error": "CRM_FIELD_ERROR_REQUIRED",
                "error_description": 'The "Name" field is required',
            },
            {"error": "", "error_description": "Invalid value<br>"},
            {"error": ""},
        ]
    }
    assert parse_import_result(result, 4) == [
        15,
        'CRM_FIELD_ERROR_REQUIRED: The "Name" field is required',
        "Invalid value",
        "unknown error",
    ]


@pytest.mark.parametrize(
    ("result", "expected"),
    [({"items": []}, 1), ([], 0), ({"items": [{"what": 1}]}, 1), ({"items": ["x"]}, 1)],
)
def test_parse_import_result_refuses_other_shapes(result, expected):
    with pytest.raises(UnexpectedResult):
        parse_import_result(result, expected)


def test_build_lookups_chunks_keys_by_50_with_originator():
    keys = [str(i) for i in range(120)]
    lookups = build_lookups("company", ORIG, keys)
    assert [len(lookup.source_keys) for lookup in lookups] == [50, 50, 20]
    assert lookups[2].command == Command(
        "crm.company.list",
        {
            "filter": {"ORIGINATOR_ID": ORIG, "@ORIGIN_ID": keys[100:]},
            "select": ["ID", "ORIGIN_ID"],
            "order": {"ID": "ASC"},
        },
    )


@pytest.mark.parametrize(
    ("entity", "method", "filter_"),
    [
        ("product", "catalog.product.list", {"iblockId": 25, "@xmlId": ["a"]}),
        ("product_section", "catalog.section.list", {"iblockId": 25, "@xmlId": ["a"]}),
        ("requisite", "crm.requisite.list", {"ORIGINATOR_ID": ORIG, "@XML_ID": ["a"]}),
        ("activity", "crm.activity.list", {"ORIGINATOR_ID": ORIG, "@ORIGIN_ID": ["a"]}),
    ],
)
def test_build_lookups_per_entity(entity, method, filter_):
    (lookup,) = build_lookups(entity, ORIG, ["a"], iblock=25)
    assert lookup.command.method == method
    assert lookup.command.params["filter"] == filter_


def test_catalogue_lookups_need_the_catalogue_and_read_wrapped_rows():
    with pytest.raises(ValueError, match="within a catalogue"):
        build_lookups("product", ORIG, ["a"])
    (lookup,) = build_lookups("product", ORIG, ["a"], iblock=25)
    assert lookup.command.params["select"] == ["id", "iblockId", "xmlId"]  # both required
    rows = {"products": [{"id": 7, "iblockId": 25, "xmlId": "a"}, {"id": 9, "xmlId": "a"}]}
    assert parse_lookup("product", ORIG, rows) == {"a": [7, 9]}


@pytest.mark.parametrize("entity", ["comment", "deal_products"])
def test_build_lookups_refuses_entities_without_origin_key(entity):
    with pytest.raises(ValueError, match="not found by an origin key"):
        build_lookups(entity, ORIG, ["a"])


def test_parse_lookup_groups_ids_by_key_and_shows_duplicates():
    rows = [
        {"ID": "12", "ORIGIN_ID": "1"},
        {"ID": "9", "ORIGIN_ID": "1"},
        {"ID": "13", "ORIGIN_ID": "2"},
        {"ID": "14", "ORIGIN_ID": ""},
    ]
    assert parse_lookup("company", ORIG, rows) == {"1": [9, 12], "2": [13]}
    assert parse_lookup("product", ORIG, [{"ID": 5, "XML_ID": "SKU"}]) == {"SKU": [5]}
    with pytest.raises(UnexpectedResult):
        parse_lookup("company", ORIG, [{"ORIGIN_ID": "1"}])


def test_comment_lookup_finds_migrated_comments_by_their_tag():
    assert build_comment_lookup("DEAL", 50) == Command(
        "crm.timeline.comment.list",
        {
            "filter": {"ENTITY_ID": 50, "ENTITY_TYPE": "deal"},
            "select": ["ID", "COMMENT"],
            "order": {"ID": "ASC"},
        },
    )
    rows = [
        {"ID": "1", "COMMENT": "[i]12.03.2021[/i]\nтекст\nb24migrate: amo-2026/n1"},
        {"ID": "2", "COMMENT": "чужой комментарий"},
        {"ID": "3", "COMMENT": "b24migrate: other/n1"},
        {"ID": "4", "COMMENT": None},
    ]
    assert parse_lookup("comment", ORIG, rows) == {"n1": [1]}


@pytest.mark.parametrize(
    ("method", "op", "result", "expected"),
    [
        ("crm.company.add", "create", 15, 15),
        ("crm.company.add", "create", "16", 16),
        ("crm.company.update", "update", True, None),
        ("crm.deal.productrows.set", "set", True, None),
        # the catalogue answers the record (catalog-product-add.md, -update, price-modify)
        ("catalog.product.add", "create", {"element": {"id": 1267, "name": "x"}}, 1267),
        ("catalog.section.add", "create", {"section": {"id": 31}}, 31),
        ("catalog.product.update", "update", {"element": {"id": 1267}}, None),
        ("catalog.price.modify", "set", {"prices": [{"id": 123}]}, None),
    ],
)
def test_parse_write_result(method, op, result, expected):
    assert parse_write_result(method, op, result) == expected


@pytest.mark.parametrize(
    ("op", "result"),
    [
        ("create", True),
        ("create", 0),
        ("create", "abc"),
        ("create", None),
        ("update", False),
        ("set", {"x": 1}),
    ],
)
def test_parse_write_result_refuses_other_shapes(op, result):
    with pytest.raises(UnexpectedResult, match="unexpected result"):
        parse_write_result("m", op, result)


RU_PRESETS = [
    {"ID": "1", "NAME": "Организация"},
    {"ID": "2", "NAME": "ИП"},
    {"ID": "3", "NAME": "Физ. лицо"},
    {"ID": "7", "NAME": "Организация (копия)"},
]
EN_PRESETS = [
    {"ID": "1", "NAME": "Organization"},
    {"ID": "2", "NAME": "Sole Proprietorship"},
    {"ID": "3", "NAME": "Individual"},
]


@pytest.mark.parametrize("rows", [RU_PRESETS, EN_PRESETS])
def test_presets_from_rows_recognises_standard_names(rows):
    assert presets_from_rows(rows) == RequisitePresets(1, 2, 3)


def test_presets_from_rows_with_missing_presets():
    assert presets_from_rows([{"ID": "4", "NAME": "Свой шаблон"}]) == RequisitePresets(None, None)


@pytest.mark.parametrize(
    ("inn", "title", "legal_form", "expected"),
    [
        ("7707083893", "ООО «Ромашка»", "", 1),
        ("500100732259", "Петров Пётр Петрович", "", 2),
        (None, "ИП Петров П.П.", "", 2),
        ("", "Петров", "Индивидуальный предприниматель", 2),
        ("7707083893", "ИП Петров", "", 1),  # a 10-digit INN is an organisation's
        (None, "АО «Вектор»", "", 1),
    ],
)
def test_choose_preset(inn, title, legal_form, expected):
    assert choose_preset(RequisitePresets(1, 2, 3), inn, title, legal_form) == expected


def test_spec_for_names_methods():
    assert spec_for("company").add == "crm.company.add"


def test_appended_values_are_the_entries_without_an_id():
    from loaders.entities import appended_values

    fields = {
        "PHONE": [["+79161234567", "WORK"], {"ID": 3, "VALUE": "+7495", "VALUE_TYPE": "WORK"}],
        "EMAIL": [{"ID": 4, "DELETE": "Y"}],
        "WEB": [["", "WORK"]],
        "TITLE": "x",
    }
    assert appended_values(fields) == {"PHONE": ["+79161234567"]}
    assert appended_values({}) == {}
    assert spec_for("contact").get == "crm.contact.get"
