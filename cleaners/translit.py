"""One comparable form for names written in Cyrillic or in any common Latin transliteration.

``translit_key("Иванов Сергей") == translit_key("Ivanov Sergey") == translit_key("Ivanov
Sergei")``: dedupe uses the key for blocking and scoring person and company names that the
source systems spelled differently.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleaners.lookalikes import fix_mixed_script

__all__ = ["translit_key"]

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "і": "i", "ї": "i",
    "є": "e", "ґ": "g", "ў": "u",
}  # fmt: skip
_TABLE = str.maketrans(_CYRILLIC)

# Applied in order to the Latin text; each folds spellings of one Russian sound together.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"shch|sch|tsch", "sh"),
        (r"tch", "ch"),
        (r"kh", "h"),
        (r"x", "ks"),
        (r"ph", "f"),
        (r"w", "v"),
        (r"q", "k"),
        (r"tz|tc(?!h)|c(?=[eiy])", "ts"),
        (r"c(?!h)", "k"),
        (r"\b(?:ye|je)", "e"),
        (r"\b(?:yo|jo)", "e"),
        (r"(?<=[^aeiouy\W])(?:yo|jo|io)", "e"),
        (r"yu|ju|iu", "U"),
        (r"ya|ja|ia", "A"),
        (r"ye|je", "ie"),
        (r"[yj]", "i"),
        (r"U", "iu"),
        (r"A", "ia"),
        (r"ii+", "i"),
        (r"(?<=[^aeiou\W])ie(?=[^aeiou\W])", "e"),
        (r"ie\b", "ii"),
        (r"(.)\1+", r"\1"),
    )
)
_NON_LETTERS_RE = re.compile(r"[^a-z]+")
_DOUBLE_RE = re.compile(r"(.)\1+")
_WORD_SPLIT_RE = re.compile(r"[\s,;/]+")


def _latin(text: str) -> str:
    """Lower-case Latin letters only: Cyrillic transliterated, accents dropped."""
    text = fix_mixed_script(text.lower()).translate(_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# any rule that would change the text: a round where none matches changes nothing
_ANY_RULE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _RULES))


def _fold(latin: str) -> str:
    """Apply the folding rules until the text stops changing (at most a few rounds)."""
    for _ in range(4):
        if not _ANY_RULE.search(latin):
            break
        previous = latin
        for pattern, replacement in _RULES:
            latin = pattern.sub(replacement, latin)
        if latin == previous:
            break
    return latin


@lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    """The key of one word (cached: names repeat)."""
    latin = _NON_LETTERS_RE.sub(" ", _latin(word))
    return " ".join(_fold(_DOUBLE_RE.sub(r"\1", latin)).split())


def translit_key(text: str | None, *, sort_tokens: bool = False) -> str:
    """A transliteration-insensitive key: Latin letters, one space between words.

    Cyrillic is transliterated (ГОСТ-like, ``ё`` as ``e``, ``й`` and ``ы`` as ``i``), then
    common spelling variants are folded: ``kh``/``h``, ``ts``/``tz``/``c`` before ``e i y``
    → ``c``, other ``c`` → ``k``, ``shch``/``sch``/``sh``, ``x``/``ks``, ``ya``/``ia``/``ja``,
    ``yu``/``iu``/``ju``,
    ``yo``/``jo``/``e``, initial ``ye``/``e``, ``y``/``j`` → ``i``, double letters single,
    ``-ий``/``-ie``/``-y`` endings alike. With ``sort_tokens`` the words are sorted, so the
    order "first last" or "last first" does not matter.

    Example:
        >>> translit_key("Иванов Сергей") == translit_key("Ivanov Sergey")
        True
    """
    if not text:
        return ""
    words = " ".join(map(_word_key, _WORD_SPLIT_RE.split(text))).split()
    if sort_tokens:
        words.sort()
    return " ".join(words)
