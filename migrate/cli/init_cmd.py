"""`b24migrate init DIR --from PRESET`: start a workspace."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.workspace.scaffold import PRESETS, init_workspace

__all__ = ["command"]


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--from",
    "preset",
    type=click.Choice(list(PRESETS)),
    default="amocrm",
    show_default=True,
    help="Mapping preset: the kind of export you migrate.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="DIR|ENTITY=PATH",
    help="Folder with the export files, or one file per entity (repeatable); with only "
    "ENTITY=PATH items the workspace holds just those entities. Default: the bundled sample "
    "data (amocrm, onec), to rehearse on the sandbox.",
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
    preset: str,
    sources: tuple[str, ...],
    name: str | None,
    language: str,
    force: bool,
) -> None:
    """Write a workspace: migration.yaml, mappings/, reports/.

    \b
    Example:
      b24migrate init acme --from amocrm --source ~/exports/amo
    """
    result = init_workspace(
        directory, preset, sources=sources, name=name, language=language, force=force
    )
    root = result.workspace.root
    click.echo(f"Workspace written: {root}")
    click.echo(f"  {root / 'migration.yaml'}")
    click.echo(f"  {len(result.mapping_files)} mapping file(s) in {root / 'mappings'}")
    if result.uses_sample:
        click.echo(
            "  sources point at the bundled sample data (use --source for your exports); "
            "it plans only against the sandbox"
        )
    else:
        click.echo(f"  sources: {', '.join(result.sources)}")
    click.echo(f"Next: b24migrate validate --workspace {root}")
