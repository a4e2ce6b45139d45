"""PHP-bracket query strings, as Bitrix24 parses them.

``{"fields": {"PHONE": [{"VALUE": "+7 999", "VALUE_TYPE": "WORK"}]}}`` becomes
``fields[PHONE][0][VALUE]=%2B7%20999&fields[PHONE][0][VALUE_TYPE]=WORK``.

Rules: mappings nest as ``key[sub]``, sequences as ``key[0]``, ``key[1]`` (PHP builds the same
array from explicit indexes as from ``key[]``); empty mappings and sequences are left out (PHP
cannot tell an empty array from a missing one in a query string); ``None`` is an empty value;
booleans are ``Y``/``N`` (the CRM convention); dates and datetimes use ISO 8601. Names and values
are percent-encoded (``>ID`` → ``%3EID``, ``$result[a]`` → ``%24result%5Ba%5D``), the structural
brackets stay raw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

__all__ = ["encode_query", "encode_value"]


def encode_query(params: Mapping[str, Any]) -> str:
    """Encode ``params`` as a PHP-bracket query string (no leading ``?``)."""
    if not isinstance(params, Mapping):
        raise TypeError("the top level of Bitrix24 parameters must be a mapping")
    return "&".join(f"{name}={value}" for name, value in _pairs(params, prefix=None))


def encode_value(value: Any) -> str:
    """Return the text form of one scalar parameter value (not percent-encoded)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int | Decimal | str):
        return str(value)
    raise TypeError(f"cannot encode a {type(value).__name__} as a Bitrix24 parameter value")


def _pairs(value: Any, prefix: str | None) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        items: Iterator[tuple[Any, Any]] = iter(value.items())
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = enumerate(value)
    else:
        yield str(prefix), quote(encode_value(value), safe="")
        return
    for key, item in items:
        name = quote(str(key), safe="")
        yield from _pairs(item, name if prefix is None else f"{prefix}[{name}]")
