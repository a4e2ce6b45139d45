"""Match keys: the one rule for when two phones, e-mails, INNs or full names are the same.

A key is what two values must share to be "the same" for matching: the dedupe stage blocks and
compares on them, the plan compares source records with the portal's records on them, and they
agree with the cleaners by construction (the key of a cleaned value is the key of the value it
was cleaned from). Every function takes one raw or cleaned cell (any text, ``None``, a number
read from a spreadsheet) and returns ``""`` when the value carries nothing to match on; none of
them raises. They are idempotent: ``phone_key(phone_key(x)) == phone_key(x)``.

Example:
    >>> phone_key("8 (916) 123-45-67 доб. 12") == phone_key("+7 916 123 45 67")
    True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from stdnum.ru import inn as stdnum_inn

from cleaners._base import CleanerError
from cleaners.emails import clean_email
from cleaners.phones import clean_phone
from cleaners.translit import translit_key

__all__ = ["email_key", "fio_key", "inn_is_valid", "inn_key", "phone_key"]

_EXTENSION_RE = re.compile(r";ext=|доб|ext|x\s*\d|#", re.IGNORECASE)
_NON_DIGIT_RE = re.compile(r"\D")
_EMPTY = frozenset({"", "nan", "None", "<NA>", "NaT"})


def _plain(value: object) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return "" if text in _EMPTY else text


def _cleaned(text: str) -> str:
    try:
        cleaned = clean_phone(text, on_error="null")
    except (CleanerError, ValueError):
        cleaned = None
    return str(cleaned).split(";ext=")[0] if cleaned else ""


@lru_cache(maxsize=65536)
def _phone_key(text: str) -> str:
    cleaned = _cleaned(text)
    if cleaned:
        return cleaned
    if text.endswith(".0"):  # a number read from a spreadsheet as a float
        text = text[:-2]
    digits = _NON_DIGIT_RE.sub("", _EXTENSION_RE.split(text)[0])
    if len(digits) == 11 and digits[0] in "78" and not text.startswith("+8"):
        digits = "7" + digits[1:]  # a Russian number outside today's plan, written 8… or 7…
    elif len(digits) == 10 and digits[0] in "3489":
        digits = "7" + digits  # ten digits of a Russian number without the country code
    if len(digits) < 7:
        return ""
    # the digits with a `+` may read as a valid foreign number (`400219000` → Romania's
    # `+40 219000`): the key is then that number, so that keying the key changes nothing
    return _cleaned("+" + digits) or "+" + digits


def phone_key(value: object) -> str:
    """A phone as E.164 without its extension: ``8 (916) 123-45-67`` → ``+79161234567``.

    A number the phone cleaner accepts keys as its cleaned form; one it refuses (outside the
    numbering plan, too short for a country) still keys as ``+`` and its digits (``8…`` → ``7…``
    for eleven digits, ``7`` prefixed to ten starting 3/4/8/9), so it can match the same digits
    elsewhere. Fewer than seven digits is no phone (``""``).
    """
    return _phone_key(_plain(value))


def email_key(value: object) -> str:
    """An e-mail as the cleaner writes it, lower case; text without ``@`` and a dotted domain is
    no e-mail (``""``). ``<Anna@Mail.RU>`` and ``mailto:anna@mail.ru`` key alike."""
    text = _plain(value).lower().strip("<>\"' ").removeprefix("mailto:")
    try:
        cleaned = clean_email(text, on_error="null")
    except (CleanerError, ValueError):
        cleaned = None
    if cleaned:
        return str(cleaned).lower()
    return text if "@" in text and "." in text.split("@")[-1] else ""


def inn_is_valid(value: object) -> bool:
    """Whether ``value`` is a Russian INN with correct check digits (10 or 12 digits)."""
    text = str(value or "")
    return text.isdigit() and len(text) in (10, 12) and bool(stdnum_inn.is_valid(text))


def inn_key(value: object) -> str:
    """An INN's digits: ``"ИНН 7707 083893"`` → ``7707083893``; a leading zero Excel dropped is
    restored when that makes the check digits right (``105017360`` → ``0105017360``)."""
    text = _plain(value)
    if text.endswith(".0"):
        text = text[:-2]
    digits = _NON_DIGIT_RE.sub("", text)
    if len(digits) in (9, 11) and inn_is_valid("0" + digits):
        digits = "0" + digits
    return digits


def fio_key(*parts: object) -> str:
    """A person's full name, in any word order and either alphabet, as one key.

    ``fio_key("Щукин", "Иван")`` == ``fio_key("Ivan Shchukin")`` == ``fio_key("иван щукин")``:
    the words are transliterated, ``ё`` read as ``е``, and sorted.
    """
    text = " ".join(p for p in (_plain(part) for part in parts) if p)
    return translit_key(text.lower().replace("ё", "е"), sort_tokens=True) if text else ""
