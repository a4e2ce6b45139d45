"""Downloading a file a portal links to: the sandbox's served files, and the replies a real
portal may give instead of the file (a redirect to its login, a page, a gone file)."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

from loaders import Bitrix24Client, OAuth, OAuthTokens, PortalError
from loaders.sandbox import SandboxConfig, create_app

HOOK = "http://portal.test/rest/1/secret/"
pytestmark = pytest.mark.anyio


async def test_a_served_file_comes_whole_with_its_name():
    app = create_app(SandboxConfig(plan="unlimited", token="secret"))
    data = bytes(range(256)) * 5
    pair = ["скан договора.pdf", base64.b64encode(data).decode()]
    fields = {"OWNER_TYPE_ID": 4, "OWNER_ID": 0, "TYPE_ID": 2, "SUBJECT": "Звонок",
              "COMMUNICATIONS": [{"VALUE": "+7 900 000-00-00"}],
              "FILES": [{"fileData": pair}]}  # fmt: skip
    async with Bitrix24Client(HOOK, plan="unlimited", transport=httpx.ASGITransport(app=app)) as c:
        company = (await c.call("crm.company.add", {"fields": {"TITLE": "ООО «Тест»"}})).result
        fields["OWNER_ID"] = company
        activity = (await c.call("crm.activity.add", {"fields": fields})).result
        (found,) = (await c.call("crm.activity.get", {"id": activity})).result["FILES"]
        body, name = await c.download(found["url"])  # relative: taken from the portal's address
    app.close()
    assert name == "скан договора.pdf"
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest()


async def test_oauth_fills_the_empty_auth_the_portal_leaves_in_a_link():
    seen: list[str] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=b"%PDF-1.4", headers={
            "content-disposition": 'attachment; filename="a.pdf"'})  # fmt: skip

    auth = OAuth("https://portal.test/rest/", OAuthTokens("ACCESS-1", "R"), client_id="app",
                 client_secret="s")  # fmt: skip
    async with Bitrix24Client(auth=auth, transport=httpx.MockTransport(reply)) as client:
        body, name = await client.download(
            "https://portal.test/bitrix/tools/crm_show_file.php?fileId=7&ownerTypeId=6&ownerId=9&auth="
        )
    assert (body, name) == (b"%PDF-1.4", "a.pdf")
    assert "auth=ACCESS-1" in seen[0]
    assert "fileId=7" in seen[0]


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (httpx.Response(302, headers={"location": "/auth/"}), "redirects"),
        (
            httpx.Response(
                200,
                headers={"content-type": "text/html"},
                text='<form><input type="password" name="USER_PASSWORD"></form>',
            ),
            "login page",
        ),
        (httpx.Response(404), "answered 404"),
    ],
)
async def test_what_is_not_the_file_stops_with_its_reason(reply, said):
    async with Bitrix24Client(HOOK, transport=httpx.MockTransport(lambda r: reply)) as client:
        with pytest.raises(PortalError, match=said) as stopped:
            await client.download("/disk/downloadFile/5/?&ncc=1&filename=x.pdf")
    assert not stopped.value.transient
    assert "secret" not in str(stopped.value)


async def test_a_server_error_is_tried_again():
    replies = iter([httpx.Response(502), httpx.Response(200, content=b"ok")])

    async def no_wait(_: float) -> None:
        return None

    async with Bitrix24Client(HOOK, transport=httpx.MockTransport(lambda r: next(replies)),
                              sleep=no_wait) as client:  # fmt: skip
        assert await client.download("/disk/downloadFile/5/") == (b"ok", None)
