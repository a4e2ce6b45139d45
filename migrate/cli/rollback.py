"""`b24migrate rollback`: delete what a load created (for test portals)."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._options import workspace_option
from migrate.cli._safe import terminal_text
from migrate.run import Migration

__all__ = ["command"]


@click.command("rollback")
@workspace_option
@click.option("--run", "run_id", type=int, help="Only what this load run created (default: all).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def command(root: Path, run_id: int | None, yes: bool) -> None:  # fmt: skip
    """Delete from the portal the records a load created, children first.

    Deletions are recorded in the ledger: the records become planned again (a new `load`
    re-creates them) and a second rollback finds nothing to do.

    \b
    Example:
      b24migrate rollback --workspace acme --run 3 --yes
    """
    migration = Migration(root)
    counts = migration.rollback_preview(run_id)
    if not counts:
        click.echo("Nothing to roll back: no portal record of this run is in the ledger.")
        return
    listing = ", ".join(f"{n} {entity}" for entity, n in sorted(counts.items()))
    if not yes:
        click.confirm(f"Delete {listing} from the portal?", abort=True)
    report = migration.rollback(run_id)
    deleted = ", ".join(f"{n} {e}" for e, n in sorted(report.deleted.items())) or "nothing"
    click.echo(f"Rollback run {report.run_id}: deleted {deleted}; {report.gone} were gone already.")
    for entity, key, error in report.errors[:20]:
        click.echo(terminal_text(f"not deleted: {entity} `{key}`: {error}"), err=True)
    if report.errors:
        raise click.exceptions.Exit(3)
