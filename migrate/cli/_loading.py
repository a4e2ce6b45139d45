"""What `load` and `retry` share: rendering the result, the "Next:" line, the log's path."""

from __future__ import annotations

import click

from migrate.cli._safe import json_text, terminal_text
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
                "load_xlsx": str(loaded.report), "next": loaded.next_step,
                "log": str(log.path) if log and troubled else None}  # fmt: skip
        click.echo(json_text(body, indent=None))
        return
    click.echo(
        f"Load run {report.run_id}: {report.count('written')} records written in "
        f"{report.batches} batches; {report.reconciled.found} found by reconciliation."
    )
    if result.left > result.blocked:
        click.echo(f"{result.left - result.blocked} records are not loaded yet.")
    if result.blocked:
        click.echo(f"{result.blocked} records wait for records that failed or that the plan "
                   "refused (see reports/load.xlsx).")  # fmt: skip
    click.echo(f"Report: {loaded.report}")
    if troubled:
        echo_log(f"the portal stopped answering {report.outages} time(s), "
                 f"{report.retries} requests were sent again")  # fmt: skip
    click.echo(f"Next: {loaded.next_step}")


def echo_log(why: str = "") -> None:
    """Point at this command's run log (on stderr): where the details of a problem are."""
    log = active_log()
    if log is not None:
        click.echo(f"Log: {log.path}" + (f" ({why})" if why else ""), err=True)


def render_reasons(groups: list[FailureGroup] | tuple[FailureGroup, ...], limit: int = 10) -> None:
    """Failures grouped by reason: ``3,721 × deal: <reason>`` and a few examples."""
    for group in groups[:limit]:
        click.echo(f"  {group.count:,} × {group.entity}: {terminal_text(group.reason)}")
        shown = terminal_text(", ".join(f"`{key}`" for key, _ in group.examples))
        click.echo(f"      e.g. {shown}")
    if len(groups) > limit:
        rest = sum(g.count for g in groups[limit:])
        click.echo(f"  … {len(groups) - limit} more reasons ({rest:,} records)")
