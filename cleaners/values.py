"""Booleans, enumerations, URLs and free text."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit, urlunsplit

from rapidfuzz import fuzz, process

from cleaners._base import OnError
from cleaners._common import apply, define, fail, normalize_spaces
from cleaners.registry import register

__all__ = ["clean_boolean", "clean_enum", "clean_text", "clean_url"]

BOOLEAN_INVALID = define(
    "boolean.invalid",
    "Не удалось понять «{value}» как да/нет",
    "Cannot read '{value}' as yes/no",
)
ENUM_UNKNOWN = define(
    "enum.unknown",
    "Значения «{value}» нет в списке допустимых ({allowed})",
    "'{value}' is not one of the allowed values ({allowed})",
)
URL_INVALID = define(
    "url.invalid",
    "Некорректный адрес сайта «{value}»",
    "Invalid web address '{value}'",
)
TEXT_TRUNCATED = define(
    "text.truncated",
    "Текст длиннее {max_length} символов ({length}) и обрезан",
    "The text is longer than {max_length} characters ({length}) and was cut",
)

_TRUE = frozenset(
    {"y", "yes", "да", "д", "1", "true", "t", "истина", "+", "✓", "✔", "☑", "вкл", "on",
     "есть", "x", "х", "1.0", "ok"}
)  # fmt: skip
_FALSE = frozenset(
    {"n", "no", "нет", "н", "0", "false", "f", "ложь", "-", "–", "—", "✗", "✘", "☐", "выкл",
     "off", "0.0"}
)  # fmt: skip


def _boolean(text: str) -> str:
    key = text.casefold().rstrip(".")
    if key in _TRUE:
        return "Y"
    if key in _FALSE:
        return "N"
    raise fail(BOOLEAN_INVALID, text)


@register("boolean")
def clean_boolean(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Normalise a yes/no value to Bitrix24's ``Y``/``N``.

    Input (any case): ``да``/``нет``, ``yes``/``no``, ``y``/``n``, ``1``/``0`` (also
    ``1.0``), ``true``/``false``, ``истина``/``ложь``, ``+``/``-``, ``✓``/``✗``,
    ``вкл``/``выкл``, ``x`` (a ticked box). Output: ``Y`` or ``N``.
    Errors: ``boolean.invalid``.

    Example:
        >>> clean_boolean("Да")
        'Y'
    """
    return apply(_boolean, value, on_error, limit=50)


def _enum_key(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def _enum(text: str, choices: Mapping[str, str], cutoff: float) -> str:
    keyed = {_enum_key(label): target for label, target in choices.items()}
    key = _enum_key(text)
    if key in keyed:
        return keyed[key]
    allowed = ", ".join(list(dict.fromkeys(choices.values()))[:10])
    best = process.extractOne(key, list(keyed), scorer=fuzz.WRatio, score_cutoff=cutoff)
    suggestion = keyed[best[0]] if best is not None else None
    raise fail(ENUM_UNKNOWN, text, suggestion=suggestion, allowed=allowed)


@register("enum")
def clean_enum(
    value: str | None,
    *,
    values: Sequence[str] | Mapping[str, str],
    on_error: OnError = "raise",
    cutoff: float = 80.0,
) -> str | None:
    """Check a value against a list of allowed values (case and spaces ignored, ё = е).

    ``values`` is a list (``[Новый, В работе, Закрыт]``) or a mapping label → value to load
    (``{Сайт: WEB, Звонок: CALL}``; the values match too). Output: the allowed value as
    listed (or the mapped value). An unknown value fails with ``enum.unknown`` whose
    suggestion is the closest allowed value by rapidfuzz ``WRatio`` ≥ ``cutoff``.

    Example:
        >>> clean_enum("в  работе", values=["Новый", "В работе"])
        'В работе'
    """
    if isinstance(values, Mapping):
        choices = {**{v: v for v in values.values()}, **values}
    else:
        choices = {v: v for v in values}
    return apply(lambda text: _enum(text, choices, cutoff), value, on_error, limit=1000)


_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_LABEL_RE = re.compile(r"(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?|(?!-)[a-z0-9-]{1,63}", re.IGNORECASE)
_TLD_RE = re.compile(r"[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59}", re.IGNORECASE)


def _host_ok(host: str) -> bool:
    labels = host.split(".")
    if len(labels) < 2 or not _TLD_RE.fullmatch(labels[-1]):
        return False
    return all(_LABEL_RE.fullmatch(label) for label in labels)


def _url(text: str, scheme: str) -> str:
    text = re.sub(r"\s*([./:])\s*", r"\1", text).strip("<>\"'«» ")
    if "@" in text.split("/")[0] and "://" not in text:
        raise fail(URL_INVALID, text)
    if not _SCHEME_RE.match(text):
        text = f"{scheme}://{text.lstrip('/')}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a broken IPv6 literal or port
        raise fail(URL_INVALID, text) from None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() not in {"http", "https"} or not _host_ok(host):
        raise fail(URL_INVALID, text)
    netloc = host.lower() + (f":{port}" if port else "")
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="=&%:@!$'()*+,;/?-._~")
    return urlunsplit((parts.scheme.lower(), netloc, path, query, parts.fragment))


@register("url")
def clean_url(
    value: str | None, *, on_error: OnError = "raise", scheme: str = "https"
) -> str | None:
    """Normalise a web address.

    Input: ``site.ru``, ``www.site.ru/page``, ``HTTP://Site.RU``, ``сайт.рф``,
    ``site . ru`` (spaces around dots fixed), a path with spaces.
    Output: ``scheme://host/path`` with ``scheme`` added when missing, the host in lower
    case (IDN kept in Unicode), spaces in the path as ``%20``.
    Errors: ``url.invalid`` (no host with a top-level domain, an e-mail, another scheme).

    Example:
        >>> clean_url("WWW.Site.ru/о компании")
        'https://www.site.ru/%D0%BE%20%D0%BA%D0%BE%D0%BC%D0%BF%D0%B0%D0%BD%D0%B8%D0%B8'
    """
    return apply(lambda text: _url(text, scheme), value, on_error, junk=True, limit=4000)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _text(text: str, max_length: int | None, multiline: bool) -> str | None:
    text = unicodedata.normalize("NFC", _CONTROL_RE.sub("", text))
    text = normalize_spaces(text, multiline=multiline)
    if not text:
        return None
    if max_length is not None and len(text) > max_length:
        cleaned = text[:max_length].rstrip()
        raise fail(
            TEXT_TRUNCATED,
            text,
            severity="warning",
            cleaned=cleaned,
            max_length=max_length,
            length=len(text),
        )
    return text


@register("text")
def clean_text(
    value: str | None,
    *,
    on_error: OnError = "raise",
    max_length: int | None = None,
    multiline: bool = False,
) -> str | None:
    """Tidy free text.

    Removes zero-width and control characters, turns non-breaking and other Unicode
    spaces into plain spaces, collapses runs of spaces, strips the ends and applies
    Unicode NFC. With ``multiline`` line breaks are kept (one per break, spaces around them
    removed), otherwise they become spaces. Text longer than ``max_length`` is cut with the
    warning ``text.truncated``; there is no other length limit. ``nan``/``NULL``/``#N/A``
    mean no value. Output: the text, or ``None`` when nothing is left.

    Example:
        >>> clean_text("  Звонить\\u00a0после\\u200b 18:00 ")
        'Звонить после 18:00'
    """
    return apply(
        lambda text: _text(text, max_length, multiline),
        value,
        on_error,
        multiline=multiline,
        limit=sys.maxsize,
    )
