"""Option decorators shared by commands."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["workspace_option"]

workspace_option = click.option(
    "--workspace",
    "-w",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The workspace folder (has migration.yaml).",
)
