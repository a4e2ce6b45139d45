"""The client against the sandbox portal mounted in-process: calls, batches, chaining, lists."""

from __future__ import annotations

import pytest

from loaders import (
    Bitrix24Client,
    Command,
    PortalAuthError,
    PortalFieldError,
    result_ref,
)

pytestmark = pytest.mark.anyio


def contact(key: str, name: str | None = None, **fields) -> Command:
    return Command(key, "crm.contact.add", {"fields": {"NAME": name or key, **fields}})


async def test_call_returns_result_and_time(client):
    reply = await client.call(
        "crm.contact.add",
        {"fields": {"NAME": "Иван", "PHONE": [{"VALUE": "+79991234567", "VALUE_TYPE": "WORK"}]}},
    )
    assert isinstance(reply.result, int)
    assert reply.time is not None
    assert reply.time.operating is not None
    got = await client.call("crm.contact.get", {"id": reply.result})
    assert got.result["NAME"] == "Иван"
    assert got.result["PHONE"][0]["VALUE"] == "+79991234567"


async def test_call_raises_typed_field_error(client):
    with pytest.raises(PortalFieldError) as caught:
        await client.call("crm.contact.get", {"id": 424242})
    error = caught.value
    assert (error.method, error.http_status, error.description) == (
        "crm.contact.get",
        400,
        "Not found",
    )
    assert not error.transient
    assert "`crm.contact.get`" in str(error)
    assert "Next:" in str(error)


async def test_wrong_webhook_code_is_an_auth_error(app, make_client):
    async with make_client(app, "http://portal.test/rest/1/wrong/") as client:
        with pytest.raises(PortalAuthError) as caught:
            await client.call("user.current")
    assert caught.value.code == "INVALID_CREDENTIALS"
    assert caught.value.http_status == 401
    async with make_client(app, "http://portal.test/rest/1/wrong/") as client:
        with pytest.raises(PortalAuthError):  # a batch stops too: nothing else can run
            await client.batch([contact(f"c{i}") for i in range(120)])
    assert app.stats()["entities"]["contact"] == 0


async def test_batch_keeps_input_order_with_mixed_results(client, app):
    commands = []
    for i in range(130):
        if i % 7 == 3:
            commands.append(Command(f"bad{i}", "crm.contact.get", {"id": 900000 + i}))
        elif i % 11 == 5:
            email = [{"VALUE": "not-an-email", "VALUE_TYPE": "WORK"}]
            commands.append(contact(f"mail{i}", EMAIL=email))
        else:
            commands.append(contact(f"c{i}", f"Контакт {i}"))
    result = await client.batch(commands)
    assert [r.key for r in result] == [c.key for c in commands]
    assert app.stats()["requests"] == 3  # 130 commands: 50 + 50 + 30
    for item in result:
        if item.key.startswith("c"):
            assert item.ok
            assert isinstance(item.result, int)
        else:
            assert item.status == "error"
            assert isinstance(item.error, PortalFieldError)
            assert item.error.key == item.key
    ids = [r.result for r in result if r.ok]
    assert len(set(ids)) == len(ids)
    names = await client.list_all("crm.contact.list", select=["NAME"])
    assert [row["NAME"] for row in names] == [
        f"Контакт {i}" for i in range(130) if i % 7 != 3 and i % 11 != 5
    ]


async def test_result_chaining_inside_a_batch(client):
    commands = [
        Command("co", "crm.company.add", {"fields": {"TITLE": "ООО Ромашка"}}),
        contact("ct", "Пётр", COMPANY_ID=result_ref("co")),
        Command("get", "crm.contact.get", {"id": result_ref("ct")}),
        Command(
            "deal",
            "crm.deal.add",
            {"fields": {"TITLE": "Сделка", "COMPANY_ID": result_ref("get", "COMPANY_ID")}},
        ),
    ]
    result = await client.batch(commands)
    assert result.ok, [str(r.error) for r in result.errors]
    assert result["get"].result["COMPANY_ID"] == str(result["co"].result)
    deal = await client.call("crm.deal.get", {"id": result["deal"].result})
    assert deal.result["COMPANY_ID"] == str(result["co"].result)


async def test_chains_are_kept_in_one_batch_across_the_fifty_boundary(client, app):
    commands = [contact(f"c{i}") for i in range(49)]
    commands.append(contact("parent", "Родитель"))
    commands.append(Command("child", "crm.contact.get", {"id": result_ref("parent")}))
    result = await client.batch(commands)
    assert result.ok
    assert result["child"].result["NAME"] == "Родитель"
    assert app.stats()["requests"] == 2


async def test_halt_stops_at_the_first_failure(client):
    commands = [contact("a"), Command("b", "crm.contact.get", {"id": 777777}), contact("c")]
    result = await client.batch(commands, halt=True)
    assert [r.status for r in result] == ["ok", "error", "skipped"]


async def test_halt_across_batches_stops_later_batches(client, app):
    commands = [contact(f"c{i}") for i in range(60)]
    commands[10] = Command("c10", "crm.contact.get", {"id": 777777})
    result = await client.batch(commands, halt=True)
    assert [r.status for r in result][:12] == ["ok"] * 10 + ["error", "skipped"]
    assert all(r.status == "skipped" for r in list(result)[11:])
    assert app.stats()["requests"] == 1


async def test_numeric_keys_survive_php_lists(client):
    commands = [
        Command("0", "crm.contact.get", {"id": 5555}),  # fails: result_error is a PHP list
        contact("1"),
        contact("2"),
    ]
    result = await client.batch(commands)
    assert result["0"].status == "error"
    assert result["0"].error.description == "Not found"
    assert result["1"].ok
    assert result["2"].ok
    only_ok = await client.batch([contact("0"), contact("1")])  # result is a PHP list
    assert [r.result for r in only_ok] == [result["2"].result + 1, result["2"].result + 2]


async def test_empty_batch(client, app):
    assert len(await client.batch([])) == 0
    assert app.stats()["requests"] == 0


async def test_user_agent_is_ours(app, make_client):
    seen = []

    async def spy(scope, receive, send):
        seen.append(dict(scope["headers"]).get(b"user-agent", b"").decode())
        await app(scope, receive, send)

    import httpx

    async with Bitrix24Client(
        "http://portal.test/rest/1/hook-s3cr3t-7f2a9c/",
        transport=httpx.ASGITransport(app=spy),
        plan="unlimited",
    ) as client:
        await client.call("user.current")
    assert seen
    assert seen[0].startswith("b24migrate/")


async def test_standard_plan_runs_at_the_limit_without_bounces(make_app, make_client):
    """56 concurrent requests on a 50/2 bucket: the burst goes at once, the rest at 2/s."""
    import asyncio
    import time

    app = make_app(plan="standard")
    async with make_client(app) as client:
        started = time.monotonic()
        await asyncio.gather(*(client.call("user.current") for _ in range(56)))
        elapsed = time.monotonic() - started
    assert app.stats()["refusals"]["QUERY_LIMIT_EXCEEDED"] == 0
    assert (56 - 50) / 2 <= elapsed < 10
