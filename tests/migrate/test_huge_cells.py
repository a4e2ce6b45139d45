"""Patterns rewritten to run in linear time give the answers of the plain forms they replace.

Each plain form is kept here as the oracle and compared on short strings; the 40,000-character
cell that made it hang runs once (no timing asserted: a hang is what these expose). Found by
``bench/regex_audit.py`` and ``bench/huge_cells.py``.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from migrate.inspect.profile import _PATTERNS, guess_kind
from migrate.ledger.reasons import failure_reason

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
