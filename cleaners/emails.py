"""E-mail addresses: syntax, lower case, several per cell, likely typos of common domains."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz.distance import OSA

from cleaners._base import CleanerError, OnError
from cleaners._common import apply, define, fail, prepare
from cleaners.bulk import FastResult, flag, matches, register_fast, within
from cleaners.lookalikes import fix_mixed_script
from cleaners.registry import register

__all__ = [
    "COMMON_EMAIL_DOMAINS",
    "clean_email",
    "clean_emails",
    "fast_email",
    "fast_emails",
    "suggest_domain",
]

EMAIL_INVALID = define(
    "email.invalid",
    "Некорректный адрес электронной почты «{value}»",
    "Invalid e-mail address '{value}'",
)
EMAIL_DOMAIN_TYPO = define(
    "email.domain_typo",
    "Похоже на опечатку в домене: «{value}» — возможно, «{suggestion}»",
    "The domain looks misspelt: '{value}' — perhaps '{suggestion}'",
)
EMAIL_SEVERAL = define(
    "email.several",
    "В ячейке несколько адресов «{value}»; загружен первый, остальные потеряются",
    "The cell holds several addresses '{value}'; the first is loaded, the rest are lost",
)
EMAIL_PARTLY_INVALID = define(
    "email.partly_invalid",
    "В ячейке «{value}» некорректные адреса: {invalid}; загружены остальные",
    "Cell '{value}' has invalid addresses: {invalid}; the others are loaded",
)

COMMON_EMAIL_DOMAINS = (
    "gmail.com", "googlemail.com", "mail.ru", "bk.ru", "list.ru", "inbox.ru", "internet.ru",
    "yandex.ru", "ya.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua", "narod.ru",
    "rambler.ru", "ro.ru", "lenta.ru", "autorambler.ru", "myrambler.ru", "outlook.com",
    "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "yahoo.com",
    "ukr.net", "tut.by", "mail.ua", "protonmail.com", "proton.me", "aol.com", "gmx.com",
    "gmx.de", "qip.ru", "pochta.ru", "mail.kz",
)  # fmt: skip
"""Domains checked for typos (an exact match is never flagged)."""

MAX_CELL = 2000
_LOCAL_RE = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*")
_DOMAIN_RE = re.compile(r"(?:(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}|xn--[a-z0-9-]+")
_SPLIT_RE = re.compile(r"[\s,;]+")
_STRIP_CHARS = "<>()[]\"'«»`.:"
_KNOWN = frozenset(COMMON_EMAIL_DOMAINS)
_GLOBAL_SLDS = {"gmail", "hotmail", "outlook", "icloud", "yahoo", "protonmail", "googlemail"}
_WRONG_TLDS = {"ru", "com.ru", "co", "cm", "om", "con", "comm"}
# A longer domain cannot be a typo: it is more than two edits from every common domain (an
# edit changes the length by at most one) and longer than any global provider's wrong ending.
_LONGEST_TYPO = max(
    max(map(len, COMMON_EMAIL_DOMAINS)) + 2,
    max(map(len, _GLOBAL_SLDS)) + 1 + max(map(len, _WRONG_TLDS)),
)


@lru_cache(maxsize=8192)
def suggest_domain(domain: str) -> str | None:
    """A common domain that ``domain`` is probably a typo of, or ``None``.

    Heuristic: one edit (insert, delete, substitute or swap two neighbours) from a known
    domain, two edits when the known domain has more than eight characters; domains whose
    first label is at most three letters (``bk``, ``ya``, ``ro``, ``me``) are matched only on
    the ending, so other short real domains are not flagged. ``gmail.ru`` → ``gmail.com``:
    global providers under a wrong ending.

    Example:
        >>> suggest_domain("gmial.com")
        'gmail.com'
    """
    if domain in _KNOWN or len(domain) > _LONGEST_TYPO:
        return None
    sld, _, tld = domain.partition(".")
    if sld in _GLOBAL_SLDS and tld in _WRONG_TLDS:
        return f"{sld}.com"
    best: tuple[int, str] | None = None
    for known in COMMON_EMAIL_DOMAINS:
        known_sld = known.partition(".")[0]
        if len(known_sld) <= 3 and sld != known_sld:
            continue
        limit = 2 if len(known) > 8 else 1
        distance = OSA.distance(domain, known, score_cutoff=limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, known)
    return None if best is None else best[1]


def _address(token: str) -> str | None:
    """The canonical lower-case address in ``token``, or ``None`` when it is not one."""
    token = token.strip(_STRIP_CHARS)
    if token.lower().startswith("mailto:"):
        token = token[7:]
    local, at, domain = token.rpartition("@")
    if not at or not local or not domain:
        return None
    local = fix_mixed_script(local)
    domain = fix_mixed_script(domain.rstrip(".")).lower()
    if not _LOCAL_RE.fullmatch(local) or not _DOMAIN_RE.fullmatch(domain) or len(local) > 64:
        return None
    return f"{local.lower()}@{domain}"


def _parse(text: str) -> tuple[list[str], list[str]]:
    """Split a cell into addresses and leftovers (words without ``@`` and ``.`` are names)."""
    text = re.sub(r"\s*@\s*", "@", text)
    good: list[str] = []
    bad: list[str] = []
    for token in _SPLIT_RE.split(text):
        if prepare(token.strip(_STRIP_CHARS), junk=True) is None:
            continue
        address = _address(token)
        if address is not None:
            if address not in good:
                good.append(address)
        elif "@" in token or "." in token.strip(_STRIP_CHARS):
            bad.append(token)
    return good, bad


def _repair(bad: list[str]) -> str | None:
    """For a single address with a broken common domain (``ivan@inbox.r``), the repair."""
    if len(bad) != 1 or bad[0].count("@") != 1:
        return None
    local, domain = bad[0].lower().split("@")
    suggestion = suggest_domain(domain)
    if suggestion is None or _address(f"{local}@{suggestion}") is None:
        return None
    return f"{local}@{suggestion}"


def _typo_warning(text: str, addresses: list[str]) -> CleanerError | None:
    for index, address in enumerate(addresses):
        local, _, domain = address.partition("@")
        suggestion = suggest_domain(domain)
        if suggestion is not None:
            fixed = list(addresses)
            fixed[index] = f"{local}@{suggestion}"
            shown = fixed[0] if len(fixed) == 1 else ", ".join(fixed)
            return fail(
                EMAIL_DOMAIN_TYPO, text, severity="warning", suggestion=shown, cleaned=addresses
            )
    return None


def _many(text: str) -> list[str]:
    good, bad = _parse(text)
    if not good:
        raise fail(EMAIL_INVALID, text, suggestion=_repair(bad))
    if bad:
        invalid = ", ".join(bad)
        raise fail(EMAIL_PARTLY_INVALID, text, severity="warning", cleaned=good, invalid=invalid)
    warning = _typo_warning(text, good)
    if warning is not None:
        raise warning
    return good


@register("emails")
def clean_emails(value: str | None, *, on_error: OnError = "raise") -> list[str] | None:
    """Normalise a cell with one or several e-mail addresses.

    Input: addresses separated by spaces, ``,`` or ``;``; ``mailto:``, angle brackets and a
    display name (``Иван <ivan@mail.ru>``) are tolerated; Cyrillic look-alike letters in an
    address are replaced by Latin ones; "нет", "-", "n/a" mean no address.

    Output: the distinct addresses, lower-case (``[]`` for an empty cell).
    Errors: ``email.invalid`` (no valid address), warnings ``email.partly_invalid`` and
    ``email.domain_typo`` (suggestion: the address with the common domain; ``cleaned``
    keeps the address as written).

    Example:
        >>> clean_emails("Ivan@Mail.ru; petrov@yandex.ru")
        ['ivan@mail.ru', 'petrov@yandex.ru']
    """
    return apply(_many, value, on_error, junk=True, limit=MAX_CELL, multi=True)


@register("email")
def clean_email(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Normalise one e-mail address (the first when the cell holds several).

    Input and errors as :func:`clean_emails`; a cell with more than one address keeps the
    first with the warning ``email.several`` (use ``emails`` for multi-valued fields).

    Output: ``local@domain`` in lower case, or ``None``.

    Example:
        >>> clean_email(" Ivan.Petrov@GMAIL.COM ")
        'ivan.petrov@gmail.com'
    """
    return apply(_first, value, on_error, junk=True, limit=MAX_CELL)


def _first(text: str) -> str:
    try:
        addresses = _many(text)
    except CleanerError as error:
        if error.severity == "warning":
            error.cleaned = error.cleaned[0]
        raise
    if len(addresses) > 1:
        raise fail(EMAIL_SEVERAL, text, severity="warning", cleaned=addresses[0])
    return addresses[0]


# Fast path (see cleaners.bulk): cells of plain ASCII addresses (letters, digits, ``._+-``
# before the ``@``, dotted labels after it; ``mailto:`` allowed) between spaces, commas and
# semicolons, each local
# part at most 64 characters and no domain a likely typo. The cleaner lower-cases them and
# drops repeats.
_ADDRESS = (
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SEPARATORS = " ,;"
_MAILTO = "(?:(?i:mailto):)?"
_PLAIN_CELL = (
    f"^[{_SEPARATORS}]*{_MAILTO}{_ADDRESS}(?:[{_SEPARATORS}]+{_MAILTO}{_ADDRESS})*[{_SEPARATORS}]*$"
)
_LONG_LOCAL = "[^ ,;@]{65,}@"


def _fast_addresses(values: pa.Array) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Hits, which hits hold one address, and the addresses of each hit."""
    hits = matches(values, _PLAIN_CELL) & within(values, MAX_CELL) & ~matches(values, _LONG_LOCAL)
    cells = pc.ascii_lower(pc.utf8_trim(values.filter(pa.array(hits)), _SEPARATORS))
    cells = pc.replace_substring(cells, "mailto:", "")
    parts = pc.split_pattern_regex(cells, f"[{_SEPARATORS}]+")
    flat = pc.list_flatten(parts)
    domains = pc.dictionary_encode(pc.extract_regex(flat, "@(?P<d>.*)$").field("d"))
    known = domains.dictionary.to_pylist()
    typo = np.fromiter((suggest_domain(d) is not None for d in known), bool, len(known))
    owner = pc.list_parent_indices(parts).to_numpy()
    misspelt = np.zeros(len(cells), dtype=bool)
    misspelt[owner[typo[domains.indices.to_numpy()]]] = True
    single = flag(pc.equal(pc.list_value_length(parts), 1))
    addresses = [[cell] for cell in cells.to_pylist()]
    several = np.flatnonzero(~single)
    for index, found in zip(several, parts.take(pa.array(several)).to_pylist(), strict=True):
        addresses[index] = list(dict.fromkeys(found))
    where = np.flatnonzero(hits)
    hits[where[misspelt]] = False
    kept = [a for a, bad in zip(addresses, misspelt, strict=True) if not bad]
    return hits, single[~misspelt], kept


@register_fast("emails")
def fast_emails(values: pa.Array) -> FastResult:
    """Fast path of :func:`clean_emails`: plain addresses with well-known or unknown domains."""
    hits, _, addresses = _fast_addresses(values)
    cleaned = np.full(len(values), None, dtype=object)
    cleaned[hits] = np.fromiter(addresses, dtype=object, count=len(addresses))
    return FastResult(hits, cleaned)


@register_fast("email")
def fast_email(values: pa.Array) -> FastResult:
    """Fast path of :func:`clean_email`: a cell with one plain address."""
    hits, single, addresses = _fast_addresses(values)
    hits[np.flatnonzero(hits)[~single]] = False
    cleaned = np.full(len(values), None, dtype=object)
    cleaned[hits] = [a[0] for a, one in zip(addresses, single, strict=True) if one]
    return FastResult(hits, cleaned)
