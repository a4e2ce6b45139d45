"""`b24migrate retry`: load the failed records again after a fix."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import common_options, run_and_render

__all__ = ["command"]


@click.command("retry")
@click.option("--entity", "entities", multiple=True, help="Only failed records of this entity.")
@common_options
def command(root: Path, quiet: bool, as_json: bool, **options: object) -> None:
    """Re-queue the failed records (failed → planned) and load them.

    There is no per-record re-plan yet: after fixing data or mapping run `b24migrate plan`
    first (it re-queues failed records whose content changed), then `retry` sends the rest.

    \b
    Example:
      b24migrate retry --workspace acme --entity deal
    """
    result = run_and_render(root, quiet, as_json, retry=True, **options)
    if not as_json:
        click.echo(f"Re-queued {result.requeued} failed records (not re-planned) and loaded them.")
