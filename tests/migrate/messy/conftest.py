"""The messy fixtures: small synthetic files shaped like real exports (see make_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.migrate.sources.conftest import make_text, make_xlsx

__all__ = ["fixture", "make_text", "make_xlsx"]

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def fixture() -> type[Path]:
    """``fixture("name.csv")`` → the path of a committed messy fixture."""

    def path(name: str) -> Path:
        found = FIXTURES / name
        assert found.is_file(), f"run tests/migrate/messy/make_fixtures.py: {name} is missing"
        return found

    return path  # type: ignore[return-value]
