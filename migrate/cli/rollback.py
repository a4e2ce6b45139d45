"""`b24migrate rollback`: delete what a load created (for test portals and rehearsals)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from mappings.entities import REGISTRY
from migrate.cli._options import workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import terminal_text
from migrate.cli._words import say, workspace_language
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
    lang = workspace_language(root)
    preview = Migration(root).rollback_preview(run_id, entities)
    if not preview.total:
        click.echo(say("rb_nothing", lang))
        return
    _render_preview(preview, entities, lang)
    if not yes and not _confirmed(preview, lang):
        click.echo(say("rb_declined", lang))
        return
    with open_migration(root, quiet, lines=True) as migration:
        result = migration.rollback(run_id, entities)
        next_step = migration.next_step("rollback")
    _render_result(result, lang)
    click.echo(f"Next: {next_step}")
    if result.report.errors or result.check.unaccounted:
        raise click.exceptions.Exit(3)


def _confirmed(preview: RollbackPreview, lang: str) -> bool:
    try:
        return click.confirm(say("rb_confirm", lang, n=preview.total), default=False)
    except click.exceptions.Abort:
        raise click.UsageError(
            "no answer to the question, so nothing was deleted; add --yes to confirm "
            "without a prompt"
        ) from None


def _listing(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n:,} {e}" for e, n in sorted(counts.items()))


def _render_preview(preview: RollbackPreview, entities: tuple[str, ...], lang: str) -> None:
    which = say("rb_run", lang, run=preview.run_id) if preview.run_id is not None else (
        say("rb_all", lang)
    )  # fmt: skip
    click.echo(say("rb_would", lang, which=which, listing=_listing(preview.counts)))
    if preview.dependents:
        click.echo(say("rb_dependents", lang, listing=_listing(preview.dependents),
                       entities=", ".join(entities)))  # fmt: skip
    if preview.edited:
        click.echo(say("rb_edited", lang, n=len(preview.edited)))
        for e in preview.edited[:_SHOWN]:
            when = e.modified_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            click.echo(terminal_text(say("rb_edited_line", lang, entity=e.entity, id=e.b24_id,
                                         title=e.title, source=e.source_key, when=when,
                                         user=e.modified_by or "?")))  # fmt: skip
        _more(len(preview.edited), lang)
    if preview.foreign:
        click.echo(say("rb_foreign", lang, n=len(preview.foreign)))
        for f in preview.foreign[:_SHOWN]:
            click.echo(terminal_text(f"  {f.entity} {f.b24_id} «{f.title}» → {f.target_entity} "
                                     f"{f.target_id} ({f.field})"))  # fmt: skip
        _more(len(preview.foreign), lang)


def _more(count: int, lang: str) -> None:
    if count > _SHOWN:
        click.echo(say("rb_more", lang, n=count - _SHOWN))


def _render_result(result: RollbackResult, lang: str) -> None:
    report, check = result.report, result.check
    deleted = _listing(report.deleted) or say("rb_none", lang)
    click.echo(say("rb_done", lang, run=report.run_id, deleted=deleted, gone=report.gone))
    for entity, key, error in report.errors[:20]:
        click.echo(terminal_text(f"not deleted: {entity} `{key}`: {error}"), err=True)
    held = sum(e.found + e.duplicated + e.unaccounted for e in check.entities)
    per = ", ".join(f"{e.entity} {e.found + e.unaccounted}" for e in check.entities)
    click.echo(say("rb_check", lang, held=held, per=per, kept=check.expected,
                   left=check.unaccounted))  # fmt: skip
