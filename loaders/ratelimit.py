"""Client-side mirrors of the portal's limits, so the client waits instead of being refused.

* :class:`LeakyBucket` mirrors the request-intensity limit: every HTTP request (a batch is one)
  adds 1, the level drains ``rate`` per second, a request that would lift it above ``capacity``
  waits. A ``QUERY_LIMIT_EXCEEDED`` refusal means the portal's bucket is fuller than ours
  (another app shares it): :meth:`LeakyBucket.resync` marks ours full.
* :class:`OperatingBudget` mirrors the per-method operating-time limit: each command's
  execution time (from ``result_time`` / ``time``) is charged to its own method and expires
  one window later; the portal's own ``operating`` figure overrides ours when it is higher,
  until its ``operating_reset_at``.

The clock is injected (``clock`` returns monotonic seconds), so both are tested without waiting.
"""

from __future__ import annotations

import time
from bisect import insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["PLANS", "LeakyBucket", "OperatingBudget", "Plan"]

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Plan:
    """The limits of a portal plan. ``capacity``/``rate`` of ``None`` means no request limit."""

    name: str
    capacity: float | None
    rate: float | None
    operating_limit: float = 480.0
    operating_window: float = 600.0


PLANS: dict[str, Plan] = {
    "standard": Plan("standard", 50, 2.0),
    "enterprise": Plan("enterprise", 250, 5.0),
    "unlimited": Plan("unlimited", None, None),
}


class LeakyBucket:
    """Decide when the next request may go so that the portal's bucket never overflows.

    Two mirrors, and a request waits for both:

    * by send times: every request sent adds 1, the level drains ``rate`` per second;
    * by the portal's own admission times (``time.start`` of each reply, on the portal's
      clock ``server_clock``): a request still without a reply counts as 1 that has not
      drained at all, because a busy portal may admit a backlog of requests at once.

    ``margin`` requests of headroom are kept below ``capacity`` for the rest of the skew.
    Use :meth:`delay` until it is 0, then :meth:`sent`; give each reply to :meth:`answered`.
    """

    POLL = 0.02

    def __init__(
        self,
        capacity: float,
        rate: float,
        *,
        clock: Clock = time.monotonic,
        margin: float = 0.5,
        server_clock: Clock | None = None,
    ) -> None:
        if capacity < 1 or rate <= 0:
            raise ValueError("a leaky bucket needs capacity >= 1 and rate > 0")
        self.capacity = capacity
        self.rate = rate
        self.margin = min(margin, capacity - 1)
        self._clock = clock
        self._server_clock = server_clock
        self._level = 0.0
        self._at = clock()
        self._admitted: list[float] = []
        self.in_flight = 0

    def level(self) -> float:
        """The level mirrored from our send times, now (may be fractional)."""
        return max(0.0, self._level - (self._clock() - self._at) * self.rate)

    def portal_level(self) -> float:
        """The level mirrored from the portal's admission times, now, without the requests
        still in flight."""
        if self._server_clock is None or not self._admitted:
            return 0.0
        now = self._server_clock()
        horizon = now - self.capacity / self.rate - 5.0
        while self._admitted and self._admitted[0] < horizon:
            self._admitted.pop(0)
        level, last = 0.0, None
        for at in self._admitted:
            if last is not None:
                level = max(0.0, level - (at - last) * self.rate)
            level, last = level + 1.0, at
        return 0.0 if last is None else max(0.0, level - max(0.0, now - last) * self.rate)

    def delay(self) -> float:
        """Seconds to wait before the next request may be sent (0: now)."""
        ceiling = self.capacity - self.margin
        wait = max(0.0, (self.level() + 1.0 - ceiling) / self.rate)
        if self._server_clock is not None:
            admitted = self.portal_level()
            excess = admitted + self.in_flight + 1.0 - ceiling
            if excess > 0:  # drain helps only for what the portal has admitted already
                wait = max(wait, excess / self.rate if admitted >= excess else self.POLL)
        return wait

    def sent(self) -> None:
        """Count a request that goes now."""
        self._level, self._at = self.level() + 1.0, self._clock()
        self.in_flight += 1

    def answered(self, admitted_at: float | None, *, counted: bool = True) -> None:
        """A request came back. ``admitted_at``: the portal time it was admitted, if the reply
        said; ``counted=False`` when the portal refused it without counting it (or it never
        left)."""
        self.in_flight = max(0, self.in_flight - 1)
        if counted and self._server_clock is not None:
            insort(self._admitted, admitted_at if admitted_at is not None else self._server_clock())

    def resync(self) -> None:
        """The portal refused a request as over the limit: take our bucket as full."""
        self._level = max(self.level(), self.capacity)
        self._at = self._clock()


class OperatingBudget:
    """Per-method operating time, mirrored from the ``operating`` figures in the replies.

    The portal sums each method's execution time in ten sub-buckets per window; a sub-bucket
    expires one window after its first call, and a call is refused once the sum reaches the
    limit (the call that crosses it still runs). We mirror that with the charges we can see:
    the difference between consecutive ``operating`` figures of one method is one command's
    charge. The portal's own figure wins while it is higher than ours (another client with
    the same credential), until its ``operating_reset_at``.

    Args:
        limit: seconds a method may use per window (cloud: 480).
        window: the window in seconds (cloud: 600).
        clock: the portal's unix time as best we know it (the client corrects for skew).
        safety: seconds added to every expiry, for clock skew between us and the portal.
        prior: seconds per item a command is assumed to cost before the first reply.
    """

    def __init__(
        self,
        limit: float,
        window: float,
        *,
        clock: Clock = time.time,
        safety: float = 0.5,
        prior: float = 0.1,
    ) -> None:
        self.limit = limit
        self.prior = prior
        self.window = window
        self.safety = safety
        self._clock = clock
        self._buckets: dict[str, list[list[float]]] = {}  # method -> [[start, seconds], ...]
        self._reported: dict[str, tuple[float, float, float]] = {}  # (at, operating, reset_at)
        self._pending: dict[str, float] = {}
        self._estimate: dict[str, float] = {}
        self._last: dict[str, tuple[float, float]] = {}  # method -> (at, operating)

    def _expired(self, method: str) -> list[list[float]]:
        buckets = self._buckets.setdefault(method.lower(), [])
        now = self._clock()
        while buckets and buckets[0][0] + self.window + self.safety <= now:
            buckets.pop(0)
        return buckets

    def used(self, method: str) -> float:
        """Seconds of the window already spent by ``method``."""
        ours = sum(b[1] for b in self._expired(method))
        _, reported, reset_at = self._reported.get(method.lower(), (0.0, 0.0, 0.0))
        return max(ours, reported if self._clock() < reset_at + self.safety else 0.0)

    def estimate(self, method: str) -> float | None:
        """The expected charge of one command of ``method`` (``None`` before the first reply)."""
        return self._estimate.get(method.lower())

    def _charge_of(self, key: str, items: int) -> float:
        """Expected seconds per command: learnt, or the prior per item before the first reply."""
        est = self._estimate.get(key)
        return est if est is not None else self.prior * max(items, 1)

    def fits(self, method: str, count: int, items: int = 1) -> int:
        """How many of ``count`` commands of ``method`` (``items`` records each) may go now.

        Before a reply tells us what a command of ``method`` costs, each is assumed to cost
        ``prior`` seconds per item. The portal checks the budget before each command, so the
        one that crosses the limit still runs; we keep the sum before the last command half
        a command short of the limit to absorb noise in the estimate.
        """
        key = method.lower()
        room = self.limit - self.used(method) - self._pending.get(key, 0.0)
        charge = self._charge_of(key, items)
        if room <= 0.0:
            return 0
        if charge <= 0.0:
            return count
        return max(0, min(count, int((room - 0.5 * charge) // charge) + 1))

    def wait_time(self, method: str, items: int = 1) -> float:
        """Seconds until one more command of ``method`` may fit (0 if it fits now).

        When nothing of ours expires soon enough, the answer is a short poll: the commands
        in flight must report first.
        """
        if self.fits(method, 1, items):
            return 0.0
        key, now = method.lower(), self._clock()
        need = self._pending.get(key, 0.0) + 0.5 * self._charge_of(key, items)
        buckets = self._expired(method)
        ours = sum(b[1] for b in buckets)
        _, reported, reset_at = self._reported.get(key, (0.0, 0.0, 0.0))
        wait = reset_at + self.safety - now if reported > ours else 0.0
        for start, seconds in buckets:
            if ours + need < self.limit:
                break
            ours -= seconds
            wait = max(wait, start + self.window + self.safety - now)
        return max(wait, 0.05)

    def send(self, method: str, count: int, items: int = 1) -> float:
        """Record ``count`` commands of ``method`` in flight; returns the seconds reserved."""
        key = method.lower()
        reserved = self._charge_of(key, items) * count
        self._pending[key] = self._pending.get(key, 0.0) + reserved
        return reserved

    def done(self, method: str, reserved: float) -> None:
        """Release what :meth:`send` reserved: the commands have their replies (or failed)."""
        key = method.lower()
        self._pending[key] = max(0.0, self._pending.get(key, 0.0) - reserved)
        self._estimate.setdefault(key, 0.0)  # a reply without figures: nothing to wait for

    def observe(self, entries: Sequence[tuple[str, float | None, float, float | None]]) -> None:
        """Take the ``(method, operating, at, reset_at)`` figures of one reply, in run order.

        ``at`` is the portal time of the command. Within one reply the difference between a
        method's consecutive figures is a command's exact charge; the first figure of a
        method is compared with the last one we saw, or charged at the current estimate.
        """
        previous: dict[str, float] = {}
        for method, operating, at, reset_at in entries:
            if operating is None:
                continue
            key = method.lower()
            charge: float | None = None
            if key in previous:
                charge = max(0.0, operating - previous[key])
            else:
                last_at, last_op = self._last.get(key, (0.0, 0.0))
                if at >= last_at and operating >= last_op:
                    charge = operating - last_op
            if charge is not None:
                est = self._estimate.get(key, 0.0)
                self._estimate[key] = max(charge, 0.9 * est + 0.1 * charge)
            else:
                charge = self._estimate.get(key)
            previous[key] = operating
            self._add(key, at, charge or 0.0)
            if at >= self._last.get(key, (0.0, 0.0))[0]:
                self._last[key] = (at, operating)
                if reset_at is not None:
                    self._reported[key] = (at, operating, _whole_second_up(reset_at))

    def _add(self, key: str, at: float, seconds: float) -> None:
        buckets = self._buckets.setdefault(key, [])
        if buckets and at < buckets[-1][0] + self.window / 10:
            buckets[-1][1] += seconds
        else:
            buckets.append([at, seconds])

    def block(self, method: str, reset_at: float | None) -> None:
        """The portal refused ``method`` as over budget, until ``reset_at`` (portal time)."""
        key, now = method.lower(), self._clock()
        known = self._reported.get(key, (0.0, 0.0, 0.0))[2]
        given = None if reset_at is None else _whole_second_up(reset_at)
        ahead = [t for t in (given, known) if t is not None and t > now]
        self._reported[key] = (now, self.limit, ahead[0] if ahead else now + self.window / 10)


def _whole_second_up(reset_at: float) -> float:
    """Portals report ``operating_reset_at`` in whole seconds, cut down: the true reset may
    come up to a second later."""
    return reset_at + 1.0 if float(reset_at).is_integer() else reset_at
