"""Rules for a table nobody wrote rules for: comparisons and blocking keys from the columns.

Each column gets a role from its header (English or Russian, any case or separator) and its
values (:func:`migrate.inspect.profile.guess_kind`): given name, surname, middle name, full name,
birth date, other date, year, age, phone, e-mail, address part, identifier, money, category,
short text or long text. The roles become comparisons the way a specialist would write them:

* the name columns make **one** ``person_name`` comparison (order-insensitive, initials,
  transliteration, one part agreeing);
* every address part (street, number, suburb, city, postcode, state) makes **one** ``text``
  comparison: they are evidence of one fact, and a household shares it;
* identifiers (an SSN, a passport, an INN…) compare with ``exact`` and ``typo`` levels; a
  column whose every value is different (a row id) carries no evidence and is left out;
* CRM record metadata (creation and change dates, date-times, the manager, who created the
  record, tags, source, status, stage, notes, row numbers, external ids) is left out too: it
  describes the record, not the client;
* without a birth date or an identifier, the names are ``required`` (an address or a phone
  is shared by a household or an office);
* blocking: each identifier, phone, e-mail and birth date on its own; surname by sound plus
  the given name's initial (both ways round); postcode plus the surname's first letters; the
  distinctive words of the main text column (a title, a product or a restaurant name), where
  the ``max_block`` limit (grown with the table) drops words too common to tell anything.

Nothing here is tuned to a data set: EM estimates every weight on the table itself.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from migrate.dedupe import _normalise as norm
from migrate.dedupe.rules import Rules, parse_rules
from migrate.inspect.profile import guess_kind

__all__ = ["ColumnRole", "infer_roles", "infer_rules", "rules_document"]

SCAN = 2000
# a blocking key finding more pairs per record than this loses its largest blocks (a common
# word, a frequent name and birth year): they cost time, and the other keys find those pairs
KEY_PAIRS = 3
_ROLE_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(pattern, re.I))
    for role, pattern in (
        ("middle", r"middle|midl|patronym|отчеств|^mname$|^mi$|^mid_?name$"),
        ("given", r"given|first|fore|christian|^fname$|^имя$|имя_|_имя"),
        ("surname", r"surname|last_?name|family|^lname$|^last$|фамили"),
        ("company", r"compan|organi[sz]ation|^org(_?name)?$|firm|business|employer|"
                    r"legal_?name|^account_?name$|vendor|supplier|customer_?name|компани|"
                    r"организац|наименован|контрагент|фирм|поставщик|клиент"),
        ("full_name", r"full_?name|person|^фио$|^contact_?name$|^name_?full$"),
        ("birth", r"birth|^d_?o_?b$|born|рожд"),
        ("age", r"^age$|возраст"),
        ("year", r"year|^yr$|^год"),
        ("phone", r"phone|^tel|mobile|^fax|телефон|моб"),
        ("email", r"e_?mail|почта"),
        ("address", r"^no$|^nr$|addr|street|road|suburb|city|town|locality|post_?code|zip|state|"
                    r"province|region|county|house|building|unit|^apt|улиц|адрес|город|"
                    r"индекс|район|област|^дом"),
        ("category", r"gender|^sex$|race|ethnic|^type$|category|^пол$|^тип$"),
        ("identifier", r"ssn|soc_?sec|passport|licen[cs]e|account|^inn$|инн|снилс|паспорт|"
                       r"_id$|^id_|_no$|number$|^code$|isbn|sku|^ean|^upc"),
        ("money", r"price|cost|amount|sum$|цена|стоимост|сумма"),
    )
)  # fmt: skip
# CRM record metadata: when and by whom a record was made or changed, its manager, tags,
# source, status or stage, row numbers, ids in other systems, free-text notes. It describes
# the record, not the client: a duplicate entered later by someone else differs in all of it,
# and a namesake imported in the same batch agrees with it. Never evidence, never a block.
_META_HEADER = re.compile(
    r"creat|modif|updat|changed|edited|timestamp|owner|assign|responsib|manager|"
    r"^tags?$|^labels?$|lead_?source|^source$|utm|^status|stage|pipeline|funnel|"
    r"^notes?$|comment|remark|memo|^row|^#$|^№|^line_?(no|number)?$|^index$|external|xml_id|"
    r"^import|last_?(contact|activity|seen|visit|call)|"
    r"созда|измен|обновл|ответствен|менеджер|^автор$|^кем_|^теги?$|^тег_|метк|источник|статус|стади|"
    r"этап|воронк|коммент|примечан|заметк|номер_строки|^строка|внешн|импорт|последн",
    re.I,
)
_DATETIME_VALUE = re.compile(r"^\d[\d./-]{5,}\d[ T](?!0?0:00(:00)?$)\d{1,2}:\d\d")
# headers that say company whatever the values look like («Клиент» may be a person)
_COMPANY_ONLY = re.compile(
    r"compan|organi|^org|firm|legal|компани|организац|наименован|контрагент|фирм|юр"
)
_DATE_VALUE = re.compile(r"^(\d{8}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})$")
_SERIAL = re.compile(r"^\d{5}(\.0)?$")  # an Excel day number (a date cell read as a number)
_YEAR_VALUE = re.compile(r"^(1[6-9]|20)\d\d$")
_INN_VALUE = re.compile(r"^\D*(\d[\s-]?){9,12}\D*$")
_NUMBER_VALUE = re.compile(r"^-?\d+([.,]\d+)?$")


@dataclass(frozen=True, slots=True)
class ColumnRole:
    """One column, the role it plays in matching, and what its values look like."""

    column: str
    role: str  # given, surname, middle, full_name, company, birth, date, year, age, phone,
    # birth_year/_month/_day and date_year/… (one date in three columns),
    # email, address, inn, identifier, money, category, text, long_text, skip
    fill_rate: float
    distinct_rate: float
    mean_length: float
    codes_rate: float = 0.0  # share of values holding a model number / SKU-like word


def _header(column: str) -> str:
    return re.sub(r"[\s\-.]+", "_", column.strip()).strip("_").casefold()


def _base(header: str) -> str:
    """The header without a part number: ``fname_c1``, ``address_2``, ``phone2`` → the role's
    word (a name or an address split over numbered columns)."""
    return re.sub(r"_?(c|part|p)?\d$", "", header) or header


# one date kept in three columns (RLdata's ``by``/``bm``/``bd``, «День/Месяц/Год рождения»,
# ``birth_year``…): each part by its header and its values, joined only when all three are there
_BIRTH_MARK = re.compile(r"birth|born|^b_?[ymd]$|^dob|dob$|^[ymd]ob$|рожд")
_DATE_PARTS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("year", re.compile(r"year|^yr$|^y$|^b_?y$|^yob$|^год|_y$"), re.compile(r"^(1[6-9]|20)\d\d$")),
    ("month", re.compile(r"month|^mon$|^m$|^b_?m$|^mob$|месяц|_m$"),
     re.compile(r"^(0?[1-9]|1[0-2])$")),
    ("day", re.compile(r"day|^d$|^b_?d$|^dd$|^день|число|_d$"),
     re.compile(r"^(0?[1-9]|[12]\d|3[01])$")),
)  # fmt: skip


def _date_part(column: str, values: list[str]) -> tuple[str, str] | None:
    """``(birth|date, year|month|day)`` when the column is one part of a date, else None."""
    header = _header(column)
    for part, by_header, by_value in _DATE_PARTS:
        if by_header.search(header) and values and _share(values, by_value) >= 0.95:
            return ("birth" if _BIRTH_MARK.search(header) else "date"), part
    return None


def _share(values: list[str], pattern: re.Pattern[str]) -> float:
    return sum(1 for v in values if pattern.match(v)) / len(values) if values else 0.0


_AT = re.compile(r"[^@\s]+@[^@\s]+")


def _person_words(values: list[str]) -> float:
    """The share of values with a word that reads as part of a person's name: a known given
    name, a patronymic, a surname ending (``-ов``, ``-enko``), an initial."""
    hints = norm.role_hint
    return sum(1 for v in values if any(hints(t) for t in norm.name_tokens(v))) / max(
        len(values), 1
    )


def _role(column: str, values: list[str], distinct: int, filled: int, rows: int) -> str:
    """The role of one column (``skip`` when it can tell nothing)."""
    if filled == 0:
        return "skip"
    header = _header(column)
    if _META_HEADER.search(header) and not re.search(r"birth|рожд", header):
        return "skip"  # record metadata (see _META_HEADER)
    base = _base(header)
    by_header = next((role for role, rx in _ROLE_HEADERS if rx.search(base)), None)
    numeric = _share(values, _NUMBER_VALUE)
    if by_header != "birth" and _share(values, _DATETIME_VALUE) >= 0.5:
        return "skip"  # a time of day: when the record was touched, not a fact of the client
    if by_header == "birth" and _share(values, _YEAR_VALUE) >= 0.9:
        return "year"  # a year of birth alone: a number, ±1
    if by_header == "birth" and _share(values, _DATE_VALUE) < 0.5 and _share(values, _SERIAL) < 0.5:
        by_header = None  # a place of birth, a month or a day alone: read by the values
    if by_header == "birth" or (by_header is None and _share(values, _DATE_VALUE) >= 0.9
                                and numeric < 0.5):  # fmt: skip
        return "birth" if by_header == "birth" else "date"
    if by_header == "year" and _share(values, _YEAR_VALUE) >= 0.9:
        return "year"
    if by_header in ("age", "money") and numeric >= 0.8:
        return str(by_header)
    kind = guess_kind(column, values, distinct=distinct, filled=filled)
    if kind in ("phone", "email"):
        return kind
    if by_header == "email" and _share(values, _AT) < 0.5:
        by_header = None  # «Email Address» holding dates (a column shifted in the export)
    if by_header in (None, "company") and kind == "name" and not _COMPANY_ONLY.search(header):
        if distinct <= 30 and filled >= max(20, 5 * distinct):
            return "category"  # «Program Name»: a few capitalised values, repeated
        if _person_words(values) < 0.3:
            by_header = None  # «Neighborhood»: capitalised words, but nobody's name
        else:
            return "full_name"  # «Контактное лицо», «Клиент», «Name» holding people's names
    if by_header is None and kind == "company":
        return "company"  # legal forms in the values: «Название», «Name»
    if header in ("no", "nr") and distinct == filled:
        return "skip"  # «No.» numbering the rows; repeated, it is a house number
    if by_header in ("given", "surname", "middle", "full_name", "address", "phone", "email",
                     "company"):  # fmt: skip
        return str(by_header)
    if distinct == filled == rows > 1 and not any(" " in v for v in values):
        return "skip"  # every value different and one word: a row id, no evidence
    if kind == "inn" or (re.search(r"^inn$|инн", header) and _share(values, _INN_VALUE) >= 0.8):
        return "inn"  # checksum-valid INNs: two different ones never match
    if by_header in ("identifier", "category") or kind in ("inn", "kpp", "ogrn", "id"):
        return "identifier" if by_header != "category" else "category"
    if kind == "date":
        return "date"
    if kind == "money" or (kind == "number" and numeric >= 0.9):
        return "money"
    if kind == "enum":
        return "category"
    mean = sum(len(v) for v in values) / len(values)
    return "long_text" if mean > 60 else "text"


def _column_sample(series: pd.Series) -> tuple[list[str], int, int]:
    """The first :data:`SCAN` filled values (stripped), the distinct count, the filled count.

    "Filled" is neither empty nor ``nan`` once stripped. A column of text is worked out on its
    distinct values (a 100k-row column holds a few thousand), anything else value by value.
    """
    raw = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=False) != "string":
        text = series.astype(str).str.strip()
        text = text[(text != "") & (text.str.casefold() != "nan")]
        return text.head(SCAN).tolist(), int(text.nunique()), len(text)
    codes, uniques = pd.factorize(raw)
    stripped = [str(u).strip() for u in uniques]
    filled_value = np.array([t != "" and t.casefold() != "nan" for t in stripped], dtype=bool)
    keep = filled_value[codes]
    first = np.flatnonzero(keep)[:SCAN]
    values = [stripped[c] for c in codes[first]]
    distinct = len({t for t, f in zip(stripped, filled_value, strict=True) if f})
    return values, distinct, int(keep.sum())


def infer_roles(frame: pd.DataFrame, key: str | None = None) -> list[ColumnRole]:
    """The role of every column of ``frame`` (the key and ``_``-prefixed columns skipped)."""
    out = []
    parts: dict[str, tuple[str, str] | None] = {}
    rows = len(frame)
    for column in frame.columns:
        name = str(column)
        if name == key or name.startswith("_"):
            continue
        values, distinct, filled = _column_sample(frame[column])
        role = _role(name, values, distinct, filled, rows)
        mean = sum(len(v) for v in values) / len(values) if values else 0.0
        if role == "long_text" and mean > 500:
            role = "skip"  # a whole description: too slow to compare, too noisy to help
        codes = sum(1 for v in values if norm.code_tokens(v)) / len(values) if values else 0.0
        out.append(ColumnRole(name, role, filled / rows if rows else 0.0,
                              distinct / max(filled, 1), mean, codes))  # fmt: skip
        parts[name] = _date_part(name, values)
    return _drop_sparse_extras(_drop_derived_names(frame.head(SCAN), _join_date_parts(out, parts)))


_NAME_ROLES = ("given", "surname", "middle", "full_name")
# what says who a record is; the other roles (categories, free text, amounts) only describe it
_IDENTITY_ROLES = frozenset({*_NAME_ROLES, "company", "birth", "address", "phone", "email",
                             "inn", "identifier"})  # fmt: skip
SPARSE = 0.5
_NAMED = re.compile(r"(^|_)(name|title)($|_)|назван|наименован")


def _drop_sparse_extras(roles: list[ColumnRole]) -> list[ColumnRole]:
    """Beside columns that say who a record is, a describing column filled in fewer than half
    the rows is left out. A table gathered from several sources fills such a column for some
    sources only, often shifted («Center Director» holding a web site), and the model would
    learn "same source" as "same record": on dedupe's Chicago early-childhood table the
    precision was 0.15 with them."""
    if not any(r.role in _IDENTITY_ROLES for r in roles):
        return roles
    return [replace(r, role="skip") if r.role not in _IDENTITY_ROLES and r.role != "skip"
            and not r.role.startswith(("birth_", "date_")) and r.fill_rate < SPARSE else r
            for r in roles]  # fmt: skip


def _drop_derived_names(frame: pd.DataFrame, roles: list[ColumnRole]) -> list[ColumnRole]:
    """A name column made of the others (``first_and_surname``, a ``ФИО`` beside
    ``Фамилия``/``Имя``, a full name with titles around them) is left out: it says again what
    the parts say, and it hides which word is the surname. It is derived when, in nine rows
    of ten where it is filled, every word of the other name columns of the row is in it."""
    names = [r for r in roles if r.role in _NAME_ROLES]
    if len(names) < 3:
        return roles

    def words(column: str) -> list[set[str]]:
        return [set(norm.name_tokens(v)) for v in frame[column].astype(str).tolist()]

    texts = {r.column: words(r.column) for r in names}
    derived = set()
    for r in names:
        others = [texts[o.column] for o in names if o.column != r.column
                  and o.column not in derived]  # fmt: skip
        rows = [(mine, set().union(*(o[i] for o in others)))
                for i, mine in enumerate(texts[r.column]) if mine]  # fmt: skip
        rows = [(mine, rest) for mine, rest in rows if rest]
        if (
            len(others) >= 2
            and rows
            and sum(rest <= mine for mine, rest in rows) >= 0.9 * len(rows)
        ):
            derived.add(r.column)
    return [replace(r, role="skip") if r.column in derived else r for r in roles]


def _join_date_parts(
    roles: list[ColumnRole], parts: dict[str, tuple[str, str] | None]
) -> list[ColumnRole]:
    """Year, month and day columns of one date (of birth, or another) become its parts
    (roles ``birth_year``… or ``date_year``…), compared as one date; a part alone keeps its
    own role (a year is a number, a month a category)."""
    for kind in ("birth", "date"):
        found = {p[1]: c for c, p in parts.items() if p is not None and p[0] == kind}
        if len(found) == 3:
            roles = [replace(r, role=f"{kind}_{parts[r.column][1]}")  # type: ignore[index]
                     if r.column in found.values() else r for r in roles]  # fmt: skip
    return roles


def _columns(roles: list[ColumnRole], *wanted: str) -> list[str]:
    return [r.column for r in roles if r.role in wanted]


def _comparisons(roles: list[ColumnRole]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names = _columns(roles, "given", "surname", "middle", "full_name")
    if names:
        out.append({"name": "name", "kind": "person_name", "columns": names,
                    "levels": ["exact", "translit", "initials", {"fuzzy": 0.85}, "subset",
                               {"fuzzy": 0.7}, {"part": 0.8}]})  # fmt: skip
    for role in ("birth", "date"):
        for column in _columns(roles, role):
            out.append({"name": column, "kind": "date", "columns": [column],
                        "levels": ["exact", "typo"], "relatives": role == "birth"})  # fmt: skip
        split = _split_date(roles, role)
        if split:
            out.append({"name": f"{role} date", "kind": "date", "columns": split,
                        "levels": ["exact", "typo"], "relatives": role == "birth"})  # fmt: skip
    for column in _columns(roles, "company"):
        out.append(
            {
                "name": column,
                "kind": "company_name",
                "columns": [column],
                "levels": ["exact", "translit", {"fuzzy": 0.9}, "subset", {"fuzzy": 0.75}],
            }
        )
    address = _columns(roles, "address")
    if address:
        out.append(
            {
                "name": "address",
                "kind": "text",
                "scorer": "token_set_ratio",
                "columns": address,
                "levels": [
                    "exact",
                    {"fuzzy": 0.95},
                    {"fuzzy": 0.9},
                    {"parts": 0.8},
                    {"fuzzy": 0.8},
                    {"parts": 0.6},
                    {"fuzzy": 0.7},
                    {"parts": 0.4},
                    {"fuzzy": 0.6},
                ],
            }
        )
    for r in _code_columns(roles):
        out.append({"name": f"{r.column} code", "kind": "code", "columns": [r.column],
                    "levels": ["exact", "subset"]})  # fmt: skip
    for role, spec in (
        ("phone", {"kind": "phone"}),
        ("email", {"kind": "email"}),
        ("inn", {"kind": "identifier", "validate": "inn", "levels": ["exact", "typo"]}),
        ("identifier", {"kind": "identifier", "strong": False, "levels": ["exact", "typo"]}),
        ("year", {"kind": "number", "levels": ["exact", {"within": 0.0006}]}),  # ±1 year
        ("age", {"kind": "number", "levels": ["exact", {"within": 0.05}]}),
        ("money", {"kind": "number", "levels": ["exact", {"within": 0.1}]}),
        ("category", {"kind": "exact"}),
        ("text", {"kind": "text", "scorer": "token_sort_ratio",
                  "levels": ["exact", {"fuzzy": 0.9}, {"fuzzy": 0.75}, {"fuzzy": 0.6}]}),
        ("long_text", {"kind": "text", "scorer": "token_set_ratio",
                       "levels": [{"fuzzy": 0.9}, {"fuzzy": 0.75}, {"fuzzy": 0.6}]}),
    ):  # fmt: skip
        for column in _columns(roles, role):
            out.append({"name": column, "columns": [column], **spec})
    return _names_required(out)


def _split_date(roles: list[ColumnRole], kind: str) -> list[str]:
    """The year, month and day columns of one date, in that order (empty when not split)."""
    return [c for part in ("year", "month", "day") for c in _columns(roles, f"{kind}_{part}")]


def _names_required(comparisons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without a birth date or an identifier, names that differ outright never merge alone.

    The other evidence left (an address, a phone) is shared by a household or an office, and
    a different name beside it is a relative or a colleague. With a birth date, the
    ``relatives`` hold and the model judge: FEBRL-like data plants duplicates whose given
    name was replaced outright, and their birth date and address still tell.
    """
    if any(c.get("relatives") or c["kind"] == "identifier" for c in comparisons):
        return comparisons
    return [{**c, "required": True} if c["kind"] == "person_name" else c
            for c in comparisons]  # fmt: skip


def _code_columns(roles: list[ColumnRole]) -> list[ColumnRole]:
    """Text columns where most values carry a code (a product's model number)."""
    return [r for r in roles if r.role in ("text", "long_text") and r.codes_rate >= 0.5]


def _blocking(roles: list[ColumnRole], comparisons: list[dict[str, Any]]) -> list[Any]:
    blocking: list[Any] = [c["name"] for c in comparisons
                           if c["kind"] in ("identifier", "phone", "email", "date",
                                            "company_name")]  # fmt: skip
    for column in _columns(roles, "company"):  # a legal form or a word dropped: its words
        blocking.append({"columns": [column], "transform": "tokens"})
    given, surname = _columns(roles, "given"), _columns(roles, "surname")
    full = _columns(roles, "full_name")
    if given and surname:
        blocking += [
            {"columns": [surname[0], given[0]], "transform": ["phonetic", "initial"]},
            {"columns": [given[0], surname[0]], "transform": ["phonetic", "initial"]},
        ]
    elif full or given or surname:
        blocking.append("name")
        # the words of a name in one column: a typo in one word, or the words in another
        # order, still meet on the others (common given names fall to the key's budget)
        blocking.append({"columns": [(full or given or surname)[0]], "transform": "tokens"})
    postcode = [r.column for r in roles if r.role == "address"
                and re.search(r"post|zip|индекс", _header(r.column))]  # fmt: skip
    person = surname or full or given
    if postcode and person:
        blocking.append({"columns": [postcode[0], person[0]], "transform": ["exact", "prefix2"]})
    birth = _columns(roles, "birth") or _columns(roles, "birth_year")
    if birth and (given or full):
        blocking.append({"columns": [(given or full)[0], birth[0]],
                         "transform": ["phonetic", "year"]})  # fmt: skip
    if birth and given and surname:
        blocking.append({"columns": [surname[0], birth[0]], "transform": ["phonetic", "year"]})
    # free text by its words: a column named as a name first («Name», «Site name», «Название»),
    # then the most telling one
    texts = sorted((r for r in roles if r.role in ("text", "long_text")),
                   key=lambda r: (r.role != "text", not _NAMED.search(_header(r.column)),
                                  -r.distinct_rate * r.fill_rate))  # fmt: skip
    if texts:
        blocking.append({"columns": [texts[0].column], "transform": "tokens"})
    for r in _code_columns(roles):
        blocking.append({"columns": [r.column], "transform": "codes"})
    address = _columns(roles, "address")
    for left, right in itertools.pairwise(address):
        # neighbouring parts (house number and street, street and suburb…), each by its start:
        # a typo elsewhere in the address, or in the name, does not keep the pair apart
        blocking.append({"columns": [left, right], "transform": ["prefix3", "prefix3"]})
    if _columns(roles, "address"):
        # the whole address, normalised: a session of its own, in which the name is free to
        # differ, so that EM can learn how names of one person vary
        blocking.append("address")
    if len(address) == 1 or (address and not person):
        # an address in one column has no neighbouring parts: its words (a street, a house
        # number) block instead, the commonest (a city, «ул») falling to the budget
        blocking.append({"columns": address[:1], "transform": "tokens"})
    return blocking


def rules_document(
    frame: pd.DataFrame, key: str | None = None, roles: list[ColumnRole] | None = None
) -> dict[str, Any]:
    """The inferred rules as the YAML structure a specialist would write (``--rules auto``).

    ``roles``: the columns' roles when the caller already has them (:func:`infer_roles`).
    """
    roles = infer_roles(frame, key) if roles is None else roles
    comparisons = _comparisons(roles)
    rows = len(frame)
    document: dict[str, Any] = {
        "comparisons": comparisons,
        "blocking": _blocking(roles, comparisons),
        "thresholds": {"match": 0.9, "review": 0.5},
        # a block of more records than this says nothing (a common word, a shared office phone)
        "limits": {"max_block": int(min(1000, max(50, 4 * math.sqrt(max(rows, 1))))),
                   "max_cluster": 50, "key_pairs": KEY_PAIRS},
        "survivorship": {"prefer": ["completeness", "first"]},
    }  # fmt: skip
    if key:
        document["key"] = key
    return document


def infer_rules(
    frame: pd.DataFrame,
    key: str | None = None,
    entity: str = "auto",
    roles: list[ColumnRole] | None = None,
) -> Rules:
    """Rules inferred from ``frame``'s columns (see the module docstring)."""
    document = rules_document(frame, key, roles)
    if not document["comparisons"]:
        from migrate.errors import MappingError

        raise MappingError(
            "no column of the file can tell duplicates apart",
            [f"columns: {', '.join(map(str, frame.columns))[:300]}"],
            next_step="write a rules file naming the columns to compare (see docs/dedupe.md)",
        )
    if not document["blocking"]:  # e.g. only amounts: every row would be a candidate of all
        from migrate.errors import MappingError

        compared = ", ".join(f"`{c['columns'][0]}` ({c['kind']})" for c in document["comparisons"])
        raise MappingError(
            "no column of the file can bring likely duplicates together",
            [f"compared: {compared}: values that unrelated records share too"],
            next_step="add a name, phone, e-mail, identifier or address column, or write a "
            "rules file with a `blocking` key (see docs/dedupe.md)",
        )
    return parse_rules(document, entity=entity, where="inferred rules")
