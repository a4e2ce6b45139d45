"""`b24migrate retry`: re-plan, then load the failed records again after a fix."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import render_load
from migrate.cli._options import load_options, output_options, workspace_option
from migrate.cli._progress import open_migration

__all__ = ["command"]


@click.command("retry")
@click.option("--entity", "entities", multiple=True, help="Only failed records of this entity.")
@click.option("--no-plan", "no_plan", is_flag=True, help="Do not re-plan; re-send as planned.")
@click.option("--skip-refused", is_flag=True, help="Re-plan accepting refused rows (as `plan`).")
@workspace_option
@load_options
@output_options
def command(root: Path, entities: tuple[str, ...], no_plan: bool, skip_refused: bool,
            skip_blocked: bool, settle_seconds: float, quiet: bool,
            as_json: bool) -> None:  # fmt: skip
    """Re-plan, then load the failed records again after a fix.

    Re-planning carries a fix to the data or mapping into the failed records (the plan is a
    delta: loaded records that did not change are left alone); what is still failed is
    re-queued as it is, then everything planned is loaded.

    \b
    Example:
      b24migrate retry --workspace acme --entity deal
    """
    with open_migration(root, quiet, as_json) as migration:
        loaded = migration.retry(
            replan=not no_plan, skip_refused=skip_refused, entities=entities,
            skip_blocked=skip_blocked, settle_seconds=settle_seconds,
        )  # fmt: skip
    render_load(loaded, as_json)
    if not as_json:
        how = "without re-planning" if no_plan else "after re-planning the workspace"
        click.echo(f"Retried {loaded.result.requeued} failed records {how}.")
