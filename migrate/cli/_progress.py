"""Rich progress bars for the library's progress ticks (:mod:`migrate.progress`).

One bar per step, created by the step's first tick: description, bar, done/total, percent,
rate in the step's unit per second, elapsed time and ETA; a tick's note is printed above the
bars. Bars go to stderr, so ``--json`` output on stdout stays clean; with ``--quiet`` or
``--json`` there are no bars at all. Without a terminal a command may ask for the notes alone,
as lines (``notes``), or for :class:`ProgressLines` (``lines``): the notes and a progress line
every few seconds on stderr, as text or, with ``--json``, as JSON objects, so a load piped to
a file or run by a script never goes silent. :func:`open_migration` is how every command gets
its :class:`Migration`.
"""

from __future__ import annotations

import time
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

from migrate.cli._safe import json_text, terminal_text
from migrate.progress import ProgressCallback, Tick
from migrate.run import Migration

__all__ = [
    "ProgressBars",
    "ProgressLines",
    "open_migration",
    "print_notes",
    "progress_bars",
    "with_progress",
]

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
        self.progress.console.print(
            terminal_text(line), markup=False, highlight=False, soft_wrap=True
        )

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


class ProgressLines:
    """Progress without a terminal: every note at once, and per step a line every ``every``
    seconds and when it finishes (``load: 1,250 of 25,827 records (4 %)``), on stderr; with
    ``as_json`` each is one JSON object (``{"event": "note" | "progress", …}``)."""

    def __init__(
        self,
        as_json: bool = False,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.as_json, self.every, self.clock = as_json, every, clock
        self.last: dict[str, float] = {}

    def __call__(self, tick: Tick) -> None:
        if tick.note:
            self._write("note", tick, tick.note)
        now = self.clock()
        finished = tick.finished or (tick.total is not None and tick.done >= tick.total > 0)
        if finished or now - self.last.get(tick.step, -self.every) >= self.every:
            self.last[tick.step] = now
            share = f" ({tick.done * 100 // tick.total} %)" if tick.total else ""
            of = f" of {tick.total:,}" if tick.total is not None else ""
            self._write("progress", tick, f"{tick.step}: {tick.done:,}{of} {tick.unit}{share}")

    def _write(self, event: str, tick: Tick, text: str) -> None:
        if self.as_json:
            body = {"event": event, "step": tick.step, "done": tick.done, "total": tick.total,
                    "unit": tick.unit, "text": text}  # fmt: skip
            click.echo(json_text(body, indent=None), err=True)
        else:
            click.echo(terminal_text(text), err=True)


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
    root: Path,
    quiet: bool = False,
    as_json: bool = False,
    *,
    notes: bool = False,
    lines: bool = False,
) -> Iterator[Migration]:
    """The workspace's :class:`Migration`, with progress bars for an interactive run (none
    with ``--quiet``/``--json``). Without bars: with ``notes``, the stages' notes are printed
    as lines (unless ``--json``); with ``lines``, :class:`ProgressLines` (unless ``--quiet``)."""
    bars = progress_bars(quiet, as_json)
    if bars is None:
        yield Migration(root, on_progress=_without_bars(quiet, as_json, notes, lines))
        return
    with bars:
        yield Migration(root, on_progress=bars)


def _without_bars(quiet: bool, as_json: bool, notes: bool, lines: bool) -> ProgressCallback | None:
    if lines and not quiet:
        return ProgressLines(as_json)
    return print_notes if notes and not as_json else None
