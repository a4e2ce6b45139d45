"""`b24migrate dedupe`: find duplicates in a workspace, or in any CSV/XLSX on its own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from migrate.cli._options import output_options, workspace_option
from migrate.cli._progress import open_migration, print_notes
from migrate.cli._safe import json_text
from migrate.cli._words import say, workspace_language
from migrate.dedupe import DedupeResult
from migrate.dedupe.standalone import dedupe_file, resolve_rules

__all__ = ["command"]

_PATH = click.Path(dir_okay=False, path_type=Path)


@click.command("dedupe")
@workspace_option
@click.option("--decisions", type=_PATH, help="An edited reports/duplicates.xlsx to read back.")
@click.option("--input", "input_file", type=_PATH, help="Stand-alone: the CSV/XLSX to dedupe.")
@click.option("--key", help="Stand-alone: the column with record ids (default: row numbers).")
@click.option(
    "--rules",
    help="Stand-alone: RULES.yaml, a preset (company, contact, person…), or `auto` "
    "(the default): rules inferred from the columns.",
)
@click.option("--sheet", help="Stand-alone: the sheet of a workbook (default: the first).")
@click.option(
    "--out",
    type=_PATH,
    default=Path("clusters.csv"),
    show_default=True,
    help="Stand-alone: where to write record_id,cluster_id.",
)
@output_options
def command(root: Path, decisions: Path | None, input_file: Path | None, key: str | None,
            rules: str | None, sheet: str | None, out: Path, quiet: bool,
            as_json: bool) -> None:  # fmt: skip
    """Find duplicates, merge the sure ones, list the doubtful ones for review.

    Workspace mode writes reports/duplicates.xlsx; after the client filled its `decision`
    column, `--decisions reports/duplicates.xlsx` stores the decisions, and they bind every
    later run. Stand-alone mode dedupes one file with a rules file (or rules inferred from
    its columns) and writes one `record_id,cluster_id` line per record.

    \b
    Example:
      b24migrate dedupe -w acme --decisions acme/reports/duplicates.xlsx
      b24migrate dedupe --input people.csv --key rec_id --rules RULES.yaml --out clusters.csv
      b24migrate dedupe --input people.csv --key rec_id --out clusters.csv   # rules inferred
    """
    notes = None if as_json else print_notes
    if input_file is not None:
        loaded = resolve_rules(rules)
        run = dedupe_file(input_file, loaded, out, key=key, sheet=sheet, on_progress=notes)
        _render({run.result.entity: run.result}, as_json, f"{run.out}")
        return
    with open_migration(root, quiet, as_json, notes=True) as migration:
        done = migration.dedupe(decisions)
    _render(done.results, as_json, str(done.report))
    if done.read_unasked and not as_json:
        click.echo("The decisions already made in the previous duplicates.xlsx were read first.")
    if done.kept_aside is not None and not as_json:
        click.echo(f"The previous duplicates.xlsx could not be read; kept as {done.kept_aside}")


def _render(results: Mapping[str, DedupeResult], as_json: bool, written: str) -> None:
    rows = [{"entity": e, "records": r.stats.records, "candidate_pairs": r.stats.candidate_pairs,
             "matched_pairs": r.stats.matched_pairs, "review_pairs": r.stats.review_pairs,
             "clusters": r.stats.clusters, "merged_records": r.stats.merged_records,
             "decisions": len(r.decisions.merge) + len(r.decisions.separate),
             "seconds": round(r.stats.seconds, 2)} for e, r in results.items()]  # fmt: skip
    if as_json:
        click.echo(json_text({"written": written, "entities": rows}))
        return
    lang = workspace_language(Path(written).parent.parent)
    table = Table(title=say("dedupe", lang))
    for number, header in enumerate(say("dedupe_cols", lang).split("|")):
        table.add_column(header, justify="right" if number else "left")
    for row in rows:
        table.add_row(*[str(v) for v in row.values()])
    Console().print(table)
    click.echo(say("written", lang, path=written))
