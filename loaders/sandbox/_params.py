"""Request parameters as the portal sees them: PHP-bracket query strings and JSON bodies.

``fields[PHONE][0][VALUE]=1&select[]=ID`` becomes ``{"fields": {"PHONE": [{"VALUE": "1"}]},
"select": ["ID"]}``: containers whose keys are exactly ``0..n-1`` turn into lists, as a JSON
body would carry them. Values from query strings stay strings; handlers accept both.

PHP's input limits apply as on a Bitrix24 server: at most :data:`MAX_INPUT_VARS` variables
(Bitrix24 requires `max_input_vars` ≥ 10000; the rest are dropped) and
:data:`MAX_INPUT_NESTING` bracket levels (`max_input_nesting_level`, PHP's default 64: a deeper
variable is dropped); ``a[]`` appends after the largest integer key, in constant time.
"""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._errors import RestError

_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
MAX_INPUT_VARS = 10_000
MAX_INPUT_NESTING = 64

__all__ = [
    "MAX_INPUT_NESTING",
    "MAX_INPUT_VARS",
    "as_dict",
    "as_int",
    "as_list",
    "is_yes",
    "param_fields",
    "param_id",
    "parse_php_query",
]


def _split_key(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket or not head:
        return [key]
    if rest.endswith("]"):  # fast path for well-formed keys: a[b][c]
        parts = rest[:-1].split("][")
        if not any("[" in p or "]" in p for p in parts):
            return [head, *parts]
    parts = [head]
    rest = "[" + rest
    while rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            return [key]  # unbalanced: PHP keeps the key as it is
        parts.append(rest[1:end])
        rest = rest[end + 1 :]
    return parts


def _insert(root: dict[str, Any], parts: list[str], value: str, free: dict[int, int]) -> None:
    """Put ``value`` at ``parts``; ``free`` holds each container's next ``[]`` index."""
    node = root
    last = len(parts) - 1
    for i, part in enumerate(parts):
        if part == "":
            part = str(free.get(id(node), 0))
        if part.isdigit():
            free[id(node)] = max(free.get(id(node), 0), int(part) + 1)
        if i == last:
            node[part] = value
            return
        child = node.get(part)
        if child.__class__ is not dict:
            child = node[part] = {}
        node = child


def _listify(value: dict[str, Any]) -> Any:
    """Containers whose keys are exactly ``0..n-1`` become lists (in place, bottom up)."""
    for key, child in value.items():
        if child.__class__ is dict:
            value[key] = _listify(child)
    if "0" in value and list(value) == [str(i) for i in range(len(value))]:
        return list(value.values())
    return value


def _unquote(text: str) -> str:
    """``unquote_plus`` with the escapes decoded run by run (much faster for Cyrillic)."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    return _ESCAPES.sub(_decode_run, text)


def _decode_run(match: re.Match[str]) -> str:
    return bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")


def parse_php_query(query: str | bytes) -> dict[str, Any]:
    """Decode a query string with PHP bracket semantics (``a[b][0]=x``, ``a[]=y``)."""
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    root: dict[str, Any] = {}
    free: dict[int, int] = {}
    pairs = [pair for pair in query.split("&") if pair][:MAX_INPUT_VARS]
    for pair in pairs:
        key, _, value = pair.partition("=")
        parts = _split_key(_unquote(key))
        if len(parts) <= MAX_INPUT_NESTING:
            _insert(root, parts, _unquote(value), free)
    for key, child in root.items():  # the top level stays a map even for keys 0..n-1
        if child.__class__ is dict:
            root[key] = _listify(child)
    return root


def as_list(value: Any) -> list[Any]:
    """A PHP array read as a list: lists stay, maps give their values, scalars wrap."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def as_dict(value: Any, name: str, *, code: str = "") -> dict[str, Any]:
    """A parameter that must be an array/object (legacy text: "Parameter 'x' must be array.")."""
    if value is None or value == "" or value == []:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    raise RestError(400, code, f"Parameter '{name}' must be array.")


def as_int(value: Any) -> int | None:
    """An integer from a typed or a string value; ``None`` when it is not one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def is_yes(value: Any) -> bool:
    """Bitrix24 booleans: ``Y``/``N``, ``1``/``0``, ``true``/``false``."""
    if isinstance(value, str):
        return value.strip().upper() in ("Y", "1", "TRUE", "YES")
    return bool(value)


def param_id(params: dict[str, Any], key: str = "id") -> int:
    """The positive record id of a legacy call (``id`` or ``ID``)."""
    rid = as_int(params.get(key, params.get(key.upper())))
    if rid is None or rid <= 0:
        raise RestError(400, "", "ID is not defined or invalid.")
    return rid


def param_fields(params: dict[str, Any]) -> dict[str, Any]:
    """The ``fields`` object of a legacy add/update (``params`` must be an array too)."""
    if "fields" not in params and "FIELDS" not in params:
        raise RestError(400, "", "Parameter 'fields' must be array.")
    as_dict(params.get("params"), "params")
    return as_dict(params.get("fields", params.get("FIELDS")), "fields")
