"""Table-driven tests: every case in tests/cleaners/vectors/*.yaml."""

from __future__ import annotations

from typing import Any

import pytest

import cleaners
from cleaners import CleanerError, get_cleaner
from tests.cleaners.conftest import load_vectors

CASES = load_vectors()


def _target(case: dict[str, Any]) -> Any:
    if "cleaner" in case:
        return get_cleaner(case["cleaner"])
    return getattr(cleaners, case["function"])


def _plain(result: Any) -> Any:
    return list(result) if isinstance(result, tuple) else result


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_vector(case: dict[str, Any]) -> None:
    func = _target(case)
    value, options = case["in"], case["options"]
    rule = case.get("error") or case.get("warning")
    if rule is None:
        assert _plain(func(value, **options)) == case["out"]
        return
    with pytest.raises(CleanerError) as caught:
        func(value, **options)
    error = caught.value
    assert error.rule == rule
    assert error.severity == ("error" if "error" in case else "warning")
    assert error.message("ru") != error.message("en")
    if "suggestion" in case:
        assert error.suggestion == case["suggestion"]
    if "warning" in case:
        assert error.cleaned == case["out"]
        assert func(value, on_error="keep", **options) == case["out"]
        assert func(value, on_error="null", **options) == case["out"]
    else:
        kept = func(value, on_error="keep", **options)
        assert kept in (value, [value]) or kept == [value.strip()] or kept == value.strip()
        assert func(value, on_error="null", **options) is None
