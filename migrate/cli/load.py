"""`b24migrate load`: send what the plan put in the ledger, exactly once, resumable."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import common_options, run_and_render

__all__ = ["command"]


@click.command("load")
@common_options
def command(root: Path, quiet: bool, as_json: bool, **options: object) -> None:
    """Load the planned records into the portal named in migration.yaml.

    Reconciles records a previous run left in flight, then loads in dependency order.
    Ctrl-C stops cleanly (exit 4): run `b24migrate load` again to resume. Records the portal
    refuses end the run with exit 3 and are listed in reports/load.xlsx.

    \b
    Example:
      b24migrate load --workspace acme
    """
    run_and_render(root, quiet, as_json, **options)
