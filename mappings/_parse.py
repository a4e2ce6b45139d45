"""The mapping-file parser: YAML with line numbers → `EntityMapping`, every problem listed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from mappings._yaml import Located, NotUtf8, load_located, read_utf8
from mappings.entities import SMART_PROCESS
from mappings.fields import (
    ENTITIES,
    FIO_PARTS,
    MULTI_FIELDS,
    MULTI_VALUE_TYPES,
    REF_ANY,
    entity_fields,
    is_known_field,
)
from mappings.model import (
    LINE_FIELDS,
    CleanStep,
    EntityMapping,
    FieldMapping,
    LineSpec,
    MappingProblems,
    RowFilter,
    suggest,
)

__all__ = ["load_mapping", "parse_mapping"]

_TOP_KEYS = (
    "entity", "smart_process", "key", "source", "rows", "lines", "decode_html", "fields",
)  # fmt: skip
_FIELD_KEYS = (
    "from", "clean", "map", "default", "split_fio", "ref", "owner", "value_type", "required",
    "severity", "const", "max_length", "join", "separator", "escaped", "keep_unmapped",
    "type",
)  # fmt: skip
#: The user-field types a mapping may choose for a field the plan proposes (`type:`).
USER_FIELD_TYPES = (
    "string", "enumeration", "double", "integer", "date", "datetime", "boolean", "url",
)  # fmt: skip


def load_mapping(path: str | Path) -> EntityMapping:
    """Read and parse the mapping file ``path``."""
    path = Path(path)
    try:
        text = read_utf8(path)
    except NotUtf8 as exc:
        raise MappingProblems(
            path.name,
            [
                f"{path.name}:{exc.line}: not UTF-8 text; save the file as UTF-8 "
                "(Notepad: File → Save as → Encoding: UTF-8)"
            ],
        ) from None
    return parse_mapping(text, path.name)


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
        rows = self.rows(data.get("rows"))
        lines = self.lines(data.get("lines"), entity)
        decode_html = self.flag(data.get("decode_html"), ("decode_html",))
        smart = self.smart_process(data, entity)
        if self.problems:
            raise MappingProblems(self.doc.file, self.problems)
        return EntityMapping(
            entity, key, fields, source, self.doc.file, rows=rows, lines=lines,
            decode_html=decode_html, smart_process=smart,
        )  # fmt: skip

    def smart_process(self, data: dict[Any, Any], entity: str) -> str | None:
        """`smart_process:` — the title of the smart process (with `entity: smart_process`
        only, and required there: the portal knows a smart process by its title)."""
        wanted = entity == SMART_PROCESS
        title = self.text(data, ("smart_process",), required=wanted)
        if title is not None and not wanted:
            self.problem(("smart_process",), "`smart_process` goes with "
                         "`entity: smart_process` only")  # fmt: skip
            return None
        if wanted and title is not None and not title.strip():
            self.problem(("smart_process",), "`smart_process` is the title of a smart process "
                         "of the portal, e.g. «Договоры»")  # fmt: skip
        return title.strip() if title else None

    def rows(self, raw: Any) -> RowFilter | None:
        if raw is None:
            return None
        path: tuple[Any, ...] = ("rows",)
        ok = isinstance(raw, dict) and set(raw) == {"column", "values"}
        values = raw.get("values") if isinstance(raw, dict) else None
        values = [values] if isinstance(values, str | int) else values
        if not ok or not isinstance(raw.get("column"), str) or not values:
            self.problem(path, "`rows` is `{column: Тип, values: [контакт]}`: the column that "
                         "tells which rows belong to this entity, and its values")  # fmt: skip
            return None
        return RowFilter(raw["column"], tuple(str(v) for v in values))

    def lines(self, raw: Any, entity: str) -> LineSpec | None:
        if raw is None:
            return None
        path: tuple[Any, ...] = ("lines",)
        if not isinstance(raw, dict) or not isinstance(raw.get("fields"), dict):
            self.problem(path, "`lines` needs `fields` (PRODUCT_NAME, PRICE, QUANTITY …) and "
                         "optionally `total` (the amount field filled per line)")  # fmt: skip
            return None
        for key in raw:
            if key not in ("fields", "total"):
                self.problem((*path, key), f"unknown key `{key}` in `lines`")
        specs = []
        for name, spec in raw["fields"].items():
            where = (*path, "fields", name)
            if str(name) not in LINE_FIELDS:
                hint = suggest(str(name), LINE_FIELDS)
                self.problem(where, f"`{name}` is not a product line field{hint}")
                continue
            parsed = self.one_field(str(name), spec, "", where)
            if parsed is not None:
                specs.append(parsed)
        total = raw.get("total")
        if total is not None and not (entity and is_known_field(entity, str(total))):
            self.problem((*path, "total"), f"`total` must be a {entity or 'record'} field")
            total = None
        return LineSpec(tuple(specs), None if total is None else str(total))

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

    def one_field(
        self, name: str, spec: Any, entity: str, path: tuple[Any, ...] = ()
    ) -> FieldMapping | None:
        path = path or ("fields", name)
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
            escaped=self.flag(spec.get("escaped"), (*path, "escaped")),
            keep_unmapped=self.flag(spec.get("keep_unmapped"), (*path, "keep_unmapped")),
            type=self.user_type(name, spec.get("type"), (*path, "type")),
            from_is_list=from_is_list,
            line=self.doc.line(path),
        )
        if result.escaped and not result.separator:
            self.problem((*path, "escaped"), f"`{name}`: `escaped` needs a `separator`")
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
        from cleaners.registry import REQUIRED, cleaner_options

        known = {k: v for k, v in cleaner_options(step.name).items() if k != "on_error"}
        for option in step.options:
            if option not in known:
                hint = suggest(option, known) or f"; options: {', '.join(known) or 'none'}"
                self.problem(path, f"cleaner `{step.name}` has no option `{option}`{hint}")
        for option, default in known.items():
            if default is REQUIRED and option not in step.options:
                self.problem(path, f"cleaner `{step.name}` needs the option `{option}`")

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
        if not isinstance(raw, list) or not raw or not all(x in FIO_PARTS for x in raw):
            self.problem(path, f"`split_fio` lists the parts to fill: {', '.join(FIO_PARTS)}")
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

    def user_type(self, name: str, raw: Any, path: tuple[Any, ...]) -> str | None:
        if raw is None:
            return None
        if not name.startswith("UF_CRM_"):
            self.problem(path, f"`{name}`: `type` is for user fields (`UF_CRM_…`) only")
            return None
        if raw not in USER_FIELD_TYPES:
            known = ", ".join(USER_FIELD_TYPES)
            self.problem(path, f"`{name}`: `type` must be one of {known}, not {raw!r}")
            return None
        return str(raw)

    def optional_text(self, raw: Any, path: tuple[Any, ...]) -> str | None:
        if raw is None or isinstance(raw, str):
            return raw
        self.problem(path, f"`{path[-1]}` must be text, not {raw!r}")
        return None
