"""The bulk fast paths agree with the cleaners: every hit is what the cleaner returns.

Each fast path is fed batches of dirty cells (the cleaner's own strategy) mixed with the
clean shapes it is meant to take, and every hit is compared with a call of the cleaner.
A second check makes sure the fast path does take its common shapes (it is not vacuous).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import CleanerError, get_cleaner, split_fio
from cleaners.bulk import FastResult, as_strings, fast_clean, fast_names
from cleaners.names import fast_split_fio
from tests.cleaners import strategies as s

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SPACES = st.sampled_from(["", " ", "  "])
PLAIN_PHONES = st.one_of(
    s.formatted_phone(),
    st.builds(
        lambda pad, digits, zeros, tail: f"{pad}{digits}.{zeros}{tail}",
        SPACES,
        st.from_regex(r"0?[78]?[3489][0-9]{9}", fullmatch=True),
        st.sampled_from(["0", "00"]),
        SPACES,
    ),
    st.from_regex(r"[0-9 ().+-]{0,20}", fullmatch=True),
)
WORD = st.one_of(
    st.from_regex(r"[А-ЯЁ][а-яё]{1,9}|[А-ЯЁ]{1,8}|[а-яё]{1,8}", fullmatch=True),
    st.from_regex(r"[A-Z][a-z]{1,9}|[A-Z]{1,8}|[a-z]{1,8}", fullmatch=True),
    st.sampled_from(["оглы", "Фон", "de", "Иванович", "Петровна", "Иван", "Мария", "Иванов"]),
)
PLAIN_NAMES = st.builds(
    lambda pad, words, gap: pad + gap.join(words) + pad,
    SPACES,
    st.lists(WORD, min_size=1, max_size=4),
    st.sampled_from([" ", "  "]),
)

PLAIN_EMAILS = st.builds(
    lambda parts, gap, edge: edge + gap.join(parts) + edge,
    st.lists(
        st.builds(
            lambda mailto, local, domain: f"{mailto}{local}@{domain}",
            st.sampled_from(["", "mailto:", "MailTo:"]),
            st.one_of(s.LOCAL, st.from_regex(r"[a-z]{60,70}", fullmatch=True)),
            st.one_of(s.DOMAIN, st.from_regex(r"[A-Za-z0-9-]{1,8}\.[A-Za-z]{2,4}", fullmatch=True)),
        ),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["; ", ",", " ", " ;, "]),
    st.sampled_from(["", " ", ";"]),
)
PLAIN_DATES = st.builds(
    lambda moment, fmt, zone: moment.strftime(fmt) + zone,
    st.datetimes(),
    st.sampled_from(["%d.%m.%Y", "%d.%m.%y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d"]),
    st.just(""),
) | st.builds(
    lambda moment, zone: moment.strftime("%Y-%m-%dT%H:%M:%S") + zone,
    st.datetimes(),
    st.sampled_from(["", "Z", "+03:00", "-05:30", "+14:00"]),
)
DATE_OPTIONS = st.sampled_from(
    [{}, {"tz": "UTC"}, {"tz": "America/New_York", "min_year": 1990}, {"dayfirst": False}]
)

# cleaner -> (options, cells: its dirty strategy and the shapes its fast path takes)
CASES: dict[str, tuple[dict[str, Any], st.SearchStrategy[str]]] = {
    "phone": ({}, st.one_of(s.PHONES, PLAIN_PHONES)),
    "phones": ({}, st.one_of(s.PHONE_CELLS, PLAIN_PHONES)),
    "person_name": ({}, st.one_of(s.NAMES, PLAIN_NAMES)),
    "email": ({}, st.one_of(s.EMAILS, PLAIN_EMAILS)),
    "emails": ({}, st.one_of(s.EMAIL_CELLS, PLAIN_EMAILS)),
    "date": ({}, st.one_of(s.DATES, PLAIN_DATES)),
    "datetime": ({}, st.one_of(s.DATES, PLAIN_DATES)),
}
# cleaner -> cells its fast path must take
COMMON = {
    "phone": ["+7 (916) 123-45-67", "89161234567", "79161234567.0", " (495) 123 45 67 "],
    "phones": ["+7 (916) 123-45-67", "8-916-123-45-67", "79161234567.0", "9161234567"],
    "person_name": ["Иванов", "ИВАНОВА  мария", "пётр сидоров", "Oleg Denisov"],
    "email": ["Ivan@Mail.ru", " ivan.petrov@example.com ", "mailto:a-b@c-d.example.org"],
    "emails": ["Ivan@Mail.ru; petrov@yandex.ru", "a@b.ru, a@b.ru", "mailto:x_y@inbox.ru"],
    "date": ["15.09.2019", "15.09.2019 11:59:00", "30.04.19", "2022-07-19T23:23:00+03:00"],
    "datetime": ["15.09.2019", "15.09.2019 11:59", "2023-04-19", "2022-07-19T11:23:00Z"],
}


def _cleaned(name: str, value: str, options: dict[str, Any]) -> Any:
    try:
        return get_cleaner(name)(value, **options)
    except CleanerError as error:  # a hit must never be an error or a warning
        return error


def _check(name: str, values: list[str], found: FastResult | None, options: dict[str, Any]):
    assert found is not None
    assert len(found.hits) == len(found.cleaned) == len(values)
    for value, hit, cleaned in zip(values, found.hits, found.cleaned, strict=True):
        if hit:
            assert cleaned == _cleaned(name, value, options), value


def test_every_fast_path_is_tested():
    assert set(fast_names()) == set(CASES) == set(COMMON)


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_hits_equal_the_cleaner(name: str) -> None:
    options, cells = CASES[name]

    @SETTINGS
    @given(st.lists(cells, max_size=12))
    def check(values: list[str]) -> None:
        _check(name, values, fast_clean(name, values, options), options)

    check()


@pytest.mark.parametrize("name", ["date", "datetime"])
@SETTINGS
@given(values=st.lists(st.one_of(s.DATES, PLAIN_DATES), max_size=8), options=DATE_OPTIONS)
def test_date_fast_paths_follow_the_options(name: str, values: list[str], options) -> None:
    _check(name, values, fast_clean(name, values, options), options)


@pytest.mark.parametrize("name", sorted(COMMON))
def test_fast_path_takes_the_common_shapes(name: str) -> None:
    found = fast_clean(name, COMMON[name] + ["", "x@y"])
    assert found is not None
    assert found.hits.tolist() == [True] * len(COMMON[name]) + [False, False]
    _check(name, COMMON[name], FastResult(found.hits[:-2], found.cleaned[:-2]), {})


def test_options_a_fast_path_does_not_know_leave_it_to_the_cleaner():
    assert fast_clean("phone", ["89161234567"], {"region": "KZ"}) is None
    assert fast_clean("phone", ["89161234567"], {"colour": "red"}) is None
    assert fast_clean("text", ["x"]) is None


@SETTINGS
@given(st.lists(st.one_of(s.NAMES, PLAIN_NAMES), max_size=12))
def test_fast_split_fio_equals_split_fio(values: list[str]) -> None:
    found = fast_split_fio(values)
    for value, hit, parts in zip(values, found.hits, found.cleaned, strict=True):
        if hit:
            assert parts == split_fio(value), value


def test_fast_split_fio_takes_plain_names():
    found = fast_split_fio(["ИВАНОВ Иван Иванович", "Мария Петрова", "Иванов И.И."])
    assert found.hits.tolist() == [True, True, False]
    assert found.cleaned[0] == ("Иванов", "Иван", "Иванович")


def test_as_strings_fills_nulls_and_accepts_sequences():
    assert as_strings(["a", None]).to_pylist() == ["a", ""]
