"""Hypothesis properties that every cleaner keeps.

* only :class:`CleanerError` ever comes out (under ``on_error="raise"``),
* nothing comes out under ``keep`` and ``null``,
* idempotence: cleaning the cleaned value gives it back,
* the cleaned value matches the target format.

The inputs are mostly values the cleaner accepts (valid INN/OGRN/OGRNIP with their check
digits, currencies, booleans and enum labels as people spell them), so the last two checks run
on most examples; each test asserts the share of examples they ran on (``MIN_CHECKED``).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanerError, get_cleaner
from tests.cleaners import strategies as s
from tests.cleaners.conftest import builtin_cleaner_names

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# name -> (options, inputs, format of one cleaned value, how a list is written back to a cell)
CASES: dict[str, tuple[dict[str, Any], st.SearchStrategy[str], str]] = {
    "phone": ({}, s.PHONES, r"\+[1-9]\d{6,14}(;ext=\d{1,7})?"),
    "phones": ({}, s.PHONE_CELLS, r"\+[1-9]\d{6,14}(;ext=\d{1,7})?"),
    "email": ({}, s.EMAILS, r"[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z.]{2,}"),
    "emails": ({}, s.EMAIL_CELLS, r"[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z.]{2,}"),
    "person_name": ({}, s.NAMES, r"\S+( \S+)*"),
    "company_name": ({}, s.COMPANIES, r"\S(.*\S)?"),
    "inn": ({}, s.INNS, r"[0-9]{10}|[0-9]{12}"),
    "kpp": ({}, s.KPPS, r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}"),
    "ogrn": ({}, s.OGRNS, r"[0-9]{13}"),
    "ogrnip": ({}, s.OGRNIPS, r"[0-9]{15}"),
    "date": ({}, s.DATES, r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "datetime": (
        {},
        s.DATES,
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}",
    ),
    "money": ({}, s.AMOUNTS, r"-?[0-9]+\.[0-9]{2}"),
    "decimal": ({}, s.AMOUNTS, r"-?[0-9]+(\.[0-9]+)?"),
    "currency": ({}, s.CURRENCIES, r"[A-Z]{3}"),
    "boolean": ({}, s.BOOLEANS, r"[YN]"),
    "enum": (
        {"values": {"Новый": "NEW", "В работе": "WORK", "Закрыт": "DONE"}},
        s.ENUMS,
        r"NEW|WORK|DONE",
    ),
    "url": ({}, s.URLS, r"https?://[^\s/]+\.[^\s/]+(/\S*)?"),
    "text": ({}, s.TEXTS, r"\S( ?\S)*"),
}


#: The share of examples whose cleaned value reached the format and idempotence checks.
MIN_CHECKED = 0.7


def _settle(func: Callable[..., Any], value: Any, options: dict[str, Any]) -> Any:
    """The value a pipeline would load: errors give ``None``, warnings their cleaned value."""
    return func(value, on_error="null", **options)


def _as_cell(result: Any) -> Any:
    return ", ".join(result) if isinstance(result, list) else result


@pytest.mark.parametrize("name", sorted(CASES))
def test_properties(name: str) -> None:
    assert set(CASES) == set(builtin_cleaner_names()), "every cleaner has a property test"
    options, inputs, pattern = CASES[name]
    func = get_cleaner(name)
    fmt = re.compile(pattern)

    seen: Counter[str] = Counter()

    @SETTINGS
    @given(inputs)
    def check(value: str) -> None:
        seen["examples"] += 1
        with contextlib.suppress(CleanerError):
            func(value, **options)
        func(value, on_error="keep", **options)
        cleaned = _settle(func, value, options)
        if cleaned is None or cleaned == []:
            return
        seen["checked"] += 1
        values = cleaned if isinstance(cleaned, list) else [cleaned]
        for one in values:
            assert fmt.fullmatch(one), one
        assert _settle(func, _as_cell(cleaned), options) == cleaned

    check()
    share = seen["checked"] / seen["examples"]
    assert share >= MIN_CHECKED, (
        f"{name}: format and idempotence checked on {seen['checked']} of {seen['examples']} "
        "examples; generate more inputs the cleaner accepts"
    )


@pytest.mark.parametrize(("name", "numbers", "label"), [
    ("inn", s.VALID_INNS, "ИНН"), ("kpp", s.VALID_KPPS, "КПП"),
    ("ogrn", s.VALID_OGRNS, "ОГРН"), ("ogrnip", s.VALID_OGRNIPS, "ОГРНИП"),
])  # fmt: skip
def test_every_valid_identifier_is_accepted_as_exports_write_it(name, numbers, label) -> None:
    """Check digits computed from the tax service's rules, not from the cleaner's library."""
    func = get_cleaner(name)

    @SETTINGS
    @given(s.written_id(numbers, label))
    def check(pair: tuple[str, str]) -> None:
        number, cell = pair
        assert func(cell, on_error="null") == number, cell

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


@SETTINGS
@given(s.NAMES)
def test_split_fio_keeps_every_letter_of_the_name(value: str) -> None:
    import cleaners

    parts = cleaners.split_fio(value)
    assert len(parts) == 3
    name = cleaners.clean_person_name(value, on_error="keep") or ""
    letters = sorted("".join(" ".join(p for p in parts if p).split()).replace(".", ""))
    assert letters == sorted("".join(name.split()).replace(".", ""))
