"""Fixtures for the ledger tests: a fresh ledger with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from migrate.ledger import Ledger


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / ".b24migrate" / "ledger.sqlite"


@pytest.fixture
def ledger(ledger_path: Path, clock: FakeClock):
    with Ledger.open(ledger_path, "amo-2026", clock=clock) as opened:
        yield opened
