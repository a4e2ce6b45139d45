"""Rich progress bars for the library's progress ticks (:mod:`migrate.progress`).

One bar per step, created by the step's first tick: description, bar, done/total, percent,
rate in the step's unit per second, elapsed time and ETA; a tick's note is printed above the
bars. Bars go to stderr, so ``--json`` output on stdout stays clean; with ``--quiet`` or
``--json`` there are no bars at all, and when stderr is not a terminal a command may ask for
the notes alone, as lines. :func:`open_migration` is how every command gets its :class:`Migration`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from migrate.progress import ProgressCallback, Tick
from migrate.run import Migration

__all__ = ["ProgressBars", "open_migration", "print_notes", "progress_bars", "with_progress"]

T = TypeVar("T")


class _RateColumn(ProgressColumn):
    """``1,234 rows/s`` once rich has measured a speed."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "")
        return Text(f"{speed:,.0f} {unit}/s" if speed else "", style="progress.data.speed")


_UNITS = {"records": "rec", "rows": "rows", "files": "files"}


class ProgressBars:
    """A :data:`~migrate.progress.ProgressCallback` that draws rich bars (a context manager)."""

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<15}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, tick: Tick) -> None:
        if tick.note:
            self.say(tick.note)
        task = self.tasks.get(tick.step)
        if task is None:
            task = self.tasks[tick.step] = self.progress.add_task(
                tick.step, total=tick.total, unit=_UNITS.get(tick.unit, tick.unit)
            )
        total = tick.total if tick.total is not None else None
        if tick.finished and total is None:
            total = tick.done
        self.progress.update(task, completed=tick.done, total=total)

    def say(self, line: str) -> None:
        """Print ``line`` above the bars (no markup, no wrapping)."""
        self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def __enter__(self) -> ProgressBars:
        self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.stop()


def progress_bars(quiet: bool, as_json: bool = False) -> ProgressBars | None:
    """Bars for an interactive run: ``None`` (no progress) with ``--quiet`` or ``--json``, or
    when stderr is not a terminal (a script, a CI log)."""
    console = Console(stderr=True)
    return None if quiet or as_json or not console.is_terminal else ProgressBars(console)


def with_progress(quiet: bool, as_json: bool, work: Callable[[ProgressCallback | None], T]) -> T:
    """Run ``work(on_progress)`` with bars unless ``quiet``/``as_json`` (then ``None``)."""
    bars = progress_bars(quiet, as_json)
    if bars is None:
        return work(None)
    with bars:
        return work(bars)


def print_notes(tick: Tick) -> None:
    """Without a terminal: the notes only, one line each."""
    if tick.note:
        click.echo(tick.note)


@contextmanager
def open_migration(
    root: Path, quiet: bool = False, as_json: bool = False, *, notes: bool = False
) -> Iterator[Migration]:
    """The workspace's :class:`Migration`, with progress bars for an interactive run (none
    with ``--quiet``/``--json``); with ``notes``, the stages' notes are printed as lines when
    there are no bars (a script, a CI log), unless ``--json``."""
    bars = progress_bars(quiet, as_json)
    if bars is None:
        yield Migration(root, on_progress=print_notes if notes and not as_json else None)
        return
    with bars:
        yield Migration(root, on_progress=bars)
