"""Russian company and person identifiers: INN, KPP, OGRN, OGRNIP.

INN checksums come from python-stdnum; OGRN and OGRNIP are checked here, because python-stdnum
2.2 compares an OGRNIP's check digit with the whole remainder mod 13 instead of its last digit
(the rule of the Federal Tax Service) and so refuses every OGRNIP whose remainder is 10–12.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.ru import inn as stdnum_inn

from cleaners._base import OnError
from cleaners._common import apply, define, excel_number_text, fail
from cleaners.registry import register

__all__ = ["clean_inn", "clean_kpp", "clean_ogrn", "clean_ogrnip"]

MAX_CELL = 100
_LABEL_RE = re.compile(r"^(?:ИНН|INN|КПП|KPP|ОГРНИП|OGRNIP|ОГРН|OGRN)\s*[:№#.]?\s*", re.I)
_SEPARATORS_RE = re.compile(r"[\s\-.]")
_KPP_RE = re.compile(r"(?!00)[0-9]{4}[0-9A-Z]{2}[0-9]{3}")


@dataclass(frozen=True, slots=True)
class _IdKind:
    """One kind of identifier: its rule prefix, labels, lengths and check."""

    kind: str
    ru: str
    en: str
    lengths: tuple[int, ...]
    is_valid: Callable[[str], bool]
    letters: bool = False
    repairable: bool = False  # Excel can drop a leading zero (regions 01–09)
    check_ru: str = "не проходит проверку контрольной суммы"
    check_en: str = "fails the checksum"

    def define_rules(self) -> None:
        lengths_ru = " или ".join(map(str, self.lengths))
        lengths_en = " or ".join(map(str, self.lengths))
        define(
            f"{self.kind}.format",
            f"{self.ru} должен состоять из цифр: «{{value}}»",
            f"{self.en} must consist of digits: '{{value}}'",
        )
        define(
            f"{self.kind}.length",
            f"{self.ru} должен содержать {lengths_ru} цифр, а не {{length}}: «{{value}}»",
            f"{self.en} must have {lengths_en} digits, not {{length}}: '{{value}}'",
        )
        define(
            f"{self.kind}.checksum",
            f"{self.ru} «{{value}}» {self.check_ru}",
            f"{self.en} '{{value}}' {self.check_en}",
        )
        if not self.repairable:
            return
        define(
            f"{self.kind}.leading_zero",
            f"{self.ru} «{{value}}» потерял ведущий ноль (так бывает в Excel): «{{suggestion}}»",
            f"{self.en} '{{value}}' lost its leading zero (Excel does that): '{{suggestion}}'",
        )


def _registration_number(modulus: int, first: str) -> Callable[[str], bool]:
    """OGRN (mod 11, first digit 1–9) or OGRNIP (mod 13, first digit 3 or 4): the last digit is
    the last digit of the remainder of the number before it divided by ``modulus``."""
    return lambda number: number[0] in first and int(number[:-1]) % modulus % 10 == int(number[-1])


INN = _IdKind("inn", "ИНН", "INN", (10, 12), stdnum_inn.is_valid, repairable=True)
KPP = _IdKind(
    "kpp",
    "КПП",
    "KPP",
    (9,),
    lambda n: bool(_KPP_RE.fullmatch(n)),
    letters=True,
    repairable=True,
    check_ru="не соответствует формату NNNNPPNNN (код инспекции, причина, номер)",
    check_en="does not match NNNNPPNNN (tax office, reason, number)",
)
OGRN = _IdKind("ogrn", "ОГРН", "OGRN", (13,), _registration_number(11, "123456789"))
OGRNIP = _IdKind("ogrnip", "ОГРНИП", "OGRNIP", (15,), _registration_number(13, "34"))
for _spec in (INN, KPP, OGRN, OGRNIP):
    _spec.define_rules()


def _clean(spec: _IdKind, text: str) -> str:
    number = _SEPARATORS_RE.sub("", excel_number_text(_LABEL_RE.sub("", text))).upper()
    allowed = r"[0-9A-Z]+" if spec.letters else r"[0-9]+"
    if not re.fullmatch(allowed, number):
        raise fail(f"{spec.kind}.format", text)
    if spec.repairable and len(number) + 1 in spec.lengths and spec.is_valid("0" + number):
        repaired = "0" + number
        raise fail(
            f"{spec.kind}.leading_zero",
            text,
            severity="warning",
            suggestion=repaired,
            cleaned=repaired,
        )
    if len(number) not in spec.lengths:
        raise fail(f"{spec.kind}.length", text, length=len(number))
    if not spec.is_valid(number):
        raise fail(f"{spec.kind}.checksum", text)
    return number


@register("inn")
def clean_inn(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Check an INN (taxpayer number): 10 digits for companies, 12 for persons.

    Input: ``7707083893``, ``ИНН 7707083893``, ``7707 083 893``, an Excel float
    ``7707083893.0``. A 9- or 11-digit number that becomes valid with a leading zero (Excel
    drops it: regions 01–09) is repaired with the warning ``inn.leading_zero``.
    Output: the digits. Errors: ``inn.format``, ``inn.length``, ``inn.checksum``.

    Example:
        >>> clean_inn("ИНН 7707083893")
        '7707083893'
        >>> clean_inn("274062111", on_error="null")  # the warning's repair
        '0274062111'
    """
    return apply(lambda text: _clean(INN, text), value, on_error, limit=MAX_CELL)


@register("kpp")
def clean_kpp(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Check a KPP (tax registration reason code): 9 characters, ``NNNNPPNNN``.

    Input: ``773601001``, ``КПП: 7736 01 001``; the reason part may hold Latin capitals.
    An 8-digit KPP of regions 01–09 gets its leading zero back (warning
    ``kpp.leading_zero``). KPP has no check digit. Output: the 9 characters.
    Errors: ``kpp.format``, ``kpp.length``, ``kpp.checksum`` (not ``NNNNPPNNN`` or tax
    office ``00``; the rule keeps the common name although KPP has no check digit).

    Example:
        >>> clean_kpp("КПП 773601001")
        '773601001'
    """
    return apply(lambda text: _clean(KPP, text), value, on_error, limit=MAX_CELL)


@register("ogrn")
def clean_ogrn(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Check an OGRN (primary state registration number of a company): 13 digits.

    Input: ``1027700132195``, ``ОГРН 1027700132195``, ``1.027700132195E12``.
    Output: the digits. Errors: ``ogrn.format``, ``ogrn.length``, ``ogrn.checksum``.

    Example:
        >>> clean_ogrn("ОГРН 1027700132195")
        '1027700132195'
    """
    return apply(lambda text: _clean(OGRN, text), value, on_error, limit=MAX_CELL)


@register("ogrnip")
def clean_ogrnip(value: str | None, *, on_error: OnError = "raise") -> str | None:
    """Check an OGRNIP (registration number of a sole proprietor): 15 digits.

    Input: ``304500116000157``, ``ОГРНИП 304500116000157``.
    Output: the digits. Errors: ``ogrnip.format``, ``ogrnip.length``, ``ogrnip.checksum``.

    Example:
        >>> clean_ogrnip("304500116000157")
        '304500116000157'
    """
    return apply(lambda text: _clean(OGRNIP, text), value, on_error, limit=MAX_CELL)
