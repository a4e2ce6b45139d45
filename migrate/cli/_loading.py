"""What `load` and `retry` share: rendering the result, the "Next:" line, the log's path."""

from __future__ import annotations

import click

from mappings.entities import STRUCTURE
from migrate.cli._safe import json_text, terminal_text
from migrate.cli._words import say, workspace_language
from migrate.ledger.reasons import FailureGroup
from migrate.run import Loaded
from migrate.workspace.runlog import active_log

__all__ = ["echo_log", "render_load", "render_reasons"]


def render_load(loaded: Loaded, as_json: bool) -> None:
    """The load's result as lines (or one JSON object), ending with the "Next:" line."""
    result, report = loaded.result, loaded.result.report
    troubled = bool(report.outages or report.retries or report.reconciled.rounds)
    if as_json:
        log = active_log()
        body = {"run": report.run_id, "batches": report.batches, "outcomes": report.outcomes,
                "reconciled_found": report.reconciled.found, "requeued": result.requeued,
                "failed": result.failed, "left": result.left, "blocked": result.blocked,
                "outages": report.outages, "retries": report.retries,
                "structure": report.structure.created,
                "load_xlsx": str(loaded.report), "next": loaded.next_step,
                "log": str(log.path) if log and troubled else None}  # fmt: skip
        click.echo(json_text(body, indent=None))
        return
    lang = workspace_language(loaded.report.parent.parent)
    click.echo(say("load_line", lang, run=report.run_id, written=report.count("written"),
                   batches=report.batches, found=report.reconciled.found))  # fmt: skip
    made = report.structure
    if made.created or made.found or made.refused:
        counts = {e: made.created.get(e, 0) for e in STRUCTURE}
        click.echo(say("load_structure", lang, found=made.found, refused=len(made.refused),
                       **counts))  # fmt: skip
    if result.left > result.blocked:
        click.echo(say("load_left", lang, n=result.left - result.blocked))
    if result.blocked:
        click.echo(say("load_blocked", lang, n=result.blocked))
    click.echo(say("report", lang, path=loaded.report))
    if troubled:
        echo_log(say("log_why", lang, outages=report.outages, retries=report.retries))
    click.echo(f"Next: {loaded.next_step}")


def echo_log(why: str = "") -> None:
    """Point at this command's run log (on stderr): where the details of a problem are."""
    log = active_log()
    if log is not None:
        click.echo(f"Log: {log.path}" + (f" ({why})" if why else ""), err=True)


def render_reasons(
    groups: list[FailureGroup] | tuple[FailureGroup, ...], lang: str = "en", limit: int = 10
) -> None:
    """Failures grouped by reason: ``3,721 × deal: <reason>`` and a few examples."""
    for group in groups[:limit]:
        click.echo(f"  {group.count:,} × {group.entity}: {terminal_text(group.reason)}")
        shown = terminal_text(", ".join(f"`{key}`" for key, _ in group.examples))
        click.echo(say("examples", lang, keys=shown))
    if len(groups) > limit:
        rest = sum(g.count for g in groups[limit:])
        click.echo(say("more_failures", lang, n=len(groups) - limit, records=rest))
