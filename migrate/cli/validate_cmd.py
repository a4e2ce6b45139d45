"""`b24migrate validate`: read, map, clean and validate; write reports/errors.xlsx."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from migrate.cli._options import output_options, workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import json_text, shown
from migrate.cli._words import say
from migrate.issues import at_or_above
from migrate.prepare import PreparedData

__all__ = ["command"]


@click.command("validate")
@workspace_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="error",
    show_default=True,
    help="Exit with code 1 when issues of this severity or worse exist.",
)
@output_options
def command(root: Path, fail_on: str, quiet: bool, as_json: bool) -> None:
    """Check every source row against the mappings; write reports/errors.xlsx.

    Errors keep a row out of the load, warnings load the cleaned value. Exit code 1 when
    issues at or above --fail-on exist (default: errors), 2 for a config/mapping problem.

    \b
    Example:
      b24migrate validate --workspace acme --fail-on warning
    """
    with open_migration(root, quiet, as_json) as migration:
        validated = migration.validate()
    data, report = validated.prepared, validated.report
    failing = len(at_or_above(data.issues, fail_on))
    if as_json:
        click.echo(json_text(_summary(data, report, failing)))
    else:
        _render(data, report, failing, fail_on)
    if failing:
        raise click.exceptions.Exit(1)


def _summary(data: PreparedData, report: Path, failing: int) -> dict[str, object]:
    return {
        "report": str(report),
        "failing": failing,
        "entities": [
            {
                "entity": s.entity,
                "files": list(s.files),
                "rows_read": s.rows_read,
                "rows_clean": s.rows_clean,
                "errors": s.errors,
                "warnings": s.warnings,
            }
            for s in data.stats
        ],
    }


def _render(data: PreparedData, report: Path, failing: int, fail_on: str) -> None:
    console = Console()
    lang = data.config.language
    table = Table(title=say("validation", lang))
    for number, header in enumerate(say("validate_cols", lang).split("|")):
        table.add_column(header, justify="left" if number < 2 else "right")
    for s in data.stats:
        table.add_row(
            s.entity,
            shown(", ".join(s.files)),
            f"{s.rows_read:,}",
            f"{s.rows_clean:,}",
            f"[red]{s.errors:,}[/]" if s.errors else "0",
            f"[yellow]{s.warnings:,}[/]" if s.warnings else "0",
            f"{s.seconds:.1f}",
        )
    console.print(table)
    if len(data.issues):
        by_rule = data.issues.groupby(["entity", "severity", "rule"]).size()
        top = by_rule.nlargest(8).reset_index(name="count")
        rules = Table(title=say("top", lang))
        for number, header in enumerate(say("top_cols", lang).split("|")):
            rules.add_column(header, justify="right" if number == 3 else "left")
        for entity, severity, rule, count in top.itertuples(index=False, name=None):
            rules.add_row(shown(str(entity)), str(severity), shown(str(rule)), f"{int(count):,}")
        console.print(rules)
    for s in data.stats:
        if s.rows_folded:
            console.print(say("folded", lang, entity=s.entity, n=f"{s.rows_folded:,}"))
    console.print(shown(say("report", lang, path=report)))
    if failing:
        console.print(say("failing", lang, n=f"{failing:,}", level=fail_on))
