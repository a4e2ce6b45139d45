"""`b24migrate rollback`: delete what a load created (for test portals and rehearsals)."""

from __future__ import annotations

from pathlib import Path

import click

from mappings.entities import REGISTRY
from migrate.cli._options import workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import terminal_text
from migrate.load import RollbackPreview, RollbackResult
from migrate.run import Migration

__all__ = ["command"]

_SHOWN = 10


@click.command("rollback")
@workspace_option
@click.option("--run", "run_id", type=int, help="Only what this load run created (default: all).")
@click.option("--entity", "entities", multiple=True, type=click.Choice(sorted(REGISTRY)),
              help="Only records of this entity (repeatable) and what refers to them.")  # fmt: skip
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def command(root: Path, run_id: int | None, entities: tuple[str, ...], yes: bool,
            quiet: bool) -> None:  # fmt: skip
    """Delete from the portal the records a load created, children first.

    First it shows what would go, per entity, and reads the portal for what that touches:
    records people edited after the load (by DATE_MODIFY; they go too) and records others
    created that refer to ours (they stay, without the link). Then it asks. Afterwards it
    counts what the portal still holds with the migration's ORIGINATOR_ID. Deletions are
    recorded in the ledger: the records become planned again (a new `load` re-creates them).
    Exit codes: 0 done (or answered no); 2 no answer without --yes; 3 the portal refused
    some deletes; 4 the portal did not answer (run it again).

    \b
    Example:
      b24migrate rollback --workspace acme
      b24migrate rollback --workspace acme --run 3 --entity deal --yes
    """
    preview = Migration(root).rollback_preview(run_id, entities)
    if not preview.total:
        click.echo("Nothing to roll back: no portal record of this run is in the ledger.")
        return
    _render_preview(preview, entities)
    if not yes and not _confirmed(preview):
        click.echo("Nothing deleted.")
        return
    with open_migration(root, quiet, lines=True) as migration:
        result = migration.rollback(run_id, entities)
        next_step = migration.next_step("rollback")
    _render_result(result)
    click.echo(f"Next: {next_step}")
    if result.report.errors or result.check.unaccounted:
        raise click.exceptions.Exit(3)


def _confirmed(preview: RollbackPreview) -> bool:
    try:
        return click.confirm(f"Delete these {preview.total:,} records from the portal?",
                             default=False)  # fmt: skip
    except click.exceptions.Abort:
        raise click.UsageError(
            "no answer to the question, so nothing was deleted; add --yes to confirm "
            "without a prompt"
        ) from None


def _render_preview(preview: RollbackPreview, entities: tuple[str, ...]) -> None:
    which = f"run {preview.run_id}" if preview.run_id is not None else "every load run"
    listing = ", ".join(f"{n:,} {e}" for e, n in sorted(preview.counts.items()))
    click.echo(f"Rollback of {which}: would delete {listing}.")
    if preview.dependents:
        extra = ", ".join(f"{n:,} {e}" for e, n in sorted(preview.dependents.items()))
        click.echo(f"  {extra} of them because they refer to the {', '.join(entities)} records.")
    if preview.edited:
        click.echo(f"{len(preview.edited):,} of them were edited in the portal after the load "
                   "(they are deleted too, with those edits):")  # fmt: skip
        for e in preview.edited[:_SHOWN]:
            when = e.modified_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            click.echo(terminal_text(f"  {e.entity} {e.b24_id} «{e.title}» (`{e.source_key}`): "
                                     f"changed {when} by user {e.modified_by or '?'}"))  # fmt: skip
        _more(len(preview.edited))
    if preview.foreign:
        click.echo(f"{len(preview.foreign):,} records the load did not create refer to them; "
                   "they stay and lose the link:")  # fmt: skip
        for f in preview.foreign[:_SHOWN]:
            click.echo(terminal_text(f"  {f.entity} {f.b24_id} «{f.title}» → {f.target_entity} "
                                     f"{f.target_id} ({f.field})"))  # fmt: skip
        _more(len(preview.foreign))


def _more(count: int) -> None:
    if count > _SHOWN:
        click.echo(f"  … and {count - _SHOWN:,} more")


def _render_result(result: RollbackResult) -> None:
    report, check = result.report, result.check
    deleted = ", ".join(f"{n:,} {e}" for e, n in sorted(report.deleted.items())) or "nothing"
    click.echo(f"Rollback run {report.run_id}: deleted {deleted}; "
               f"{report.gone} were gone already.")  # fmt: skip
    for entity, key, error in report.errors[:20]:
        click.echo(terminal_text(f"not deleted: {entity} `{key}`: {error}"), err=True)
    held = sum(e.found + e.duplicated + e.unaccounted for e in check.entities)
    click.echo(
        f"Check: the portal holds {held:,} records with this migration's ORIGINATOR_ID "
        f"({', '.join(f'{e.entity} {e.found + e.unaccounted}' for e in check.entities)}); "
        f"{check.expected:,} are other loads' records the ledger keeps, "
        f"{check.unaccounted:,} are left over."
    )
