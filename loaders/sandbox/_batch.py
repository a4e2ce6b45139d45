"""``batch``: up to 50 commands run in order, ``$result[...]`` substitution, ``halt``, and the
PHP JSON quirks of the reply (empty sections are ``[]``, keys ``0..n-1`` make a JSON list)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from loaders.sandbox._errors import RestError
from loaders.sandbox._params import as_dict, as_int, is_yes, parse_php_query

__all__ = ["MAX_COMMANDS", "php_section", "run_batch", "split_command"]

MAX_COMMANDS = 50
#: ``$result[key][path]``; the portal also resolves ``$next``, ``$total``, ``$time`` and
#: ``$error`` against those sections of the earlier commands (case-insensitive).
_REF = re.compile(r"\$(result|next|total|time|error)\[([^\]]+)\]((?:\[[^\]]*\])*)", re.IGNORECASE)
_SEG = re.compile(r"\[([^\]]*)\]")

#: Runs one command: (key, method, params) → (result, total, next, time block); raises RestError.
Runner = Callable[[str, str, dict[str, Any]], tuple[Any, int | None, int | None, dict[str, Any]]]


def php_section(section: dict[str, Any]) -> Any:
    """What PHP's json_encode makes of an array: ``[]`` when empty, a list for keys 0..n-1."""
    if not section:
        return []
    if list(section) == [str(i) for i in range(len(section))]:
        return list(section.values())
    return section


def split_command(command: Any) -> tuple[str, dict[str, Any]]:
    """``"crm.contact.get?id=5"`` → ``("crm.contact.get", {"id": "5"})``."""
    text = str(command).strip()
    name, _, query = text.partition("?")
    return unquote(name).strip().lower().removesuffix(".json"), parse_php_query(query)


def _walk(value: Any, path: str) -> tuple[bool, Any]:
    for seg in _SEG.findall(path):
        if isinstance(value, list):
            index = as_int(seg)
            if index is None or not 0 <= index < len(value):
                return False, None
            value = value[index]
        elif isinstance(value, dict) and seg in value:
            value = value[seg]
        else:
            return False, None
    return True, value


def _substitute(value: Any, sections: dict[str, dict[str, Any]]) -> Any:
    """Resolve ``$result[key][path]`` (and ``$next``/``$total``/``$time``/``$error``) in decoded
    values; unresolvable references stay as text."""
    if isinstance(value, dict):
        return {k: _substitute(v, sections) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, sections) for v in value]
    if not isinstance(value, str) or "$" not in value:
        return value

    def resolve(match: re.Match[str]) -> tuple[bool, Any]:
        section = sections[match.group(1).lower()]
        if match.group(2) not in section:
            return False, None
        return _walk(section[match.group(2)], match.group(3))

    whole = _REF.fullmatch(value)
    if whole:
        found, resolved = resolve(whole)
        if found:
            return resolved  # a whole-value reference injects arrays as arrays

    def one(match: re.Match[str]) -> str:
        found, resolved = resolve(match)
        if not found or isinstance(resolved, dict | list):
            return match.group(0)
        return str(resolved).lower() if isinstance(resolved, bool) else str(resolved)

    return _REF.sub(one, value)


def run_batch(params: dict[str, Any], run: Runner) -> dict[str, Any]:
    """Run the commands of one batch call; sub-errors never fail the outer call.

    Returns the ``result`` of the reply with all five sections present.
    """
    commands = as_dict(params.get("cmd"), "cmd", code="INVALID_ARG_VALUE")
    halt = is_yes(params.get("halt", 0))
    result: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    totals: dict[str, Any] = {}
    nexts: dict[str, Any] = {}
    times: dict[str, Any] = {}
    for index, (key, command) in enumerate(commands.items()):
        if index >= MAX_COMMANDS:
            errors[key] = {"error": "ERROR_BATCH_LENGTH_EXCEEDED",
                           "error_description": "Max batch length exceeded"}  # fmt: skip
            if halt:  # an error like any other: halt stops at the first one
                break
            continue
        name, cmd_params = split_command(command)
        text = str(command)
        if "$" in text or "%24" in text:
            sections = {"result": result, "next": nexts, "total": totals, "time": times,
                        "error": errors}  # fmt: skip
            cmd_params = _substitute(cmd_params, sections)
        try:
            value, total, nxt, took = run(key, name, cmd_params)
        except RestError as exc:
            errors[key] = exc.body()
            if halt:
                break
            continue
        result[key] = value
        times[key] = took
        if total is not None:
            totals[key] = total
            if nxt is not None:
                nexts[key] = nxt
    return {
        "result": php_section(result),
        "result_error": php_section(errors),
        "result_total": php_section(totals),
        "result_next": php_section(nexts),
        "result_time": php_section(times),
    }
