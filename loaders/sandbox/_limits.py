"""The two cloud limits: the request leaky bucket and the per-method operating time.

Both take the current time as an argument, so the injected clock decides and tests never sleep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LeakyBucket", "OperatingBudget"]


@dataclass(slots=True)
class LeakyBucket:
    """Every HTTP request adds 1; the level drains by ``rate``/s; above ``size`` = refuse."""

    size: int
    rate: float
    level: float = 0.0
    updated: float = 0.0

    def admit(self, now: float) -> bool:
        """Count one request at ``now``; ``False`` (and nothing counted) when the bucket is full."""
        if self.updated:
            self.level = max(0.0, self.level - (now - self.updated) * self.rate)
        self.updated = now
        if self.level + 1 > self.size:
            return False
        self.level += 1
        return True


@dataclass(slots=True)
class _Window:
    """10 one-minute buckets; a bucket expires ``window`` seconds after its first call."""

    window: float
    buckets: list[list[float]] = field(default_factory=list)  # [started_at, seconds]

    def expire(self, now: float) -> None:
        while self.buckets and self.buckets[0][0] + self.window <= now:
            self.buckets.pop(0)

    def total(self) -> float:
        return sum(b[1] for b in self.buckets)

    def add(self, now: float, seconds: float) -> None:
        step = self.window / 10
        if self.buckets and now < self.buckets[-1][0] + step:
            self.buckets[-1][1] += seconds
        else:
            self.buckets.append([now, seconds])


@dataclass(slots=True)
class OperatingBudget:
    """Accumulated execution seconds per (credential, method) over a sliding window.

    The check happens before a call: the call that pushes the sum over the limit still
    finishes, later calls are refused until expiring buckets bring the sum under the limit.
    """

    limit: float
    window: float
    windows: dict[tuple[str, str], _Window] = field(default_factory=dict)

    def _get(self, key: tuple[str, str], now: float) -> _Window:
        win = self.windows.get(key)
        if win is None:
            win = self.windows[key] = _Window(self.window)
        win.expire(now)
        return win

    def allowed(self, key: tuple[str, str], now: float) -> bool:
        return self._get(key, now).total() < self.limit

    def charge(self, key: tuple[str, str], now: float, seconds: float) -> None:
        if seconds > 0:
            self._get(key, now).add(now, seconds)

    def state(self, key: tuple[str, str], now: float) -> tuple[float, int]:
        """(``operating`` seconds, ``operating_reset_at`` unix time) for a ``time`` block."""
        win = self._get(key, now)
        if not win.buckets:
            return 0.0, int(now + self.window)
        return round(win.total(), 6), int(win.buckets[0][0] + self.window)

    def snapshot(self, now: float) -> dict[str, float]:
        """Current operating seconds per method (summed over credentials), for stats."""
        totals: dict[str, float] = {}
        for (_, method), win in self.windows.items():
            win.expire(now)
            if win.buckets:
                totals[method] = round(totals.get(method, 0.0) + win.total(), 6)
        return totals
