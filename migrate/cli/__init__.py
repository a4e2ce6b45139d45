"""The `b24migrate` command line: a thin layer over the library.

Each command lives in its own module in this package and exposes a click command named
``command``; the root group finds them by module name (``sandbox_cmd.py`` → ``sandbox``,
``init.py`` → ``init``), imports a module only when its command is used, and maps the
:mod:`migrate.errors` tree to exit codes (0 ok, 1 issues above `--fail-on`, 2 usage or
config error, 3 terminal load failure, 4 interrupted but resumable).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from typing import Any

import click

from migrate import __version__
from migrate.cli._logged import with_run_log
from migrate.cli._safe import terminal_text
from migrate.errors import MigrationError
from migrate.workspace.runlog import take_last_log

__all__ = ["cli", "main"]

_SUFFIX = "_cmd"  # lets a command module avoid shadowing a library module of the same name


def _command_modules() -> dict[str, str]:
    names: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        command = info.name.removesuffix(_SUFFIX).replace("_", "-")
        names[command] = f"{__name__}.{info.name}"
    return names


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_command_modules())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _command_modules().get(cmd_name)
        if module_name is None:
            known = ", ".join(self.list_commands(ctx))
            raise click.UsageError(
                f"no command `{cmd_name}`; the commands are: {known}. "
                "`b24migrate COMMAND --help` explains each.",
                ctx,
            )
        module = importlib.import_module(module_name)
        command: click.Command = module.command
        return with_run_log(command)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="b24migrate")
def cli() -> None:
    """Move CRM data (Excel, amoCRM, 1C, another Bitrix24) into Bitrix24.

    Start with `b24migrate demo` to see the whole job on sample data against a local
    sandbox portal. Every command explains itself with --help.

    \b
    Examples:
      b24migrate demo
      b24migrate sandbox serve --help
    """


def main(argv: list[str] | None = None) -> Any:
    """Run the command line, turning known errors into one clear line and an exit code.

    Everything a command writes (ledger, logs, reports: the client's records) is created
    private to the user (umask 077: folders 0700, files 0600).
    """
    os.umask(0o077)
    take_last_log()  # a log of an earlier call in this process is not this one's
    try:
        rv = cli.main(args=argv, prog_name="b24migrate", standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)  # a command that called ctx.exit(n)
        return rv
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        _echo_log()
        sys.exit(4)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        if exc.exit_code:
            _echo_log()
        sys.exit(exc.exit_code)
    except MigrationError as exc:
        click.echo(f"Error: {terminal_text(exc.message)}", err=True)
        if exc.next_step:
            click.echo(f"Next: {terminal_text(exc.next_step)}", err=True)
        _echo_log()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo(
            "Interrupted. The ledger is consistent; run the same command again to resume.", err=True
        )
        _echo_log()
        sys.exit(4)


def _echo_log() -> None:
    """Something went wrong: say where the details are (the command's run log)."""
    log = take_last_log()
    if log is not None and log.path.is_file():
        click.echo(f"Log: {log.path}", err=True)
