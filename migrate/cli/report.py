"""`b24migrate report`: the client's one-page summary, reports/summary.html."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._options import output_options, workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import json_text, terminal_text
from migrate.cli._words import say, workspace_language
from migrate.reports.summary_model import RunSummary, summary_to_dict

__all__ = ["command"]


@click.command("report")
@workspace_option
@output_options
def command(root: Path, quiet: bool, as_json: bool) -> None:
    """Write reports/summary.html: what was read, cleaned, merged, planned, loaded, refused.

    Counts come from the stages themselves: validation and dedupe results are reused from
    the workspace when their inputs did not change (computed again otherwise), plan and load
    are read from the ledger; a stage that has not run shows as "—".
    The page links the workbooks that exist (errors, duplicates, plan, load).

    \b
    Example:
      b24migrate report --workspace acme
    """
    with open_migration(root, quiet, as_json) as migration:
        reported = migration.report()
    summary, path = reported.summary, reported.report
    if as_json:
        body = {"summary_html": str(path), **summary_to_dict(summary)}
        click.echo(json_text(body))
        return
    _render(summary, path)


def _render(summary: RunSummary, path: Path) -> None:
    lang = workspace_language(path.parent.parent)
    words = dict(zip(("read", "kept", "merged", "planned", "loaded", "refused"),
                     say("report_line", lang).split("|"), strict=True))  # fmt: skip
    for e in summary.entities:
        parts = [words["read"].format(read=f"{e.rows_read:,}")] if e.sources else []
        if e.validation:
            parts.append(words["kept"].format(kept=f"{e.validation.rows_kept:,}"))
        if e.dedupe:
            parts.append(words["merged"].format(merged=f"{e.dedupe.records_merged:,}"))
        if e.plan:
            parts.append(words["planned"].format(planned=f"{e.plan.create + e.plan.update:,}"))
        if e.load:
            parts.append(words["loaded"].format(loaded=f"{e.load.done:,}"))
        parts.append(words["refused"].format(refused=f"{e.refused:,}"))
        click.echo(f"  {e.entity:<18} " + ", ".join(parts))
    for note in summary.reconciliation.notes if summary.reconciliation else ():
        click.echo(terminal_text(say("reconcile", lang, note=note)))
    click.echo(say("summary", lang, path=path))
