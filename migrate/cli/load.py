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
def command(root: Path, skip_blocked: bool, settle_seconds: float, max_outage: float,
            quiet: bool, as_json: bool) -> None:  # fmt: skip
    """Load the planned records into the portal named in migration.yaml.

    Reconciles records a previous run left in flight, then loads in dependency order. It says
    what it waits for (a portal that does not answer, records being looked up); without a
    terminal it prints those notes and a progress line every 10 s on stderr. Exit codes: 0
    done; 1 the plan has blocking problems; 3 the portal refused records for good (listed,
    grouped by reason, in reports/load.xlsx; fix, then `b24migrate retry`); 4 interrupted
    (Ctrl-C, or the portal did not answer for --wait-for-portal seconds): run it again.

    \b
    Example:
      b24migrate load --workspace acme
    """
    with open_migration(root, quiet, as_json, lines=True) as migration:
        loaded = migration.load(
            skip_blocked=skip_blocked, settle_seconds=settle_seconds, max_outage=max_outage
        )
    render_load(loaded, as_json)
