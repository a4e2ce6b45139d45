"""The sandbox over a real socket (uvicorn), the CLI and the interim demo."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from click.testing import CliRunner

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.cli import cli

pytestmark = pytest.mark.e2e


def test_served_portal_survives_restart(served):
    add = httpx.post(served.webhook_url + "crm.company.add", data={"fields[TITLE]": "ООО «Нева»"})
    assert add.json()["result"] == 1
    served.restart()
    got = httpx.get(served.webhook_url + "crm.company.get", params={"id": 1}).json()
    assert got["result"]["TITLE"] == "ООО «Нева»"
    assert httpx.get(served.base_url + "/sandbox/stats").json()["entities"]["company"] == 1


def test_latency_is_a_real_async_sleep_that_overlaps(tmp_path):
    config = SandboxConfig(plan="unlimited", latency_ms=200)
    with running_sandbox(config) as portal:

        async def burst() -> list[int]:
            async with httpx.AsyncClient() as client:
                replies = await asyncio.gather(
                    *(client.get(portal.webhook_url + "user.current") for _ in range(8))
                )
            return [r.status_code for r in replies]

        started = time.perf_counter()
        assert asyncio.run(burst()) == [200] * 8
        assert time.perf_counter() - started < 1.2  # 8 × 200 ms would be 1.6 s in series


def test_timeout_fault_outlasts_a_client_timeout():
    from loaders.sandbox import FaultSpec

    config = SandboxConfig(
        plan="unlimited", faults=FaultSpec({"timeout": 1.0}, timeout_delay_s=1.0)
    )
    with running_sandbox(config) as portal:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(
                portal.webhook_url + "crm.contact.add", json={"fields": {"NAME": "x"}}, timeout=0.3
            )
        assert portal.stats()["entities"]["contact"] == 1


def test_cli_seed_then_serve_sees_the_records(tmp_path):
    fixture = tmp_path / "existing.yaml"
    fixture.write_text(
        "companies:\n  - {TITLE: ООО «Гранит», ORIGIN_ID: c1}\n"
        "contacts:\n  - {NAME: Иван, COMPANY_ID: 1, EMAIL: [{VALUE: ivan@granit.ru}]}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["sandbox", "seed", "--data", str(tmp_path / "p"), "--fixture", str(fixture)]
    )
    assert result.exit_code == 0, result.output
    assert "1 company, 1 contact" in result.output
    with running_sandbox(SandboxConfig(data_dir=tmp_path / "p")) as portal:
        rows = httpx.get(
            portal.webhook_url + "crm.contact.list", params={"select[]": ["ID", "EMAIL"]}
        )
        assert rows.json()["result"][0]["EMAIL"][0]["VALUE"] == "ivan@granit.ru"


def test_cli_serve_rejects_bad_options():
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--faults", "boom=1"])
    assert result.exit_code == 2
    assert "unknown fault" in result.output
    assert "--item-cost-ms" in CliRunner().invoke(cli, ["sandbox", "serve", "--help"]).output


def test_fixture_dates_any_order_and_bad_fixture(tmp_path):
    from loaders.sandbox.fixtures import FixtureError, load_fixture

    good = tmp_path / "existing.json"
    good.write_text(
        '{"contacts": [{"NAME": "b", "DATE_CREATE": "2021-05-01T10:00:00+03:00"},'
        ' {"NAME": "a", "DATE_CREATE": "2019-05-01T10:00:00+03:00"}]}',
        encoding="utf-8",
    )
    assert load_fixture(SandboxConfig(data_dir=tmp_path / "p"), good) == {"contact": 2}
    bad = tmp_path / "bad.yaml"
    bad.write_text("contacts:\n  - {NAME: x, EMAIL: [{VALUE: not-mail}]}\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="contact #1: The field"):
        load_fixture(SandboxConfig(data_dir=tmp_path / "q"), bad)
    result = CliRunner().invoke(
        cli, ["sandbox", "seed", "--data", str(tmp_path / "r"), "--fixture", str(bad)]
    )
    assert result.exit_code == 1
    assert "invalid address" in result.output
