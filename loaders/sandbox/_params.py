"""Request parameters as the portal sees them: PHP-bracket query strings and JSON bodies.

``fields[PHONE][0][VALUE]=1&select[]=ID`` becomes ``{"fields": {"PHONE": [{"VALUE": "1"}]},
"select": ["ID"]}``: containers whose keys are exactly ``0..n-1`` turn into lists, as a JSON
body would carry them. Values from query strings stay strings; handlers accept both.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from loaders.sandbox._errors import RestError

__all__ = ["as_dict", "as_int", "as_list", "is_yes", "parse_php_query"]


def _split_key(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket or not head:
        return [key]
    parts = [head]
    rest = "[" + rest
    while rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            return [key]  # unbalanced: PHP keeps the key as it is
        parts.append(rest[1:end])
        rest = rest[end + 1 :]
    return parts


def _insert(root: dict[str, Any], parts: list[str], value: str) -> None:
    node = root
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "":
            part = str(sum(1 for k in node if k.isdigit()))
        if last:
            node[part] = value
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {k: _listify(v) for k, v in value.items()}
    if converted and list(converted) == [str(i) for i in range(len(converted))]:
        return list(converted.values())
    return converted


def parse_php_query(query: str | bytes) -> dict[str, Any]:
    """Decode a query string with PHP bracket semantics (``a[b][0]=x``, ``a[]=y``)."""
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    root: dict[str, Any] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if "%" in key or "+" in key:
            key = unquote_plus(key)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        _insert(root, _split_key(key), value)
    return {k: _listify(v) for k, v in root.items()}


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
