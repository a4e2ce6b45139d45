"""Progress of long steps, reported through a plain callback so the library stays UI-free.

A stage that takes a while accepts ``on_progress: ProgressCallback | None`` and calls it with
a :class:`Tick` whenever it knows more: the step's name, how much is done and of how much
(``total`` is ``None`` while unknown), and the unit; a tick may carry a ``note``, a line worth
showing as it is (the candidate pairs a dedupe is about to score, a wait for the portal). The
command line turns ticks into rich progress bars with rates and ETA and prints the notes above
them (``migrate/cli/_progress.py``); scripts may log them or ignore them::

    def show(tick: Tick) -> None:
        print(f"{tick.step}: {tick.done}/{tick.total} {tick.unit}")

    prepare(workspace, on_progress=show)

A step is finished when a tick says ``finished=True`` (or ``done == total``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ProgressCallback", "Tick", "emit"]


@dataclass(frozen=True, slots=True)
class Tick:
    """One progress report: ``done`` of ``total`` ``unit`` of ``step``."""

    step: str
    done: int
    total: int | None = None
    unit: str = "rows"
    finished: bool = False
    note: str = ""


ProgressCallback = Callable[[Tick], None]


def emit(
    callback: ProgressCallback | None,
    step: str,
    done: int,
    total: int | None = None,
    *,
    unit: str = "rows",
    finished: bool = False,
    note: str = "",
) -> None:
    """Call ``callback`` (when there is one) with a :class:`Tick`."""
    if callback is not None:
        callback(Tick(step, done, total, unit, finished, note))
