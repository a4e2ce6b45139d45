"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`portal` tests run only when a real portal is named by `B24_WEBHOOK_URL`."""
    if os.environ.get("B24_WEBHOOK_URL"):
        return
    skip = pytest.mark.skip(reason="set B24_WEBHOOK_URL to run the contract suite on a real portal")
    for item in items:
        if "portal" in item.keywords:
            item.add_marker(skip)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files in tests/golden/ from the current output (review the diff)",
    )
