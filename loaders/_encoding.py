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
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

__all__ = ["encode_query", "encode_value"]


def encode_query(params: Mapping[str, Any]) -> str:
    """Encode ``params`` as a PHP-bracket query string (no leading ``?``)."""
    if not isinstance(params, Mapping):
        raise TypeError("the top level of Bitrix24 parameters must be a mapping")
    out: list[str] = []
    for key, value in params.items():
        _encode(value, _quote_name(str(key)), out)
    return "&".join(out)


def encode_value(value: Any) -> str:
    """Return the text form of one scalar parameter value (not percent-encoded)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int | Decimal):
        return str(value)
    raise TypeError(f"cannot encode a {type(value).__name__} as a Bitrix24 parameter value")


_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")


@lru_cache(maxsize=4096)
def _quote_name(name: str) -> str:
    return quote(name, safe="")


def _quote_value(text: str) -> str:
    return text if _SAFE.fullmatch(text) else quote(text, safe="")


def _encode(value: Any, prefix: str, out: list[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _encode(item, f"{prefix}[{_quote_name(str(key))}]", out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _encode(item, f"{prefix}[{index}]", out)
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        _encode(list(value), prefix, out)
    else:
        out.append(f"{prefix}={_quote_value(encode_value(value))}")
