"""Propose a mapping for an unknown export by matching its headers to Bitrix24 fields.

Sources of knowledge, in order: the headers of the shipped presets (``mappings/<source>/
<entity>.yaml``, matched exactly, then fuzzily with rapidfuzz), the Russian titles of the
Bitrix24 fields, and finally the column's profiled kind (a column of phones → ``PHONE``).
The result is a :class:`mappings.schema.EntityMapping`, written with ``to_yaml`` in exactly
the shape mapping files have.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

import mappings
from mappings.entities import REGISTRY
from mappings.fields import ENTITIES, MULTI_FIELDS, is_known_field
from mappings.schema import CleanStep, EntityMapping, FieldMapping, fold_text
from migrate.inspect.profile import ColumnProfile, TableProfile

__all__ = ["ColumnMatch", "MappingProposal", "guess_entity", "propose_mapping"]

FUZZY_CUTOFF = 86.0
SURE_CUTOFF = 95.0
_STRONG_KINDS = ("email", "phone", "inn", "kpp", "url", "company")
_OWNER_HEADER = re.compile(
    r"owner|manager|assigned|responsible|created by|modified by|ответственн|менеджер"
    r"|кем созда|кем измен|кем редакт|автор",
    re.I,
)
_ID_HEADER = re.compile(r"^(id|ид|код|№|#|record id|xml_id|guid)$|\bid\b|\bид\b", re.I)
_REF_WORDS = {
    "COMPANY_ID": ("company", "компан", "организац"),
    "COMPANY_IDS": ("company", "компан", "организац"),
    "CONTACT_ID": ("contact", "контакт"),
    "CONTACT_IDS": ("contact", "контакт"),
    "SECTION_ID": ("section", "group", "групп", "раздел", "родител", "parent"),
    "ENTITY_ID": ("entity", "сущност"),
}
# Bitrix24 field titles as its interface shows them (Russian) → field, per entity or for all.
_TITLES: dict[str, str] = {
    "Название компании": "TITLE",
    "Название сделки": "TITLE",
    "Название": "TITLE",
    "Имя": "NAME",
    "Фамилия": "LAST_NAME",
    "Отчество": "SECOND_NAME",
    "ФИО": "_fio",
    "Телефон": "PHONE",
    "E-mail": "EMAIL",
    "Сайт": "WEB",
    "Адрес": "ADDRESS",
    "Комментарий": "COMMENTS",
    "Ответственный": "ASSIGNED_BY_ID",
    "Сумма": "OPPORTUNITY",
    "Валюта": "CURRENCY_ID",
    "Стадия": "STAGE_ID",
    "Дата создания": "DATE_CREATE",
    "ИНН": "RQ_INN",
    "КПП": "RQ_KPP",
    "ОГРН": "RQ_OGRN",
    "ОГРНИП": "RQ_OGRNIP",
    "Должность": "POST",
    "Дата рождения": "BIRTHDATE",
    "Компания": "COMPANY_ID",
    "Источник": "SOURCE_ID",
    "Дата закрытия": "CLOSEDATE",
    "Цена": "PRICE",
    "Описание": "DESCRIPTION",
    "Наименование": "TITLE",
    # requisite tables (crm.requisite.bankdetail.fields / crm.address.fields titles, and the
    # words people put above such columns)
    "Шаблон": "PRESET",
    "Шаблон реквизитов": "PRESET",
    "БИК": "RQ_BIK",
    "Банк": "RQ_BANK_NAME",
    "Наименование банка": "RQ_BANK_NAME",
    "Расчётный счёт": "RQ_ACC_NUM",
    "Расчетный счет": "RQ_ACC_NUM",
    "Корр. счёт": "RQ_COR_ACC_NUM",
    "Корр. счет": "RQ_COR_ACC_NUM",
    "Корреспондентский счёт": "RQ_COR_ACC_NUM",
    "Корреспондентский счет": "RQ_COR_ACC_NUM",
    "Тип адреса": "TYPE_ID",
    "Улица, дом": "ADDRESS_1",
    "Улица": "ADDRESS_1",
    "Квартира / офис": "ADDRESS_2",
    "Город": "CITY",
    "Индекс": "POSTAL_CODE",
    "Почтовый индекс": "POSTAL_CODE",
    "Район": "REGION",
    "Область": "PROVINCE",
    "Страна": "COUNTRY",
    "First Name": "NAME",
    "Last Name": "LAST_NAME",
    "Middle Name": "SECOND_NAME",
    "Full Name": "_fio",
    "Job Title": "POST",
}
_TITLE_FIELDS = {fold_text(k): v for k, v in _TITLES.items()}
_BY_KIND = {"phone": "PHONE", "email": "EMAIL", "url": "WEB", "inn": "RQ_INN", "kpp": "RQ_KPP"}
_BY_ENTITY_KIND = {
    ("company", "company"): "TITLE",
    ("contact", "company"): "COMPANY_ID",
    ("deal", "company"): "COMPANY_ID",
    ("contact", "name"): "_fio",
    ("lead", "name"): "_fio",
}
_FIO_SPEC: dict[str, Any] = {"split_fio": ["LAST_NAME", "NAME", "SECOND_NAME"]}
_DEFAULT_CLEAN = {
    "PHONE": "phones",
    "EMAIL": "emails",
    "WEB": "url",
    "NAME": "person_name",
    "LAST_NAME": "person_name",
    "SECOND_NAME": "person_name",
    "_fio": "person_name",
    "RQ_INN": "inn",
    "RQ_KPP": "kpp",
    "RQ_OGRN": "ogrn",
    "RQ_OGRNIP": "ogrn",
    "DATE_CREATE": "datetime",
    "BIRTHDATE": "date",
    "CLOSEDATE": "date",
    "BEGINDATE": "date",
    "OPPORTUNITY": "money",
    "PRICE": "money",
    "CURRENCY_ID": "currency",
    "COMMENTS": "text",
    "ADDRESS": "text",
    "POST": "text",
    "DESCRIPTION": "text",
}
_OWNER_FIELDS = ("ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID")


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """Why a column was mapped to a field (or not)."""

    column: str
    field: str | None
    how: str  # "preset <name>", "fuzzy <score> <header>", "title", "kind", "" when unmapped
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MappingProposal:
    """A proposed mapping and how each column was matched."""

    mapping: EntityMapping
    matches: tuple[ColumnMatch, ...]


@dataclass(frozen=True, slots=True)
class _Known:
    header: str
    field: str
    spec: dict[str, Any]
    preset: str


def _preset_files() -> Iterator[tuple[str, Path]]:
    root = Path(mappings.__file__).parent
    for path in sorted(root.rglob("*.yaml")):
        if path.stem in ENTITIES:
            yield str(path.parent.relative_to(root)), path


@functools.cache
def _preset_documents() -> tuple[tuple[str, dict[str, Any]], ...]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = []
    for preset, path in _preset_files():
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        if isinstance(data, dict):
            docs.append((preset, data))
    return tuple(docs)


def _known_headers(entity: str) -> list[_Known]:
    """Every source column the shipped presets map for ``entity``, with its field spec."""
    known: list[_Known] = []
    for preset, data in _preset_documents():
        if data.get("entity") != entity:
            continue
        for name, spec in (data.get("fields") or {}).items():
            if not isinstance(spec, dict):
                continue
            columns = spec.get("from", spec.get("owner"))
            for column in columns if isinstance(columns, list) else [columns]:
                if isinstance(column, str):
                    known.append(_Known(column, str(name), spec, preset))
    return known


def _guessable() -> list[tuple[str, tuple[str, ...]]]:
    """The entities a file may be guessed to hold, with their name words, in the registry's
    order (a tie goes to the one listed first)."""
    return [(e.name, e.words) for e in REGISTRY.values() if e.words]


def guess_entity(profile: TableProfile, hint: str = "") -> str:
    """The entity whose preset headers the table's headers match best; the file name, the
    sheet and ``hint`` (e.g. the requested table of an XML file) add to the score."""
    headers = {c.name.casefold() for c in profile.columns}
    name = f"{Path(profile.source).name} {profile.sheet} {hint}".casefold()
    best, best_score = "contact", -1.0
    for entity, words in _guessable():
        known = {k.header.casefold() for k in _known_headers(entity)}
        known |= {
            str(d.get("key", "")).casefold()
            for _, d in _preset_documents()
            if d.get("entity") == entity
        }
        score = len(headers & known) / max(1, len(headers))
        score += 0.5 * any(word in name for word in words)
        if entity == "contact" and any(c.kind == "name" for c in profile.columns):
            score += 0.1  # a column of people's names tips a tie towards contacts
        if score > best_score:
            best, best_score = entity, score
    return best


def _usable(entity: str, field: str) -> bool:
    """Whether ``entity`` has ``field``; ``_fio`` needs the name fields it splits into."""
    if field == "_fio":
        return all(is_known_field(entity, f) for f in _FIO_SPEC["split_fio"])
    return field.startswith("_") or is_known_field(entity, field)


def _match(column: ColumnProfile, entity: str, known: list[_Known]) -> ColumnMatch:
    """The field of a column when inspect is sure of it, else unmapped with the guess shown.

    Sure: the header of a shipped preset (exactly), a Bitrix24 field title (exactly), a close
    spelling of one (fuzzy ≥ 95), or values of a strong kind (e-mails, phones, INNs …) under a
    header that does not contradict them. Unsure guesses stay unmapped, listed as `? FIELD`.
    A column naming an owner (`Contact owner`, `Ответственный`) only ever maps to an owner
    field, and an id column only to a reference whose target it names.
    """
    match = _candidate(column, entity, known)
    if match.field is None:
        return match
    refused = _guard(column.name, match.field)
    if refused:
        return ColumnMatch(column.name, None, f"{refused}", {})
    return match


def _candidate(column: ColumnProfile, entity: str, known: list[_Known]) -> ColumnMatch:
    name = column.name
    folded = fold_text(name)
    owner = _OWNER_HEADER.search(name)
    for k in known:
        if fold_text(k.header) == folded:
            return ColumnMatch(name, k.field, f"preset {k.preset}", k.spec)
    title = _TITLE_FIELDS.get(folded)
    if title and _usable(entity, _titled(title, entity)):
        field = _titled(title, entity)
        return ColumnMatch(name, field, f"title `{name}`", _FIO_SPEC if field == "_fio" else {})
    hit = process.extractOne(name, [k.header for k in known], scorer=fuzz.WRatio,
                             score_cutoff=FUZZY_CUTOFF)  # fmt: skip
    if hit is not None:
        k = known[hit[2]]
        how = f"fuzzy {hit[1]:.0f} `{k.header}`"
        if (hit[1] >= SURE_CUTOFF or _values_agree(column, entity, k.field)) and not owner:
            return ColumnMatch(name, k.field, how, k.spec)
        return ColumnMatch(name, None, f"? {k.field} ({how})", {})
    if owner:
        return ColumnMatch(name, "ASSIGNED_BY_ID", "owner column", {"owner": True})
    by_kind = _kind_field(column, entity)
    if by_kind and _usable(entity, by_kind):
        spec = _FIO_SPEC if by_kind == "_fio" else {}
        if column.hinted or column.kind in _STRONG_KINDS:
            return ColumnMatch(name, by_kind, f"kind {column.kind}", spec)
        return ColumnMatch(name, None, f"? {by_kind} (values look like {column.kind})", {})
    return ColumnMatch(name, None, "", {})


def _kind_field(column: ColumnProfile, entity: str) -> str | None:
    return _BY_KIND.get(column.kind) or _BY_ENTITY_KIND.get((entity, column.kind))


def _values_agree(column: ColumnProfile, entity: str, field: str) -> bool:
    """The values are of the kind ``field`` holds, and the header says so too."""
    return _kind_field(column, entity) == field and column.hinted


def _titled(field: str, entity: str) -> str:
    if field == "NAME" and entity in ("company", "deal", "lead", "product_section"):
        return "" if entity != "product_section" else "NAME"
    return field


def _guard(column: str, field: str) -> str:
    """Why ``field`` must not come from ``column`` (empty: it may)."""
    if _OWNER_HEADER.search(column) and field not in _OWNER_FIELDS:
        return f"? {field} refused: `{column}` names an owner, not the record's own value"
    if field in _REF_WORDS and _ID_HEADER.search(column):
        words = _REF_WORDS[field]
        if not any(w in column.casefold() for w in words):
            return f"? {field} refused: `{column}` is an id, not a link to a {words[0]}"
    return ""


def _clean_steps(field: str, spec: dict[str, Any]) -> tuple[CleanStep, ...]:
    raw = spec.get("clean")
    if raw is None:
        default = _DEFAULT_CLEAN.get(field)
        return (CleanStep(default),) if default else ()
    steps = []
    for item in raw:
        if isinstance(item, dict):
            name, options = next(iter(item.items()))
            steps.append(CleanStep(str(name), dict(options or {})))
        else:
            steps.append(CleanStep(str(item)))
    return tuple(steps)


_VALUE_TYPE_WORDS = (
    ("мобил", "MOBILE"),
    ("сотов", "MOBILE"),
    ("mobile", "MOBILE"),
    ("факс", "FAX"),
    ("fax", "FAX"),
    ("домаш", "HOME"),
    ("личн", "HOME"),
    ("частн", "HOME"),
    ("home", "HOME"),
    ("рабоч", "WORK"),
    ("work", "WORK"),
)


def _value_type_of(column: str, default: str) -> str:
    """The VALUE_TYPE a column's own header names (``Телефоны / Рабочий`` → WORK)."""
    folded = column.casefold()
    return next((kind for word, kind in _VALUE_TYPE_WORDS if word in folded), default)


def _field(field: str, columns: list[str], spec: dict[str, Any]) -> FieldMapping:
    if field in _OWNER_FIELDS or "owner" in spec:
        return FieldMapping(name=field, sources=(columns[0],), owner=True)
    multi = field in MULTI_FIELDS
    value_type: Any = None
    if multi:
        kinds = spec.get("value_type")
        if isinstance(kinds, dict):
            value_type = {c: kinds.get(c) or _value_type_of(c, "WORK") for c in columns}
        elif len(columns) > 1:
            value_type = {c: _value_type_of(c, kinds or "WORK") for c in columns}
        else:
            value_type = kinds or _value_type_of(columns[0], "WORK")
    return FieldMapping(
        name=field,
        sources=tuple(columns),
        clean=_clean_steps(field, spec),
        value_map=spec.get("map"),
        default=spec.get("default"),
        split_fio=tuple(spec.get("split_fio") or ()),
        ref=spec.get("ref") or ("company" if field == "COMPANY_ID" else None),
        value_type=value_type,
        severity=spec.get("severity") or ("warning" if multi else None),
        separator=spec.get("separator"),
        from_is_list=len(columns) > 1,
    )


def _joins(field: str, taken: dict[str, Any], spec: dict[str, Any]) -> bool:
    """A second column joins a field that is a multi-field or a preset's list of columns."""
    return field in MULTI_FIELDS or (spec is taken and isinstance(spec.get("from"), list))


def _preset_order(columns: list[str], spec: dict[str, Any]) -> list[str]:
    listed = spec.get("from")
    if not isinstance(listed, list):
        return columns
    return sorted(columns, key=lambda c: listed.index(c) if c in listed else len(listed))


def _key_column(profile: TableProfile) -> str:
    for column in profile.columns:
        if column.kind == "id" and column.distinct == column.filled == profile.rows:
            return column.name
    return "_row"


def propose_mapping(
    profile: TableProfile, entity: str | None = None, *, hint: str = ""
) -> MappingProposal:
    """Propose an EntityMapping for the profiled table (entity guessed when not given)."""
    entity = entity or guess_entity(profile, hint)
    known = _known_headers(entity)
    key = _key_column(profile)
    matches = [
        _match(c, entity, known) if c.name != key else ColumnMatch(c.name, None, "key", {})
        for c in profile.columns
    ]
    grouped: dict[str, tuple[list[str], dict[str, Any]]] = {}
    final: list[ColumnMatch] = []
    for match in matches:
        field = match.field
        if field is None:
            final.append(match)
            continue
        if field in grouped and not _joins(field, grouped[field][1], match.spec):
            final.append(ColumnMatch(match.column, None, f"{field} taken", {}))
            continue
        columns = grouped.setdefault(field, ([], match.spec))[0]
        columns.append(match.column)
        final.append(match)
    fields = tuple(
        _field(f, _preset_order(cols, spec), spec) for f, (cols, spec) in grouped.items()
    )
    return MappingProposal(EntityMapping(entity=entity, key=key, fields=fields), tuple(final))
