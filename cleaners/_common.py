"""Shared plumbing for the cleaners: blank detection, the message catalogue, error building.

Private module: cleaners use these helpers, other packages use the public cleaners.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar, cast

from cleaners._base import CleanerError, OnError, Severity, handle_error

__all__ = [
    "JUNK_MARKERS",
    "NULL_MARKERS",
    "apply",
    "excel_number_text",
    "fail",
    "guard_length",
    "normalize_spaces",
    "prepare",
]

T = TypeVar("T")

NULL_MARKERS = frozenset(
    {"nan", "none", "null", "nil", "nat", "#n/a", "#н/д", "n/a", "н/д", "na", "<na>"}
)
"""Texts that spreadsheets, pandas and databases write for "no value" (compared case-folded)."""

JUNK_MARKERS = frozenset(
    {
        "-", "--", "---", "—", "–", "_", ".", "?", "0", "нет", "нету", "no", "отсутствует",
        "не указан", "не указано", "не указана", "не знаю", "x", "х", "none given",
    }
)  # fmt: skip
"""Texts people type into a contact field meaning "there is none" (phone, e-mail, URL)."""

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_LONGEST_MARKER = max(map(len, NULL_MARKERS | JUNK_MARKERS))
_LINE_SPACE_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r" ?(?:\r\n?|\n|\u2028|\u2029) ?")
_EXCEL_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.0+|[0-9](?:\.[0-9]+)?[eE]\+?[0-9]{1,3})")

# rule -> (Russian template, English template); templates use {value} and the error's params.
MESSAGES: dict[str, tuple[str, str]] = {}


def message_pair(rule: str) -> dict[str, str]:
    """The ``{"ru": ..., "en": ...}`` templates registered for ``rule``."""
    ru, en = MESSAGES[rule]
    return {"ru": ru, "en": en}


def define(rule: str, ru: str, en: str) -> str:
    """Register the message templates of ``rule`` and return the rule code."""
    MESSAGES[rule] = (ru, en)
    return rule


VALUE_TOO_LONG = define(
    "value.too_long",
    "Значение слишком длинное ({length} символов, допустимо не больше {limit}): «{value}»",
    "Value is too long ({length} characters, at most {limit} allowed): '{value}'",
)


def fail(
    rule: str,
    value: str,
    *,
    severity: Severity = "error",
    suggestion: str | None = None,
    cleaned: Any = None,
    **params: Any,
) -> CleanerError:
    """Build the :class:`CleanerError` for ``rule`` (templates from the catalogue)."""
    return CleanerError(
        rule=rule,
        value=value,
        messages=message_pair(rule),
        params=params,
        severity=severity,
        suggestion=suggestion,
        cleaned=cleaned,
    )


def normalize_spaces(text: str, *, multiline: bool = False) -> str:
    """Remove invisible characters, turn every run of spaces into one ASCII space, strip.

    With ``multiline`` line breaks survive (as ``\\n``, spaces around them dropped).
    """
    if not text.isascii():
        text = text.translate(_INVISIBLE)
    if not multiline:
        return " ".join(text.split())
    text = _LINE_SPACE_RE.sub(" ", text.replace("\r\n", "\n"))
    return _NEWLINES_RE.sub("\n", text).strip()


def prepare(value: object, *, junk: bool = False, multiline: bool = False) -> str | None:
    """The cell as stripped text, or ``None`` when it means "no value".

    ``None``, float NaN, empty text and the :data:`NULL_MARKERS` are no value; with ``junk``
    the :data:`JUNK_MARKERS` are too. Other non-text values are converted with ``str``.
    """
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = value if isinstance(value, str) else str(value)
    text = normalize_spaces(text, multiline=multiline)
    if not text:
        return None
    if len(text) > _LONGEST_MARKER:
        return text
    folded = text.casefold()
    if folded in NULL_MARKERS or (junk and folded in JUNK_MARKERS):
        return None
    return text


def guard_length(text: str, limit: int) -> None:
    """Raise ``value.too_long`` for text longer than ``limit`` (keeps huge cells cheap)."""
    if len(text) > limit:
        raise fail(VALUE_TOO_LONG, text[:200], length=len(text), limit=limit)


def excel_number_text(text: str) -> str:
    """Undo Excel's float rendering of a long number: ``"79161234567.0"``, ``"7.9E10"``.

    Returns the integer digits when ``text`` is such a rendering of a whole number, else
    ``text`` unchanged — also when the exponent form has fewer digits than the number
    (``7.91612E+10``: the digits Excel dropped cannot be recovered, so the value is invalid).
    """
    if not _EXCEL_NUMBER_RE.fullmatch(text):
        return text
    number = Decimal(text)
    if number != number.to_integral_value():
        return text
    digits = str(abs(int(number)))
    mantissa, _, exponent = text.lstrip("+-").upper().partition("E")
    if exponent and len(mantissa.replace(".", "")) < len(digits):
        return text  # "7.91612E+10": Excel showed 6 of 11 digits; the rest are lost, not zeros
    return digits


def apply(
    body: Callable[[str], T],
    value: object,
    on_error: OnError,
    *,
    junk: bool = False,
    multiline: bool = False,
    limit: int = 10_000,
    multi: bool = False,
) -> T | None:
    """Run a cleaner's ``body`` on the prepared cell under the ``on_error`` policy.

    Empty cells give ``None`` (``[]`` with ``multi``) without calling ``body``; cells longer
    than ``limit`` fail with ``value.too_long``. Under ``keep`` an error returns the original
    text (``[text]`` with ``multi``).
    """
    if isinstance(value, str) and len(value) > limit:  # refuse huge cells before any work
        text: str | None = value
    else:
        text = prepare(value, junk=junk, multiline=multiline)
    if text is None:
        return cast(T, []) if multi else None
    try:
        guard_length(text, limit)
        return body(text)
    except CleanerError as error:
        if on_error == "keep" and error.severity == "error":
            raw = value if isinstance(value, str) else text
            return cast(T, [raw]) if multi else cast(T, raw)
        return cast(T | None, handle_error(error, on_error))
