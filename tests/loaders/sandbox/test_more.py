"""Metadata, requisites, products, deal contacts, history, duplicates, user fields, users."""

from __future__ import annotations


def test_users_active_and_dismissed(portal):
    everyone = portal.call("user.get").json()
    assert everyone["total"] == 15
    assert all("@" in u["EMAIL"] for u in everyone["result"])
    active = portal.result("user.get", {"FILTER": {"ACTIVE": True}})
    assert len(active) == 13
    assert all(u["ACTIVE"] is True for u in active)
    assert portal.result("user.get", {"EMAIL": "s.volkov@sandbox.example"})[0]["ACTIVE"] is False
    assert portal.result("user.current")["ID"] == "1"


def test_dictionaries_pipelines_currencies_presets(portal):
    stages = portal.result("crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE"}})
    assert [s["STATUS_ID"] for s in stages][:2] == ["NEW", "PREPARATION"]
    assert next(s for s in stages if s["STATUS_ID"] == "WON")["SEMANTICS"] == "S"
    items = portal.result("crm.status.entity.items", {"entityId": "DEAL_STAGE_1"})
    assert items[0] == {"NAME": "Новая заявка", "SORT": 10, "STATUS_ID": "C1:NEW"}
    cats = portal.result("crm.category.list", {"entityTypeId": 2})["categories"]
    assert [c["id"] for c in cats] == [1, 0]  # by sort; the general pipeline's is 300
    assert cats[1]["isDefault"] == "Y"
    assert "originId" not in cats[1]
    assert cats[0]["originId"] == ""
    currencies = portal.result("crm.currency.list")
    assert next(c for c in currencies if c["BASE"] == "Y")["CURRENCY"] == "RUB"
    presets = portal.result("crm.requisite.preset.list")
    assert presets[0]["ID"] == "1"
    assert presets[0]["NAME"] == "Организация"


def test_requisites(portal):
    company = portal.result("crm.company.add", {"fields": {"TITLE": "ООО «Вектор»"}})
    fields = {
        "ENTITY_TYPE_ID": 4,
        "ENTITY_ID": company,
        "PRESET_ID": 1,
        "NAME": "Реквизиты",
        "RQ_INN": "7707083893",
        "RQ_KPP": "773601001",
    }
    rid = portal.result("crm.requisite.add", {"fields": fields})
    rows = portal.result("crm.requisite.list", {"filter": {"RQ_INN": "7707083893"}})
    assert rows[0]["ID"] == str(rid)
    assert rows[0]["ENTITY_ID"] == str(company)
    bad = portal.call("crm.requisite.add", {"fields": {**fields, "ENTITY_TYPE_ID": 2}})
    assert bad.json() == {
        "error": "",
        "error_description": "ENTITY_TYPE_ID is not defined or invalid.",
    }
    assert portal.result("crm.requisite.update", {"id": rid, "fields": {"RQ_KPP": "1"}}) is True
    assert portal.result("crm.requisite.delete", {"id": rid}) is True


def test_products_and_rows_replace(portal):
    section = portal.result("crm.productsection.add", {"fields": {"NAME": "Услуги"}})
    pid = portal.result(
        "crm.product.add",
        {"fields": {"NAME": "Консультация", "PRICE": 1500, "SECTION_ID": section}},
    )
    assert portal.result("crm.product.get", {"id": pid})["PRICE"] == "1500.00"
    deal = portal.result("crm.deal.add", {"fields": {"TITLE": "Заказ"}})
    rows = [{"PRODUCT_ID": pid, "QUANTITY": 2}, {"PRODUCT_NAME": "Доставка", "PRICE": 500}]
    assert portal.result("crm.deal.productrows.set", {"id": deal, "rows": rows}) is True
    got = portal.result("crm.deal.productrows.get", {"id": deal})
    assert [(r["PRODUCT_NAME"], r["PRICE"], r["QUANTITY"]) for r in got] == [
        ("Консультация", 1500.0, 2.0),
        ("Доставка", 500.0, 1.0),
    ]
    assert portal.result("crm.deal.get", {"id": deal})["OPPORTUNITY"] == "3500.00"
    portal.result("crm.deal.productrows.set", {"id": deal, "rows": [{"PRODUCT_ID": pid}]})
    assert len(portal.result("crm.deal.productrows.get", {"id": deal})) == 1
    missing = portal.call("crm.deal.productrows.set", {"id": deal, "rows": [{"PRODUCT_ID": 99}]})
    assert missing.json()["error"] == "ERROR_CORE"


def test_deal_contacts(portal):
    a = portal.result("crm.contact.add", {"fields": {"NAME": "a"}})
    b = portal.result("crm.contact.add", {"fields": {"NAME": "b"}})
    deal = portal.result("crm.deal.add", {"fields": {"CONTACT_IDS": [a]}})
    items = [{"CONTACT_ID": a, "SORT": 10}, {"CONTACT_ID": b, "IS_PRIMARY": "Y", "SORT": 20}]
    portal.result("crm.deal.contact.items.set", {"id": deal, "items": items})
    got = portal.result("crm.deal.contact.items.get", {"id": deal})
    # in SORT order, IS_PRIMARY as sent (crm-deal-contact-items-get.md)
    assert [(i["CONTACT_ID"], i["IS_PRIMARY"]) for i in got] == [(a, "N"), (b, "Y")]
    assert portal.result("crm.deal.get", {"id": deal})["CONTACT_ID"] == str(b)
    assert "CONTACT_IDS" not in portal.result("crm.deal.get", {"id": deal})  # write-only


def test_timeline_comments_and_activities(portal):
    contact = portal.result("crm.contact.add", {"fields": {"NAME": "a"}})
    cid = portal.result(
        "crm.timeline.comment.add",
        {
            "fields": {
                "ENTITY_TYPE": "contact",
                "ENTITY_ID": contact,
                "COMMENT": "Звонок 2019-03-01",
            }
        },
    )
    owner = {"ENTITY_ID": contact, "ENTITY_TYPE": "contact"}
    assert portal.result("crm.timeline.comment.list", {"filter": owner})[0]["ID"] == str(cid)
    # the filter's two mandatory fields (crm-timeline-comment-list.md): no list of everything
    refused = {
        "error": "",
        "error_description": "The filter must contain ENTITY_ID and ENTITY_TYPE.",
    }
    for where in ({}, {"ENTITY_ID": contact}, {"ENTITY_TYPE": "contact"},
                  {"ENTITY_ID": contact, "ENTITY_TYPE": "invoice"}):  # fmt: skip
        reply = portal.call("crm.timeline.comment.list", {"filter": where})
        assert (reply.status_code, reply.json()) == (400, refused), where
    orphan = portal.call(
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_TYPE": "contact", "ENTITY_ID": 99, "COMMENT": "x"}},
    )
    assert orphan.json() == {"error": "NOT_FOUND", "error_description": "Not found."}
    act = {
        "OWNER_TYPE_ID": 3,
        "OWNER_ID": contact,
        "TYPE_ID": 2,
        "SUBJECT": "Звонок",
        "COMMUNICATIONS": [{"VALUE": "+79001234567"}],
        "START_TIME": "2019-03-01T10:00:00+03:00",
    }
    aid = portal.result("crm.activity.add", {"fields": act})
    row = portal.result("crm.activity.list", {"filter": {"OWNER_ID": contact}})[0]
    assert row["ID"] == str(aid)
    assert row["START_TIME"] == "2019-03-01T10:00:00+03:00"


def test_duplicate_findbycomm(portal):
    portal.result("crm.contact.add", {"fields": {"PHONE": [{"VALUE": "+7 (900) 123-45-67"}]}})
    portal.result(
        "crm.company.add", {"fields": {"TITLE": "x", "EMAIL": [{"VALUE": "Info@Firm.ru"}]}}
    )
    hit = portal.result("crm.duplicate.findbycomm", {"type": "PHONE", "values": ["79001234567"]})
    assert hit == {"CONTACT": [1]}
    assert portal.result(
        "crm.duplicate.findbycomm",
        {"type": "EMAIL", "values": ["info@firm.ru"], "entity_type": "COMPANY"},
    ) == {"COMPANY": [1]}
    assert portal.result("crm.duplicate.findbycomm", {"type": "PHONE", "values": ["1"]}) == []
    missing = portal.call("crm.duplicate.findbycomm", {"values": ["1"]})
    text = "Communication type is not defined."  # as a portal answered (b24-rest-docs issue 223)
    assert missing.json() == {"error": "", "error_description": text}


def test_userfields(portal):
    uf = portal.result(
        "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "source_key", "USER_TYPE_ID": "string"}}
    )
    listed = portal.result("crm.deal.userfield.list")
    assert listed[0]["ID"] == str(uf)
    assert listed[0]["FIELD_NAME"] == "UF_CRM_SOURCE_KEY"
    long_name = portal.call(
        "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "X" * 44, "USER_TYPE_ID": "string"}}
    )
    assert long_name.json() == {
        "error": "ERROR_CORE",
        "error_description": "Field name is too long (more than 50 characters).",
    }
    bad_type = portal.call(
        "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "A", "USER_TYPE_ID": "nope"}}
    )
    assert bad_type.json()["error_description"] == "The 'USER_TYPE_ID' field is not found."
    deal = portal.result("crm.deal.add", {"fields": {"UF_CRM_SOURCE_KEY": "amo-1"}})
    assert portal.result("crm.deal.list", {"filter": {"UF_CRM_SOURCE_KEY": "amo-1"}})[0][
        "ID"
    ] == str(deal)
    assert (
        portal.result("crm.item.get", {"entityTypeId": 2, "id": deal})["item"]["ufCrmSourceKey"]
        == "amo-1"
    )


def test_contact_company_bindings(portal):
    first = portal.result("crm.company.add", {"fields": {"TITLE": "A"}})
    second = portal.result("crm.company.add", {"fields": {"TITLE": "B"}})
    contact = portal.result("crm.contact.add", {"fields": {"COMPANY_IDS": [first, second]}})
    assert portal.result("crm.contact.get", {"id": contact})["COMPANY_ID"] == str(first)
    items = [{"COMPANY_ID": first}, {"COMPANY_ID": second, "IS_PRIMARY": "Y"}]
    portal.result("crm.contact.company.items.set", {"id": contact, "items": items})
    got = portal.result("crm.contact.company.items.get", {"id": contact})
    assert [(i["COMPANY_ID"], i["IS_PRIMARY"]) for i in got] == [(first, "N"), (second, "Y")]
    assert portal.result("crm.contact.get", {"id": contact})["COMPANY_ID"] == str(second)
    bad = portal.call(
        "crm.contact.company.items.set", {"id": contact, "items": [{"COMPANY_ID": 9}]}
    )
    assert bad.json()["error_description"] == "COMPANY_ID is not defined or invalid."


def test_a_managers_webhook_is_no_administrator(tmp_path):
    """`sandbox serve --user 2`: user-admin.md's `false`, and no historical fields on import."""
    from loaders.sandbox import SandboxConfig, create_app
    from tests.loaders.sandbox.conftest import Portal

    app = create_app(SandboxConfig(user_id=2, token="mgr", plan="unlimited"))
    try:
        manager = Portal(app)
        reply = manager.call("user.admin").json()
        assert reply["result"] is False
        assert "error" not in reply
        assert manager.result("user.current")["ID"] == "2"
        dated = {"title": "ООО «Дата»", "createdTime": "2020-01-01T10:00:00+03:00"}
        items = manager.result("crm.item.batchImport", {"entityTypeId": 4, "data": [dated]})
        assert items["items"][0]["error"] == "CRM_FIELD_ERROR_VALUE_NOT_VALID"
        page = manager.call("user.get", {"start": 0}).json()
        assert page["total"] == 15
        assert "next" not in page  # 15 users: one page of at most 50
    finally:
        app.close()


def test_user_get_like_filters_as_the_docs_examples(portal):
    """user-get.md: a plain key whose value holds `%` is a LIKE ("Iv%": starts with "Iv");
    `=%` takes the pattern as given; `%`/`!%` look for a substring anywhere."""

    def names(filt):
        return {u["LAST_NAME"] for u in portal.result("user.get", {"filter": filt})}

    assert names({"NAME": "Ив%"}) == {"Петров"}
    assert names({"=%LAST_NAME": "%ова"}) == {n for n in names({}) if n.endswith("ова")}
    assert names({"=%LAST_NAME": "ова"}) == set()  # no wildcard: the whole value
    assert names({"!%LAST_NAME": "ов"}) == {n for n in names({}) if "ов" not in n}
    assert names({"NAME": "Иван"}) == {"Петров"}
