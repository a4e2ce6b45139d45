"""Field values in and out: parse what a client sends, render what the portal returns."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from loaders.sandbox._context import PORTAL_TZ
from loaders.sandbox._params import as_int, is_yes

__all__ = [
    "EMAIL_RE",
    "parse_date",
    "parse_datetime",
    "parse_value",
    "php_float",
    "render_date",
    "render_item_value",
    "render_legacy_value",
]

EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")
_INT_TYPES = frozenset(
    {
        "integer",
        "user",
        "crm_company",
        "crm_contact",
        "crm_lead",
        "crm_category",
        "crm_deal",
        "crm_entity",
    }
)
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_DT_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
               "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M%z")  # fmt: skip


class BadValue(ValueError):
    """The value cannot be stored in a field of this type."""


def parse_datetime(value: Any) -> str | None:
    """An ISO datetime in the portal time zone, from ISO or ``dd.mm.yyyy[ hh:mm[:ss]]`` input."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    for fmt in _DT_FORMATS + _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=PORTAL_TZ)
        return parsed.astimezone(PORTAL_TZ).isoformat()
    raise BadValue(text)


def parse_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` from a date, an ISO datetime or ``dd.mm.yyyy``."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    dt = parse_datetime(text)
    return dt[:10] if dt else None


def parse_value(ftype: str, value: Any) -> Any:
    """The stored (typed) form of ``value`` for a field of ``ftype``; raises :class:`BadValue`."""
    if value is None or (value == "" and ftype != "string"):
        return None
    if isinstance(value, dict | list) and ftype != "string":
        raise BadValue(str(value))
    if ftype in _INT_TYPES:
        number = as_int(value)
        if number is None:
            raise BadValue(str(value))
        return number
    if ftype == "double":
        try:
            return float(str(value).replace(",", ".").replace(" ", ""))
        except ValueError:
            raise BadValue(str(value)) from None
    if ftype == "char":
        return "Y" if is_yes(value) else "N"
    if ftype == "date":
        return parse_date(value)
    if ftype == "datetime":
        return parse_datetime(value)
    if isinstance(value, dict | list):
        raise BadValue(str(value))
    return str(value)


def render_date(value: str) -> str:
    """A date-only value as real portals render it: 00:00 UTC of that day, written in the
    portal's offset (``2001-11-11`` → ``2001-11-11T03:00:00+03:00`` on a Moscow portal;
    recorded: crm-contact-get.md ``T02:00:00+02:00``, fast_bitrix24 crm_item_list
    ``T03:00:00+03:00``)."""
    day = date.fromisoformat(value[:10])
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight.astimezone(PORTAL_TZ).isoformat()


def php_float(value: float) -> str:
    """A float as PHP prints one: ``0``, ``1500000``, ``1.5`` (no forced decimals)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _date_out(ftype: str, value: str) -> str:
    return render_date(value) if ftype == "date" else value


def render_legacy_value(ftype: str, value: Any) -> Any:
    """Legacy reads give strings: ``"43"``, ``"19999.99"``, ``"Y"``; empty dates are ``""``."""
    if value is None:
        return "" if ftype in ("date", "datetime") else None
    if isinstance(value, list):
        return [render_legacy_value(ftype, v) for v in value]
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return php_float(value) if ftype == "php_float" else f"{value:.2f}"
    if ftype in ("date", "datetime"):
        return _date_out(ftype, str(value))
    return str(value)


def render_item_value(ftype: str, value: Any) -> Any:
    """crm.item reads are typed: ids and integers as numbers, money as floats."""
    if value is None:
        return None
    if isinstance(value, list):
        return [render_item_value(ftype, v) for v in value]
    if ftype in ("date", "datetime"):
        return _date_out(ftype, str(value))
    return value
