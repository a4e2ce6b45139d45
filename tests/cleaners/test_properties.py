"""Hypothesis properties that every cleaner keeps.

* only :class:`CleanerError` ever comes out (under ``on_error="raise"``),
* nothing comes out under ``keep`` and ``null``,
* idempotence: cleaning the cleaned value gives it back,
* the cleaned value matches the target format.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanerError, get_cleaner
from tests.cleaners import strategies as s

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# name -> (options, inputs, format of one cleaned value, how a list is written back to a cell)
CASES: dict[str, tuple[dict[str, Any], st.SearchStrategy[str], str]] = {
    "phone": ({}, s.PHONES, r"\+[1-9]\d{6,14}(;ext=\d{1,7})?"),
    "phones": ({}, s.PHONE_CELLS, r"\+[1-9]\d{6,14}(;ext=\d{1,7})?"),
    "email": ({}, s.EMAILS, r"[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z.]{2,}"),
    "emails": ({}, s.EMAIL_CELLS, r"[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z.]{2,}"),
    "person_name": ({}, s.NAMES, r"\S+( \S+)*"),
    "company_name": ({}, s.COMPANIES, r"\S(.*\S)?"),
}


def _settle(func: Callable[..., Any], value: Any, options: dict[str, Any]) -> Any:
    """The value a pipeline would load: errors give ``None``, warnings their cleaned value."""
    return func(value, on_error="null", **options)


def _as_cell(result: Any) -> Any:
    return ", ".join(result) if isinstance(result, list) else result


@pytest.mark.parametrize("name", sorted(CASES))
def test_properties(name: str) -> None:
    options, inputs, pattern = CASES[name]
    func = get_cleaner(name)
    fmt = re.compile(pattern)

    @SETTINGS
    @given(inputs)
    def check(value: str) -> None:
        with contextlib.suppress(CleanerError):
            func(value, **options)
        func(value, on_error="keep", **options)
        cleaned = _settle(func, value, options)
        if cleaned is None or cleaned == []:
            return
        values = cleaned if isinstance(cleaned, list) else [cleaned]
        for one in values:
            assert fmt.fullmatch(one), one
        assert _settle(func, _as_cell(cleaned), options) == cleaned

    check()


@SETTINGS
@given(s.formatted_phone())
def test_phone_fast_path_agrees_with_phonenumbers(value: str) -> None:
    from cleaners.phones import fast_e164, slow_e164, split_extension

    main, _ = split_extension(value)
    fast = fast_e164(main, "RU")
    if fast is not None:
        assert fast == slow_e164(main, "RU")


@SETTINGS
@given(st.from_regex(r"(\+7|8|7)?[3489][0-9]{9}", fullmatch=True))
def test_phone_fast_path_covers_valid_russian_numbers(value: str) -> None:
    from cleaners.phones import fast_e164, slow_e164

    assert fast_e164(value, "RU") == slow_e164(value, "RU")


@pytest.mark.parametrize("name", ["company_name_key", "translit_key"])
@SETTINGS
@given(value=st.one_of(s.COMPANIES, s.NAMES, s.ANY_TEXT))
def test_keys_are_idempotent_and_plain(name: str, value: str) -> None:
    import cleaners

    key = getattr(cleaners, name)
    once = key(value)
    assert key(once) == once
    assert re.fullmatch(r"(\w+( \w+)*)?", once)
