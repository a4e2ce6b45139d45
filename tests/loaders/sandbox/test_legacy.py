"""Legacy crm.{contact,company,deal,lead}.* shapes as bitrix24-rest.md §4 and §8 describe."""

from __future__ import annotations

import pytest


def test_get_returns_strings_and_multifields_with_ids(portal):
    rid = portal.result(
        "crm.contact.add",
        {
            "fields": {
                "NAME": "Иван",
                "LAST_NAME": "Петров",
                "BIRTHDATE": "1985-05-15",
                "UNKNOWN_FIELD": "x",
                "PHONE": [{"VALUE": "+79001234567", "VALUE_TYPE": "WORK"}],
                "EMAIL": [{"VALUE": "ivan@example.ru", "VALUE_TYPE": "HOME"}],
            }
        },
    )
    got = portal.result("crm.contact.get", {"id": rid})
    assert got["ID"] == "1"
    assert got["ASSIGNED_BY_ID"] == "1"
    assert got["OPENED"] == "Y"
    assert got["HAS_PHONE"] == "Y"
    assert got["HAS_EMAIL"] == "Y"
    assert "UNKNOWN_FIELD" not in got
    assert got["PHONE"] == [
        {"ID": "1", "VALUE_TYPE": "WORK", "VALUE": "+79001234567", "TYPE_ID": "PHONE"}
    ]
    assert got["BIRTHDATE"].startswith("1985-05-15")
    deal = portal.result(
        "crm.deal.get", {"id": portal.result("crm.deal.add", {"fields": {"OPPORTUNITY": 19999.99}})}
    )
    assert deal["OPPORTUNITY"] == "19999.99"
    assert deal["CATEGORY_ID"] == "0"


def test_multifield_update_semantics(portal):
    rid = portal.result(
        "crm.contact.add",
        {
            "fields": {
                "PHONE": [
                    {"VALUE": "111", "VALUE_TYPE": "WORK"},
                    {"VALUE": "222"},
                    {"VALUE": "333"},
                    {"VALUE": "444"},
                ]
            }
        },
    )
    portal.result(
        "crm.contact.update",
        {
            "id": rid,
            "fields": {
                "PHONE": [
                    {"ID": 1, "VALUE": "111-new"},
                    {"ID": 2, "DELETE": "Y"},
                    {"ID": 3, "VALUE": ""},
                    {"VALUE": "555", "VALUE_TYPE": "MOBILE"},
                ]
            },
        },
    )
    phones = {p["ID"]: p["VALUE"] for p in portal.result("crm.contact.get", {"id": rid})["PHONE"]}
    assert phones == {"1": "111-new", "4": "444", "5": "555"}  # 4 was not mentioned: kept
    portal.result(
        "crm.contact.update", {"id": rid, "fields": {"PHONE": [{"ID": 1}, {"ID": 4}, {"ID": 5}]}}
    )
    got = portal.result("crm.contact.get", {"id": rid})
    assert "PHONE" not in got
    assert got["HAS_PHONE"] == "N"


def test_invalid_email_is_error_core_and_writes_nothing(portal):
    reply = portal.call(
        "crm.contact.add",
        {"fields": {"NAME": "x", "EMAIL": [{"VALUE": "not-an-email", "VALUE_TYPE": "WORK"}]}},
    )
    assert reply.status_code == 400
    assert reply.json() == {
        "error": "ERROR_CORE",
        "error_description": 'The field "Work e-mail" contains an invalid address<br>',
    }
    assert portal.app.store.count("contact") == 0


def test_company_requires_title_and_not_found_errors(portal):
    assert (
        portal.call("crm.company.add", {"fields": {"TITLE": " "}}).json()["error"] == "ERROR_CORE"
    )
    # the texts differ per method (crm-company-{get,update,delete}.md)
    texts = {"crm.company.get": "Not found", "crm.company.update": "Company is not found",
             "crm.company.delete": "Company is not found"}  # fmt: skip
    for name, text in texts.items():
        reply = portal.call(name, {"id": 42, "fields": {"TITLE": "x"}})
        assert (reply.status_code, reply.json()) == (400, {"error": "", "error_description": text})


def test_update_and_delete(portal):
    rid = portal.result("crm.company.add", {"fields": {"TITLE": "ООО «Север»"}})
    assert (
        portal.result("crm.company.update", {"id": rid, "fields": {"TITLE": "АО «Север»"}}) is True
    )
    assert portal.result("crm.company.get", {"id": rid})["TITLE"] == "АО «Север»"
    assert portal.result("crm.company.delete", {"id": rid}) is True
    assert portal.call("crm.company.get", {"id": rid}).status_code == 400


def test_import_mode_dates(portal, clock):
    fields = {"NAME": "old", "DATE_CREATE": "2020-01-02T10:00:00+03:00", "CREATED_BY_ID": 2}
    rid = portal.result("crm.contact.add", {"fields": fields, "params": {"IMPORT": "Y"}})
    got = portal.result("crm.contact.get", {"id": rid})
    assert got["DATE_CREATE"] == "2020-01-02T10:00:00+03:00"
    assert got["CREATED_BY_ID"] == "2"
    earlier = {"NAME": "older", "DATE_CREATE": "2019-01-01T10:00:00+03:00"}
    refused = portal.call("crm.contact.add", {"fields": earlier, "params": {"IMPORT": "Y"}})
    assert refused.json()["error"] == "ERROR_CORE"
    plain = portal.result("crm.contact.add", {"fields": earlier})  # without IMPORT: ignored
    assert portal.result("crm.contact.get", {"id": plain})["DATE_CREATE"].startswith("2026-09-2")


def test_list_pages_total_next_and_fast_mode(portal):
    for i in range(120):
        portal.result("crm.contact.add", {"fields": {"NAME": f"n{i}", "ORIGIN_ID": str(i)}})
    first = portal.call("crm.contact.list", {"select": ["ID"]}).json()
    assert (len(first["result"]), first["total"], first["next"]) == (50, 120, 50)
    last = portal.call("crm.contact.list", {"select": ["ID"], "start": 100}).json()
    assert len(last["result"]) == 20
    assert "next" not in last
    rounded = portal.call("crm.contact.list", {"select": ["ID"], "start": 70}).json()
    assert rounded["result"][0]["ID"] == "51"  # legacy lists round start down to a page
    fast = portal.call(
        "crm.contact.list",
        {"order": {"ID": "ASC"}, "filter": {">ID": 100}, "select": ["ID"], "start": -1},
    ).json()
    assert fast["total"] == 0
    assert "next" not in fast
    assert fast["result"][0]["ID"] == "101"
    desc = portal.result("crm.contact.list", {"order": {"ID": "DESC"}, "select": ["ID"]})
    assert desc[0]["ID"] == "120"


def test_select_star_uf_and_multifields(portal):
    portal.result(
        "crm.contact.userfield.add", {"fields": {"FIELD_NAME": "INN", "USER_TYPE_ID": "string"}}
    )
    portal.result(
        "crm.contact.add",
        {"fields": {"NAME": "a", "UF_CRM_INN": "7707083893", "PHONE": [{"VALUE": "1"}]}},
    )
    default = portal.result("crm.contact.list")[0]
    assert default["UF_CRM_INN"] == "7707083893"
    assert "PHONE" not in default
    star = portal.result("crm.contact.list", {"select": ["*"]})[0]
    assert "UF_CRM_INN" not in star
    assert "PHONE" not in star
    assert "NAME" in star
    named = portal.result("crm.contact.list", {"select": ["ID", "PHONE", "UF_*"]})[0]
    assert set(named) == {"ID", "PHONE", "UF_CRM_INN"}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"ORIGIN_ID": "b"}, ["2"]),
        ({"ORIGINATOR_ID": "src", "ORIGIN_ID": "c"}, ["3"]),
        ({">=ID": 2}, ["2", "3"]),
        ({"<ID": 2}, ["1"]),
        ({"!ORIGIN_ID": "a"}, ["2", "3"]),
        ({"@ORIGIN_ID": ["a", "c"]}, ["1", "3"]),
        ({"!@ID": [1, 2]}, ["3"]),
        ({"%LAST_NAME": "иван"}, ["1", "3"]),
        ({"PHONE": "+79001112233"}, ["2"]),
    ],
)
def test_filter_prefixes(portal, flt, expected):
    for origin, last, phone in (
        ("a", "Иванов", "1"),
        ("b", "Петров", "+79001112233"),
        ("c", "Иванова", "3"),
    ):
        portal.result(
            "crm.contact.add",
            {
                "fields": {
                    "LAST_NAME": last,
                    "ORIGINATOR_ID": "src",
                    "ORIGIN_ID": origin,
                    "PHONE": [{"VALUE": phone}],
                }
            },
        )
    rows = portal.result("crm.contact.list", {"filter": flt, "select": ["ID"]})
    assert [r["ID"] for r in rows] == expected


def test_deal_pipelines_and_stages(portal):
    first = portal.result("crm.deal.get", {"id": portal.result("crm.deal.add", {"fields": {}})})
    assert (first["STAGE_ID"], first["TITLE"], first["CLOSED"]) == ("NEW", "Сделка #1", "N")
    second = portal.result("crm.deal.add", {"fields": {"CATEGORY_ID": 1, "STAGE_ID": "C1:WON"}})
    got = portal.result("crm.deal.get", {"id": second})
    assert (got["STAGE_SEMANTIC_ID"], got["CLOSED"]) == ("S", "Y")
    wrong = portal.call("crm.deal.add", {"fields": {"CATEGORY_ID": 1, "STAGE_ID": "WON"}})
    assert wrong.json()["error"] == "ERROR_CORE"
    currency = portal.call("crm.deal.add", {"fields": {"CURRENCY_ID": "XXX"}})
    assert currency.json() == {
        "error": "",
        "error_description": 'Invalid value for the "Currency" field',
    }
    portal.result("crm.deal.update", {"id": second, "fields": {"CATEGORY_ID": 0}})
    assert portal.result("crm.deal.get", {"id": second})["CATEGORY_ID"] == "1"  # immutable


def test_fields_describe_types(portal):
    fields = portal.result("crm.contact.fields")
    assert fields["PHONE"]["type"] == "crm_multifield"
    assert fields["PHONE"]["isMultiple"] is True
    assert fields["DATE_CREATE"]["isReadOnly"] is True
    assert fields["SOURCE_ID"]["statusType"] == "SOURCE"


def test_lead_status(portal):
    lead = portal.result("crm.lead.get", {"id": portal.result("crm.lead.add", {"fields": {}})})
    assert (lead["TITLE"], lead["STATUS_ID"], lead["STATUS_SEMANTIC_ID"]) == ("Лид #1", "NEW", "P")
    portal.result("crm.lead.update", {"id": 1, "fields": {"STATUS_ID": "JUNK"}})
    assert portal.result("crm.lead.get", {"id": 1})["STATUS_SEMANTIC_ID"] == "F"
    bad = portal.call("crm.lead.add", {"fields": {"STATUS_ID": "C1:NEW"}})
    assert bad.json()["error"] == "ERROR_CORE"
