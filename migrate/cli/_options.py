"""Option decorators shared by commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["output_options", "workspace_option"]

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


def output_options(function: F) -> F:
    """``--quiet`` (no progress bars, only the result) and ``--json`` (the result as JSON on
    stdout, for scripts; no bars either). The command receives ``quiet`` and ``as_json``."""
    function = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(
        function
    )
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars, only the result.")(
        function
    )
