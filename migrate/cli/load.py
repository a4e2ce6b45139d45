"""`b24migrate load`: send what the plan put in the ledger, exactly once, resumable."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import render_load
from migrate.cli._options import load_options, output_options, workspace_option
from migrate.cli._progress import open_migration

__all__ = ["command"]


@click.command("load")
@workspace_option
@load_options
@output_options
def command(root: Path, skip_blocked: bool, settle_seconds: float, quiet: bool,
            as_json: bool) -> None:  # fmt: skip
    """Load the planned records into the portal named in migration.yaml.

    Reconciles records a previous run left in flight, then loads in dependency order.
    Ctrl-C stops cleanly (exit 4): run `b24migrate load` again to resume. Records the portal
    refuses end the run with exit 3 and are listed in reports/load.xlsx.

    \b
    Example:
      b24migrate load --workspace acme
    """
    with open_migration(root, quiet, as_json) as migration:
        loaded = migration.load(skip_blocked=skip_blocked, settle_seconds=settle_seconds)
    render_load(loaded, as_json)
