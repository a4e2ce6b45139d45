"""Phone numbers → E.164 (``+79161234567``), extensions as ``;ext=123``.

Russian shapes are the common case and take a fast path (a regular expression and the
Russian numbering plan compiled from the ``phonenumbers`` metadata); everything else goes
through ``phonenumbers.parse``. A property test checks that both paths agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata, PhoneNumberFormat

from cleaners._base import CleanerError, OnError
from cleaners._common import apply, define, excel_number_text, fail, prepare
from cleaners.bulk import FastResult, flag, matches, register_fast, within
from cleaners.registry import register

__all__ = ["clean_phone", "clean_phones", "fast_phone", "fast_phones"]

PHONE_INVALID = define(
    "phone.invalid",
    "Некорректный номер телефона «{value}» (регион по умолчанию {region})",
    "Invalid phone number '{value}' (default region {region})",
)
PHONE_SEVERAL = define(
    "phone.several",
    "В ячейке несколько номеров «{value}»; загружен первый, остальные потеряются",
    "The cell holds several numbers '{value}'; the first is loaded, the rest are lost",
)
PHONE_PARTLY_INVALID = define(
    "phone.partly_invalid",
    "В ячейке «{value}» некорректные номера: {invalid}; загружены остальные",
    "Cell '{value}' has invalid numbers: {invalid}; the others are loaded",
)

MAX_CELL = 1000
_EXT_RE = re.compile(
    r"[\s,;(]*(?:;\s*ext=|доб(?:авочный)?|вн(?:утр(?:енний)?)?|ext(?:ension)?|x|#)"
    r"[\s.:№#]*(\d{1,7})\)?\s*$",
    re.IGNORECASE,
)
_KINDS = (
    r"тел(?:ефон)?|моб(?:ильный)?|сот(?:овый)?|раб(?:очий)?|дом(?:ашний)?|факс"
    r"|whatsapp|viber|telegram|tel|phone|mob|fax"
)
# A label before the number ("тел.: ", "моб. ") or a kind in brackets after it ("(моб.)").
_LABEL_RE = re.compile(
    rf"^(?:{_KINDS}|[тмф])\.?\s*[:.]?\s*|\s*[(\[](?:{_KINDS})\.?[)\]]\s*$", re.IGNORECASE
)
_INTERNATIONAL_00_RE = re.compile(r"^00\s*(?=[1-9])")
_FORMATTING_RE = re.compile(r"[\s().\-\u2010-\u2015]")
# A Russian number without extension: +7 / 7 / 8 then ten digits, or a bare mobile 9xx.
_RU_SHAPE_RE = re.compile(r"(?:\+7|7|8)?([3489][0-9]{9})|(9[0-9]{9})")
_NUMBER_IN_TEXT_RE = re.compile(
    r"(?:\+?[78][\s-]*)?\(?[0-9]{3}\)?[\s-]*[0-9]{3}[\s-]*[0-9]{2}[\s-]*[0-9]{2}"
    r"(?:\s*(?:доб|вн|ext)\.?\s*[0-9]{1,6})?",
    re.IGNORECASE,
)
_MULTI_SPLIT_RE = re.compile(r"\s*(?:;(?!\s*ext=)|[,|/\n\r]|\s(?:или|либо|or)\s)\s*", re.IGNORECASE)


def _ru_plan() -> re.Pattern[str]:
    """The Russian ten-digit numbering plan, from the phonenumbers metadata."""
    metadata = PhoneMetadata.metadata_for_region("RU")
    assert metadata is not None
    descs = (
        metadata.fixed_line,
        metadata.mobile,
        metadata.toll_free,
        metadata.premium_rate,
        metadata.shared_cost,
        metadata.personal_number,
        metadata.voip,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    )
    patterns = [
        d.national_number_pattern
        for d in descs
        if d is not None and d.national_number_pattern and 10 in (d.possible_length or (10,))
    ]
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_RU_PLAN = _ru_plan()


def split_extension(text: str) -> tuple[str, str | None]:
    """``"8 495 123-45-67 доб. 12"`` → ``("8 495 123-45-67", "12")``."""
    match = _EXT_RE.search(text)
    if match is None or match.start() == 0:
        return text, None
    return text[: match.start()], match.group(1)


def fast_e164(number: str, region: str) -> str | None:
    """E.164 for the common Russian shapes without calling phonenumbers, else ``None``."""
    if region != "RU":
        return None
    compact = _FORMATTING_RE.sub("", number)
    match = _RU_SHAPE_RE.fullmatch(compact)
    if match is None:
        return None
    national = match.group(1) or match.group(2)
    return "+7" + national if _RU_PLAN.fullmatch(national) else None


def slow_e164(number: str, region: str) -> str | None:
    """E.164 through ``phonenumbers.parse`` (any country), or ``None`` when invalid."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def _normalize(text: str, region: str) -> str | None:
    fast = fast_e164(text, region)
    if fast is not None:
        return fast
    text = _LABEL_RE.sub("", text)
    text = _INTERNATIONAL_00_RE.sub("+", excel_number_text(text))
    main, extension = split_extension(text)
    e164 = fast_e164(main, region) or slow_e164(main, region)
    if e164 is None:
        return None
    return f"{e164};ext={extension}" if extension else e164


def _one(text: str, region: str) -> str:
    result = _normalize(text, region)
    if result is not None:
        return result
    try:  # several numbers in a single-valued field?
        numbers = _many(text, region)
    except CleanerError as error:
        if error.severity == "warning":
            error.cleaned = error.cleaned[0]
        raise
    if len(numbers) == 1:
        return numbers[0]
    raise fail(PHONE_SEVERAL, text, severity="warning", cleaned=numbers[0])


@register("phone")
def clean_phone(
    value: str | None, *, on_error: OnError = "raise", region: str = "RU"
) -> str | None:
    """Normalise one phone number to E.164.

    Input: a phone as people type it — ``8 (916) 123-45-67``, ``+7(916)1234567``,
    ``916 123 45 67``, ``79161234567``, ``8-800-555-35-35``, an Excel float
    ``79161234567.0``, a foreign number with ``+``; an extension after ``доб.``, ``вн.``,
    ``ext``, ``x`` or ``#`` is kept; a label before the number (``тел.:``, ``моб.``,
    ``раб.``) or a kind in brackets after it (``(моб.)``, ``(WhatsApp)``) is dropped.
    Numbers without a country code are read in ``region`` (``8…`` is the Russian trunk
    prefix, so ``8…`` → ``+7…``).

    Output: ``+<country><number>``, with ``;ext=<digits>`` appended when there is an
    extension (RFC 3966 style); ``None`` for an empty cell or "нет"/"-".

    Errors: ``phone.invalid`` (not a valid number in the numbering plan),
    ``value.too_long``; the warning ``phone.several`` when the cell holds several valid
    numbers (the first is loaded; use ``phones`` for multi-valued fields).

    Example:
        >>> clean_phone("8 (495) 123-45-67 доб. 123")
        '+74951234567;ext=123'
    """
    return apply(lambda text: _one(text, region), value, on_error, junk=True, limit=MAX_CELL)


@register("phones")
def clean_phones(
    value: str | None, *, on_error: OnError = "raise", region: str = "RU"
) -> list[str] | None:
    """Normalise a cell with one or several phone numbers to a list of E.164 numbers.

    Input: numbers separated by ``,`` ``;`` ``/`` ``|``, newlines or the words "или"/"or",
    each in any shape :func:`clean_phone` accepts (``;ext=`` is not a separator).

    Output: the distinct numbers in their order (``[]`` for an empty cell). When some parts
    are invalid, ``phone.partly_invalid`` is a warning whose ``cleaned`` holds the valid
    ones; when none is valid, ``phone.invalid`` is an error (``keep`` then returns
    ``[value]``).

    Example:
        >>> clean_phones("8 916 123-45-67, +7 (495) 765-43-21 доб. 5")
        ['+79161234567', '+74957654321;ext=5']
    """
    return apply(
        lambda text: _many(text, region),
        value,
        on_error,
        junk=True,
        multiline=True,
        limit=MAX_CELL,
        multi=True,
    )


def _run_together(part: str, region: str) -> list[str]:
    """One number, or several written without a separator (``8916... 8495...``)."""
    result = _normalize(part, region)
    if result is not None:
        return [result]
    found = list(_NUMBER_IN_TEXT_RE.finditer(part))
    if len(found) < 2 or _NUMBER_IN_TEXT_RE.sub("", part).strip(" -–—.,;:"):
        return []
    results = [_normalize(match.group(0), region) for match in found]
    return [result for result in results if result is not None] if all(results) else []


def _many(text: str, region: str) -> list[str]:
    good: list[str] = []
    bad: list[str] = []
    for part in _MULTI_SPLIT_RE.split(text):
        part = part.strip()
        if not part or prepare(part, junk=True) is None:
            continue
        results = _run_together(part, region)
        if not results:
            bad.append(part)
        good.extend(result for result in results if result not in good)
    if not good:  # only junk or unparseable parts, e.g. ";" or "тел.: -"
        raise fail(PHONE_INVALID, text, region=region)
    if bad:
        invalid = ", ".join(bad)
        raise fail(PHONE_PARTLY_INVALID, text, severity="warning", cleaned=good, invalid=invalid)
    return good


# Fast path (see cleaners.bulk): cells of digits, spaces, ``()+.-`` only that are one Russian
# number, read exactly as _normalize reads them — first as written (formatting removed), then
# as Excel's float rendering ``79161234567.0``. Anything else goes through the cleaner.
_PLAIN = r"^[0-9 ().+\-]*$"
_FORMATTING = r"[ ().\-]"
_SHAPE = r"^(?:\+7|7|8)?(?P<a>[3489][0-9]{9})$|^(?P<b>9[0-9]{9})$"
_EXCEL_FLOAT = r"^ *0*(?P<digits>[0-9]+)\.0+ *$"
_PLAN = "^(?:" + _RU_PLAN.pattern + ")$"


def _national(compact: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Where ``compact`` is a Russian number in the numbering plan, and its ten digits."""
    shape = pc.extract_regex(compact, _SHAPE)
    first, mobile = pc.struct_field(shape, "a"), pc.struct_field(shape, "b")
    national = pc.if_else(pc.equal(first, ""), mobile, first)
    return flag(pc.is_valid(shape)) & matches(pc.fill_null(national, ""), _PLAN), national


def _fast_numbers(values: pa.Array, region: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Hits and their E.164 numbers (``None`` at misses), or ``None`` outside Russia."""
    if region != "RU":
        return None
    plain = matches(values, _PLAIN) & within(values, MAX_CELL)
    as_written, national = _national(pc.replace_substring_regex(values, _FORMATTING, ""))
    excel = pc.extract_regex(values, _EXCEL_FLOAT)
    as_float, float_national = _national(pc.fill_null(pc.struct_field(excel, "digits"), ""))
    hits = plain & (as_written | as_float)
    chosen = pc.if_else(pa.array(as_written), national, float_national).filter(pa.array(hits))
    prefix, nothing = pa.scalar("+7", pa.large_string()), pa.scalar("", pa.large_string())
    numbers = np.full(len(values), None, dtype=object)
    numbers[hits] = pc.binary_join_element_wise(prefix, chosen, nothing).to_numpy(
        zero_copy_only=False
    )
    return hits, numbers


@register_fast("phone")
def fast_phone(values: pa.Array, *, region: str = "RU") -> FastResult | None:
    """Fast path of :func:`clean_phone`: one Russian number in a common shape."""
    found = _fast_numbers(values, region)
    return None if found is None else FastResult(*found)


@register_fast("phones")
def fast_phones(values: pa.Array, *, region: str = "RU") -> FastResult | None:
    """Fast path of :func:`clean_phones`: a cell with one Russian number in a common shape."""
    found = _fast_numbers(values, region)
    if found is None:
        return None
    hits, numbers = found
    numbers[hits] = np.fromiter(([n] for n in numbers[hits]), dtype=object, count=hits.sum())
    return FastResult(hits, numbers)
