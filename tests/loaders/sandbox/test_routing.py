"""Routes, auth and bad requests answer with the documented codes, never a traceback."""

from __future__ import annotations

from loaders.sandbox import OAuthConfig


def test_webhook_call_with_json_suffix_and_any_case(portal):
    assert portal.call("crm.contact.add.json", {"fields": {"NAME": "Иван"}}).json()["result"] == 1
    reply = portal.request("GET", portal.hook + "CRM.Contact.Get?id=1")
    assert reply.json()["result"]["NAME"] == "Иван"


def test_every_reply_has_a_full_time_block(portal):
    block = portal.call("crm.contact.list").json()["time"]
    assert set(block) >= {
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating",
        "operating_reset_at",
    }
    assert block["date_start"].endswith("+03:00")


def test_wrong_token_is_invalid_credentials(portal):
    reply = portal.request("POST", "/rest/1/wrong/crm.contact.list")
    assert reply.status_code == 401
    assert reply.json() == {
        "error": "INVALID_CREDENTIALS",
        "error_description": "Invalid request credentials",
    }


def test_unknown_method_is_404(portal):
    reply = portal.call("crm.nothing.here")
    assert reply.status_code == 404
    assert reply.json()["error"] == "ERROR_METHOD_NOT_FOUND"


def test_malformed_json_is_a_400_not_a_traceback(portal):
    reply = portal.request(
        "POST",
        portal.hook + "crm.contact.add",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "INVALID_REQUEST"


def test_form_and_query_brackets(portal):
    data = {
        "fields[NAME]": "Ольга",
        "fields[PHONE][0][VALUE]": "+79001112233",
        "fields[PHONE][0][VALUE_TYPE]": "MOBILE",
    }
    assert portal.request("POST", portal.hook + "crm.contact.add", data=data).json()["result"] == 1
    got = portal.request("GET", portal.hook + "crm.contact.get", params={"id": 1}).json()
    assert got["result"]["PHONE"][0]["VALUE_TYPE"] == "MOBILE"


def test_multipart_form(portal):
    files = {"fields[TITLE]": (None, "ООО Ромашка")}
    reply = portal.request("POST", portal.hook + "crm.company.add", files=files)
    assert reply.json()["result"] == 1


def test_missing_fields_and_wrong_types(portal):
    reply = portal.call("crm.contact.add", {})
    assert (reply.status_code, reply.json()) == (
        400,
        {"error": "", "error_description": "Parameter 'fields' must be array."},
    )
    reply = portal.call("crm.contact.add", {"fields": "NAME"})
    assert reply.json()["error_description"] == "Parameter 'fields' must be array."
    reply = portal.call("crm.contact.get", {"id": "abc"})
    assert reply.json()["error_description"] == "ID is not defined or invalid."
    reply = portal.call("crm.deal.add", {"fields": {"OPPORTUNITY": "много"}})
    assert (reply.status_code, reply.json()["error"]) == (400, "ERROR_CORE")


def test_oauth_tokens_expire_and_refresh_rotates(make_portal, clock):
    portal = make_portal(oauth=OAuthConfig(access_ttl_s=3600), token="access-1")
    assert portal.request("POST", "/rest/user.current").json()["error"] == "NO_AUTH_FOUND"
    bad = portal.request("POST", "/rest/user.current?auth=garbage")
    assert (bad.status_code, bad.json()["error"]) == (401, "invalid_token")
    assert portal.request("POST", "/rest/user.current?auth=access-1").status_code == 200
    clock.advance(3601)
    expired = portal.request("POST", "/rest/user.current", json={"auth": "access-1"})
    assert (expired.status_code, expired.json()["error"]) == (401, "expired_token")
    grant = {
        "grant_type": "refresh_token",
        "client_id": "local.sandbox",
        "client_secret": "sandbox-secret",
        "refresh_token": "sandbox-refresh",
    }
    tokens = portal.request("GET", "/oauth/token/", params=grant).json()
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_token"] != "sandbox-refresh"
    ok = portal.request("POST", f"/rest/crm.contact.list?auth={tokens['access_token']}")
    assert ok.status_code == 200
    again = portal.request("GET", "/oauth/token/", params=grant)
    assert again.json()["error"] == "invalid_grant"  # the old refresh token was rotated away


def test_stats_endpoint(portal):
    portal.call("crm.contact.add", {"fields": {"NAME": "А"}})
    portal.request("POST", "/rest/1/wrong/crm.contact.list")
    stats = portal.request("GET", "/sandbox/stats").json()
    assert stats["entities"]["contact"] == 1
    assert stats["requests"] == 2
    assert stats["refusals"]["auth"] == 1
    assert stats["methods"]["crm.contact.add"] == 1


def test_broken_multipart_is_a_400(portal):
    reply = portal.request(
        "POST",
        portal.hook + "crm.contact.add",
        content=b"--x\r\nnot a part",
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "INVALID_REQUEST"
