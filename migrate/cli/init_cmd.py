"""`b24migrate init DIR --source EXPORT`: look at the export, then write a fitted workspace."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._init_render import render_init
from migrate.workspace.scaffold import init_workspace

__all__ = ["command"]


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "preset",
    metavar="KIND",
    help="The export kind: amocrm (kommo), bitrix24, onec (1c, commerceml), generic "
    "(hubspot, csv, excel), or sample (the demo data). Default: recognised from the files.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="DIR|ENTITY=PATH",
    help="The folder the export was saved to, and/or one file per entity (repeatable); with "
    "only ENTITY=PATH items the workspace holds just those entities.",
)
@click.option("--name", help="Migration name, stored as ORIGINATOR_ID (default: folder name).")
@click.option(
    "--language",
    type=click.Choice(["ru", "en"]),
    default="ru",
    show_default=True,
    help="Language of reports and messages.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing migration.yaml and mappings.")
def command(
    directory: Path,
    preset: str | None,
    sources: tuple[str, ...],
    name: str | None,
    language: str,
    force: bool,
) -> None:
    """Write a workspace (migration.yaml, mappings/, reports/) fitted to an export.

    Reads the files first: recognises the export kind, places each file on the entity it
    holds, keeps the mapping fields whose columns the files have, and lists the files and
    columns it could not use.

    \b
    Example:
      b24migrate init acme --source ~/exports/amo
      b24migrate init acme --from bitrix24 --source ~/Downloads/b24
    """
    result = init_workspace(
        directory, preset, sources=sources, name=name, language=language, force=force
    )
    render_init(result, language)
