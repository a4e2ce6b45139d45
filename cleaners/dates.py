"""Dates and datetimes: dd.mm.yyyy, ISO 8601, "12 марта 2023", Excel serial numbers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cleaners._base import OnError
from cleaners._common import apply, define, fail
from cleaners.bulk import FastResult, flag, register_fast, within
from cleaners.registry import register

__all__ = [
    "Reading",
    "clean_date",
    "clean_datetime",
    "fast_date",
    "fast_datetime",
    "parse_datetime",
]

DATE_INVALID = define(
    "date.invalid",
    "Не удалось распознать дату «{value}»",
    "Cannot read a date in '{value}'",
)
DATE_OUT_OF_RANGE = define(
    "date.out_of_range",
    "Неправдоподобный год {year} в дате «{value}» (ожидается {min_year}–{max_year})",
    "Implausible year {year} in the date '{value}' (expected {min_year}–{max_year})",
)
DATE_SWAPPED = define(
    "date.swapped",
    "В дате «{value}» день и месяц, похоже, переставлены (месяц-день-год); прочитано как {cleaned}",
    "Day and month in '{value}' look swapped (month-day-year); read as {cleaned}",
)

MAX_CELL = 100
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MONTHS = {
    1: r"январ[ья]|янв|january|jan",
    2: r"феврал[ья]|фев|february|feb",
    3: r"марта?|мар|march|mar",
    4: r"апрел[ья]|апр|april|apr",
    5: r"ма[йя]|may",
    6: r"июн[ья]|июн|june|jun",
    7: r"июл[ья]|июл|july|jul",
    8: r"августа?|авг|august|aug",
    9: r"сентябр[ья]|сент?|september|sept?",
    10: r"октябр[ья]|окт|october|oct",
    11: r"ноябр[ья]|нояб?|november|nov",
    12: r"декабр[ья]|дек|december|dec",
}
_MONTH_RE = "|".join(f"(?P<m{number}>{names})" for number, names in _MONTHS.items())
_TIME = (
    r"(?:[T\s,]+(?P<hh>[0-9]{1,2})[:.](?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2})(?:[.,](?P<us>[0-9]{1,9}))?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_YEAR_SUFFIX = r"(?:\s*г(?:ода|\.|од)?\.?)?"
_PATTERNS = [
    re.compile(p + _TIME, re.IGNORECASE)
    for p in (
        r"(?P<y>[0-9]{4})[-./](?P<m>[0-9]{1,2})[-./](?P<d>[0-9]{1,2})",
        r"(?P<d>[0-9]{1,2})[./-](?P<m>[0-9]{1,2})[./-](?P<y>[0-9]{4}|[0-9]{2})" + _YEAR_SUFFIX,
        rf"(?P<d>[0-9]{{1,2}})[\s.-]*(?:{_MONTH_RE})\.?,?[\s.-]*(?P<y>[0-9]{{4}})" + _YEAR_SUFFIX,
        rf"(?:{_MONTH_RE})\.?\s+(?P<d>[0-9]{{1,2}}),?\s+(?P<y>[0-9]{{4}})",
        r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
    )
]
_SERIAL_RE = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class _Options:
    tz: str
    dayfirst: bool
    min_year: int
    max_year: int


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset(text: str | None) -> dt.tzinfo | None:
    if text is None:
        return None
    if text.upper() in {"Z", "UTC", "GMT"}:
        return dt.UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return dt.timezone(dt.timedelta(minutes=minutes if text[0] == "+" else -minutes))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # the POSIX pivot, as strptime's %y: 69-99 → 19xx, 00-68 → 20xx
        year += 1900 if year >= 69 else 2000
    return year


def _month(groups: dict[str, str | None]) -> int:
    if groups.get("m"):
        return int(groups["m"] or 0)
    return next(n for n in _MONTHS if groups.get(f"m{n}"))


@dataclass(frozen=True, slots=True)
class Reading:
    """What :func:`parse_datetime` read.

    Attributes:
        moment: naive unless the text had an offset (``Z``, ``+03:00``).
        swapped: the text was read month-first because day-first was impossible.
    """

    moment: dt.datetime
    swapped: bool = False


def _from_match(text: str, groups: dict[str, str | None], dayfirst: bool) -> Reading:
    year, month, day = _year(groups["y"] or ""), _month(groups), int(groups["d"] or 0)
    time = dt.time()
    if groups["hh"] is not None:
        micro = int((groups["us"] or "0")[:6].ljust(6, "0"))
        try:
            time = dt.time(int(groups["hh"]), int(groups["mi"] or 0), int(groups["ss"] or 0), micro)
        except ValueError:
            raise fail(DATE_INVALID, text) from None
    swapped = False
    try:
        date = dt.date(year, month, day)
    except ValueError:
        date, swapped = _month_first(text, year, month, day), dayfirst
    moment = dt.datetime.combine(date, time, _offset(groups["tz"]))
    return Reading(moment, swapped)


def _month_first(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, day, month)
    except ValueError:
        raise fail(DATE_INVALID, text) from None


def parse_datetime(text: str, *, dayfirst: bool = True) -> Reading:
    """Read a date or datetime in any supported shape (see :func:`clean_datetime`).

    Raises :class:`CleanerError` (``date.invalid``) when ``text`` is none of them. With
    ``dayfirst=False`` a numeric ``03/12/2023`` that is impossible day-first is read
    month-first without ``swapped``.
    """
    if _SERIAL_RE.fullmatch(text):
        moment = EXCEL_EPOCH + dt.timedelta(days=float(text))
        return Reading(moment.replace(microsecond=0))
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            return _from_match(text, match.groupdict(), dayfirst)
    raise fail(DATE_INVALID, text)


def _read(text: str, options: _Options) -> tuple[Reading, dt.datetime]:
    """The reading and its moment in ``tz`` (aware), or naive as written."""
    reading = parse_datetime(text, dayfirst=options.dayfirst)
    return reading, _local(text, reading, options)


def _local(text: str, reading: Reading, options: _Options) -> dt.datetime:
    """The moment of ``reading`` in ``tz`` (aware), or naive as written; the year checked."""
    local = reading.moment
    if local.tzinfo is not None:
        local = local.astimezone(_zone(options.tz))
    year = local.year
    if not options.min_year <= year <= options.max_year:
        raise fail(
            DATE_OUT_OF_RANGE,
            text,
            year=year,
            min_year=options.min_year,
            max_year=options.max_year,
        )
    return local


def _finish(text: str, reading: Reading, out: str) -> str:
    if reading.swapped:
        raise fail(DATE_SWAPPED, text, severity="warning", cleaned=out)
    return out


@lru_cache(maxsize=65536)  # dates repeat a lot in exports; errors are not cached
def _date_text(text: str, options: _Options) -> str:
    reading, local = _read(text, options)
    return _finish(text, reading, local.date().isoformat())


@lru_cache(maxsize=65536)
def _datetime_text(text: str, options: _Options) -> str:
    reading, local = _read(text, options)
    return _finish(text, reading, _iso_moment(local, options))


def _wall_time(naive: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A wall-clock time in ``zone``, moved forward when the clocks skipped it.

    ``01.04.1982 00:00`` never happened in Moscow (summer time began at midnight): zoneinfo
    gives it the winter offset, which names the same instant as ``01:00+04:00``. Writing the
    time the clocks showed keeps the cleaner idempotent and the instant unchanged.
    """
    return naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def _iso_moment(local: dt.datetime, options: _Options) -> str:
    """``local`` (naive: local time in ``tz``) as ISO 8601 with its offset."""
    moment = local if local.tzinfo is not None else _wall_time(local, _zone(options.tz))
    offset = moment.utcoffset()
    if offset is not None and offset.seconds % 60:  # local mean time before ~1920
        moment = moment.astimezone(dt.UTC)
    return moment.replace(microsecond=0).isoformat()


@register("date")
def clean_date(
    value: str | None,
    *,
    on_error: OnError = "raise",
    tz: str = "Europe/Moscow",
    dayfirst: bool = True,
    min_year: int = 1900,
    max_year: int = 2100,
) -> str | None:
    """Normalise a date to ``YYYY-MM-DD``.

    Input: ``12.03.2023``, ``12.03.23`` (two-digit years: 69–99 → 19xx, 00–68 → 20xx),
    ``12/03/2023``, ``2023-03-12``, ``2023.03.12``, ``20230312``, ISO datetimes with a time
    and offset (converted to ``tz`` before the date is taken), ``12 марта 2023 г.``,
    ``12 мар. 2023``, ``March 12, 2023``, Excel serial numbers ``45000`` / ``45000.5``
    (five digits, days since 1899-12-30). Numeric dates are day-first; ``03/25/2023``,
    impossible day-first, is read month-first with the warning ``date.swapped``.

    Output: ``YYYY-MM-DD``. Errors: ``date.invalid``, ``date.out_of_range`` (year outside
    ``min_year``–``max_year``).

    Example:
        >>> clean_date("12 марта 2023 г.")
        '2023-03-12'
    """
    options = _Options(tz, dayfirst, min_year, max_year)
    return apply(lambda text: _date_text(text, options), value, on_error, limit=MAX_CELL)


@register("datetime")
def clean_datetime(
    value: str | None,
    *,
    on_error: OnError = "raise",
    tz: str = "Europe/Moscow",
    dayfirst: bool = True,
    min_year: int = 1900,
    max_year: int = 2100,
) -> str | None:
    """Normalise a date and time to ISO 8601 with the offset of ``tz``.

    Input: everything :func:`clean_date` reads, with an optional time ``14:30``,
    ``14:30:15``, ``14:30:15.123`` and offset ``Z``/``UTC``/``+03:00``/``+0300``. A time
    without an offset is local time in ``tz`` (an IANA name such as ``Europe/Moscow``); a
    date alone is midnight in ``tz``; a time with an offset is converted to ``tz``.

    Output: ``YYYY-MM-DDTHH:MM:SS+HH:MM`` (seconds precision; in UTC for moments when the
    zone kept local mean time with an offset in seconds, e.g. Moscow before 1919).
    Errors as :func:`clean_date`.

    Example:
        >>> clean_datetime("12.03.2023 14:30")
        '2023-03-12T14:30:00+03:00'
    """
    options = _Options(tz, dayfirst, min_year, max_year)
    return apply(lambda text: _datetime_text(text, options), value, on_error, limit=MAX_CELL)


# Fast path (see cleaners.bulk): ``dd.mm.yyyy`` / ``dd.mm.yy`` with an optional ``HH:MM[:SS]``
# after one space, and ``yyyy-mm-dd`` with an optional ``THH:MM[:SS]`` and ``Z``/``±HH:MM``,
# read without trying the cleaner's other shapes: the numbers are taken apart vectorised,
# the moments are built one by one (the time zone rules are zoneinfo's, as in the cleaner).
_QUICK = (
    r"^(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4}|[0-9]{2})"
    r"(?: (?P<hh>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2}))?)?$",
    r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?:[T ](?P<hh>[0-9]{1,2}):"
    r"(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2}))?(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?$",
)
_PARTS = ("y", "m", "d", "hh", "mi", "ss")


def _quick_parts(values: pa.Array) -> tuple[np.ndarray, list[list[int]], list[str]]:
    """Where ``values`` have a quick shape, their numbers (year expanded) and offsets."""
    day_first, iso = (pc.extract_regex(values, pattern) for pattern in _QUICK)
    is_iso = pc.is_valid(iso)
    found = flag(pc.or_(pc.is_valid(day_first), is_iso)) & within(values, MAX_CELL)
    keep = pa.array(found)
    numbers = []
    for name in _PARTS:
        text = pc.if_else(is_iso, pc.struct_field(iso, name), pc.struct_field(day_first, name))
        text = text.filter(keep)
        number = pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.int64()).fill_null(0)
        if name == "y":  # two-digit years: the POSIX pivot, as _year
            short = pc.equal(pc.utf8_length(text), 2)
            pivot = pc.if_else(pc.greater_equal(number, 69), 1900, 2000)
            number = pc.if_else(short, pc.add(number, pivot), number)
        numbers.append(number.to_pylist())
    offsets = pc.if_else(is_iso, pc.struct_field(iso, "tz"), "").filter(keep).to_pylist()
    return found, numbers, offsets


def _fast(
    values: pa.Array,
    *,
    dates: bool,
    tz: str = "Europe/Moscow",
    dayfirst: bool = True,
    min_year: int = 1900,
    max_year: int = 2100,
) -> FastResult:
    """The hits of the date (``dates``) or datetime cleaner with these options."""
    options = _Options(tz, dayfirst, min_year, max_year)
    zone = _zone(options.tz)
    found, numbers, offsets = _quick_parts(values)
    zones = {text: _offset(text) for text in set(offsets) if text}
    hits = np.zeros(len(values), dtype=bool)
    cleaned = np.full(len(values), None, dtype=object)
    low, high = options.min_year, options.max_year
    for index, y, m, d, hh, mi, ss, text in zip(
        np.flatnonzero(found).tolist(), *numbers, offsets, strict=True
    ):
        try:
            moment = dt.datetime(y, m, d, hh, mi, ss, tzinfo=zones[text] if text else zone)
        except ValueError:  # impossible dates and times are the cleaner's to report
            continue
        if text:  # an explicit offset: the moment in the zone
            moment = moment.astimezone(zone)
        elif not dates:
            moment = _wall_time(moment.replace(tzinfo=None), zone)
        if not low <= moment.year <= high:
            continue
        if dates:
            hits[index], cleaned[index] = True, moment.date().isoformat()
            continue
        offset = moment.utcoffset()
        if offset is None or offset.seconds % 60:  # local mean time: the cleaner's case
            continue
        hits[index], cleaned[index] = True, moment.isoformat()
    return FastResult(hits, cleaned)


fast_date = register_fast("date")(partial(_fast, dates=True))
"""Fast path of :func:`clean_date` for ``dd.mm.yyyy`` and ISO dates."""
fast_datetime = register_fast("datetime")(partial(_fast, dates=False))
"""Fast path of :func:`clean_datetime` for ``dd.mm.yyyy HH:MM:SS`` and ISO moments."""
