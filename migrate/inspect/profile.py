"""Profile the columns of a RawTable: fill rate, distinct values, a guessed kind, samples.

The kind is a guess from the header and the values (simple patterns, no cleaning): ``id``,
``phone``, ``email``, ``url``, ``inn``, ``date``, ``money``, ``number``, ``name`` (a person),
``company``, ``enum`` (few distinct values), ``text``, or ``empty``. It feeds the proposed
mapping of `b24migrate inspect` and helps a specialist read an unknown export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from migrate.sources import RawTable
from migrate.sources._table import ROW_COLUMN

__all__ = ["KINDS", "ColumnProfile", "TableProfile", "guess_kind", "header_hint", "profile_table"]

KINDS = (
    "empty", "id", "phone", "email", "url", "inn", "kpp", "ogrn", "date", "money", "number",
    "name", "company", "enum", "text",
)  # fmt: skip
SCAN_VALUES = 2000  # non-empty values looked at per column
_PATTERNS: dict[str, re.Pattern[str]] = {
    # one address, then more after `,`/`;`. Written to run in linear time: the plain form
    # `([,;]\s*\S+@\S+)*$` tried every split of a run like `a@a,a@a,…` (20 addresses and a
    # stray word took 25 s, each more doubled it), `[^@\s,;]+\.[^@\s,;]+` every dot of a
    # long domain. Here each run of non-spaces is taken whole: one after a `,`/`;` is an
    # address with an `@` inside it, one before a space ends in the next `,`/`;`. Same answers
    # (tests/migrate/test_profile_regex.py keeps the plain form as the oracle).
    "email": re.compile(
        r"^(mailto:)?\s*[^@\s,;]+@(?>[^@\s,;]+\.[^@\s,;]+)\s*"
        r"(?:[,;]\s*(?:(?=\S[^\s@]*@\S(?>\S+)(?<=[,;])\s)(?>\S+)\s+)*(?=\S[^\s@]*@\S)(?>\S+))?$",
        re.I,
    ),
    "url": re.compile(
        r"^(https?://|www\.)\S+$|^[\w-]+(\.[\w-]+)*\.(ru|com|org|net|рф|su|io)/?$", re.I
    ),
    "inn": re.compile(r"^(ИНН\s*)?(\d{9,10}|\d{11,12})(\.0)?$", re.I),
    "date": re.compile(
        r"^(\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})([ T]\d{1,2}:\d{2}(:\d{2})?.*)?$"
    ),
    "money": re.compile(
        r"^[$€]?\s*-?(\d{1,3}([\s\u00a0,.]\d{3})+|\d+)([.,]\d{1,2})?\s*"
        r"(₽|руб\.?|р\.|RUB|USD|EUR|\$|€)?$",
        re.I,
    ),
    "kpp": re.compile(r"^\d{9}$"),
    "ogrn": re.compile(r"^\d{13}$|^\d{15}$"),
    "number": re.compile(r"^-?\d+([.,]\d+)?$"),
    "guid": re.compile(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(#.*)?$", re.I
    ),
    "company": re.compile(
        r"(^|[\s«\"'(,])(ООО|ОАО|ЗАО|ПАО|АО|ИП|НКО|ГУП|МУП|ФГУП|ТОО|LLC|Ltd|Inc)([\s»\"'),.]|$)"
        r"|Общество с|Акционерное общество|Индивидуальный предприниматель|[«»]",
        re.I,
    ),
    "name": re.compile(r"^[А-ЯЁA-Z][а-яёa-z]+(-[А-ЯЁ][а-яё]+)?( +[А-ЯЁA-Z][а-яёa-z.]*){0,2}$"),
}
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]+$")
# an extension at the end. `(?<!\s)`: the match starts where the spaces before it start (so the
# same match), and no search restarts inside a run of spaces; one `\s*` around the optional
# bracket (`\s*\(?\s*` split every run two ways: 40,000 spaces hung)
_PHONE_EXT = re.compile(r"(?<!\s)\s*(?:\(\s*)?(доб\.?|ext\.?|вн\.?)\s*\d+\)?\s*$", re.I)
_ID_HEADER = re.compile(r"^(id|ид|код|номер|xml_id|guid)\b|\bid$|\bид$|^№|^#", re.I)
_NAME_HEADER = re.compile(
    r"имя|фамилия|фио|отчество|контакт|ответственн|автор|менеджер|кем создан|name", re.I
)
_HEADER_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("inn", re.compile(r"\bинн\b|\binn\b", re.I)),
    ("kpp", re.compile(r"\bкпп\b|\bkpp\b", re.I)),
    ("ogrn", re.compile(r"\bогрн(ип)?\b|\bogrn", re.I)),
    ("date", re.compile(r"дата|date|создан[оа]?$|birthday", re.I)),
    ("money", re.compile(r"бюджет|сумма|цена|стоимость|оборот|price|amount|budget", re.I)),
    ("phone", re.compile(r"телефон|phone|моб", re.I)),
    ("email", re.compile(r"e-?mail|почта", re.I)),
    ("url", re.compile(r"сайт|web|url", re.I)),
)


@dataclass(frozen=True, slots=True)
class ColumnProfile:
    """What one column holds."""

    name: str
    filled: int
    fill_rate: float
    distinct: int
    kind: str
    samples: tuple[str, ...]
    max_length: int
    hinted: bool = False  # the header names the kind the values have (`Телефоны`: phones)


@dataclass(frozen=True, slots=True)
class TableProfile:
    """A RawTable's columns, profiled."""

    source: str
    sheet: str
    header_row: int
    rows: int
    columns: tuple[ColumnProfile, ...]


def _is_phone(value: str) -> bool:
    """One or more numbers of 10–11 digits (an extension and an Excel ``.0`` allowed)."""
    for part in re.split(r"[,;/]", value):
        part = _PHONE_EXT.sub("", part.strip()).removesuffix(".0")
        digits = sum(ch.isdigit() for ch in part)
        if not (_PHONE_CHARS.match(part) and 10 <= digits <= 11):
            return False
    return True


def _share(values: list[str], kind: str) -> float:
    if kind == "phone":
        return sum(1 for v in values if _is_phone(v)) / len(values)
    pattern = _PATTERNS[kind]
    return sum(1 for v in values if pattern.search(v)) / len(values)


def _looks_like_id(header: str, values: list[str]) -> bool:
    if not _ID_HEADER.search(header.strip()):
        return False
    short = sum(1 for v in values if len(v) <= 40 and " " not in v) / len(values)
    return short >= 0.95


def guess_kind(header: str, values: list[str], *, distinct: int, filled: int) -> str:
    """Guess a column's kind from its header and (a sample of) its non-empty values."""
    if not values:
        return "empty"
    hint = header_hint(header)
    if hint and _share(values, hint) >= 0.5:
        return hint
    if _looks_like_id(header, values):
        return "id"
    for kind in ("email", "url", "phone", "date", "company"):
        if _share(values, kind) >= 0.6:
            return kind
    if _NAME_HEADER.search(header) and _share(values, "name") >= 0.6:
        return "name"
    if _share(values, "money") >= 0.8 and _share(values, "number") < 0.8:
        return "money"
    if distinct <= 30 and filled >= max(20, 5 * distinct):
        return "enum"
    if _share(values, "number") >= 0.9:
        return "id" if distinct == filled else "number"
    multi_word = [v for v in values if " " in v.strip()]
    if len(multi_word) >= 0.6 * len(values) and _share(multi_word, "name") >= 0.8:
        return "name"
    return "text"


def header_hint(header: str) -> str | None:
    """The kind a header names (`Телефоны` → phone, `ИНН организации` → inn), if any."""
    return next((kind for kind, rx in _HEADER_HINTS if rx.search(header)), None)


def _profile_column(name: str, column: pd.Series) -> ColumnProfile:
    text = column.astype(str)
    nonempty = text[text.str.strip() != ""]
    filled = len(nonempty)
    distinct = int(nonempty.nunique())
    scan = nonempty.head(SCAN_VALUES).str.strip().tolist()
    samples = tuple(dict.fromkeys(scan[:200]))[:5]
    kind = guess_kind(name, scan, distinct=distinct, filled=filled)
    return ColumnProfile(
        name=name,
        filled=filled,
        fill_rate=filled / len(text) if len(text) else 0.0,
        distinct=distinct,
        kind=kind,
        samples=tuple(s if len(s) <= 60 else s[:59] + "…" for s in samples),
        max_length=int(nonempty.str.len().max()) if filled else 0,
        hinted=kind == header_hint(name),
    )


def profile_table(table: RawTable) -> TableProfile:
    """Profile every column of ``table`` (``_row`` excluded)."""
    columns = [c for c in table.frame.columns if c != ROW_COLUMN]
    return TableProfile(
        source=str(table.source),
        sheet=table.sheet,
        header_row=table.header_row,
        rows=len(table.frame),
        columns=tuple(_profile_column(c, table.frame[c]) for c in columns),
    )
