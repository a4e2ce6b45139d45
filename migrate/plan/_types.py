"""Each value against its target field's type, as the portal describes it (`crm.*.fields`).

The portal refuses a text in a number field only when the load sends it (3,721 deals failed
on a ``double`` user field that a mapping filled with tags), or stores something else than
was meant. The plan knows the type, so it decides first, per value:

* already what the type wants (``1234.50`` for a number, ``2024-03-01`` for a date): kept;
* unambiguously convertible (``1 234,50`` → ``1234.50``, ``01.03.2024`` → ``2024-03-01``,
  ``да`` → ``Y``, ``1500`` for a money field → ``1500|RUB``): converted, with a warning
  that says what became of it;
* anything else: the row is refused with the reason (``type.number``, ``type.date`` …).

Types handled: ``integer`` (and ``employee``/``user`` ids), ``double``, ``money`` (user field
``amount|currency``), ``boolean`` (user fields: ``1``/``0``) and ``char`` (``Y``/``N``),
``date``, ``datetime``, ``file`` (only a file object, never text). Lists, dictionaries,
stages and currencies are :mod:`._checks`' concern; strings take anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from migrate.errors import shorten
from migrate.plan._metadata import FieldInfo, PortalMetadata

__all__ = ["TypeProblem", "coerce_types"]

_MESSAGES = {
    "type.integer": ("поле «{field}» на портале — целое число, а «{value}» — нет",
                     "field “{field}” is a whole number on the portal; “{value}” is not"),
    "type.number": ("поле «{field}» на портале — число, а «{value}» — не число",
                    "field “{field}” is a number on the portal; “{value}” is not a number"),
    "type.boolean": ("поле «{field}» на портале — да/нет, а «{value}» — ни то ни другое",
                     "field “{field}” is yes/no on the portal; “{value}” is neither"),
    "type.date": ("поле «{field}» на портале — дата, а «{value}» — не дата",
                  "field “{field}” is a date on the portal; “{value}” is not a date"),
    "type.file": ("поле «{field}» на портале — файл; текст «{value}» в него не загрузить — "
                  "уберите поле из маппинга или загрузите файлы отдельно",
                  "field “{field}” is a file on the portal; the text “{value}” cannot go "
                  "there: drop it from the mapping or load the files separately"),
    "type.converted": ("«{value}» загружено в поле «{field}» как «{converted}»",
                       "“{value}” is loaded into field “{field}” as “{converted}”"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class TypeProblem:
    """A value its field's type refused (error) or that was converted (warning)."""

    field: str
    rule: str
    value: str
    severity: str
    converted: str = ""

    def message(self, language: str = "ru") -> str:
        ru, en = _MESSAGES[self.rule]
        text = en if language == "en" else ru
        return text.format(field=self.field, value=self.value, converted=self.converted)


class _Refused(ValueError):
    """The value cannot become the type; the rule says which type."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def coerce_types(
    meta: PortalMetadata, entity: str, fields: dict[str, Any], skip: frozenset[str] = frozenset()
) -> list[TypeProblem]:
    """Check and convert ``fields`` in place against ``entity``'s field types (module docs).

    ``skip`` names fields already resolved elsewhere (owners, references).
    """
    known = meta.fields.get(entity, {})
    problems: list[TypeProblem] = []
    for name in list(fields):
        info = known.get(name)
        if info is None or name.startswith("_") or name in skip or fields[name] is None:
            continue
        convert = _converter(info, meta.base_currency or "RUB")
        if convert is not None:
            fields[name] = _coerce(name, fields[name], convert, problems)
    return problems


def _coerce(
    name: str, value: Any, convert: Callable[[Any], Any], problems: list[TypeProblem]
) -> Any:
    if isinstance(value, list):
        return [_coerce(name, v, convert, problems) for v in value]
    try:
        converted = convert(value)
    except _Refused as refused:
        problems.append(TypeProblem(name, refused.rule, shorten(value, 80), "error"))
        return value
    if isinstance(converted, _Told):
        problems.append(
            TypeProblem(name, "type.converted", shorten(value, 80), "warning", converted.value)
        )
        return converted.value
    return converted


class _Told(str):
    """A converted value worth a warning (its text changed, not only its spelling)."""

    __slots__ = ()

    @property
    def value(self) -> str:
        return str(self)


def _converter(info: FieldInfo, currency: str) -> Callable[[Any], Any] | None:
    kind = info.type
    if kind in ("integer", "employee", "user"):
        return _integer
    if kind == "double":
        return _number
    if kind == "money" and info.user_field:
        return lambda value: _money(value, currency)
    if kind == "boolean":
        return _flag("1", "0") if info.user_field else _flag("Y", "N")
    if kind == "char":
        return _flag("Y", "N")
    if kind == "date":
        return _date
    if kind == "datetime":
        return _datetime
    if kind == "file":
        return _file
    return None


_SPACES = re.compile(r"[\s\u00a0\u202f']")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")


def _decimal(value: Any, rule: str) -> Decimal:
    if isinstance(value, bool):
        raise _Refused(rule)
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = _SPACES.sub("", str(value))
    text = re.sub(r"(?i)(руб\.?|р\.|₽|rub|usd|eur|\$|€)$", "", text)
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _Refused(rule) from None
    if not number.is_finite():
        raise _Refused(rule)
    return number


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value: Any) -> Any:
    number = _decimal(value, "type.number")
    if isinstance(value, int | float) or _PLAIN.fullmatch(str(value).strip()):
        return value
    return _Told(_plain(number))


def _integer(value: Any) -> Any:
    number = _decimal(value, "type.integer")
    if number != number.to_integral_value():
        raise _Refused("type.integer")
    if isinstance(value, int | float) or _PLAIN.fullmatch(str(value).strip()):
        return str(int(number)) if not isinstance(value, int) else value
    return _Told(str(int(number)))


def _money(value: Any, currency: str) -> Any:
    text = str(value).strip()
    amount, _, code = text.partition("|")
    if not code:
        # `(?<!\s)`: the amount never ends in a space (those belong to `\s*`), and the lazy
        # amount no longer re-reads a run of 40,000 spaces at each of its characters
        match = re.fullmatch(r"(.*?)(?<!\s)\s*([A-Za-z]{3})", text)
        amount, code = (match.group(1), match.group(2)) if match else (text, currency)
    number = _decimal(amount, "type.number")
    plain = amount.strip() if _PLAIN.fullmatch(amount.strip()) else _plain(number)
    money = f"{plain}|{code.upper()}"
    return value if text == money else _Told(money)


_YES = frozenset({"y", "yes", "1", "true", "да", "д", "+", "истина"})
_NO = frozenset({"n", "no", "0", "false", "нет", "н", "-", "ложь"})


def _flag(yes: str, no: str) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        text = str(value).strip().lower()
        if text in _YES:
            return yes
        if text in _NO:
            return no
        raise _Refused("type.boolean")

    return convert


_RU_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _parse_moment(value: Any) -> datetime | date:
    text = str(value).strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _RU_DATE.fullmatch(text)
    if match is None:
        raise _Refused("type.date")
    day, month, year, hour, minute, second = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        raise _Refused("type.date") from None


def _date(value: Any) -> Any:
    moment = _parse_moment(value)
    if isinstance(moment, datetime):
        return _Told(moment.date().isoformat())  # the time of day is dropped: say so
    text = str(value).strip()
    return value if text == moment.isoformat() else _Told(moment.isoformat())


def _datetime(value: Any) -> Any:
    text = str(value).strip()
    moment = _parse_moment(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        return value  # ISO already: the portal reads it
    return _Told(moment.isoformat())


def _file(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value
    raise _Refused("type.file")
