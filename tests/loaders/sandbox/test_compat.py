"""Requests shaped the way public Bitrix24 clients send them (fast_bitrix24, b24pysdk,
b24jssdk), pinned with plain httpx: each test names the client habit it reproduces."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import httpx
import pytest
from click.testing import CliRunner

from loaders.sandbox import OAuthConfig, SandboxConfig, TlsFiles
from loaders.sandbox.testing import running_sandbox
from migrate.cli import cli


def _contacts(portal, n):
    for i in range(n):
        portal.result("crm.contact.add", {"fields": {"NAME": f"Имя{i}"}})


def test_empty_php_arrays_are_arrays(portal):
    # b24pysdk encodes an empty map or list as `key[]=`; PHP reads that as [0 => ""]: an array
    _contacts(portal, 3)
    out = portal.batch(
        {
            "legacy": "crm.contact.list?filter[]=&select[]=&order[]=",
            "item": "crm.item.list?entityTypeId=3&filter[]=&select[]=&order[]=",
        }
    )
    assert out["result_error"] == []
    assert [row["ID"] for row in out["result"]["legacy"]] == ["1", "2", "3"]
    assert "NAME" in out["result"]["legacy"][0]  # an empty select is the default select
    assert [item["id"] for item in out["result"]["item"]["items"]] == [1, 2, 3]
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    body = b"filter[]=&order[]="
    form = portal.request("POST", portal.hook + "crm.contact.list", content=body, headers=form_type)
    assert form.status_code == 200
    assert form.json()["total"] == 3


def test_scalar_filter_is_still_refused(portal):
    reply = portal.call("crm.contact.list", {"filter": "ID=1"})
    assert reply.status_code == 400
    assert reply.json() == {"error": "", "error_description": "Parameter 'filter' must be array."}


def test_category_list_in_ascending_sort(portal):
    # captured real reply (fast_bitrix24 tests/real_responses/crm_category_list.py): by sort;
    # a fresh portal's general pipeline sorts last (crm-category-list.md: sort 300)
    cats = portal.result("crm.category.list", {"entityTypeId": 2})["categories"]
    assert [c["sort"] for c in cats] == sorted(c["sort"] for c in cats)
    assert cats[-1]["isDefault"] == "Y"


def test_user_get_sort_and_order_in_upper_case(portal):
    # b24pysdk's fast list sends user.get {"SORT": "ID", "ORDER": "DESC", "FILTER": {...}}
    rows = portal.result("user.get", {"SORT": "ID", "ORDER": "DESC", "FILTER": {">ID": 1}})
    assert [r["ID"] for r in rows] == [str(i) for i in range(15, 1, -1)]  # 15 seeded users
    rows = portal.result("user.get", {"sort": "ID", "order": "DESC"})
    assert rows[0]["ID"] == "15"


def _self_signed(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return TlsFiles(cert, key)


def test_served_over_https(tmp_path):
    # b24pysdk and b24jssdk only speak https: the portal can be served with a certificate
    tls = _self_signed(tmp_path)
    config = SandboxConfig(plan="unlimited", oauth=OAuthConfig())
    with running_sandbox(config, tls=tls) as served:
        assert served.base_url.startswith("https://127.0.0.1:")
        with httpx.Client(verify=ssl.create_default_context(cafile=str(tls.cert))) as http:
            reply = http.post(f"{served.base_url}/rest/user.current.json", json={"auth": "sandbox"})
            assert reply.status_code == 200
            assert reply.json()["result"]["ID"] == "1"
            token = http.get(
                f"{served.base_url}/oauth/token/",
                params={"grant_type": "refresh_token", "client_id": "local.sandbox",
                        "client_secret": "sandbox-secret", "refresh_token": "sandbox-refresh"},
            ).json()  # fmt: skip
            assert token["client_endpoint"] == f"{served.base_url}/rest/"


def test_cli_tls_needs_both_files(tmp_path):
    cert = tmp_path / "cert.pem"
    cert.write_text("not used")
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--tls-cert", str(cert)])
    assert result.exit_code == 2
    assert "--tls-cert and --tls-key go together" in result.output


def test_oauth_refresh_where_b24jssdk_looks_for_it(make_portal, clock):
    # b24jssdk POSTs a form to server_endpoint without "/rest/" + "/oauth/token/", then
    # calls client_endpoint + METHOD with the new access token in the JSON body
    portal = make_portal(oauth=OAuthConfig(access_ttl_s=60))
    grant = {"grant_type": "refresh_token", "client_id": "local.sandbox",
             "client_secret": "sandbox-secret", "refresh_token": "sandbox-refresh"}  # fmt: skip
    first = portal.request("POST", "/oauth/token/", data=grant).json()
    assert first["server_endpoint"] == "http://portal/rest/"
    assert first["client_endpoint"] == "http://portal/rest/"
    clock.advance(61)
    expired = portal.request("POST", "/rest/user.current", json={"auth": first["access_token"]})
    assert expired.status_code == 401
    assert expired.json()["error"] == "expired_token"
    oauth_root = first["server_endpoint"].replace("/rest/", "")
    again = portal.request(
        "POST",
        f"{oauth_root}/oauth/token/",
        data={**grant, "refresh_token": first["refresh_token"]},
    ).json()
    assert again["refresh_token"] != first["refresh_token"]
    reply = portal.request("POST", "/rest/user.current", json={"auth": again["access_token"]})
    assert reply.json()["result"]["ID"] == "1"


def test_batch_references_to_next_total_and_error(portal):
    # the portal resolves $next[..], $total[..], $time[..] and $error[..] like $result[..]
    _contacts(portal, 60)
    out = portal.batch(
        {
            "page": "crm.contact.list?select[]=ID",
            "more": "crm.contact.list?select[]=ID&start=$next[page]",
            "count": "crm.deal.add?fields[TITLE]=total%20$TOTAL[page]",
            "bad": "crm.contact.get?id=0",
            "why": "crm.deal.add?fields[TITLE]=$error[bad][error_description]",
        }
    )
    assert out["result_next"] == {"page": 50}
    assert [row["ID"] for row in out["result"]["more"]][:1] == ["51"]
    deal = portal.result("crm.deal.get", {"id": out["result"]["count"]})
    assert deal["TITLE"] == "total 60"
    assert portal.result("crm.deal.get", {"id": out["result"]["why"]})["TITLE"] == (
        "ID is not defined or invalid."
    )


def test_userfield_descriptions_and_enumeration_ids(portal):
    # captured crm.lead.fields: a user field's title is its name, labels are separate, and
    # list values carry ids (needed to write them); userfield.list answers LIST with ids
    portal.result("crm.contact.userfield.add", {"fields": {
        "FIELD_NAME": "SEGMENT", "USER_TYPE_ID": "enumeration", "LABEL": "Сегмент",
        "LIST": [{"VALUE": "A"}, {"VALUE": "B", "DEF": "Y"}]}})  # fmt: skip
    described = portal.result("crm.contact.fields")["UF_CRM_SEGMENT"]
    assert described["title"] == "UF_CRM_SEGMENT"
    assert described["isDynamic"] is True
    assert (described["listLabel"], described["formLabel"], described["filterLabel"]) == (
        "Сегмент", "Сегмент", "Сегмент")  # fmt: skip
    assert [i["VALUE"] for i in described["items"]] == ["A", "B"]
    first_id = described["items"][0]["ID"]
    listed = portal.result("crm.contact.userfield.list")[0]["LIST"]
    assert [(i["ID"], i["VALUE"], i["DEF"]) for i in listed] == [
        (first_id, "A", "N"), (str(int(first_id) + 1), "B", "Y")]  # fmt: skip
    item = portal.result("crm.item.fields", {"entityTypeId": 3})["fields"]["ufCrmSegment"]
    assert item["upperName"] == "UF_CRM_SEGMENT"
    assert item["items"] == described["items"]


def test_lead_title_is_required_only_where_the_portal_says_so(portal, make_portal):
    # crm-lead-fields.md (2025): not required; fast_bitrix24's 2022 capture: required there
    assert portal.result("crm.lead.fields")["TITLE"]["isRequired"] is False
    strict = make_portal(required_fields={"lead": ("TITLE",)})
    assert strict.result("crm.lead.fields")["TITLE"]["isRequired"] is True


def test_json_list_body_is_positional_and_scalar_body_is_empty(portal):
    # fast_bitrix24's call(..., raw=True) may post a JSON list (legacy positional methods)
    reply = portal.request("POST", portal.hook + "crm.contact.add", json=[{"NAME": "x"}])
    assert reply.status_code == 400
    assert reply.json()["error_description"] == "Parameter 'fields' must be array."
    listed = portal.request("POST", portal.hook + "crm.contact.list", json=["ignored"])
    assert listed.status_code == 200
    assert listed.json()["total"] == 0
    scalar = portal.request("POST", portal.hook + "user.current", json="text")
    assert scalar.json()["result"]["ID"] == "1"


def test_company_contact_items_from_the_contact_side(portal):
    # captured real reply crm_company_contact_items_get: CONTACT_ID int, SORT, ROLE_ID, IS_PRIMARY
    company = portal.result("crm.company.add", {"fields": {"TITLE": "ООО «Вектор»"}})
    other = portal.result("crm.company.add", {"fields": {"TITLE": "АО «Север»"}})
    first = portal.result("crm.contact.add", {"fields": {"NAME": "А", "COMPANY_IDS": [company]}})
    second = portal.result("crm.contact.add", {"fields": {"NAME": "Б", "COMPANY_IDS": [other]}})
    assert portal.result("crm.company.contact.items.get", {"id": company}) == [
        {"CONTACT_ID": first, "SORT": 10, "ROLE_ID": 0, "IS_PRIMARY": "Y"}]  # fmt: skip
    items = [{"CONTACT_ID": second}, {"CONTACT_ID": first, "IS_PRIMARY": "Y"}]
    assert portal.result("crm.company.contact.items.set", {"id": company, "items": items}) is True
    got = portal.result("crm.company.contact.items.get", {"id": company})
    # SORT and IS_PRIMARY as sent, in SORT order (crm-company-contact-items-get.md)
    assert [(r["CONTACT_ID"], r["SORT"], r["IS_PRIMARY"]) for r in got] == [
        (second, 10, "N"), (first, 20, "Y")]  # fmt: skip
    assert portal.result("crm.contact.get", {"id": second})["COMPANY_ID"] == str(other)
    portal.result("crm.company.contact.items.set", {"id": company, "items": []})
    assert portal.result("crm.company.contact.items.get", {"id": company}) == []
    bad = portal.call(
        "crm.company.contact.items.set", {"id": company, "items": [{"CONTACT_ID": 99}]}
    )
    assert bad.json() == {"error": "", "error_description": "CONTACT_ID is not defined or invalid."}


def test_item_productrow_list_shape(portal):
    # captured real reply crm_item_productrow_list: {"productRows": [...]} with camelCase rows
    deal = portal.result("crm.deal.add", {"fields": {"TITLE": "Поставка"}})
    other = portal.result("crm.deal.add", {"fields": {"TITLE": "Другая"}})
    rows = [{"PRODUCT_NAME": "Кабель", "PRICE": 100, "QUANTITY": 2},
            {"PRODUCT_NAME": "Разъём", "PRICE": 5, "QUANTITY": 10}]  # fmt: skip
    portal.result("crm.deal.productrows.set", {"id": deal, "rows": rows})
    portal.result("crm.deal.productrows.set", {"id": other, "rows": rows[:1]})
    reply = portal.call(
        "crm.item.productrow.list", {"filter": {"=ownerType": "D", "=ownerId": deal}}
    ).json()
    assert reply["total"] == 2
    listed = reply["result"]["productRows"]
    assert [r["productName"] for r in listed] == ["Кабель", "Разъём"]
    keys = {"id", "ownerId", "ownerType", "productId", "price", "quantity", "discountTypeId",
            "taxIncluded", "measureCode", "sort", "type"}  # fmt: skip
    assert set(listed[0]) >= keys
    assert (listed[0]["ownerId"], listed[0]["ownerType"], listed[0]["sort"]) == (deal, "D", 10)
    both = portal.result("crm.item.productrow.list", {"filter": {"@ownerId": [deal, other]}})
    assert len(both["productRows"]) == 3


def test_global_methods_clients_use_as_a_smoke_test(portal, clock):
    assert portal.result("server.time") == "2026-09-21T17:13:20+03:00"
    me = portal.result("profile")
    assert (me["ID"], me["ADMIN"], me["NAME"]) == ("1", True, "Анна")
    assert "crm" in portal.result("scope")
    names = portal.result("methods")
    assert {"batch", "crm.contact.add", "crm.item.list", "user.get"} <= set(names)
    assert portal.result("method.get", {"name": "crm.deal.list"}) == {
        "isExisting": True, "isAvailable": True}  # fmt: skip
    assert portal.result("method.get", {"name": "im.message.add"})["isExisting"] is False
    out = portal.batch({"t": "server.time", "p": "profile"})
    assert out["result"]["p"]["ID"] == "1"


def test_app_info_and_base_currency_b24jssdk_helpers_load(make_portal):
    portal = make_portal(oauth=OAuthConfig())
    assert portal.result("app.info") == {"SCOPE": ["crm", "user", "catalog", "task"],
                                         "LICENSE": "ru_std"}  # fmt: skip
    as_app = portal.request("POST", "/rest/app.info", json={"auth": "sandbox"}).json()["result"]
    assert (as_app["CODE"], as_app["STATUS"], as_app["INSTALLED"]) == ("local.sandbox", "L", True)
    assert portal.result("crm.currency.base.get") == "RUB"


def test_long_replies_are_gzipped_when_accepted(portal):
    # the cloud's nginx compresses JSON; every public client decompresses transparently
    _contacts(portal, 30)
    raw = portal.call("crm.contact.list", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.json()["total"] == 30  # httpx decompressed it
    plain = portal.call("crm.contact.list", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == raw.json() | {"time": plain.json()["time"]}
    short = portal.call("profile", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in short.headers


def test_halt_stops_at_the_first_command_over_the_limit(portal):
    # the portal's batch loop breaks on any error when halt is set, the length error included
    cmd = {f"c{i}": "server.time" for i in range(53)}
    halted = portal.batch(cmd, halt=1)
    assert list(halted["result_error"]) == ["c50"]
    assert len(halted["result"]) == 50
    assert list(portal.batch(cmd, halt=0)["result_error"]) == ["c50", "c51", "c52"]


def test_requisite_get_matches_its_list_row(portal):
    contact = portal.result("crm.contact.add", {"fields": {"NAME": "Ип"}})
    rid = portal.result("crm.requisite.add", {"fields": {
        "ENTITY_TYPE_ID": 3, "ENTITY_ID": contact, "PRESET_ID": 3, "NAME": "Физ. лицо",
        "RQ_INN": "500100732259"}})  # fmt: skip
    got = portal.result("crm.requisite.get", {"id": rid})
    assert got == portal.result("crm.requisite.list", {"filter": {"ID": rid}})[0]
    assert (got["ID"], got["ENTITY_ID"], got["RQ_INN"]) == (str(rid), str(contact), "500100732259")
    missing = portal.call("crm.requisite.get", {"id": 999})
    assert missing.json() == {
        "error": "",
        "error_description": "The Requisite with ID '999' is not found",
    }


def test_items_carry_their_entity_type_id(portal):
    # captured crm_item_add: the item has "entityTypeId"
    item = portal.result("crm.item.add", {"entityTypeId": 2, "fields": {"title": "Сделка"}})["item"]
    assert item["entityTypeId"] == 2
    listed = portal.result("crm.item.list", {"entityTypeId": 2, "select": ["id", "entityTypeId"]})
    assert listed["items"] == [{"id": item["id"], "entityTypeId": 2}]
