"""Latin and Cyrillic letters that look the same (``о``/``o``, ``р``/``p``, ``с``/``c`` ...).

People and OCR mix them inside one word: ``Иванoв`` with a Latin ``o`` does not match
``Иванов``. :func:`fix_mixed_script` puts every letter of a word into the word's main script.
"""

from __future__ import annotations

import re

__all__ = ["fix_mixed_script", "to_cyrillic", "to_latin"]

_LATIN = "AaBCcEeHKMOoPpTXxyËë"
_CYRILLIC = "АаВСсЕеНКМОоРрТХхуЁё"
_TO_CYRILLIC = str.maketrans(_LATIN, _CYRILLIC)
_TO_LATIN = str.maketrans(_CYRILLIC, _LATIN)
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD_RE = re.compile(r"[^\W\d_]+")


def to_cyrillic(text: str) -> str:
    """Replace Latin look-alike letters by Cyrillic ones (``"Рoмашка"`` → ``"Ромашка"``)."""
    return text.translate(_TO_CYRILLIC)


def to_latin(text: str) -> str:
    """Replace Cyrillic look-alike letters by Latin ones (``"mаil.ru"`` → ``"mail.ru"``)."""
    return text.translate(_TO_LATIN)


def _fix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    cyrillic = len(_CYRILLIC_RE.findall(word))
    latin = len(_LATIN_RE.findall(word))
    if not cyrillic or not latin:
        return word
    return to_cyrillic(word) if cyrillic >= latin else to_latin(word)


def fix_mixed_script(text: str) -> str:
    """Put each word that mixes Latin and Cyrillic letters into its majority script.

    Only look-alike letters change; a tie goes to Cyrillic. Words in one script are left
    alone, so ``"Ivan Иванов"`` stays as it is.

    Example:
        >>> fix_mixed_script("Иванoв Cергей")
        'Иванов Сергей'
    """
    if text.isascii() or not (_CYRILLIC_RE.search(text) and _LATIN_RE.search(text)):
        return text
    return _WORD_RE.sub(_fix_word, text)
