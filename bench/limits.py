"""One ratio convention for the load benchmarks: achieved time ÷ the bound the limits set.

``ratio = achieved seconds ÷ bound seconds``: at least 1.0 (the bound is a lower bound on any
client's time), lower is better, printed with three decimals. The bound is built only from what
the portal itself reports on ``/sandbox/stats`` (``SandboxApp.stats()`` in-process): its limit
settings (``limits``) and the requests or commands it *admitted*. Requests it refused — 503
``QUERY_LIMIT_EXCEEDED`` or 429 ``OPERATION_TIME_LIMIT`` — neither shrink nor grow the bound;
their counts are printed beside the ratio.

* Leaky bucket of B requests draining R per second: N admitted requests need at least
  (N − B) / R seconds from the first admission to the last (the first B pass at once).
* Per-method operating time (limit L seconds per window W, each command charged c seconds): a
  window lets through n = ⌊L / c⌋ + 1 commands (the one crossing the limit still runs), so N
  admitted commands need at least (⌈N / n⌉ − 1) × W seconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Bound", "bucket_bound", "operating_bound", "ratio_text"]


@dataclass(frozen=True, slots=True)
class Bound:
    """The least time the portal's limits allow for the work it admitted, and its refusals."""

    seconds: float
    basis: str
    refused_503: int
    refused_429: int

    def ratio(self, achieved: float) -> float | None:
        """``achieved ÷ bound``; ``None`` when no limit binds (bound 0: latency decides)."""
        return achieved / self.seconds if self.seconds > 0 else None


def _refusals(stats: Mapping[str, Any]) -> tuple[int, int]:
    refusals, faults = stats["refusals"], stats.get("faults", {})
    return (refusals["QUERY_LIMIT_EXCEEDED"] + faults.get("503", 0),
            refusals["OPERATION_TIME_LIMIT"])  # fmt: skip


def bucket_bound(stats: Mapping[str, Any], admitted_before: int = 0) -> Bound:
    """The leaky bucket's bound for the requests the portal admitted since it had admitted
    ``admitted_before`` (read from its stats when the timed work started, the bucket drained)."""
    limits, admitted = stats["limits"], stats["admitted"] - admitted_before
    size, rate = limits["bucket_size"], limits["drain_per_s"]
    seconds = max(0, admitted - size) / rate if rate else 0.0
    basis = f"{admitted} admitted requests, bucket {size} draining {rate:g}/s ({limits['plan']})"
    return Bound(seconds, basis, *_refusals(stats))


def operating_bound(stats: Mapping[str, Any], method: str, items_per_command: int) -> Bound:
    """The operating-time bound for the ``method`` commands the portal executed."""
    limits, name = stats["limits"], method.lower()  # the portal keys methods in lower case
    commands = stats["methods"].get(name, 0)
    cost_ms = limits["item_cost_by_method"].get(name, limits["item_cost_ms"])
    charge = items_per_command * cost_ms / 1000
    limit, window = limits["operating_limit_s"], limits["operating_window_s"]
    per_window = math.floor((limit - 1e-9) / charge) + 1
    seconds = (math.ceil(commands / per_window) - 1) * window if commands else 0.0
    basis = (f"{commands} admitted {method} commands, {per_window} per {window:g} s window "
             f"({limit:g} s of operating time, {charge:g} s each)")  # fmt: skip
    return Bound(seconds, basis, *_refusals(stats))


def ratio_text(achieved: float, bound: Bound) -> str:
    """``ratio=1.054 achieved=26.350s bound=25.000s 503=0 429=0 (basis)``."""
    ratio = bound.ratio(achieved)
    shown = f"{ratio:.3f}" if ratio is not None else "n/a"
    return (
        f"ratio={shown} achieved={achieved:.3f}s bound={bound.seconds:.3f}s "
        f"503={bound.refused_503} 429={bound.refused_429} ({bound.basis})"
    )
