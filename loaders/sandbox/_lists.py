"""List methods: filter prefixes, order, 50-row pages, ``total``/``next`` and ``start=-1``."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from loaders.sandbox._context import PORTAL_TZ
from loaders.sandbox._errors import RestError
from loaders.sandbox._params import as_int, as_list
from loaders.sandbox._schema import MULTIFIELDS

__all__ = ["PAGE", "Condition", "Group", "page_of", "parse_filter", "parse_order", "parse_select"]

PAGE = 50
_POSITIVE = frozenset({"@", "=", ""})
# longest prefixes first, so "!=%" wins over "!=" and "!"
_PREFIXES = ("!=%", "!%=", "!@", "!=", "!%", ">=", "<=", "=%", "%=", ">", "<", "=", "!", "@", "%")

Getter = Callable[[dict[str, Any], str], Any]


@dataclass(frozen=True, slots=True)
class Condition:
    op: str
    field: str
    value: Any
    wanted: frozenset[Any] | None = None  # normalised scalars for =, !, @, !@ (fast path)

    def matches(self, actual: Any) -> bool:
        op = self.op
        if self.wanted is not None and actual.__class__ is not list:
            hit = actual is not None and actual != "" and _norm(actual) in self.wanted
            return hit if op in _POSITIVE else not hit
        if op in ("@", "!@"):
            hit = any(_eq(actual, v) for v in as_list(self.value))
            return hit if op == "@" else not hit
        if op in ("=%", "%=", "!=%", "!%="):  # LIKE: the value is the pattern, with its `%`
            hit = actual is not None and bool(_like(str(self.value)).fullmatch(str(actual)))
            return not hit if op.startswith("!") else hit
        if op in ("%", "!%"):  # a substring anywhere
            needle = str(self.value).strip("%").lower()
            hit = actual is not None and needle in str(actual).lower()
            return not hit if op.startswith("!") else hit
        if op in ("=", ""):
            if isinstance(self.value, list):
                return any(_eq(actual, v) for v in self.value)
            return _eq(actual, self.value)
        if op in ("!", "!="):
            return not _eq(actual, self.value)
        return _compare(actual, self.value, op)


@lru_cache(maxsize=256)
def _like(pattern: str) -> re.Pattern[str]:
    """A SQL LIKE pattern (``mol%``: starts with "mol"; ``_`` one character), case-blind as
    the portal's collation (user-get.md, filter prefixes ``=%`` and ``%=``)."""
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _norm(value: Any) -> Any:
    """Comparable form: numbers (also from digit strings) or lower-cased text."""
    if value.__class__ is str:
        if value.isdigit() or (value[:1] == "-" and value[1:].isdigit()):
            return int(value)
        return value.lower()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if value is None:
        return None
    number = as_int(value)
    return number if number is not None else str(value).lower()


def _eq(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, list):  # multifields and multiple fields: any value matches
        return any(_eq(a.get("VALUE") if isinstance(a, dict) else a, wanted) for a in actual)
    if wanted in (None, "", False) and actual in (None, "", [], False):
        return True
    left, right = _norm(actual), _norm(wanted)
    if isinstance(left, float) or isinstance(right, float):
        try:
            return bool(float(left) == float(right))
        except (TypeError, ValueError):
            return False
    return bool(left == right)


#: Date and date-time text a filter value or a stored date may be: ISO (``2025-01-01``,
#: ``2025-10-31T00:00:00+02:00``, ``…Z``, ``2024-12-05 10:00:00``) or the portal's ``dd.mm.yyyy``.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")
_RU_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})( \d{2}:\d{2}(:\d{2})?)?")


def _moment(value: Any) -> datetime | None:
    """A date filter value as a moment, as the portal reads one: ISO with or without an offset
    (none: the portal's zone), a date alone at midnight, or ``dd.mm.yyyy[ hh:mm[:ss]]``.

    Sources (b24restdocs): ``crm-deal-list.md`` (``">DATE_CREATE": "2025-…"`` as ``Y-m-d``),
    ``crm-contact-list.md`` (``">=DATE_CREATE": sixMonthAgo.toISOString()``, a ``Z`` time),
    ``crm-item-list.md`` (``">=createdTime": "2025-10-31T00:00:00+02:00"``).
    """
    if value.__class__ is not str:
        return None
    text = value.strip()
    ru = _RU_DATE.fullmatch(text)
    if ru:
        text = f"{ru[3]}-{ru[2]}-{ru[1]}{(ru[4] or '').replace(' ', 'T')}"
    elif not _ISO_DATE.fullmatch(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=PORTAL_TZ)


def _compare(actual: Any, wanted: Any, op: str) -> bool:
    left_at, right_at = _moment(actual), _moment(wanted)
    if left_at is not None and right_at is not None:
        return bool({">": left_at > right_at, ">=": left_at >= right_at,
                     "<": left_at < right_at, "<=": left_at <= right_at}[op])  # fmt: skip
    left, right = _norm(actual), _norm(wanted)
    if left is None or right is None:
        return False
    try:
        if isinstance(left, int | float) and isinstance(right, int | float):
            pass
        else:
            left, right = str(left), str(right)
        outcome = {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}
        return bool(outcome[op])
    except TypeError:
        return False


@dataclass(frozen=True, slots=True)
class Group:
    """A nested filter of crm.item.list: ``{"logic": "OR", "0": {...}, "1": {...}}``."""

    any_of: bool
    parts: tuple[Condition | Group, ...]

    def test(self, rec: dict[str, Any], get: Getter) -> bool:
        results = (_test(part, rec, get) for part in self.parts)
        return any(results) if self.any_of else all(results)


def _test(part: Condition | Group, rec: dict[str, Any], get: Getter) -> bool:
    if isinstance(part, Group):
        return part.test(rec, get)
    return part.matches(get(rec, part.field))


Filter = list[Condition | Group]


def _php_array(raw: Any) -> dict[str, Any] | None:
    """A ``filter``/``order`` parameter as a PHP array (``None`` when it is a scalar).

    A list is a PHP array with keys 0..n-1: b24pysdk encodes an empty map as ``filter[]=``,
    which PHP reads as ``[0 => ""]`` (an array, so no error); its numeric keys name no field.
    """
    if raw in (None, "", []):
        return {}
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, list):
        return {str(i): v for i, v in enumerate(raw)}
    return None


def parse_filter(raw: Any, names: Callable[[str], str | None], *, nested: bool = False) -> Filter:
    """``{">=ID": 5, "%TITLE": "ООО"}`` → conditions; ``names`` maps a field key to its stored
    name (``None`` = unknown field, silently ignored as the portal does). With ``nested``
    (crm.item.list) a map value is a sub-filter and ``logic`` may be ``OR``."""
    raw = _php_array(raw)
    if raw is None:
        raise RestError(400, "", "Parameter 'filter' must be array.")
    out: Filter = []
    for key, value in raw.items():
        key = str(key)
        if nested and key.lower() == "logic":
            continue
        if nested and isinstance(value, dict):
            out.append(_group(value, names))
            continue
        if key.isdigit():
            continue  # a positional entry (`filter[]=`, b24pysdk's empty map) names no field
        op = next((p for p in _PREFIXES if key.startswith(p)), "")
        field = names(key[len(op) :])
        if field is None:
            continue
        if field in MULTIFIELDS and "%" in op:
            op = "="  # multifields filter by exact value only
        out.append(Condition(op, field, value, _in_set(op, value)))
    if nested and str(raw.get("logic", "AND")).upper() == "OR":
        return [Group(True, tuple(out))]
    return out


def _group(raw: dict[str, Any], names: Callable[[str], str | None]) -> Group:
    parts = parse_filter(raw, names, nested=True)
    if len(parts) == 1 and isinstance(parts[0], Group):
        return parts[0]
    return Group(False, tuple(parts))


def _in_set(op: str, value: Any) -> frozenset[Any] | None:
    """A set for fast equality/IN tests, when every value is a non-empty scalar."""
    if op not in ("@", "!@", "=", "", "!", "!="):
        return None
    values = as_list(value)
    if not values or any(v in (None, "") or isinstance(v, dict | list | float) for v in values):
        return None
    return frozenset(_norm(v) for v in values)


def parse_order(raw: Any, names: Callable[[str], str | None]) -> list[tuple[str, bool]]:
    """``{"DATE_CREATE": "DESC"}`` → ``[("DATE_CREATE", True)]`` (True = descending)."""
    raw = _php_array(raw)
    if raw is None:
        raise RestError(400, "", "Parameter 'order' must be array.")
    out = []
    for key, direction in raw.items():
        field = names(str(key))
        if field is not None:
            out.append((field, str(direction).upper() == "DESC"))
    return out or [("ID", False)]


def parse_select(raw: Any) -> list[str]:
    """The ``select`` names; empty entries (``select[]=`` for an empty list) name nothing."""
    return [str(s) for s in as_list(raw) if s not in (None, "")]


def _sort_key(value: Any) -> tuple[int, Any]:
    norm = _norm(value)
    if norm is None:
        return (0, 0)
    return (1, norm) if isinstance(norm, int | float) else (2, norm)


def _id_bounds(conds: Filter, ids: list[int]) -> tuple[int, int]:
    lo, hi = 0, len(ids)
    for c in conds:
        if isinstance(c, Group):
            continue
        bound = as_int(c.value) if c.field == "ID" and not isinstance(c.value, list) else None
        if bound is None:
            continue
        if c.op == ">":
            lo = max(lo, bisect.bisect_right(ids, bound))
        elif c.op == ">=":
            lo = max(lo, bisect.bisect_left(ids, bound))
        elif c.op == "<":
            hi = min(hi, bisect.bisect_left(ids, bound))
        elif c.op == "<=":
            hi = min(hi, bisect.bisect_right(ids, bound))
    return lo, hi


def page_of(
    table: dict[int, dict[str, Any]],
    conds: Filter,
    order: list[tuple[str, bool]],
    start: Any,
    *,
    get: Getter = lambda rec, name: rec.get(name),
    round_start: bool = True,
) -> tuple[list[dict[str, Any]], int | None, int | None]:
    """One page: (rows, total, next). ``start=-1`` skips the count (total 0, no next).

    Legacy lists round ``start`` down to a multiple of 50; ORM lists (``round_start=False``)
    use it as a raw offset.
    """
    offset = as_int(start) or 0
    fast = offset == -1
    offset = max(offset, 0)
    if round_start:
        offset -= offset % PAGE
    ids = list(table)
    lo, hi = _id_bounds(conds, ids)
    candidates: Iterable[int] = ids[lo:hi]
    if order == [("ID", True)]:
        candidates = reversed(ids[lo:hi])

    checks = [(c.field, c.matches) for c in conds if isinstance(c, Condition)]
    groups = [g for g in conds if isinstance(g, Group)]

    def ok(rec: dict[str, Any]) -> bool:
        for field, matches in checks:  # a plain loop: ~2x faster than all() here
            if not matches(get(rec, field)):
                return False
        return all(g.test(rec, get) for g in groups)

    if order in ([("ID", False)], [("ID", True)]):
        if fast:
            rows = []
            for rid in candidates:
                rec = table[rid]
                if ok(rec):
                    rows.append(rec)
                    if len(rows) == PAGE:
                        break
            return rows, 0, None
        matched = [table[rid] for rid in candidates if ok(table[rid])]
    else:
        matched = [table[rid] for rid in candidates if ok(table[rid])]
        for name, desc in reversed(order):

            def key(rec: dict[str, Any], field: str = name) -> tuple[int, Any]:
                return _sort_key(get(rec, field))

            matched.sort(key=key, reverse=desc)
    if fast:
        return matched[:PAGE], 0, None
    total = len(matched)
    nxt = offset + PAGE if offset + PAGE < total else None
    return matched[offset : offset + PAGE], total, nxt
