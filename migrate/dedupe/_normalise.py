"""The one place where dedupe calls value normalisers (the seam to :mod:`cleaners`).

Every function here takes one raw or cleaned cell and returns a match key (``""`` for none).
They are idempotent, so a CleanTable's already-cleaned values pass through unchanged, and in
stand-alone mode the raw text of an arbitrary file is normalised by the same code. Phones,
e-mails, INNs, company names, transliteration and look-alike letters are delegated to
:mod:`cleaners` (phone, e-mail and INN keys are :mod:`cleaners.keys`, the rule the plan matches
portal records with too); what is left here are match-only keys (identifiers, name words'
roles, codes).
"""

from __future__ import annotations

import re
import unicodedata

import cleaners
from cleaners.keys import email_key, inn_is_valid, inn_key, phone_key

__all__ = [
    "assign_roles",
    "company_key",
    "email_key",
    "identifier_key",
    "inn_is_valid",
    "inn_key",
    "name_tokens",
    "phone_key",
    "role_hint",
    "split_fio",
    "split_multi",
    "translit_key",
]

_NON_ALNUM = re.compile(r"[^0-9a-zа-я]+")
_DOUBLE = re.compile(r"(.)\1+")
# separators; the spaces around one go with it (see _split)
_SPLIT_MULTI = re.compile(r"[,;/|\n]|\bили\b|\bor\b")
_SPLIT_NUMBERS = re.compile(r"[;|\n]|\bили\b|\bor\b")
_FRAGMENT = re.compile(r"^[\d\s()+\-.]{1,6}$")  # digits too few to be a phone on their own


def _plain(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text in ("nan", "None", "<NA>", "NaT"):
        return ""
    return unicodedata.normalize("NFKC", text).strip().lower().replace("ё", "е")


def translit_key(value: object) -> str:
    """A Latin match key (:func:`cleaners.translit_key`): ``Щукин`` → ``shukin`` = ``Shchukin``."""
    return cleaners.translit_key(_plain(value))


def name_tokens(value: object) -> list[str]:
    """Tokens of a person's name as written (lower case, punctuation dropped, initials kept)."""
    return [t for t in re.split(r"[^0-9a-zа-я]+", _plain(value)) if t]


def company_key(value: object) -> str:
    """A company name without legal form, quotes, look-alikes (``cleaners.company_name_key``)."""
    if value is None or str(value) in ("nan", "None", "<NA>"):
        return ""
    return cleaners.company_name_key(unicodedata.normalize("NFKC", str(value)).strip())


def split_multi(value: object) -> list[str]:
    """Several values in one cell (``"a@x.ru; b@y.ru"``) or a tuple of (value, type) pairs."""
    if value is None:
        return []
    if isinstance(value, tuple | list):
        out: list[str] = []
        for item in value:
            out.extend(split_multi(item[0] if isinstance(item, tuple | list) else item))
        return out
    text = str(value).strip()
    if not text or text in ("nan", "None", "<NA>"):
        return []
    parts = [part for part in _split(text, _SPLIT_MULTI) if part]
    if len(parts) > 1 and any(_FRAGMENT.match(part) for part in parts):
        # «310/246-1501», «(495) 123-45-67, доб. 12»: pieces of one number, not several values
        return [part for part in _split(text, _SPLIT_NUMBERS) if part]
    return parts


def _split(text: str, separator: re.Pattern[str]) -> list[str]:
    r"""``re.split(r"\s*(?:SEP)\s*", text)``, in linear time.

    That pattern restarted at each character of a run of spaces and read the run to its end
    (40,000 tabs in a cell hung dedupe). Here the separator is found first, then widened the
    way the pattern did: over the spaces before it, and, when it is a line break, to a
    separator right after its spaces (the pattern's greedy `\s*` preferred that one).
    """
    pieces, start = [], 0
    while found := separator.search(text, start):
        begin, end = found.start(), found.end()
        while begin > start and text[begin - 1].isspace():
            begin -= 1
        if found.group() == "\n":
            after = end
            while after < len(text) and text[after].isspace():
                after += 1
            later = separator.match(text, after)
            end = later.end() if later and after < len(text) else after
        while end < len(text) and text[end].isspace():
            end += 1
        pieces.append(text[start:begin])
        start = end
    pieces.append(text[start:])
    return pieces


def identifier_key(value: object) -> str:
    """Letters and digits only, upper case: ``"7707 083 893"`` → ``7707083893``."""
    text = _plain(value)
    if text.endswith(".0") and text[:-2].isdigit():  # a numeric id read as a float
        text = text[:-2]
    return re.sub(r"[^0-9a-zа-я]", "", text).upper()


_SURNAME = re.compile(
    r"(ов|ев|ин|ын|ова|ева|ина|ына|ский|ская|цкий|цкая|енко|ук|юк|ых|их|"
    r"ov|ev|in|yn|ova|eva|ina|yna|sky|skiy|skii|skaya|tsky|enko|uk|yuk)$"
)


def _given_names() -> frozenset[str]:
    from faker.providers.person.ru_RU import Provider

    from migrate.dedupe._nicknames import known_given_names

    names = {*Provider.first_names_male, *Provider.first_names_female}
    plain = {n.lower().replace("ё", "е") for n in names} | known_given_names()
    return frozenset(plain | {translit_key(n) for n in plain})


_GIVEN: frozenset[str] | None = None


def role_hint(token: str) -> str:
    """What a name word looks like: ``initial``, ``patronymic``, ``given``, ``surname``, ``""``."""
    global _GIVEN
    if _GIVEN is None:
        _GIVEN = _given_names()
    if len(token) == 1:
        return "initial"
    if cleaners.is_patronymic(token):
        return "patronymic"
    if token in _GIVEN or translit_key(token) in _GIVEN:
        return "given"
    return "surname" if _SURNAME.search(token) else ""


def assign_roles(hints: list[str], surname_first: bool) -> tuple[int, int, int]:
    """Indices of the (surname, given, patronymic) words among words with these hints (-1: none)."""
    roles: dict[str, int] = {}
    rest: list[int] = []
    for index, hint in enumerate(hints):
        role = hint
        if hint == "initial":
            role = "given" if "given" not in roles else "patronymic"
        if role and role not in roles:
            roles[role] = index
        else:
            rest.append(index)
    order = (
        ("surname", "given", "patronymic") if surname_first else ("given", "surname", "patronymic")
    )
    for index in rest:
        free = next((r for r in order if r not in roles), None)
        if free is None:
            break
        roles[free] = index
    return roles.get("surname", -1), roles.get("given", -1), roles.get("patronymic", -1)


def split_fio(value: object, surname_first: bool = True) -> tuple[str, str, str]:
    """``(surname, given name, patronymic)`` of a full name in any order, lower case.

    Roles come from the words themselves (a patronymic ends in -вич/-вна, a given name is a
    known first name, a surname ends in -ов/-ин/-ский…); words left over fill the empty roles
    in the written order (surname first for ФИО columns, given name first otherwise). A single
    letter is an initial: the first belongs to the given name, the second to the patronymic.
    """
    tokens = name_tokens(value)
    picked = assign_roles([role_hint(t) for t in tokens], surname_first)
    return tuple(tokens[i] if i >= 0 else "" for i in picked)  # type: ignore[return-value]


# runs of letters and digits joined by single ``-./``; a code is one holding a digit (found
# by the chunks first: a pattern asking for the digit inside backtracks quadratically on a
# 40,000-letter cell)
_CHUNK = re.compile(r"[0-9a-zа-я]+(?:[-./][0-9a-zа-я]+)*", re.I)
_HAS_DIGIT = re.compile(r"[0-9]")


def code_tokens(value: object) -> list[str]:
    """Model numbers, SKUs, part codes in free text: words with a digit, ``-./`` dropped.

    ``"Garmin LX-7964 mp3 player"`` → ``["lx7964"]``; a bare number of one or two digits
    (``2 pack``) is no code.
    """
    tokens = (t.lower().replace("-", "").replace(".", "").replace("/", "")
              for t in _CHUNK.findall(_plain(value)) if _HAS_DIGIT.search(t))  # fmt: skip
    return sorted({t for t in tokens if len(t) >= 3})


def codes_key(value: object) -> str:
    """The code tokens of a text, sorted and joined by a space (``""`` without any)."""
    return " ".join(code_tokens(value))
