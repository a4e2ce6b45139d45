"""Write `docs/cli.md` from the `--help` of every command: ``python -m migrate.cli._docs``.

The text is click's own help, formatted at a fixed width so the file is the same on every
machine; ``--check`` exits 1 (and says how to regenerate) when the file has drifted. A test
runs the same comparison, so a command whose help changed fails CI until the file is rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from migrate.cli import cli

__all__ = ["DOCS_PATH", "REGENERATE", "WIDTH", "CommandHelp", "iter_commands", "render_cli_docs"]

WIDTH = 88
DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
REGENERATE = "python -m migrate.cli._docs"


@dataclass(frozen=True, slots=True)
class CommandHelp:
    """One command: its full name (``b24migrate sandbox serve``), the command and its context."""

    path: str
    command: click.Command
    context: click.Context

    @property
    def help(self) -> str:
        """The `--help` output at :data:`WIDTH` columns, without trailing spaces."""
        text = self.command.get_help(self.context)
        return "\n".join(line.rstrip() for line in text.splitlines())


def iter_commands(
    command: click.Command = cli, name: str = "b24migrate", parent: click.Context | None = None
) -> Iterator[CommandHelp]:
    """Every visible command and subcommand, depth first, in the order `--help` lists them."""
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    context = click.Context(command, info_name=name, parent=parent, **settings)
    yield CommandHelp(context.command_path, command, context)
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(context):
            sub = command.get_command(context, sub_name)
            if sub is not None and not sub.hidden:
                yield from iter_commands(sub, sub_name, context)


def render_cli_docs() -> str:
    """The whole text of `docs/cli.md`."""
    commands = list(iter_commands())
    lines = [
        "# Command-line reference",
        "",
        f"<!-- Generated from `--help` by `{REGENERATE}`; do not edit by hand. -->",
        "",
        "Every `b24migrate` command and subcommand with its `--help` text. Run any of them",
        "with `--help` for the same text in the terminal.",
        "",
    ]
    lines += [f"- [`{c.path}`](#{c.path.replace(' ', '-')})" for c in commands]
    for entry in commands:
        lines += ["", f"## {entry.path}", "", "```text", entry.help, "```"]
    return "\n".join(lines) + "\n"


@click.command("cli-docs")
@click.option("--check", is_flag=True, help="Only compare; exit 1 when the file has drifted.")
@click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), default=DOCS_PATH, required=False
)
def main(check: bool, path: Path) -> None:
    """Write the CLI reference (default: docs/cli.md) from the --help of every command.

    \b
    Example:
      python -m migrate.cli._docs --check
    """
    text = render_cli_docs()
    current = path.read_text("utf-8") if path.is_file() else None
    if check:
        if current != text:
            raise click.ClickException(f"{path} is out of date: run `{REGENERATE}`")
        click.echo(f"{path} is up to date")
        return
    if current != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path} ({len(text.splitlines())} lines)")


if __name__ == "__main__":
    main()
