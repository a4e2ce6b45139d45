"""What `load` and `retry` share: options, a rich progress bar, the final lines."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from migrate.config import Workspace
from migrate.load import DEFAULT_SETTLE_SECONDS, LoadProgress, WorkspaceLoad, load_workspace

__all__ = ["common_options", "run_and_render"]


def common_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--workspace, --skip-blocked, --settle-seconds, --quiet, --json."""
    options = [
        click.option("--workspace", "-w", "root", default=".", show_default=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="The workspace folder (has migration.yaml and .b24migrate/)."),
        click.option("--skip-blocked", is_flag=True,
                     help="Load even though the plan refused rows; those rows stay out."),
        click.option("--settle-seconds", default=DEFAULT_SETTLE_SECONDS, show_default=True,
                     help="How long after a lost reply a look-up may trust 'not written' "
                     "(keep the default for a real portal)."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar, only the result."),
        click.option("--json", "as_json", is_flag=True, help="Print the result as JSON."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


def run_and_render(root: Path, quiet: bool, as_json: bool, **kwargs: Any) -> WorkspaceLoad:
    """Run :func:`load_workspace` with a progress bar unless quiet/json; print the result."""
    workspace = Workspace.at(root)
    if quiet or as_json:
        result = asyncio.run(load_workspace(workspace, **kwargs))
    else:
        with Progress(
            TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), transient=False,
        ) as bar:  # fmt: skip
            task = bar.add_task("load", total=None, rate="")

            def show(p: LoadProgress) -> None:
                speed = bar.tasks[0].speed
                rate = f"{speed:.0f} rec/s" if speed else ""
                bar.update(task, total=p.total, completed=p.finished, rate=rate)

            result = asyncio.run(load_workspace(workspace, on_progress=show, **kwargs))
    _render(result, as_json)
    return result


def _render(result: WorkspaceLoad, as_json: bool) -> None:
    report = result.report
    if as_json:
        body = {"run": report.run_id, "batches": report.batches, "outcomes": report.outcomes,
                "reconciled_found": report.reconciled.found, "requeued": result.requeued,
                "failed": result.failed, "load_xlsx": str(result.load_xlsx)}  # fmt: skip
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    click.echo(
        f"Load run {report.run_id}: {report.count('written')} records written in "
        f"{report.batches} batches; {report.reconciled.found} found by reconciliation."
    )
    click.echo(f"Report: {result.load_xlsx}")
