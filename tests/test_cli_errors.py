"""Errors a user can cause print one clear line and the next step, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.workspace.scaffold import init_workspace
from tests.migrate.test_cli_load import run


def _lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def _workspace(root: Path, url: str) -> Path:
    config = init_workspace(root, "sample").workspace.config_path
    text = config.read_text(encoding="utf-8").replace("  url: sandbox\n", f"  url: {url}\n")
    config.write_text(text, encoding="utf-8")
    return root


def test_no_config(tmp_path, capsys):
    code, _, err = run(capsys, "validate", "-w", str(tmp_path))
    assert code == 2
    assert _lines(err) == [
        f"Error: no `migration.yaml` in `{tmp_path}`",
        "Next: `b24migrate init DIR --from amocrm` writes a commented `migration.yaml` to "
        "start from",
    ]


def test_wrong_webhook(tmp_path, capsys):
    with running_sandbox(SandboxConfig(plan="unlimited", token="right-code")) as portal:
        wrong = portal.webhook_url.replace("right-code", "wrong-code")
        root = _workspace(tmp_path / "ws", wrong)
        code, _, err = run(capsys, "plan", "-w", str(root))
    assert code == 3
    first, next_step, log = _lines(err)
    assert first.startswith("Error: the portal refused the credentials of webhook ")
    assert log.startswith("Log: ")  # the details are there
    assert log.endswith(".jsonl")
    assert "wrong-code" not in err  # the code is a secret, even a wrong one
    assert next_step.startswith("Next: check the webhook URL")


@pytest.mark.slow  # the client retries a refused connection for ~20 s before giving up
def test_unreachable_portal(tmp_path, capsys):
    root = _workspace(tmp_path / "ws", "http://127.0.0.1:9/rest/1/abc123/")
    code, _, err = run(capsys, "plan", "-w", str(root))
    assert code == 4  # resumable: run it again when the portal answers
    first, next_step, _log = _lines(err)
    assert "does not answer" in first
    assert "abc123" not in err
    assert next_step == "Next: check the address and your network, then run the command again"


def test_a_stage_that_does_not_exist(capsys):
    code, _, err = run(capsys, "migrate-everything")
    assert code == 2
    assert "Error: no command `migrate-everything`; the commands are: " in err
    assert "plan, report" in err


def test_load_before_plan(tmp_path, capsys):
    root = _workspace(tmp_path / "ws", "sandbox")
    code, _, err = run(capsys, "load", "-w", str(root))
    assert code == 2
    assert _lines(err)[-2] == "Next: run `b24migrate plan` first"
    assert _lines(err)[-1].startswith("Log: ")


def test_subprocess_no_config_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "report", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: no `migration.yaml`")
