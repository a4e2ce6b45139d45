"""The cleaner contract: registry, on_error policies, messages, hostile cells."""

from __future__ import annotations

import pytest

import cleaners
from cleaners import (
    REQUIRED,
    CleanerError,
    bind_cleaner,
    cleaner_names,
    cleaner_options,
    get_cleaner,
    register,
)
from cleaners._base import cut
from cleaners._common import excel_number_text, prepare

# name -> options a call needs (enum needs its values)
REQUIRED_OPTIONS: dict[str, dict[str, object]] = {"enum": {"values": ["A", "B"]}}
HOSTILE = [
    None,
    float("nan"),
    "nan",
    "NULL",
    "#N/A",
    '=HYPERLINK("http://x")',
    "+1+1",
    "@SUM(A1)",
    "1.0E10",
    "\x00\x01\x02",
    "\u200b\ufeff",
    "😀" * 10,
    "  \n\t ",
    12345,
    3.5,
]


UNLIMITED = {"text"}


def _error_of(func, value, options):
    try:
        func(value, **options)
    except CleanerError as error:
        return error
    return None


def test_every_builtin_cleaner_is_registered_and_documented():
    names = cleaner_names()
    assert {"phone", "phones", "email", "emails", "person_name", "company_name"} <= set(names)
    for name in names:
        func = get_cleaner(name)
        assert "Example:" in (func.__doc__ or ""), name


def test_unknown_cleaner_names_the_known_ones():
    with pytest.raises(KeyError, match=r"known cleaners: .*phone"):
        get_cleaner("fone")


def test_a_name_cannot_be_registered_twice():
    register("phone")(cleaners.clean_phone)  # the same function again is fine
    with pytest.raises(ValueError, match="registered twice"):
        register("phone")(lambda value: value)


@pytest.mark.parametrize("name", cleaner_names())
@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_cells_raise_only_cleaner_errors(name, value):
    func = get_cleaner(name)
    options = REQUIRED_OPTIONS.get(name, {})
    error = _error_of(func, value, options)
    if error is not None:
        assert error.message("ru")
        assert error.message("en")
    func(value, on_error="keep", **options)
    func(value, on_error="null", **options)


@pytest.mark.parametrize("name", cleaner_names())
def test_a_five_megabyte_cell_is_refused_quickly_or_cleaned(name):
    func = get_cleaner(name)
    options = REQUIRED_OPTIONS.get(name, {})
    huge = "8 916 123-45-67 " * 350_000  # about 5.6 MB
    if name in UNLIMITED:
        assert len(func(huge, **options)) > 5_000_000
        return
    error = _error_of(func, huge, options)
    assert error is not None
    assert error.rule == "value.too_long"
    assert len(error.message("ru")) < 400
    assert func(huge, on_error="keep", **options) in (huge, [huge])


def test_messages_cut_long_values_and_fall_back_to_russian():
    error = CleanerError(rule="x", value="a" * 500, messages={"ru": "плохо: {value}"})
    assert error.message("en") == "плохо: " + "a" * 79 + "…"
    assert cut("short") == "short"
    assert str(error) == error.message("en")
    broken = CleanerError(rule="x", value="v", messages={"ru": "{missing}"})
    assert broken.message() == "{missing}"
    assert CleanerError(rule="only.rule", value="v", messages={}).message() == "only.rule"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("79161234567.0", "79161234567"),
        ("7.9161234567E10", "79161234567"),
        ("-7.9161234567E10", "79161234567"),
        ("1.5E0", "1.5E0"),
        ("12.5", "12.5"),
        ("abc", "abc"),
    ],
)
def test_excel_number_text(text, expected):
    assert excel_number_text(text) == expected


def test_prepare_treats_markers_and_nan_as_no_value():
    assert prepare(float("nan")) is None
    assert prepare(" #N/A ") is None
    assert prepare("нет") == "нет"
    assert prepare("нет", junk=True) is None
    assert prepare("a\u00a0\u200bb") == "a b"
    assert prepare(" a \r\n  b ", multiline=True) == "a\nb"


def test_cleaner_options_lists_keyword_options_with_defaults():
    assert cleaner_options("phone") == {"on_error": "raise", "region": "RU"}
    assert cleaner_options("enum")["values"] is REQUIRED


def test_bind_cleaner_binds_yaml_options():
    kz = bind_cleaner("phone", {"region": "KZ"})
    assert kz("701 123 45 67") == "+77011234567"
    assert bind_cleaner("boolean")("да") == "Y"
    lenient = bind_cleaner("phone", {"on_error": "null"})
    assert lenient("123") is None


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("phone", {"regoin": "RU"}, r"unknown option\(s\) regoin; its options: on_error, region"),
        ("enum", {}, r"missing option\(s\) values"),
    ],
)
def test_bind_cleaner_names_bad_options(name, options, message):
    with pytest.raises(ValueError, match=message):
        bind_cleaner(name, options)


def test_docs_list_every_cleaner_and_rule():
    from pathlib import Path

    from cleaners._common import MESSAGES

    docs = (Path(__file__).parents[2] / "docs" / "cleaners.md").read_text(encoding="utf-8")
    assert [n for n in cleaner_names() if f"| `{n}` |" not in docs] == []
    assert [rule for rule in MESSAGES if f"`{rule}`" not in docs] == []


def test_every_rule_has_both_languages_and_distinct_texts():
    from cleaners._common import MESSAGES

    for rule, (ru, en) in MESSAGES.items():
        assert ru != en, rule
        assert any("а" <= ch <= "я" for ch in ru.lower()), rule
