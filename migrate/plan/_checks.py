"""Checking a record's fields against the portal before anything is written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mappings.entities import SMART_PROCESS
from migrate.errors import shorten
from migrate.plan._enums import closest_label, list_items
from migrate.plan._metadata import PortalMetadata

__all__ = ["FieldProblem", "as_int", "check_fields", "unmapped_required"]

# Written by the loader itself or accepted on import although the portal marks them read-only.
_LOADER_FIELDS = frozenset(
    {"ORIGINATOR_ID", "ORIGIN_ID", "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID"}
)

_MESSAGES = {
    "field.unknown": (
        "поля «{field}» нет на портале — создайте его или уберите из маппинга",
        "the portal has no field “{field}”: create it or drop it from the mapping",
    ),
    "field.read_only": (
        "поле «{field}» на портале только для чтения, значение не загрузится",
        "field “{field}” is read-only on the portal; the value will not load",
    ),
    "field.required": (
        "обязательное поле «{field}» не заполнено",
        "required field “{field}” is empty",
    ),
    "category.unknown": (
        "воронки «{value}» нет на портале{options}",
        "the portal has no pipeline “{value}”{options}",
    ),
    "status.unknown": (
        "значения «{value}» нет в справочнике поля «{field}»",
        "“{value}” is not in the list of field “{field}”",
    ),
    "stage.unknown": (
        "стадии «{value}» нет в воронке {category}{options}",
        "pipeline {category} has no stage “{value}”{options}",
    ),
    "enum.unknown": (
        "значения «{value}» нет в списке поля «{field}»",
        "“{value}” is not an item of field “{field}”",
    ),
    "field.single": (
        "поле «{field}» на портале принимает одно значение, а их несколько: «{value}»",
        "field “{field}” takes one value on the portal, the record has several: “{value}”",
    ),
    "currency.unknown": (
        "валюты «{value}» нет на портале",
        "the portal has no currency “{value}”",
    ),
    "field.unmapped_required": (
        "поле «{field}» на портале обязательное, а маппинг его не заполняет — добавьте его в "
        "маппинг или снимите обязательность на портале",
        "the portal requires field “{field}” and the mapping does not fill it: map it or make "
        "it optional on the portal",
    ),
}
_HINT = (" (ближайшее: «{hint}»)", " (closest: “{hint}”)")
_OPTIONS = ("; есть: ", "; there are: ")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One field of one record the portal would refuse or silently drop."""

    field: str
    rule: str
    value: str
    severity: str  # error | warning
    category: int = 0
    hint: str = ""  # the closest allowed value, for an unknown one
    options: tuple[str, ...] = ()  # what the portal has (pipelines, a pipeline's stages)

    def message(self, language: str = "ru") -> str:
        index = 1 if language == "en" else 0
        listed = ""
        if self.options:
            listed = _OPTIONS[index] + ", ".join(f"«{o}»" for o in self.options[:12])
        text = _MESSAGES[self.rule][index].format(
            field=self.field, value=self.value, category=self.category, options=listed
        )
        return text + (_HINT[index].format(hint=self.hint) if self.hint else "")


def check_fields(
    meta: PortalMetadata, entity: str, fields: Mapping[str, Any], *, creating: bool = True
) -> list[FieldProblem]:
    """Every problem of ``fields`` (legacy names) for ``entity`` against the portal.

    Unknown fields matter most: the portal ignores them without an error, so the data would
    vanish. Keys starting with ``_`` are hints, not fields. Values are checked where the
    portal holds the list: pipelines, stages, dictionaries, enumerations, currencies.
    """
    known = meta.fields.get(entity)
    if known is None:
        return []
    problems: list[FieldProblem] = []
    for name, value in fields.items():
        if name.startswith("_") or name in _LOADER_FIELDS:
            continue
        info = known.get(name)
        if info is None:
            problems.append(FieldProblem(name, "field.unknown", "", "error"))
        elif info.read_only or (info.immutable and not creating):
            problems.append(FieldProblem(name, "field.read_only", _text(value), "warning"))
        elif not _empty(value):
            problems.extend(_value_problems(meta, entity, fields, name, value))
    if creating:
        problems.extend(
            FieldProblem(name, "field.required", "", "error")
            for name, info in known.items()
            if info.required and not info.read_only and _empty(fields.get(name))
        )
    return problems


def _value_problems(
    meta: PortalMetadata, entity: str, fields: Mapping[str, Any], name: str, value: Any
) -> list[FieldProblem]:
    info = meta.fields[entity][name]
    values = value if isinstance(value, list | tuple) else [value]
    if info.user_field and not info.multiple and len(values) > 1:  # never keep just one
        return [FieldProblem(name, "field.single", _text(", ".join(map(str, values))), "error")]
    if info.type == "crm_category":
        categories = meta.categories_of(entity)
        if as_int(value) not in categories:
            names = tuple(f"{n} ({i})" for i, n in categories.items())
            return [FieldProblem(name, "category.unknown", _text(value), "error", options=names)]
        return []
    if info.type == "crm_currency" or name == "CURRENCY_ID":
        if str(value) not in meta.currencies:
            return [FieldProblem(name, "currency.unknown", _text(value), "error")]
        return []
    if name == "STAGE_ID" and entity in ("deal", SMART_PROCESS):
        category = as_int(fields.get("CATEGORY_ID"))
        stages = meta.stages(entity, category)
        if str(value) not in stages:
            names = tuple(f"{s.name} ({k})" for k, s in stages.items())
            return [
                FieldProblem(
                    name, "stage.unknown", _text(value), "error", category or 0, options=names
                )
            ]
        return []
    allowed: set[str] | None = None
    rule = "enum.unknown"
    if info.items:
        allowed = set(info.items)
    elif info.type == "crm_status" and info.status_type:
        allowed, rule = set(meta.dictionary(info.status_type)), "status.unknown"
    if allowed is None:
        return []
    labels = list_items(meta, info)
    return [
        FieldProblem(name, rule, _text(v), "error", hint=closest_label(v, labels))
        for v in values
        if str(v) not in allowed
    ]


def unmapped_required(
    meta: PortalMetadata, entity: str, targets: Iterable[str]
) -> list[FieldProblem]:
    """Fields the portal requires (and lets us write) that the mapping never fills: every
    record of the entity would be refused, so this blocks the load until fixed."""
    mapped = set(targets)
    return [
        FieldProblem(name, "field.unmapped_required", "", "error")
        for name, info in meta.fields.get(entity, {}).items()
        if info.required and not info.read_only and name not in mapped and name != "ID"
    ]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def as_int(value: Any) -> int | None:
    """``value`` as an integer, or ``None`` when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return shorten(value, 80)
