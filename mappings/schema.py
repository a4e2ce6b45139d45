"""Mapping files: one YAML per entity → frozen dataclasses, and back.

A mapping says where each Bitrix24 field of one entity comes from and how it is cleaned::

    entity: contact
    key: ID        # source key column → ORIGIN_ID (products: XML_ID); `_row` = file:row
    fields:
      _fio:  {from: ФИО, clean: [person_name], split_fio: [LAST_NAME, NAME, SECOND_NAME]}
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

import difflib
import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from mappings._yaml import Located, load_located
from mappings.fields import (
    ENTITIES,
    MULTI_FIELDS,
    MULTI_VALUE_TYPES,
    REF_ANY,
    entity_fields,
    is_known_field,
)

__all__ = [
    "ROW_KEY",
    "CleanStep",
    "EntityMapping",
    "FieldMapping",
    "MappingProblems",
    "check_columns",
    "dump_mapping",
    "load_mapping",
    "parse_mapping",
    "suggest",
    "to_yaml",
]

ROW_KEY = "_row"
_TOP_KEYS = ("entity", "key", "source", "fields")
_FIELD_KEYS = (
    "from", "clean", "map", "default", "split_fio", "ref", "owner", "value_type", "required",
    "severity", "const", "max_length", "join", "separator",
)  # fmt: skip
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class MappingProblems(ValueError):
    """Raised by :func:`parse_mapping`: ``problems`` lists every ``file:line: text``."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: {len(problems)} problem(s)")


@dataclass(frozen=True, slots=True)
class CleanStep:
    """One cleaner in a field's chain: its registry name and keyword options."""

    name: str
    options: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How one Bitrix24 field (or a helper field starting with `_`) is filled.

    Attributes:
        name: the Bitrix24 field (`NAME`, `PHONE`, `UF_CRM_…`) or a helper (`_fio`).
        sources: the source columns (`from`); several → first non-empty, or joined by ``join``;
            multi-fields and multiple references take every column.
        clean: cleaners applied in order to each distinct value.
        value_map: `map` — cleaned value → Bitrix24 value (matched ignoring case and spaces).
        default: value when the cell is empty or (with `map`) not in the map.
        split_fio: target fields for the parts of a full name, in the order they are written.
        ref: the referenced entity (`company`, `contact`, …, or `any` with `ENTITY_TYPE`).
        owner: the field holds a legacy user (name or e-mail) resolved by the plan.
        value_type: multi-field VALUE_TYPE, one for all columns or per column.
        required: an empty value is an error.
        severity: overrides the severity of every issue of this field.
        const: a constant value for every row.
        max_length: longest text kept; longer text is cut with a warning.
        join: separator to join several source columns instead of taking the first non-empty.
        separator: split one cell into several values (multiple references).
    """

    name: str
    sources: tuple[str, ...] = ()
    clean: tuple[CleanStep, ...] = ()
    value_map: Mapping[str, Any] | None = None
    default: Any = None
    split_fio: tuple[str, ...] = ()
    ref: str | None = None
    owner: bool = False
    value_type: str | Mapping[str, str] | None = None
    required: bool = False
    severity: str | None = None
    const: Any = None
    max_length: int | None = None
    join: str | None = None
    separator: str | None = None
    from_is_list: bool = field(default=False, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def is_helper(self) -> bool:
        """A helper field (`_fio`) is never loaded itself."""
        return self.name.startswith("_")

    @property
    def is_multi(self) -> bool:
        """PHONE / EMAIL / WEB / IM: the value is a tuple of (value, VALUE_TYPE) pairs."""
        return self.name in MULTI_FIELDS

    def value_type_for(self, column: str) -> str:
        """The VALUE_TYPE for values from ``column`` (WORK when nothing is said)."""
        if isinstance(self.value_type, Mapping):
            return str(self.value_type.get(column, "WORK"))
        return self.value_type or "WORK"


@dataclass(frozen=True, slots=True)
class EntityMapping:
    """A whole mapping file: entity, key column and fields in file order."""

    entity: str
    key: str
    fields: tuple[FieldMapping, ...]
    source: str | None = None
    file: str = field(default="", compare=False)

    @property
    def source_name(self) -> str:
        """The `sources:` entry of `migration.yaml` this mapping reads (default: the entity)."""
        return self.source or self.entity

    def columns(self) -> list[str]:
        """Every source column the mapping reads, key first, without repeats."""
        seen = [] if self.key == ROW_KEY else [self.key]
        for spec in self.fields:
            seen.extend(c for c in spec.sources if c not in seen)
        return seen

    def field(self, name: str) -> FieldMapping | None:
        """The field called ``name``, if mapped."""
        return next((f for f in self.fields if f.name == name), None)

    def targets(self) -> list[str]:
        """The CleanTable columns this mapping produces (fields and split_fio targets)."""
        out: list[str] = []
        for spec in self.fields:
            for name in (*spec.split_fio, spec.name):
                if not name.startswith("_") and name not in out:
                    out.append(name)
        return out


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` for the closest choice, or empty text."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean `{close[0]}`?)" if close else ""


def load_mapping(path: str | Path) -> EntityMapping:
    """Read and parse the mapping file ``path``."""
    path = Path(path)
    return parse_mapping(path.read_text(encoding="utf-8"), path.name)


def parse_mapping(text: str, file: str = "<mapping>") -> EntityMapping:
    """Parse mapping YAML; raise :class:`MappingProblems` listing every problem with its line."""
    try:
        doc = load_located(text, file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark else file
        raise MappingProblems(file, [f"{where}: not valid YAML ({exc})"]) from None
    return _Parser(doc).parse()


class _Parser:
    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.problems: list[str] = []

    def problem(self, path: tuple[Any, ...], text: str) -> None:
        self.problems.append(f"{self.doc.where(path)}: {text}")

    def parse(self) -> EntityMapping:
        data = self.doc.data
        for path, _line in self.doc.duplicates:
            self.problem(path, f"`{path[-1]}` is written twice; keep one")
        if not isinstance(data, dict):
            self.problem((), "a mapping file must be a YAML mapping with `entity`, `key`, `fields`")
            raise MappingProblems(self.doc.file, self.problems)
        for key in data:
            if key not in _TOP_KEYS:
                self.problem((key,), f"unknown key `{key}`{suggest(str(key), _TOP_KEYS)}")
        entity = self.text(data, ("entity",), required=True) or ""
        if entity and entity not in ENTITIES:
            self.problem(("entity",), f"unknown entity `{entity}`{suggest(entity, ENTITIES)}")
        key = self.text(data, ("key",), required=True) or ""
        source = self.text(data, ("source",))
        fields = self.fields(data.get("fields"), entity if entity in ENTITIES else "")
        if self.problems:
            raise MappingProblems(self.doc.file, self.problems)
        return EntityMapping(entity, key, fields, source, self.doc.file)

    def text(self, data: Mapping[Any, Any], path: tuple[Any, ...], required: bool = False) -> Any:
        value = data.get(path[-1])
        if value is None:
            if required:
                self.problem(path[:-1], f"`{path[-1]}` is missing")
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
            self.problem(path, f"`{path[-1]}` must be text, not {value!r}")
            return None
        return str(value)

    def fields(self, raw: Any, entity: str) -> tuple[FieldMapping, ...]:
        if not isinstance(raw, dict) or not raw:
            self.problem(("fields",), "`fields` must map Bitrix24 field names to their sources")
            return ()
        out = [self.one_field(str(name), spec, entity) for name, spec in raw.items()]
        return tuple(f for f in out if f is not None)

    def one_field(self, name: str, spec: Any, entity: str) -> FieldMapping | None:
        path: tuple[Any, ...] = ("fields", name)
        if not isinstance(spec, dict):
            self.problem(path, f"field `{name}` must be a mapping like `{{from: Column}}`")
            return None
        for key in spec:
            if key not in _FIELD_KEYS:
                self.problem(
                    (*path, key), f"`{name}`: unknown key `{key}`{suggest(str(key), _FIELD_KEYS)}"
                )
        self.check_name(name, entity, path)
        sources, from_is_list = self.sources(spec, path)
        owner = "owner" in spec
        if owner:
            if sources:
                self.problem((*path, "owner"), f"`{name}`: give either `from` or `owner`, not both")
            sources, from_is_list = self.columns(spec["owner"], (*path, "owner"))
        has_value = sources or spec.get("const") is not None or spec.get("default") is not None
        if not has_value:
            self.problem(path, f"`{name}`: `from` is missing (or give `const`)")
        result = FieldMapping(
            name=name,
            sources=sources,
            clean=self.clean(spec.get("clean"), (*path, "clean")),
            value_map=self.value_map(spec.get("map"), (*path, "map")),
            default=spec.get("default"),
            split_fio=self.split_fio(spec.get("split_fio"), (*path, "split_fio"), entity),
            ref=self.ref(spec.get("ref"), (*path, "ref")),
            owner=owner,
            value_type=self.value_type(name, spec.get("value_type"), sources, path),
            required=self.flag(spec.get("required"), (*path, "required")),
            severity=self.severity(spec.get("severity"), (*path, "severity")),
            const=spec.get("const"),
            max_length=self.positive(spec.get("max_length"), (*path, "max_length")),
            join=self.optional_text(spec.get("join"), (*path, "join")),
            separator=self.optional_text(spec.get("separator"), (*path, "separator")),
            from_is_list=from_is_list,
            line=self.doc.line(path),
        )
        if name.startswith("_") and not result.split_fio:
            self.problem(path, f"`{name}`: a helper field (starting with `_`) needs `split_fio`")
        return result

    def check_name(self, name: str, entity: str, path: tuple[Any, ...]) -> None:
        if not entity or name.startswith("_") or is_known_field(entity, name):
            return
        hint = suggest(name, entity_fields(entity))
        self.problem(path, f"`{name}` is not a {entity} field{hint}; user fields start `UF_CRM_`")

    def sources(
        self, spec: Mapping[str, Any], path: tuple[Any, ...]
    ) -> tuple[tuple[str, ...], bool]:
        if "from" not in spec:
            return (), False
        return self.columns(spec["from"], (*path, "from"))

    def columns(self, raw: Any, path: tuple[Any, ...]) -> tuple[tuple[str, ...], bool]:
        if isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw):
            return (str(raw),), False
        if isinstance(raw, list) and raw and all(isinstance(c, str | int) for c in raw):
            return tuple(str(c) for c in raw), True
        self.problem(path, f"`{path[-1]}` must be a column name or a list of them, not {raw!r}")
        return (), False

    def clean(self, raw: Any, path: tuple[Any, ...]) -> tuple[CleanStep, ...]:
        if raw is None:
            return ()
        from cleaners.registry import cleaner_names

        known = cleaner_names()
        steps = []
        for index, item in enumerate(raw if isinstance(raw, list) else [raw]):
            step = self.clean_step(item, (*path, index))
            if step is None:
                continue
            if step.name not in known:
                hint = suggest(step.name, known) or f"; known: {', '.join(known) or 'none'}"
                self.problem((*path, index), f"unknown cleaner `{step.name}`{hint}")
            else:
                self.clean_options(step, (*path, index))
            steps.append(step)
        return tuple(steps)

    def clean_step(self, item: Any, path: tuple[Any, ...]) -> CleanStep | None:
        if isinstance(item, str):
            return CleanStep(item)
        if isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
            if isinstance(options, dict) and all(isinstance(k, str) for k in options):
                return CleanStep(str(name), MappingProxyType(dict(options)))
        self.problem(path, f"a cleaner is a name or `{{name: {{option: value}}}}`, not {item!r}")
        return None

    def clean_options(self, step: CleanStep, path: tuple[Any, ...]) -> None:
        from cleaners.registry import get_cleaner

        try:
            parameters = inspect.signature(get_cleaner(step.name)).parameters
        except (TypeError, ValueError):
            return
        options = [p for p in parameters if p not in ("value", "on_error")]
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        for option in step.options:
            if option == "on_error" or (option not in options and not takes_any):
                hint = suggest(option, options) or f"; options: {', '.join(options) or 'none'}"
                self.problem(path, f"cleaner `{step.name}` has no option `{option}`{hint}")

    def value_map(self, raw: Any, path: tuple[Any, ...]) -> Mapping[str, Any] | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            self.problem(path, "`map` must be a non-empty mapping of source value → Bitrix24 value")
            return None
        return MappingProxyType({str(k): v for k, v in raw.items()})

    def split_fio(self, raw: Any, path: tuple[Any, ...], entity: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if (
            not isinstance(raw, list)
            or not 2 <= len(raw) <= 3
            or not all(isinstance(x, str) for x in raw)
        ):
            self.problem(
                path, "`split_fio` lists 2 or 3 fields, e.g. [LAST_NAME, NAME, SECOND_NAME]"
            )
            return ()
        for index, target in enumerate(raw):
            self.check_name(target, entity, (*path, index))
        return tuple(raw)

    def ref(self, raw: Any, path: tuple[Any, ...]) -> str | None:
        if raw is None:
            return None
        choices = (*ENTITIES, REF_ANY)
        if raw not in choices:
            self.problem(
                path, f"`ref` must name an entity, not `{raw}`{suggest(str(raw), choices)}"
            )
            return None
        return str(raw)

    def value_type(
        self, name: str, raw: Any, sources: tuple[str, ...], path: tuple[Any, ...]
    ) -> str | Mapping[str, str] | None:
        if raw is None:
            return None
        if name not in MULTI_FIELDS:
            self.problem(
                (*path, "value_type"), f"`value_type` applies to {', '.join(MULTI_FIELDS)} only"
            )
            return None
        allowed = MULTI_VALUE_TYPES[name]
        pairs = raw.items() if isinstance(raw, dict) else [(None, raw)]
        for column, kind in pairs:
            where = (*path, "value_type") if column is None else (*path, "value_type", column)
            if kind not in allowed:
                self.problem(
                    where,
                    f"unknown {name} value_type `{kind}`{suggest(str(kind), allowed)}; "
                    f"one of {', '.join(allowed)}",
                )
            if column is not None and column not in sources:
                self.problem(
                    where,
                    f"value_type for `{column}`, which is not in `from`"
                    f"{suggest(str(column), sources)}",
                )
        return (
            MappingProxyType({str(k): str(v) for k, v in raw.items()})
            if isinstance(raw, dict)
            else str(raw)
        )

    def flag(self, raw: Any, path: tuple[Any, ...]) -> bool:
        if raw is None or isinstance(raw, bool):
            return bool(raw)
        self.problem(path, f"`{path[-1]}` must be true or false, not {raw!r}")
        return False

    def severity(self, raw: Any, path: tuple[Any, ...]) -> str | None:
        if raw is None or raw in ("error", "warning"):
            return None if raw is None else str(raw)
        self.problem(path, f"`severity` must be `error` or `warning`, not {raw!r}")
        return None

    def positive(self, raw: Any, path: tuple[Any, ...]) -> int | None:
        if raw is None or (isinstance(raw, int) and not isinstance(raw, bool) and raw > 0):
            return raw
        self.problem(path, f"`{path[-1]}` must be a positive whole number, not {raw!r}")
        return None

    def optional_text(self, raw: Any, path: tuple[Any, ...]) -> str | None:
        if raw is None or isinstance(raw, str):
            return raw
        self.problem(path, f"`{path[-1]}` must be text, not {raw!r}")
        return None


def dump_mapping(mapping: EntityMapping) -> dict[str, Any]:
    """The canonical YAML structure of ``mapping`` (what :func:`parse_mapping` reads back)."""
    out: dict[str, Any] = {"entity": mapping.entity, "key": mapping.key}
    if mapping.source is not None:
        out["source"] = mapping.source
    out["fields"] = {spec.name: _dump_field(spec) for spec in mapping.fields}
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
    spec = next((f for f in mapping.fields if column in f.sources), None)
    return spec.line if spec else None
