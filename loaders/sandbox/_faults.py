"""Seeded choice of the fault (if any) that hits one REST request."""

from __future__ import annotations

import random

from loaders.sandbox.config import FAULT_KINDS, FaultSpec

__all__ = ["FaultRoller"]


class FaultRoller:
    """One draw per REST request from a ``random.Random(seed)``: reproducible fault sequences."""

    def __init__(self, spec: FaultSpec, seed: int) -> None:
        self._spec = spec
        self._rng = random.Random(seed)
        self._calls = 0
        self.crashed = False

    def roll(self) -> str | None:
        """The fault for the next request: a kind from ``FAULT_KINDS``, ``"crash"`` or ``None``."""
        self._calls += 1
        crash_after = self._spec.crash_after
        if crash_after and self._calls >= crash_after and not self.crashed:
            self.crashed = True
            return "crash"
        if not self._spec.rates:
            return None
        draw = self._rng.random()
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += self._spec.rate(kind)
            if draw < edge:
                return kind
        return None
