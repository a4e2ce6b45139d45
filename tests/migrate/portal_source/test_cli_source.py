"""The command line on a workspace that reads another portal: init, validate, plan; the
source's webhook code never reaches a log line, a report or the terminal."""

from __future__ import annotations

import asyncio

import openpyxl
from click.testing import CliRunner

from loaders import Bitrix24Client
from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.cli import cli
from sample_data.portal import prepare_target_portal, seed_source_portal

CODE = "s0urce-c0de-5f1e9a7b"


async def _seed(url: str) -> None:
    async with Bitrix24Client(url, plan="unlimited") as client:
        await seed_source_portal(client, companies=5, contacts=6, deals=7, leads=2)


def _text_of(workbook) -> str:
    book = openpyxl.load_workbook(workbook, read_only=True)
    return "\n".join(str(c) for s in book.worksheets for r in s.iter_rows(values_only=True)
                     for c in r if c is not None)  # fmt: skip


def test_init_validate_plan_from_a_portal_without_showing_its_code(tmp_path):
    runner = CliRunner()
    root = tmp_path / "ws"
    with running_sandbox(SandboxConfig(token=CODE, plan="unlimited")) as source:
        asyncio.run(_seed(source.webhook_url))
        init = runner.invoke(cli, ["init", str(root), "--from", "bitrix24_portal"])
        assert init.exit_code == 0, init.output
        assert "B24_SOURCE_WEBHOOK_URL" in init.output
        config = (root / "migration.yaml").read_text(encoding="utf-8")
        (root / "migration.yaml").write_text(config.replace("plan: standard", "plan: unlimited"))
        env = {"B24_SOURCE_WEBHOOK_URL": source.webhook_url}
        validated = runner.invoke(cli, ["validate", "-w", str(root)], env=env)
        _prepare_embedded_target(root)
        planned = runner.invoke(cli, ["plan", "-w", str(root)], env=env)
    assert validated.exit_code == 0, validated.output
    assert planned.exit_code in (0, 1), planned.output
    summary = openpyxl.load_workbook(root / "reports" / "plan.xlsx").worksheets[0]
    created = {r[0]: r[1] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert {e: created[e] for e in ("Компании", "Контакты", "Сделки", "Лиды", "Реквизиты")} == {
        "Компании": 5, "Контакты": 6, "Сделки": 7, "Лиды": 2, "Реквизиты": 4}  # fmt: skip
    plan_text = _text_of(root / "reports" / "plan.xlsx")
    texts = [validated.output, planned.output, plan_text, _text_of(root / "reports/errors.xlsx")]
    texts += [p.read_text(encoding="utf-8") for p in (root / ".b24migrate/logs").glob("*.jsonl")]
    assert all(CODE not in t for t in texts)
    snapshots = sorted(p.stem for p in (root / ".b24migrate/source_portal").glob("*.parquet"))
    assert snapshots == sorted(["company", "contact", "deal", "lead", "note", "product",
                                "product_section", "activity", "task", "requisite",
                                "bank_detail", "address"])  # fmt: skip


def _prepare_embedded_target(root) -> None:
    """The target's pipeline and user fields, made in the workspace's embedded sandbox."""
    import httpx

    from loaders.sandbox import create_app

    app = create_app(SandboxConfig(data_dir=root / ".b24migrate/sandbox", plan="unlimited"))

    async def run() -> None:
        async with Bitrix24Client("http://sandbox.local/rest/1/sandbox/", plan="unlimited",
                                  transport=httpx.ASGITransport(app=app)) as client:  # fmt: skip
            await prepare_target_portal(client)

    try:
        asyncio.run(run())
    finally:
        app.close()
