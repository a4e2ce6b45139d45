"""The CLI reference: docs/cli.md matches `--help`, and every command shows a working example."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from migrate.cli._docs import DOCS_PATH, REGENERATE, iter_commands, main, render_cli_docs

COMMANDS = {entry.path: entry for entry in iter_commands()}
EXAMPLE_RE = re.compile(r"^\s*Examples?:\s*$")


def test_docs_cli_md_matches_the_help_of_every_command() -> None:
    current = DOCS_PATH.read_text("utf-8") if DOCS_PATH.is_file() else ""
    assert current == render_cli_docs(), f"docs/cli.md is out of date: run `{REGENERATE}`"


def test_the_reference_lists_every_command_once() -> None:
    text = render_cli_docs()
    for path in COMMANDS:
        assert text.count(f"\n## {path}\n") == 1, path
    assert {"b24migrate", "b24migrate demo", "b24migrate sandbox serve"} <= set(COMMANDS)


def _examples(help_text: str) -> list[str]:
    lines = help_text.splitlines()
    starts = [i for i, line in enumerate(lines) if EXAMPLE_RE.match(line)]
    found: list[str] = []
    for start in starts:
        for line in lines[start + 1 :]:
            if not line.strip():
                break
            if line.strip() != "\b":
                found.append(line.strip())
    return found


def _resolve(words: list[str]) -> tuple[str, click.Command, list[str]]:
    """The deepest command the words name, its path and the words left for its options."""
    path, rest = words[0], words[1:]
    while rest and f"{path} {rest[0]}" in COMMANDS:
        path, rest = f"{path} {rest[0]}", rest[1:]
    return path, COMMANDS[path].command, rest


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_help_with_an_example_that_names_real_options(path: str) -> None:
    command = COMMANDS[path].command
    assert (command.help or "").strip(), f"`{path}` has no help text"
    examples = _examples(command.help or "")
    assert examples, f"`{path} --help` shows no `Example:` block"
    for example in examples:
        words = shlex.split(example)
        assert example.startswith(path), f"`{path}` example runs another command: {example}"
        target, resolved, rest = _resolve(words)
        options = {o for p in resolved.params for o in (*p.opts, *p.secondary_opts)}
        options |= {"--help", "-h"}
        for word in rest:
            if word.startswith("-"):
                assert word.split("=", 1)[0] in options, f"{example}: `{target}` has no {word}"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_option_is_explained(path: str) -> None:
    command = COMMANDS[path].command
    silent = [
        p.name
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden and not (p.help or "").strip()
    ]
    assert silent == [], f"`{path}`: options without help text"


def test_check_mode_names_the_command_that_regenerates(tmp_path) -> None:
    target = tmp_path / "cli.md"
    target.write_text("# stale\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--check", str(target)])
    assert result.exit_code == 1
    assert f"run `{REGENERATE}`" in result.output
    assert CliRunner().invoke(main, [str(target)]).exit_code == 0
    assert target.read_text("utf-8") == render_cli_docs()
    result = CliRunner().invoke(main, ["--check", str(target)])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_the_runbook_says_every_next_step_in_the_tools_own_words() -> None:
    """`load`, `retry`, `status` and the runbook share one set of "Next:" texts."""
    from migrate.ledger.next_step import NEXT

    runbook = " ".join((Path(__file__).parent.parent / "docs" / "runbook.md").read_text().split())
    missing = [key for key, text in NEXT.items() if " ".join(text.split()) not in runbook]
    assert not missing, f"docs/runbook.md does not quote NEXT{missing}"
