"""Patterns rewritten to run in linear time give the answers of the plain forms they replace.

Each plain form is kept here as the oracle and compared on short strings; the 40,000-character
cell that made it hang runs once (no timing asserted: a hang is what these expose). Found by
``bench/regex_audit.py`` and ``bench/huge_cells.py``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate.dedupe._normalise import _SPLIT_MULTI, _SPLIT_NUMBERS, _split, split_multi
from migrate.dedupe.compare import _CURRENCY, _number_key
from migrate.inspect.profile import _PATTERNS, _PHONE_EXT, _is_phone, guess_kind
from migrate.ledger.reasons import failure_reason
from migrate.plan._types import _money, _Refused
from migrate.workspace import config
from migrate.workspace.runlog import redact_text

_OLD_EMAIL = re.compile(r"^(mailto:)?\s*[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+\s*([,;]\s*\S+@\S+)*$", re.I)
_PIECES = ["a", "b.c", "@", ".", ",", ";", " ", "\n", "\t", "mailto:", "x@y.ru", ", ", "a@b",
           "@@", ",\n", "МАИЛ@почта.рф"]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(alphabet="a.@,; \n\tMAILTO:x", max_size=25),
                 st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)))  # fmt: skip
def test_the_email_pattern_answers_as_the_plain_one(text):
    assert bool(_PATTERNS["email"].search(text)) == bool(_OLD_EMAIL.search(text))


def test_the_email_pattern_on_lists_and_near_misses():
    for text, expected in [
        ("ivan@mail.ru", True),
        ("mailto: ivan@mail.ru", True),
        ("ivan@mail.ru, petr@ya.ru", True),
        ("ivan@mail.ru; petr@ya.ru;anna@bk.ru", True),
        ("ivan@mail.ru, petr@ya.ru,", True),  # the trailing comma ends the last address
        ("ivan@mail.ru, petr", False),
        ("ivan@mail.ru, , petr@ya.ru", False),
        ("ivan@mail", False),
        ("ivan@mail.ru petr@ya.ru", False),
    ]:
        assert bool(_PATTERNS["email"].search(text)) is expected, text
        assert bool(_OLD_EMAIL.search(text)) is expected, text


def test_email_columns_with_huge_cells_are_profiled():
    # the plain pattern needed ~25 s for 20 addresses and a stray word, doubling with each more
    near_misses = [
        "a@a.a" + ",a@a" * 10_000 + " x",
        "a@" + "a." * 20_000 + "a x",
        "a@a.a," + "a@" * 20_000 + " x",
        "a@a.a, " + "a@a, " * 8_000 + "x",
    ]
    for cell in near_misses:
        assert not _PATTERNS["email"].search(cell)
    assert guess_kind("E-mail", near_misses, distinct=4, filled=4) == "text"
    addresses = ", ".join(f"user{i}@mail.ru" for i in range(3000))
    assert guess_kind("E-mail", [addresses, "a@b.ru"], distinct=2, filled=2) == "email"


_OLD_QUOTED = re.compile(r'"[^"]*"|«[^»]*»|“[^”]*”|`[^`]*`|\'[^\']*\'')
_OLD_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])")


def _old_failure_reason(text: str) -> str:
    kept = False

    def mask(match: re.Match[str]) -> str:
        nonlocal kept
        if not kept:
            kept = True
            return match.group(0)
        quoted = match.group(0)
        return f"{quoted[0]}…{quoted[-1]}"

    return _OLD_NUMBER.sub("N", _OLD_QUOTED.sub(mask, text.strip().rstrip("."))) or "?"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="ab 1.,\"«»“”`'\n", max_size=30))
def test_failure_reasons_read_as_with_the_plain_pattern(text):
    assert failure_reason(text) == _old_failure_reason(text)


def test_failure_reasons_of_portal_texts_and_a_huge_one():
    text = 'ERROR_CORE: The field "Теги" has an invalid value "abc" (id 123).'
    assert failure_reason(text) == 'ERROR_CORE: The field "Теги" has an invalid value "…" (id N)'
    assert failure_reason("Поле «Сумма» «1 000» and «open") == "Поле «Сумма» «…» and «open"
    huge = "value «" + "«" * 40_000 + "! “" * 10_000
    assert failure_reason(huge) == huge.strip()  # no closing mark anywhere: nothing masked


_OLD_SPLIT_MULTI = re.compile(r"\s*(?:[,;/|\n]|\bили\b|\bor\b)\s*")
_OLD_SPLIT_NUMBERS = re.compile(r"\s*(?:[;|\n]|\bили\b|\bor\b)\s*")
_SPLIT_PIECES = ["a", "1", " ", "\n", "\t", ",", ";", "/", "|", "или", "or", "\x1c", "\u00a0", "\r"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_SPLIT_PIECES), max_size=12).map("".join))
def test_cells_split_as_with_the_plain_pattern(text):
    assert _split(text, _SPLIT_MULTI) == _OLD_SPLIT_MULTI.split(text)
    assert _split(text, _SPLIT_NUMBERS) == _OLD_SPLIT_NUMBERS.split(text)


def test_cells_with_runs_of_spaces_split():
    assert split_multi("a@b.ru \n , c@d.ru") == ["a@b.ru", "c@d.ru"]
    assert split_multi("(495) 123-45-67 или 8 916 123 45 67") == [
        "(495) 123-45-67",
        "8 916 123 45 67",
    ]
    assert split_multi("a@b.ru" + "\t" * 40_000 + "x") == ["a@b.ru" + "\t" * 40_000 + "x"]


_OLD_CURRENCY = re.compile(r"[\s\u00a0'’]|^[^\d\-+.,]+|[^\d]+$")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="12 ,.-+$€руб'’\u00a0\n٣x/", max_size=20))
def test_amounts_lose_the_same_characters_as_with_the_plain_pattern(text):
    last = max((i for i, ch in enumerate(text) if ch.isdecimal()), default=-1)
    assert _CURRENCY.sub("", text[: last + 1]) == _OLD_CURRENCY.sub("", text)


def test_amount_keys_of_huge_cells():
    assert _number_key("1 234,50 руб.") == "1234.5"
    assert _number_key("$1,777.69") == "1777.69"
    assert _number_key("1" + "/" * 40_000 + " доб 12x") == ""


_OLD_PHONE_EXT = re.compile(r"\s*\(?\s*(доб\.?|ext\.?|вн\.?)\s*\d+\)?\s*$", re.I)
_OLD_MONEY = re.compile(r"(.*?)\s*([A-Za-z]{3})")
_MONEY = re.compile(r"(.*?)(?<!\s)\s*([A-Za-z]{3})")  # as written in migrate/plan/_types.py
_EXT_PIECES = ["1", " ", "\n", "\t", "a", "USD", "Ab", "(", ")", "доб", "ext.", "вн", ".", "8 916"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_EXT_PIECES), max_size=10).map("".join))
def test_extensions_and_currency_codes_read_as_with_the_plain_patterns(text):
    assert _PHONE_EXT.sub("", text) == _OLD_PHONE_EXT.sub("", text)
    old, new = _OLD_MONEY.fullmatch(text), _MONEY.fullmatch(text)
    assert (old and old.groups()) == (new and new.groups())


def test_phone_and_money_cells_with_runs_of_spaces():
    assert _is_phone("8 (916) 123-45-67 (доб. 12)")
    assert not _is_phone("8 916" + " " * 40_000 + "x")
    assert _money("100 USD", "RUB") == "100|USD"
    assert _money("100" + " " * 40_000 + "USD", "RUB") == "100|USD"
    with pytest.raises(_Refused):  # not an amount: refused, the plan shows an issue
        _money("1" + "\t" * 40_000 + "x1", "RUB")


_OLD_REST = re.compile(r"/+\s*rest\s*(?:/+|$)(\s*\d+\s*/+)?", re.IGNORECASE)
_OLD_REST_IN_TEXT = re.compile(r"(/+\s*rest\s*/+(?:\s*\d+\s*/+)?)([^/?#\s\"'<>]+)", re.IGNORECASE)
_OLD_USERINFO = re.compile(r"([a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)
_URL_PIECES = ["a", "Z", "1", "+", ".", "-", ":", "//", "/", "@", " ", "rest", "REST", "12",
               "http", "://", "u:p@", "crm.contact.add", "\n", "?", "ſ"]  # fmt: skip


def _old_redact_webhooks(text: str) -> str:
    def mask(match: re.Match[str]) -> str:
        word = match.group(2)
        placeholder = bool(config._PLACEHOLDER.fullmatch(word))
        shown = "." in word or word.lower() in config._METHODS_WITHOUT_DOT or placeholder
        return match.group(0) if shown else match.group(1) + "***"

    return _OLD_REST_IN_TEXT.sub(mask, _OLD_USERINFO.sub(r"\1***@", text))


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=12).map("".join))
def test_webhooks_are_masked_as_with_the_plain_patterns(text):
    old, new = _OLD_REST.search(text), config._REST_RE.search(text)
    assert (old and (old.span(), old.groups())) == (new and (new.span(), new.groups()))
    assert config.redact_webhooks(text) == _old_redact_webhooks(text)


def test_log_lines_quoting_a_huge_cell_are_redacted():
    # 13 s a line with the plain patterns: every log line goes through redact_text
    assert redact_text("https://u:secret@x.bitrix24.ru/rest/1/abcd1234/crm.contact.add") == (
        "https://***@x.bitrix24.ru/rest/1/***/crm.contact.add"
    )
    for cell in ("a" * 40_000 + "!", "/" * 40_000, "1a" * 20_000, "a1" * 20_000 + "://x"):
        assert redact_text(cell) == cell
