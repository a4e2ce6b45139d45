"""Option decorators shared by commands: one definition of each option."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from migrate.load import DEFAULT_PORTAL_WAIT, DEFAULT_SETTLE_SECONDS

__all__ = ["json_option", "load_options", "output_options", "workspace_option"]

F = TypeVar("F", bound=Callable[..., Any])

workspace_option = click.option(
    "--workspace",
    "-w",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The workspace folder (has migration.yaml).",
)

json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def output_options(function: F) -> F:
    """``--quiet`` (no progress bars, only the result) and ``--json`` (the result as JSON on
    stdout, for scripts; no bars either). The command receives ``quiet`` and ``as_json``."""
    function = json_option(function)
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars, only the result.")(
        function
    )


def load_options(function: F) -> F:
    """What `load` and `retry` share: ``--skip-blocked``, ``--settle-seconds`` and
    ``--wait-for-portal`` (the command receives ``max_outage``)."""
    function = click.option(
        "--wait-for-portal", "max_outage", default=DEFAULT_PORTAL_WAIT, show_default=True,
        type=click.FloatRange(min=0), metavar="SECONDS",
        help="How long to wait for a portal that stops answering before stopping "
        "(exit 4; run the command again to resume).",
    )(function)  # fmt: skip
    function = click.option(
        "--settle-seconds", default=DEFAULT_SETTLE_SECONDS, show_default=True,
        help="How long after a lost reply a look-up may trust 'not written' "
        "(keep the default for a real portal).",
    )(function)  # fmt: skip
    return click.option(
        "--skip-blocked", is_flag=True,
        help="Load even though the plan refused rows; those rows stay out.",
    )(function)  # fmt: skip
