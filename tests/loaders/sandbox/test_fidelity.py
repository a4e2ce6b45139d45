"""Behaviour beyond single recorded replies: what the recordings imply when calls combine
(stage moves, computed totals, portal settings), checked with plain httpx."""

from __future__ import annotations

import pytest


def _deal_with_rows(portal, rows):
    deal = portal.result("crm.deal.add", {"fields": {"TITLE": "Сделка"}})
    assert portal.result("crm.deal.productrows.set", {"id": deal, "rows": rows}) is True
    return deal, portal.result("crm.deal.productrows.get", {"id": deal})


def test_money_discount_gives_its_rate_and_tax_is_taken_out_of_the_price(portal):
    # crm-deal-productrows-set.md's first row: 1000 with a 100 money discount and 13 % tax
    rows = [{"PRODUCT_NAME": "Болт", "PRICE": 1000, "QUANTITY": 10, "DISCOUNT_TYPE_ID": 1,
             "DISCOUNT_SUM": 100, "TAX_RATE": 13}]  # fmt: skip
    deal, got = _deal_with_rows(portal, rows)
    row = got[0]
    assert (row["PRICE_EXCLUSIVE"], row["PRICE_NETTO"], row["PRICE_BRUTTO"]) == (
        884.96, 984.96, 1113.0)  # fmt: skip
    assert (row["DISCOUNT_RATE"], row["DISCOUNT_SUM"], row["TAX_RATE"]) == (10.15, 100, 13)
    assert row["PRICE_ACCOUNT"] == "1000.00000000"
    legacy = portal.result("crm.deal.get", {"id": deal})
    assert (legacy["OPPORTUNITY"], legacy["TAX_VALUE"]) == ("10000.00", "1150.40")


def test_price_from_net_price_when_no_price_is_sent(portal):
    # crm-lead-productrows-get.md: net 32999, 40 % off, 12 % tax → 22175.328 (not rounded)
    rows = [{"PRODUCT_NAME": "Ноутбук", "PRICE_NETTO": 32999, "DISCOUNT_RATE": 40,
             "TAX_RATE": 12}]  # fmt: skip
    _, got = _deal_with_rows(portal, rows)
    assert got[0]["PRICE"] == pytest.approx(22175.328)
    assert (got[0]["PRICE_EXCLUSIVE"], got[0]["PRICE_BRUTTO"]) == (19799.4, 36958.88)


def test_stage_move_stamps_moved_time_and_a_closed_lead_its_date(portal, clock):
    deal = portal.result("crm.deal.add", {"fields": {"TITLE": "Сделка"}})
    created = portal.result("crm.deal.get", {"id": deal})
    assert created["MOVED_TIME"] == created["DATE_CREATE"]
    assert created["MOVED_BY_ID"] == created["CREATED_BY_ID"] == "1"
    clock.advance(3600)
    portal.result("crm.deal.update", {"id": deal, "fields": {"STAGE_ID": "WON"}})
    won = portal.result("crm.deal.get", {"id": deal})
    assert won["MOVED_TIME"] > created["MOVED_TIME"]
    assert (won["CLOSED"], won["STAGE_SEMANTIC_ID"]) == ("Y", "S")
    lead = portal.result("crm.lead.add", {"fields": {"TITLE": "Лид"}})
    assert portal.result("crm.lead.get", {"id": lead})["DATE_CLOSED"] == ""
    portal.result("crm.lead.update", {"id": lead, "fields": {"STATUS_ID": "JUNK"}})
    junk = portal.result("crm.lead.get", {"id": lead})
    assert junk["DATE_CLOSED"] == junk["MOVED_TIME"] != ""


def test_required_user_field_in_both_dialects(make_portal):
    portal = make_portal()
    portal.result("crm.contact.userfield.add", {"fields": {
        "FIELD_NAME": "SEGMENT", "USER_TYPE_ID": "string", "MANDATORY": "Y",
        "EDIT_FORM_LABEL": "Segment"}})  # fmt: skip
    legacy = portal.call("crm.contact.add", {"fields": {"NAME": "Анна"}})
    text = "The required field 'Segment' is missing.<br />"
    assert (legacy.status_code, legacy.json()) == (
        400, {"error": "ERROR_CORE", "error_description": text})  # fmt: skip
    item = portal.call("crm.item.add", {"entityTypeId": 3, "fields": {"name": "Анна"}})
    assert item.json() == {"error": "CRM_FIELD_ERROR_REQUIRED",
                           "error_description": 'The "Segment" field is required'}  # fmt: skip
    ok = portal.call("crm.contact.add", {"fields": {"NAME": "Анна", "UF_CRM_SEGMENT": "B2B"}})
    assert ok.status_code == 200
    assert portal.app.store.count("contact") == 1


def test_unknown_and_read_only_fields_are_ignored_silently(portal):
    deal = portal.result("crm.deal.add", {"fields": {
        "TITLE": "Сделка", "ORIGIN_VERSION": "7", "LEAD_ID": 5, "NO_SUCH_FIELD": "x"}})  # fmt: skip
    got = portal.result("crm.deal.get", {"id": deal})
    assert "ORIGIN_VERSION" not in got
    assert "NO_SUCH_FIELD" not in got
    assert got["LEAD_ID"] is None  # read-only in the legacy dialect


def test_multi_fields_keep_the_order_they_were_sent_in(portal):
    entries = [{"VALUE": f"+7900000000{i}", "VALUE_TYPE": t}
               for i, t in enumerate(["MOBILE", "WORK", "HOME"])]  # fmt: skip
    contact = portal.result("crm.contact.add", {"fields": {"NAME": "А", "PHONE": entries}})
    got = portal.result("crm.contact.get", {"id": contact})["PHONE"]
    assert [e["VALUE_TYPE"] for e in got] == ["MOBILE", "WORK", "HOME"]
    item = portal.result("crm.item.get", {"entityTypeId": 3, "id": contact})["item"]
    assert [e["valueType"] for e in item["fm"]] == ["MOBILE", "WORK", "HOME"]
    assert (item["hasPhone"], item["hasEmail"]) == ("Y", "N")


def test_a_get_request_body_is_not_read(portal):
    # b24-rest-docs issue 223: a GET whose parameters were in a JSON body got "not defined"
    reply = portal.request("GET", portal.hook + "crm.contact.get", json={"id": 1})
    assert reply.json() == {"error": "", "error_description": "ID is not defined or invalid."}
