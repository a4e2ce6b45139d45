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

from migrate.cli._words import say, workspace_language
from migrate.load import DEFAULT_SETTLE_SECONDS, LoadProgress, WorkspaceLoad, load_workspace
from migrate.workspace.config import Workspace

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
        bar = _Bar()
        try:
            result = asyncio.run(load_workspace(workspace, on_progress=bar.show, **kwargs))
        finally:
            bar.close()
    _render(result, as_json)
    return result


class _Bar:
    """A rich progress bar (count, percent, rate, ETA) that appears with the first figures."""

    def __init__(self) -> None:
        self.progress: Progress | None = None

    def show(self, figures: LoadProgress) -> None:
        if self.progress is None:
            self.progress = Progress(
                TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
            )  # fmt: skip
            self.progress.add_task("load", total=figures.total, rate="")
            self.progress.start()
        task = self.progress.tasks[0]
        rate = f"{task.speed:.0f} rec/s" if task.speed else ""
        self.progress.update(task.id, total=figures.total, completed=figures.finished, rate=rate)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _render(result: WorkspaceLoad, as_json: bool) -> None:
    report = result.report
    if as_json:
        body = {"run": report.run_id, "batches": report.batches, "outcomes": report.outcomes,
                "reconciled_found": report.reconciled.found, "requeued": result.requeued,
                "failed": result.failed, "left": result.left, "blocked": result.blocked,
                "load_xlsx": str(result.load_xlsx)}  # fmt: skip
        click.echo(json.dumps(body, ensure_ascii=False))
        return
    lang = workspace_language(result.load_xlsx.parent.parent)
    click.echo(say("load_line", lang, run=report.run_id, written=report.count("written"),
                   batches=report.batches, found=report.reconciled.found))  # fmt: skip
    if result.left > result.blocked:
        click.echo(say("load_left", lang, n=result.left - result.blocked))
    if result.blocked:
        click.echo(say("load_blocked", lang, n=result.blocked))
    click.echo(say("report", lang, path=result.load_xlsx))
