"""Runs any number of commands as batches, as fast as the portal's limits allow.

Batches are formed as they go out, not all in advance: a batch takes the next commands (whole
``$result`` groups) up to 50 and only as many of each method as that method's operating budget
has room for. Up to ``client.concurrency`` batches are in flight; the leaky bucket spaces them.
Commands the portal refuses for the budget are sent again, alone, once it has room, with
their references to earlier results filled in.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from typing import TYPE_CHECKING

from loaders.batch import (
    MAX_BATCH,
    BatchResult,
    Command,
    CommandResult,
    find_refs,
    group_commands,
    resolve_refs,
)
from loaders.errors import PortalAuthError, PortalBlocked, PortalError, PortalOperationLimited

if TYPE_CHECKING:
    from loaders.client import Bitrix24Client

__all__ = ["run_commands"]

_Chunk = tuple[Command, ...]
_Reservations = list[tuple[str, float]]


def _take(
    client: Bitrix24Client, queue: deque[tuple[Command, ...]], *, idle: bool
) -> list[Command]:
    """The next batch: whole groups, while every method's budget has room for them.

    A group larger than its method's room goes alone once nothing is in flight (``idle``) and
    the method has room for one command: the portal refuses what does not fit, and those
    commands come back to the queue.
    """
    chunk: list[Command] = []
    counts: Counter[str] = Counter()
    while queue:
        group = queue[0]
        if len(chunk) + len(group) > MAX_BATCH:
            break
        need = Counter(c.method.lower() for c in group)
        items = {c.method.lower(): c.items for c in group}
        fits = {m: client.budget.fits(m, counts[m] + n, items[m]) for m, n in need.items()}
        if any(fits[m] < counts[m] + n for m, n in need.items()) and not (
            idle and not chunk and all(fits.values())
        ):
            break
        chunk.extend(group)
        counts.update(need)
        queue.popleft()
    return chunk


def _reserve(client: Bitrix24Client, chunk: _Chunk) -> _Reservations:
    counts = Counter(c.method for c in chunk)
    items = {c.method: c.items for c in chunk}
    return [(m, client.budget.send(m, n, items[m])) for m, n in counts.items()]


class _Run:
    def __init__(self, client: Bitrix24Client, commands: list[Command], halt: bool) -> None:
        self.client = client
        self.commands = commands
        self.halt = halt
        self.order = {c.key: i for i, c in enumerate(commands)}
        self.queue: deque[tuple[Command, ...]] = deque(group_commands(commands))
        self.done: dict[str, CommandResult] = {}
        self.refused: Counter[str] = Counter()
        self.failed = False
        self.running: dict[asyncio.Task[BatchResult], tuple[_Chunk, _Reservations]] = {}

    def _may_launch(self) -> bool:
        if not self.queue or (self.halt and (self.failed or self.running)):
            return False
        return len(self.running) < self.client.concurrency

    async def run(self) -> BatchResult:
        try:
            while self.queue or self.running:
                if self._may_launch() and self._launch():
                    continue
                if self.halt and self.failed and not self.running:
                    break
                await self._wait()
        finally:
            for task in self.running:
                task.cancel()
            await asyncio.gather(*self.running, return_exceptions=True)
            for _, reservations in self.running.values():
                for method, reserved in reservations:
                    self.client.budget.done(method, reserved)
        results = (self.done.get(c.key) or CommandResult(c, "skipped") for c in self.commands)
        return BatchResult(tuple(results))

    def _launch(self) -> bool:
        taken = _take(self.client, self.queue, idle=not self.running)
        chunk = tuple(sorted(taken, key=lambda c: self.order[c.key]))
        if not chunk:
            return False
        reservations = _reserve(self.client, chunk)
        task = asyncio.create_task(self.client.send_batch(chunk, halt=self.halt))
        self.running[task] = (chunk, reservations)
        return True

    async def _wait(self) -> None:
        timeout = None
        if self.queue and self._may_launch_later():
            budget = self.client.budget
            timeout = min(budget.wait_time(c.method, c.items) for c in self.queue[0])
        if not self.running:
            await self.client._sleep(timeout or 0.05)
            return
        finished, _ = await asyncio.wait(
            self.running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in finished:
            self._finish(task)

    def _may_launch_later(self) -> bool:
        return not (self.halt and self.failed) and len(self.running) < self.client.concurrency

    def _finish(self, task: asyncio.Task[BatchResult]) -> None:
        chunk, reservations = self.running.pop(task)
        for method, reserved in reservations:
            self.client.budget.done(method, reserved)
        try:
            result = task.result()
        except (PortalAuthError, PortalBlocked):
            raise
        except PortalError as error:
            self.failed = True
            for command in chunk:
                self.done[command.key] = CommandResult(command, "error", error=error)
            return
        retry = self._to_resend(result)
        for item in result:
            if item.key not in retry:
                self.done[item.key] = item
                self.failed = self.failed or item.status == "error"
        if retry:
            known = {k: r.result for k, r in self.done.items() if r.ok}
            again = [resolve_refs(item.command, known) for item in result if item.key in retry]
            self.queue.extendleft(reversed(group_commands(again)))

    def _to_resend(self, result: BatchResult) -> set[str]:
        """Keys refused for the budget, and the commands after them that used their results
        and either failed (so wrote nothing) or only read."""
        retry: set[str] = set()
        for item in result:
            if self._refused_for_budget(item) or (
                find_refs(item.command) & retry and (item.status != "ok" or item.command.retry_safe)
            ):
                retry.add(item.key)
        return retry

    def _refused_for_budget(self, item: CommandResult) -> bool:
        if not isinstance(item.error, PortalOperationLimited) or self.halt:
            return False
        self.refused[item.key] += 1
        return self.refused[item.key] < self.client.max_attempts


async def run_commands(
    client: Bitrix24Client, commands: list[Command], *, halt: bool = False
) -> BatchResult:
    """Run ``commands`` through ``client`` in batches; see :meth:`Bitrix24Client.batch`."""
    if not commands:
        return BatchResult(())
    return await _Run(client, commands, halt).run()
