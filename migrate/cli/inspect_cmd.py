"""`b24migrate inspect FILE`: profile an export's columns and propose a mapping."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from mappings.fields import ENTITIES
from mappings.schema import to_yaml
from migrate.cli._options import json_option
from migrate.cli._safe import json_text, shown
from migrate.errors import ConfigError
from migrate.inspect.inspection import Inspection, inspect_source

__all__ = ["command"]


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet name or 0-based index (default: first non-empty sheet).")
@click.option("--header-row", type=int, help="1-based header row (default: detected).")
@click.option("--encoding", help="Text encoding of a CSV, e.g. cp1251 (default: detected).")
@click.option("--delimiter", help="CSV delimiter (default: sniffed among , ; tab |).")
@click.option("--entity", type=click.Choice(ENTITIES), help="Entity (default: guessed).")
@click.option(
    "--write-mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the proposed mapping to this YAML file.",
)
@json_option
def command(
    file: Path,
    sheet: str | None,
    header_row: int | None,
    encoding: str | None,
    delimiter: str | None,
    entity: str | None,
    write_mapping: Path | None,
    as_json: bool,
) -> None:
    """Profile the columns of FILE and propose a mapping to Bitrix24 fields.

    Shows fill rate, detected kind (phone, email, date, money, inn, name, company, url, id,
    enum, text), distinct count and sample values per column, and the Bitrix24 field each
    column would map to. Works for xlsx/xls/ods, CSV (any encoding) and 1C CommerceML.

    \b
    Example:
      b24migrate inspect export/contacts.xlsx --sheet Контакты --write-mapping contact.yaml
    """
    chosen: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
    result = inspect_source(
        file,
        sheet=chosen,
        header_row=header_row,
        encoding=encoding,
        delimiter=delimiter.replace("\\t", "\t") if delimiter else None,
        entity=entity,
    )
    empty = not result.proposal.mapping.fields
    if write_mapping and not empty:
        write_mapping.write_text(to_yaml(result.proposal.mapping), encoding="utf-8")
    if as_json:
        click.echo(json_text(result.to_dict()))
    else:
        _render(result, write_mapping if write_mapping and not empty else None)
    if write_mapping and empty:
        raise ConfigError(
            f"no column of `{file.name}` matched a field of `{result.proposal.mapping.entity}`, "
            f"so `{write_mapping}` was not written",
            next_step="pass the right `--entity`, or write the mapping by hand "
            "(docs/mappings.md) with the columns listed above",
        )


def _render(result: Inspection, written: Path | None) -> None:
    p = result.profile
    console = Console(width=max(Console().width, 150))
    where = shown(f"{p.source}" + (f" [{p.sheet}]" if p.sheet else ""))
    console.print(f"[bold]{where}[/bold]: {p.rows} rows, header in row {p.header_row}")
    if len(result.sheets) > 1:
        console.print(shown("sheets: " + ", ".join(result.sheets)))
    matches = {m.column: m for m in result.proposal.matches}
    table = Table(title=f"Columns → {result.proposal.mapping.entity}")
    for header in ("column", "filled", "distinct", "kind", "field", "match", "samples"):
        table.add_column(
            header,
            justify="right" if header in ("filled", "distinct") else "left",
            no_wrap=header != "samples",
            overflow="ellipsis",
            max_width=60 if header == "samples" else None,
        )
    for c in p.columns:
        m = matches[c.name]
        samples = " | ".join(s if len(s) <= 24 else s[:23] + "…" for s in c.samples[:3])
        table.add_row(
            shown(c.name),
            f"{c.fill_rate:.0%}",
            str(c.distinct),
            c.kind,
            m.field or "[dim]—[/dim]",
            shown(m.how),
            shown(samples),
        )
    console.print(table)
    console.print(shown(f"key: {result.proposal.mapping.key}"))
    unsure = [m for m in result.proposal.matches if m.how.startswith("?")]
    if unsure:
        console.print(
            shown(f"{len(unsure)} column(s) left unmapped with a guess (`?`): not sure enough "
                   "to map them; add them by hand where the guess is right"),
        )  # fmt: skip
    if written:
        console.print(shown(f"mapping written to {written}"))
