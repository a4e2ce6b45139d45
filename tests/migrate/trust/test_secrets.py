"""The webhook code never shows, whatever the shape of the URL (issue #15).

Each malformed URL goes through every output a user or a client sees: the terminal (text and
`--json`), the error lines, `reports/*.xlsx` and `summary.html`, the run logs and the ledger.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.workspace.config import redact_url, redact_webhooks
from tests.migrate.plan.workspace import make_workspace
from tests.migrate.test_cli_load import run

TOKEN = "Zq9kTOKENx7s3cret"


def _leaks(root: Path, *texts: str) -> list[str]:
    """Where the token (or a 6-character piece of it) shows."""
    pieces = [TOKEN[i : i + 6] for i in range(len(TOKEN) - 5)]
    found = [f"output {i}" for i, t in enumerate(texts) if any(p in t for p in pieces)]
    for path in root.rglob("*"):
        if not path.is_file() or path.parent.name == "data":
            continue
        if path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            body = " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True)
                            for c in row if c is not None)  # fmt: skip
            book.close()
        else:
            body = path.read_bytes().decode("utf-8", "replace")
        if path.name != "migration.yaml" and any(p in body for p in pieces):
            found.append(str(path.relative_to(root)))
    return found


def _workspace(root: Path, url: str) -> Path:
    workspace = make_workspace(root)
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(
        text.replace("portal: {url: sandbox}", "portal: {url: env:B24_TEST_HOOK}"), "utf-8"
    )
    return workspace.root


@pytest.fixture(scope="module")
def portal():
    with running_sandbox(SandboxConfig(plan="unlimited", token=TOKEN)) as served:
        yield served


@pytest.mark.parametrize(
    "shape",
    [
        "{base}/rest/1/{token}",  # no trailing slash
        "  {base}/rest/1/{token}/  ",  # spaces around, as pasted into a variable
    ],
)
def test_a_webhook_that_works_never_shows(portal, shape, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("B24_TEST_HOOK", shape.format(base=portal.base_url, token=TOKEN))
    root = str(_workspace(tmp_path / "w", ""))
    outputs = []
    commands = [("plan",), ("plan", "--json", "--skip-refused"), ("load", "--quiet"),
                ("status", "--json"), ("report", "--json"), ("report",), ("status",)]  # fmt: skip
    for args in commands:
        code, out, err = run(capsys, *args, "-w", root)
        assert code in (0, 1), (args, err)  # 1: the plan refused a row
        outputs += [out, err]
    assert (tmp_path / "w" / "reports" / "load.xlsx").is_file()
    assert _leaks(tmp_path / "w", *outputs) == []


@pytest.mark.parametrize(
    "shape",
    [
        "{base}/rest/{token}/",  # the user id missing
        "{base}/REST/1/{token}/",
        "{base}/rest//1/{token}/",
        "{base}/rest/1//{token}/",
        "{base}//rest/1/{token}/",
        "{base}/rest/1/{head} {tail}/",  # a space inside the code
        "{base}/rest /1/{token}/",
        "{base}/{token}/",  # no /rest/ at all
    ],
)
def test_a_malformed_webhook_never_shows(portal, shape, tmp_path, capsys, monkeypatch):
    url = shape.format(base=portal.base_url, token=TOKEN, head=TOKEN[:8], tail=TOKEN[8:])
    monkeypatch.setenv("B24_TEST_HOOK", url)
    root = str(_workspace(tmp_path / "w", ""))
    outputs = []
    for args in (("plan",), ("plan", "--json"), ("load",), ("report", "--json"), ("report",)):
        code, out, err = run(capsys, *args, "-w", root)
        assert "Traceback" not in out + err
        outputs += [out, err]
        if args[0] == "plan":
            assert code in (2, 3), err  # refused: a malformed URL, or credentials refused
            assert err.startswith("Error: ")
    assert (tmp_path / "w" / "reports" / "summary.html").is_file()
    assert _leaks(tmp_path / "w", *outputs) == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://a.bitrix24.ru/rest/1/abc123/", "https://a.bitrix24.ru/rest/1/***/"),
        ("https://a.bitrix24.ru/rest/abc123/", "https://a.bitrix24.ru/rest/***/"),
        ("https://a.bitrix24.ru/REST/1/abc123/", "https://a.bitrix24.ru/REST/1/***/"),
        ("https://a.bitrix24.ru/rest//1/abc123/", "https://a.bitrix24.ru/rest//1/***/"),
        ("https://a.bitrix24.ru/rest/1/ab c123", "https://a.bitrix24.ru/rest/1/***"),
        ("https://a.bitrix24.ru/abc123/", "https://a.bitrix24.ru/***"),
        (
            " https://u:p@a.bitrix24.ru/rest/1/x/crm.deal.add?auth=1",
            " https://a.bitrix24.ru/rest/1/***",
        ),
        ("not a url", "***"),
    ],
)
def test_redact_url_masks_every_shape(url, shown):
    assert redact_url(url) == shown


def test_free_text_keeps_method_names_but_not_codes():
    text = "POST https://u:pw@a.ru/REST//7/c0de42/crm.deal.add then /rest/batch and /rest/s3cr3t/"
    assert redact_webhooks(text) == (
        "POST https://***@a.ru/REST//7/***/crm.deal.add then /rest/batch and /rest/***/"
    )
