"""Ctrl-C during a load: the first one stops cleanly, a second one stops at once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from loaders.client import Bitrix24Client
from migrate.ledger import Ledger
from migrate.load._engine import LoadOptions, LoadReport, load

__all__ = ["load_until_stopped", "stop_on_signals"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """While active, SIGINT/SIGTERM set ``stop``; the second one raises KeyboardInterrupt.

    Call it inside the running event loop. After the first signal the load sends nothing
    new, applies the replies of the batches in flight and raises ``Interrupted`` (exit 4).
    After a second one the batches in flight are abandoned: their records stay ``sending``
    and the next load reconciles them, so nothing is lost or sent twice either way.
    """
    loop = asyncio.get_running_loop()

    def handle() -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    try:
        for sig in _SIGNALS:
            loop.add_signal_handler(sig, handle)
    except NotImplementedError:  # Windows' event loop has no signal handlers
        with _plain_sigint(loop, handle):
            yield
        return
    try:
        yield
    finally:
        for sig in _SIGNALS:
            loop.remove_signal_handler(sig)


@contextmanager
def _plain_sigint(loop: asyncio.AbstractEventLoop, handle: Callable[[], None]) -> Iterator[None]:
    """Ctrl-C through ``signal.signal`` (what Windows offers), handled in the loop."""
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(_signum: int, _frame: object) -> None:
        loop.call_soon_threadsafe(handle)  # a second Ctrl-C raises KeyboardInterrupt there

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


async def load_until_stopped(
    ledger: Ledger, client: Bitrix24Client, options: LoadOptions | None = None, **kwargs: Any
) -> LoadReport:
    """:func:`load` with Ctrl-C (and SIGTERM) handled as :func:`stop_on_signals` says."""
    stop = asyncio.Event()
    with stop_on_signals(stop):
        return await load(ledger, client, options, stop=stop, **kwargs)
