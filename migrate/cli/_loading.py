"""What `load` and `retry` share: rendering the result."""

from __future__ import annotations

import click

from migrate.cli._safe import json_text
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
    click.echo(
        f"Load run {report.run_id}: {report.count('written')} records written in "
        f"{report.batches} batches; {report.reconciled.found} found by reconciliation."
    )
    if result.left > result.blocked:
        click.echo(f"{result.left - result.blocked} records are not loaded yet: run "
                   "`b24migrate load` again (see `b24migrate status`).")  # fmt: skip
    if result.blocked:
        click.echo(f"{result.blocked} records wait for records the plan refused "
                   "(see reports/plan.xlsx).")  # fmt: skip
    click.echo(f"Report: {loaded.report}")
