"""What `load` and `retry` share: rendering the result."""

from __future__ import annotations

import click

from migrate.cli._safe import json_text
from migrate.cli._words import say, workspace_language
from migrate.run import Loaded

__all__ = ["render_load"]


def render_load(loaded: Loaded, as_json: bool) -> None:
    """The load's result as lines (or one JSON object)."""
    result, report = loaded.result, loaded.result.report
    if as_json:
        body = {"run": report.run_id, "batches": report.batches, "outcomes": report.outcomes,
                "reconciled_found": report.reconciled.found, "requeued": result.requeued,
                "failed": result.failed, "left": result.left, "blocked": result.blocked,
                "load_xlsx": str(loaded.report)}  # fmt: skip
        click.echo(json_text(body, indent=None))
        return
    lang = workspace_language(loaded.report.parent.parent)
    click.echo(say("load_line", lang, run=report.run_id, written=report.count("written"),
                   batches=report.batches, found=report.reconciled.found))  # fmt: skip
    if result.left > result.blocked:
        click.echo(say("load_left", lang, n=result.left - result.blocked))
    if result.blocked:
        click.echo(say("load_blocked", lang, n=result.blocked))
    click.echo(say("report", lang, path=loaded.report))
