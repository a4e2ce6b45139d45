"""Mapping files: one YAML per entity → frozen dataclasses, and back.

A mapping says where each Bitrix24 field of one entity comes from and how it is cleaned::

    entity: contact
    key: ID        # source key column → ORIGIN_ID (products: XML_ID); `_row` = file:row
    fields:
      _fio:  {from: ФИО, split_fio: [LAST_NAME, NAME, SECOND_NAME]}
      PHONE: {from: [Рабочий телефон, Мобильный], clean: [phone],
              value_type: {Рабочий телефон: WORK, Мобильный: MOBILE}, severity: warning}
      COMPANY_ID: {from: Компания, ref: company}     # by source key, else by name
      ASSIGNED_BY_ID: {owner: Ответственный}         # legacy user, resolved by the plan
      SOURCE_ID: {from: Источник, map: {Сайт: WEB, Звонок: CALL}, default: OTHER}
      BIRTHDATE: {from: День рождения, clean: [{date: {dayfirst: true}}]}
      OPENED: {const: "Y"}

:func:`parse_mapping` reports every problem of a file at once, each with ``file:line``, in one
:class:`~migrate.errors.MappingError`-compatible list; :func:`dump_mapping` gives back the
structure that was loaded (canonical form), so ``dump(load(f)) == safe_load(f)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from mappings._parse import load_mapping, parse_mapping
from mappings.model import (
    ROW_KEY,
    CleanStep,
    EntityMapping,
    FieldMapping,
    LineSpec,
    MappingProblems,
    RowFilter,
    fold_text,
    suggest,
)

__all__ = [
    "ROW_KEY",
    "CleanStep",
    "EntityMapping",
    "FieldMapping",
    "LineSpec",
    "MappingProblems",
    "RowFilter",
    "check_columns",
    "dump_mapping",
    "fold_text",
    "load_mapping",
    "parse_mapping",
    "suggest",
    "to_yaml",
]


def dump_mapping(mapping: EntityMapping) -> dict[str, Any]:
    """The canonical YAML structure of ``mapping`` (what :func:`parse_mapping` reads back)."""
    out: dict[str, Any] = {"entity": mapping.entity}
    if mapping.smart_process is not None:
        out["smart_process"] = mapping.smart_process
    out["key"] = mapping.key
    if mapping.source is not None:
        out["source"] = mapping.source
    if mapping.rows is not None:
        out["rows"] = {"column": mapping.rows.column, "values": list(mapping.rows.values)}
    if mapping.decode_html:
        out["decode_html"] = True
    out["fields"] = {spec.name: _dump_field(spec) for spec in mapping.fields}
    if mapping.lines is not None:
        lines: dict[str, Any] = {"fields": {s.name: _dump_field(s) for s in mapping.lines.fields}}
        if mapping.lines.total is not None:
            lines["total"] = mapping.lines.total
        out["lines"] = lines
    return out


def _dump_field(spec: FieldMapping) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.sources:
        columns: Any = list(spec.sources) if spec.from_is_list else spec.sources[0]
        out["owner" if spec.owner else "from"] = columns
    optional: Sequence[tuple[str, Any]] = (
        ("clean", [s.name if not s.options else {s.name: dict(s.options)} for s in spec.clean]),
        ("map", dict(spec.value_map) if spec.value_map is not None else None),
        ("default", spec.default),
        ("split_fio", list(spec.split_fio)),
        ("ref", spec.ref),
        (
            "value_type",
            dict(spec.value_type) if isinstance(spec.value_type, Mapping) else spec.value_type,
        ),
        ("required", spec.required or None),
        ("severity", spec.severity),
        ("const", spec.const),
        ("max_length", spec.max_length),
        ("join", spec.join),
        ("separator", spec.separator),
        ("escaped", spec.escaped or None),
        ("keep_unmapped", spec.keep_unmapped or None),
        ("type", spec.type),
    )
    out.update((k, v) for k, v in optional if v is not None and v != [])
    return out


def to_yaml(mapping: EntityMapping) -> str:
    """``mapping`` as YAML text (canonical form, keys in file order, Cyrillic kept)."""
    return yaml.safe_dump(dump_mapping(mapping), allow_unicode=True, sort_keys=False, width=100)


def check_columns(mapping: EntityMapping, columns: Sequence[str], source: str) -> list[str]:
    """Problems for every column the mapping reads that ``source`` does not have."""
    have = set(columns)
    problems = []
    for column in mapping.columns():
        if column not in have:
            line = _column_line(mapping, column)
            where = f"{mapping.file}:{line}" if line else mapping.file
            problems.append(
                f"{where}: column `{column}` is not in `{source}`{suggest(column, columns)}"
            )
    return problems


def _column_line(mapping: EntityMapping, column: str) -> int | None:
    specs = (*mapping.fields, *(mapping.lines.fields if mapping.lines else ()))
    spec = next((f for f in specs if column in f.sources), None)
    return spec.line if spec else None
