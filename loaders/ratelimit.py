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
    """Reserve send times so that the portal's bucket never overflows.

    ``margin`` requests of headroom absorb the difference between when we count a request
    (when it is sent) and when the portal counts it (when it arrives).
    """

    def __init__(
        self, capacity: float, rate: float, *, clock: Clock = time.monotonic, margin: float = 1.0
    ) -> None:
        if capacity < 1 or rate <= 0:
            raise ValueError("a leaky bucket needs capacity >= 1 and rate > 0")
        self.capacity = capacity
        self.rate = rate
        self.margin = min(margin, capacity - 1)
        self._clock = clock
        self._level = 0.0
        self._at = clock()

    def level(self) -> float:
        """The mirrored level now (may be fractional)."""
        now = self._clock()
        return max(0.0, self._level - (now - self._at) * self.rate)

    def reserve(self) -> float:
        """Count one request and return how many seconds to wait before sending it."""
        now = self._clock()
        level = max(0.0, self._level - (now - self._at) * self.rate) + 1.0
        self._level, self._at = level, now
        excess = level - (self.capacity - self.margin)
        return max(0.0, excess / self.rate)

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
