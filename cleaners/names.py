"""Person names: case, spaces, look-alike letters; the ФИО splitter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cleaners._base import OnError
from cleaners._common import NULL_MARKERS, apply, define, fail
from cleaners._first_names import FIRST_NAMES
from cleaners.bulk import FastResult, as_strings, flag, matches, register_fast, within
from cleaners.lookalikes import fix_mixed_script
from cleaners.registry import register

__all__ = [
    "clean_person_name",
    "fast_person_name",
    "fast_split_fio",
    "is_patronymic",
    "split_fio",
]

NAME_INVALID = define(
    "person_name.invalid",
    "Имя содержит недопустимые символы: «{value}»",
    "The name contains characters a name cannot have: '{value}'",
)

MAX_CELL = 500
PARTICLES = frozenset(
    {"оглы", "кызы", "улы", "уулу", "кизи", "фон", "дер", "де", "ван", "ди", "да", "дю", "ибн",
     "бин", "von", "van", "der", "de", "di", "da", "du", "la", "le", "bin", "ibn"}
)  # fmt: skip
"""Lower-case words inside a name (``Мамедов Рашид Гасан оглы``, ``фон Браун``)."""

_ALLOWED_RE = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]*)*\.?|[-'’.]")
_SEGMENT_RE = re.compile(r"[^\W\d_]+")
_PATRONYMIC_RE = re.compile(r"(?:[ое]вич|[ое]вна|ична|инична|ич)$")
_SURNAME_RE = re.compile(
    r"(?:ов|ова|ев|ева|ёв|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|ской|ой|их|ых|енко|ко|ук|юк|дзе|швили|ян)$"
)
_HYPHEN_RE = re.compile(r"\s*-\s*")
_DOT_RE = re.compile(r"\.(?=[^\W\d_])")
_INITIAL_RE = re.compile(r"[^\W\d_]\.")
_TURKIC = frozenset({"оглы", "кызы", "улы", "уулу", "кизи"})
_INITIALS_RE = re.compile(r"(?:[^\W\d_]\.){1,2}|[^\W\d_]\.?[^\W\d_]\.?")


def _case_word(word: str, position: int) -> str:
    """Title-case a word typed all in upper or lower case; leave mixed case alone."""
    if word.casefold() in PARTICLES and position > 0:
        return word.lower()
    if not (word.isupper() or word.islower()):
        return word
    return _SEGMENT_RE.sub(lambda m: m.group(0).capitalize(), word.lower())


def _normalize_initials(words: list[str]) -> list[str]:
    """``"И." "И."`` → ``"И.И."``; ``"и.и."`` → ``"И.И."``."""
    out: list[str] = []
    for word in words:
        if out and _INITIAL_RE.fullmatch(word) and _INITIAL_RE.fullmatch(out[-1]):
            out[-1] += word
        else:
            out.append(word)
    return out


@lru_cache(maxsize=65536)  # names repeat; errors are not cached
def _normalize(text: str) -> str:
    text = text.replace("’", "'")
    text = _HYPHEN_RE.sub("-", text)
    text = _DOT_RE.sub(". ", text)
    words = [w for w in text.split(" ") if w]
    if not all(_ALLOWED_RE.fullmatch(w) for w in words) or not any(w.strip("-'.") for w in words):
        raise fail(NAME_INVALID, text)
    words = _normalize_initials([_case_word(w, i) for i, w in enumerate(words)])
    return fix_mixed_script(" ".join(words))


@register("person_name")
def clean_person_name(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Normalise a person's name (one part or a whole ФИО).

    Input: ``ИВАНОВ``, ``иван-петров``, ``  Иванoв  `` (Latin ``o``), ``иванов и.и.``.
    Output: words in title case when they were typed all upper or all lower (mixed case
    such as ``МакДональд`` is kept), particles (``оглы``, ``фон``) lower-case, single spaces,
    no spaces around hyphens, initials joined (``И.И.``), look-alike Latin/Cyrillic letters
    put into the word's script.
    Errors: ``person_name.invalid`` (digits, ``@`` or other symbols), ``value.too_long``.

    Example:
        >>> clean_person_name("ИВАНОВА  мария-луиза")
        'Иванова Мария-Луиза'
    """
    return apply(_normalize, value, on_error, limit=MAX_CELL)


def is_patronymic(word: str) -> bool:
    """True for ``Иванович``, ``Петровна``, ``Ильинична``, ``оглы`` (case-insensitive)."""
    lowered = word.lower()
    if lowered in _TURKIC:
        return True
    return len(word) > 4 and bool(_PATRONYMIC_RE.search(lowered.split("-")[0]))


def _is_first_name(word: str) -> bool:
    return word.lower().replace("ё", "е") in FIRST_NAMES


def _is_initials(word: str) -> bool:
    return bool(_INITIALS_RE.fullmatch(word)) and "." in word


def _split_initials(word: str) -> tuple[str, str | None]:
    letters = [part + "." for part in word.split(".") if part]
    return letters[0], (letters[1] if len(letters) > 1 else None)


def _split_words(words: list[str]) -> tuple[str | None, str | None, str | None]:
    if len(words) == 1:
        return (None, words[0], None) if _is_first_name(words[0]) else (words[0], None, None)
    if _is_initials(words[-1]) or _is_initials(words[0]):
        at_end = _is_initials(words[-1])
        initials, rest = (words[-1], words[:-1]) if at_end else (words[0], words[1:])
        first, middle = _split_initials(initials)
        return " ".join(rest), first, middle
    patronymic = next((i for i, w in enumerate(words) if i > 0 and is_patronymic(w)), None)
    if patronymic is not None:
        if patronymic == 1:  # Иван Иванович [Иванов]
            return (" ".join(words[2:]) or None), words[0], words[1]
        if words[patronymic].lower() in _TURKIC and patronymic > 2:  # Рашид Гасан оглы
            patronymic -= 1
        middle = " ".join(words[patronymic:])
        return " ".join(words[: patronymic - 1]), words[patronymic - 1], middle
    if len(words) == 2 and _looks_first_last(words[0], words[1]):
        return words[1], words[0], None
    return words[0], words[1], (" ".join(words[2:]) or None)


def _looks_first_last(first: str, second: str) -> bool:
    """ "Иван Иванов" rather than "Иванов Иван"."""
    if _is_first_name(first) != _is_first_name(second):
        return _is_first_name(first)
    lowered = (first.lower(), second.lower())
    return not _SURNAME_RE.search(lowered[0]) and bool(_SURNAME_RE.search(lowered[1]))


def split_fio(value: str | None) -> tuple[str | None, str | None, str | None]:
    """Split a full name into ``(last, first, middle)``; missing parts are ``None``.

    The name is first cleaned with :func:`clean_person_name` (kept as is when it cannot be).
    Heuristics, in order:

    1. One word: a first name when it is in the list of common Russian first names, else
       a last name.
    2. Initials before or after the surname: ``Иванов И.И.``, ``И. И. Иванов``.
    3. A patronymic (endings ``-вич``, ``-вна``, ``-ична``, ``-инична``, ``-ич``, or the
       words ``оглы``/``кызы``/``улы``/``уулу``): the word before it is the first name, the
       words before that the last name (double surnames survive), the patronymic and
       anything after it the middle name (``Иванова Мария Петровна-Сидорова`` → middle
       ``Петровна-Сидорова``); ``Иван Иванович Иванов`` (first, middle, last) is recognised.
    4. Two words: "first last" when only the first is a known first name, or when only the
       second has a surname ending (``-ов``, ``-ева``, ``-ский``, ``-енко``...); otherwise
       "last first" (the Russian official order).
    5. Otherwise: last, first, then the rest as the middle name.

    Example:
        >>> split_fio("ИВАНОВ Иван Иванович")
        ('Иванов', 'Иван', 'Иванович')
    """
    name = clean_person_name(value, on_error="keep")
    if not name:
        return (None, None, None)
    words = name.split()
    return _split_words(words) if words else (None, None, None)


# Fast path (see cleaners.bulk): Cyrillic or Latin words, each in title case, all upper or all lower
# case, between plain spaces, none of them a particle. The cleaner only re-cases such a name
# (every word becomes title case) and collapses the spaces; "nan", "None" are no name.
_PLAIN_WORD = "(?:[А-ЯЁ][а-яё]+|[А-ЯЁ]+|[а-яё]+|[A-Z][a-z]+|[A-Z]+|[a-z]+)"
_PLAIN_NAME = f"^ *{_PLAIN_WORD}(?: +{_PLAIN_WORD})* *$"
_PARTICLE = "(?:^| )(?:" + "|".join(sorted(PARTICLES)) + ")(?: |$)"
_NULL_WORDS = sorted(NULL_MARKERS)  # "nan", "none": no name at all


def _plain_names(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Where ``values`` are plain names, and every value with its spaces collapsed, re-cased."""
    spaced = pc.replace_substring_regex(pc.utf8_trim(values, " "), " +", " ")
    plain = matches(values, _PLAIN_NAME) & within(values, MAX_CELL)
    lowered = pc.utf8_lower(spaced)
    plain &= ~matches(lowered, _PARTICLE) & ~flag(pc.is_in(lowered, pa.array(_NULL_WORDS)))
    return plain, pc.utf8_title(spaced)


@register_fast("person_name")
def fast_person_name(values: pa.Array) -> FastResult:
    """Fast path of :func:`clean_person_name` for plain Cyrillic or Latin names."""
    hits, names = _plain_names(values)
    cleaned = np.full(len(values), None, dtype=object)
    cleaned[hits] = names.filter(pa.array(hits)).to_numpy(zero_copy_only=False)
    return FastResult(hits, cleaned)


def fast_split_fio(values: pa.Array | Sequence[str]) -> FastResult:
    """:func:`split_fio` of many names at once: plain names skip the cleaning.

    Hits are the values :func:`fast_person_name` recognises; ``cleaned`` holds their
    ``(last, first, middle)``.
    """
    values = as_strings(values)
    hits, names = _plain_names(values)
    parts = np.full(len(values), None, dtype=object)
    plain = names.filter(pa.array(hits)).to_pylist()
    parts[hits] = np.fromiter(
        (_split_words(name.split(" ")) for name in plain), dtype=object, count=len(plain)
    )
    return FastResult(hits, parts)
