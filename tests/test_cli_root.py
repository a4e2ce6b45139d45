"""The root command: help, version, errors turned into exit codes."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from migrate.cli import cli


def test_help_lists_the_tool() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Bitrix24" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "b24migrate" in proc.stdout


def test_unknown_command_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "no command `no-such-command`" in proc.stderr
    assert "validate" in proc.stderr
    assert "Traceback" not in proc.stderr
