"""Every real export format, from a fresh `init --source` with no hand edits into the sandbox.

Each test runs init → validate → dedupe → plan → load through the CLI and then reads the portal
back: record counts, links, amounts, product rows, pipelines, patronymics and units are what the
export says. The shapes and their provenance: tests/fixtures/real/README.md.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.migrate.real.portal import migrate_export, read_portal


def _id(portal, entity, key):
    return portal[entity][key]["ID"]


@pytest.fixture(scope="module")
def amocrm(tmp_path_factory):
    return read_portal(migrate_export(tmp_path_factory.mktemp("amo"), "amocrm"))


def test_amocrm_contacts_and_companies_file_is_split_by_its_type_column(amocrm):
    # one file, `Тип` контакт/компания: three companies, four contacts — no company from a
    # contact's employer, no nameless contact from a company row
    assert sorted(amocrm["company"]) == ["31001", "31002", "31003"]
    assert sorted(amocrm["contact"]) == ["42001", "42002", "42003", "42004"]
    assert all(c["NAME"] and c["LAST_NAME"] for c in amocrm["contact"].values())
    assert amocrm["company"]["31001"]["TITLE"] == "ООО «Ромашка»"  # `&quot;` decoded
    assert amocrm["contact"]["42001"]["COMPANY_ID"] == _id(amocrm, "company", "31001")
    assert amocrm["contact"]["42004"]["COMPANY_ID"] == _id(amocrm, "company", "31003")


def test_amocrm_patronymics_of_the_full_name_are_kept(amocrm):
    parts = {k: (c["LAST_NAME"], c["NAME"], c["SECOND_NAME"]) for k, c in amocrm["contact"].items()}
    assert parts["42001"] == ("Смирнов", "Алексей", "Петрович")
    assert parts["42002"] == ("Орлова", "Елена", "Викторовна")
    assert parts["42003"][2] in (None, "")  # «Пётр Иванов»: no patronymic to keep


def test_amocrm_deals_link_by_full_name_and_take_the_budget_currency_from_the_header(amocrm):
    deal = amocrm["deal"]["17001"]
    assert (deal["OPPORTUNITY"], deal["CURRENCY_ID"], deal["STAGE_ID"]) == (
        "73000.00",
        "RUB",
        "WON",
    )
    assert deal["COMPANY_ID"] == _id(amocrm, "company", "31001")
    assert [c["CONTACT_ID"] for c in deal["CONTACTS"]] == [int(_id(amocrm, "contact", "42001"))]
    # the sandbox's webhook is an administrator's: `load.route: auto` imports, and the deal
    # keeps its creation date (the add route would put it into the comment)
    assert deal["COMMENTS"].splitlines() == ["Оплата по счёту №15"]
    assert str(deal["DATE_CREATE"]).startswith("2024-05-15T09:00")
    assert amocrm["deal"]["17004"]["OPPORTUNITY"] == "45500.50"
    assert amocrm["deal"]["17002"]["STAGE_ID"] == "PREPARATION"
    notes = amocrm["contact"]["42001"]["COMMENTS"]
    assert notes == "Звонить после 14:00\n\nЛюбит чай"  # «Примечание 1..5», none lost


def test_amocrm_inn_of_a_custom_field_becomes_a_requisite(amocrm):
    inns = {r["RQ_INN"] for r in amocrm["requisite"]}
    assert inns == {"7707083893", "7830002293"}


@pytest.fixture(scope="module", params=["bitrix24", "bitrix24_excel", "bitrix24_onprem"])
def bitrix(request, tmp_path_factory):
    root = migrate_export(tmp_path_factory.mktemp(request.param), request.param)
    return read_portal(root)


def test_bitrix24_deal_repeated_per_product_line_is_one_deal_with_its_rows(bitrix):
    assert sorted(bitrix["deal"]) == ["301", "302", "303", "304"]
    deal = bitrix["deal"]["301"]
    assert deal["OPPORTUNITY"] == "73000.00"  # 25 000 + 2×12 000 + 3×8 000, not the first line
    rows = [(r["PRODUCT_NAME"], r["PRICE"], r["QUANTITY"]) for r in deal["ROWS"]]
    assert rows == [("Верстак", 25000.0, 1.0), ("Тиски", 12000.0, 2.0), ("Стеллаж", 8000.0, 3.0)]
    assert [(r["PRODUCT_NAME"], r["QUANTITY"]) for r in bitrix["deal"]["303"]["ROWS"]] == [
        ("Бумага А4", 30.0)
    ]


def test_bitrix24_pipelines_and_stages_by_name_including_a_latin_c(bitrix):
    stages = {k: (d["CATEGORY_ID"], d["STAGE_ID"]) for k, d in bitrix["deal"].items()}
    assert stages == {
        "301": ("0", "WON"),
        "302": ("0", "WON"),  # «Cделка успешна» typed with a Latin «C»
        "303": ("1", "C1:UC_TALKS"),  # «Оптовые продажи» / «Переговоры»
        "304": ("1", "C1:NEW"),
    }


def test_bitrix24_list_values_written_as_names_are_the_portals_items(bitrix):
    igor = bitrix["contact"]["201"]
    assert (igor["HONORIFIC"], igor["SOURCE_ID"], igor["TYPE_ID"]) == ("HNR_RU_1", "CALL", "CLIENT")
    assert (igor["LAST_NAME"], igor["NAME"], igor["SECOND_NAME"]) == ("Белов", "Игорь", "Сергеевич")
    assert bitrix["contact"]["202"]["TYPE_ID"] == "PARTNER"  # «Партнёры»
    company = bitrix["company"]["101"]
    assert (company["COMPANY_TYPE"], company["INDUSTRY"]) == ("CUSTOMER", "MANUFACTURING")
    assert bitrix["company"]["102"]["COMPANY_TYPE"] == "PARTNER"
    assert bitrix["deal"]["303"]["SOURCE_ID"] == "CALL"


def test_bitrix24_links_and_requisites(bitrix):
    assert bitrix["contact"]["201"]["COMPANY_ID"] == _id(bitrix, "company", "101")
    deal = bitrix["deal"]["301"]
    assert deal["COMPANY_ID"] == _id(bitrix, "company", "101")
    assert [c["CONTACT_ID"] for c in deal["CONTACTS"]] == [int(_id(bitrix, "contact", "201"))]
    requisites = {
        (r["ENTITY_ID"], r["RQ_INN"], r["RQ_KPP"], r.get("RQ_OGRN")) for r in bitrix["requisite"]
    }
    assert requisites == {
        (_id(bitrix, "company", "101"), "7707083893", "773601001", "1027700132195"),
        (_id(bitrix, "company", "102"), "7830002293", "784201001", None),
    }


def test_1c_sizes_of_one_good_stay_separate_products_with_their_prices_and_units(tmp_path):
    root = migrate_export(tmp_path, "onec")
    portal = read_portal(root)
    shirt = "5b2c7d10-2a41-11e9-80c3-00155d0a0c01"
    products = {k: (p["NAME"], float(p["PRICE"]), p["UNIT"]) for k, p in portal["product"].items()}
    assert products == {
        f"{shirt}#b0000001": ("Футболка базовая (S)", 990.0, "шт"),  # unit from attributes only
        f"{shirt}#b0000002": ("Футболка базовая (M)", 990.0, "шт"),
        f"{shirt}#b0000003": ("Футболка базовая (L)", 1090.0, "шт"),
        # the new portal has no «пара»: loaded without a unit, and the plan said so
        "5b2c7d10-2a41-11e9-80c3-00155d0a0c02": ("Перчатки рабочие", 150.0, None),
        "5b2c7d10-2a41-11e9-80c3-00155d0a0c03": ("Кабель ВВГ 3х2,5", 95.5, "м"),
    }
    # «<Ставка>20</Ставка>» is the catalogue's 20% rate (its id), not VAT id 20
    assert {p["VAT"] for p in portal["product"].values()} == {20}
    warnings = list(load_workbook(root / "reports" / "plan.xlsx")["Предупреждения"].values)
    unit = [w for w in warnings if "measure.unknown" in w]
    assert [(w[4], w[6]) for w in unit] == [("5b2c7d10-2a41-11e9-80c3-00155d0a0c02", "пар")]
    assert "(есть «Метр», «Литр», «Грамм», «Килограмм», «Штука»)" in unit[0][8]
    sections = {k: s["NAME"] for k, s in portal["section"].items()}
    assert set(sections.values()) == {"Одежда", "Футболки", "Инструмент"}
    shirts = portal["section"]["0e9a1f7c-1f0a-11e9-80c3-00155d0a0b02"]
    assert portal["product"][f"{shirt}#b0000001"]["SECTION_ID"] == shirts["ID"]


def test_1c_split_package_reads_prices_stock_and_units_from_the_directory(tmp_path):
    portal = read_portal(migrate_export(tmp_path, "onec_split"))
    products = {p["NAME"]: (float(p["PRICE"]), p["UNIT"]) for p in portal["product"].values()}
    assert products == {
        "Футболка базовая (S)": (990.0, "шт"),  # `796 ` in the units directory
        "Футболка базовая (M)": (990.0, "шт"),
        "Футболка базовая (L)": (1090.0, "шт"),
        "Гвозди строительные": (320.0, "кг"),  # a GUID in the units directory, never the GUID
    }


def test_commerceml_1_from_1c_77_is_read(tmp_path):
    portal = read_portal(migrate_export(tmp_path, "onec_cml1"))
    products = {p["NAME"]: (float(p["PRICE"]), p["UNIT"], p["CURRENCY_ID"])
                for p in portal["product"].values()}  # fmt: skip
    assert products == {
        "Отвёртка крестовая": (250.0, "шт", "RUB"),
        "Рулетка 5 м": (480.5, "шт", "RUB"),
        "Клей монтажный": (390.0, "кг", "RUB"),
    }
    assert {s["NAME"] for s in portal["section"].values()} == {"Инструмент", "Ручной инструмент"}


def test_a_hubspot_export_through_generic(tmp_path):
    portal = read_portal(migrate_export(tmp_path, "hubspot"))
    assert (len(portal["company"]), len(portal["contact"]), len(portal["deal"])) == (2, 3, 2)
    alice = portal["contact"]["7100001"]
    assert [e["VALUE"] for e in alice["EMAIL"]] == ["alice@northwind.example"]  # not the owner's
    assert (alice["NAME"], alice["LAST_NAME"]) == ("Alice", "Walker")
    assert alice["ASSIGNED_BY_ID"] == "2"  # the owner's e-mail → the portal user
    assert alice["COMPANY_ID"] == _id(portal, "company", "5100001")
    deal = portal["deal"]["9100001"]
    assert (deal["STAGE_ID"], deal["OPPORTUNITY"], deal["CATEGORY_ID"]) == ("WON", "12000.00", "0")
    assert deal["COMPANY_ID"] == _id(portal, "company", "5100001")
    assert [c["CONTACT_ID"] for c in deal["CONTACTS"]] == [int(_id(portal, "contact", "7100001"))]
