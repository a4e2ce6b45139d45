"""Validation: pandera schemas built from the mapping (and the portal's field metadata).

Failures never raise: pandera runs lazily, every failure case becomes an Issue row, rows with
an ``error`` are kept out of the CleanTable and ``warning`` rows load their cleaned value
(text that is too long is cut). Rules:

* ``key.empty`` / ``key.duplicate`` — every row needs a unique source key (the first
  occurrence of a repeated key stays, the repeats are errors);
* ``field.required`` — fields marked ``required`` in the mapping or ``isRequired`` on the portal;
* ``enum.unknown`` — enumeration fields whose value is neither an item ID nor its label
  (labels are turned into IDs), and crm_status fields not in the portal's status list,
  with the closest option as the suggestion;
* ``text.too_long`` — text beyond the field's limit (warning, cut);
* ``field.unmapped_required`` / ``field.read_only`` — entity-wide, from the portal metadata.

Portal metadata is the ``crm.<entity>.fields`` result (``{FIELD: {type, isRequired,
isReadOnly, items, statusType, …}}``) and optionally ``{statusType: [STATUS_ID, …]}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from rapidfuzz import process

from mappings.fields import MULTI_FIELDS, TEXT_LIMITS
from mappings.schema import EntityMapping, FieldMapping
from migrate.errors import shorten
from migrate.issues import ISSUE_COLUMNS, concat_issues, message
from migrate.prepare.listvalues import ListItems
from migrate.prepare.transform import MappedTable

__all__ = ["FieldsMeta", "ValidatedTable", "build_schema", "validate_table"]

FieldsMeta = Mapping[str, Mapping[str, Any]]
_DEFAULT_LIMIT = 255
_LIST_TYPES = ("enumeration", "crm_status")
_SEVERITY = {
    "key.empty": "error",
    "key.duplicate": "error",
    "field.required": "error",
    "enum.unknown": "error",
    "text.too_long": "warning",
}


@dataclass(frozen=True, slots=True)
class ValidatedTable:
    """The CleanTable of one entity (rows without errors) and every issue of the entity."""

    entity: str
    frame: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int


def build_schema(
    mapping: EntityMapping,
    fields_meta: FieldsMeta | None = None,
    statuses: Mapping[str, Sequence[str]] | None = None,
) -> pa.DataFrameSchema:
    """The pandera schema for the CleanTable of ``mapping`` (check names are issue rules)."""
    columns: dict[str, pa.Column] = {
        "_key": pa.Column(
            checks=[pa.Check(_filled, name="key.empty", ignore_na=False)],
            unique=True,
            report_duplicates="exclude_first",
            nullable=True,
        )
    }
    meta = fields_meta or {}
    for name in mapping.targets():
        checks = []
        info = meta.get(name, {})
        spec = mapping.field(name)
        if (spec is not None and spec.required) or _portal_required(info):
            checks.append(pa.Check(_filled, name="field.required", ignore_na=False))
        options = _options(info, statuses)
        if options is not None:
            checks.append(pa.Check(_in(options), name="enum.unknown"))
        limit = _limit(name, spec)
        if limit is not None:
            checks.append(pa.Check(_short(limit), name="text.too_long"))
        columns[name] = pa.Column(checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, name=mapping.entity)


def validate_table(
    table: MappedTable,
    mapping: EntityMapping,
    *,
    fields_meta: FieldsMeta | None = None,
    statuses: Mapping[str, Sequence[str]] | None = None,
    language: str = "ru",
) -> ValidatedTable:
    """Validate ``table``; return the rows without errors and all issues of the entity."""
    frame = _enum_ids(table.frame, fields_meta or {})
    schema = build_schema(mapping, fields_meta, statuses)
    found = [table.issues, _entity_issues(mapping, fields_meta, language)]
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        found.append(
            _issues(exc.failure_cases, table, frame, mapping, language, fields_meta or {}, statuses)
        )
    issues = concat_issues(found)
    frame = _cut_long_text(frame, mapping, issues)
    return ValidatedTable(table.entity, _drop_errors(frame, issues), issues, len(frame))


def _filled(series: pd.Series) -> pd.Series:
    return series.notna() & series.astype(bool)


def _in(options: Sequence[str]) -> Any:
    allowed = set(options)
    return lambda s: s.isna() | s.isin(allowed)


def _short(limit: int) -> Any:
    return lambda s: s.isna() | (s.astype(str).str.len() <= limit)


def _portal_required(info: Mapping[str, Any]) -> bool:
    return bool(info.get("isRequired")) and not info.get("isReadOnly")


def _options(
    info: Mapping[str, Any], statuses: Mapping[str, Sequence[str]] | None
) -> list[str] | None:
    items = info.get("items")
    if info.get("type") == "enumeration" and items:
        return [str(i.get("ID")) for i in items]
    status_type = str(info.get("statusType") or "")
    if info.get("type") == "crm_status" and statuses and status_type in statuses:
        return [str(s) for s in statuses[status_type]]
    return None


def _choices(
    info: Mapping[str, Any], statuses: Mapping[str, Sequence[str]] | None
) -> list[str] | None:
    """What to suggest for an unknown value: enumeration labels, else the allowed ids."""
    if info.get("type") in _LIST_TYPES and info.get("items"):
        return [str(i.get("VALUE")) for i in info["items"]]
    return _options(info, statuses)


def _limit(name: str, spec: FieldMapping | None) -> int | None:
    if spec is not None and spec.max_length:
        return spec.max_length
    if name in MULTI_FIELDS or (spec is not None and (spec.ref or spec.owner)):
        return None
    return TEXT_LIMITS.get(name, _DEFAULT_LIMIT)


def _enum_ids(frame: pd.DataFrame, meta: FieldsMeta) -> pd.DataFrame:
    """List item names (`VALUE`) → item ids, for enumerations and portal dictionaries.

    Matched by :class:`migrate.prepare.listvalues.ListItems` (ids, then names folded for case,
    spaces, «ё» and Latin look-alikes); values that match nothing stay for the check.
    """
    for name, info in meta.items():
        items = info.get("items")
        if info.get("type") not in _LIST_TYPES or not items or name not in frame:
            continue
        found = ListItems({str(i["ID"]): str(i.get("VALUE", "")) for i in items})
        codes, uniques = pd.factorize(frame[name].to_numpy(dtype=object))
        ids = [found.match(u) or u for u in uniques]
        converted = np.array([*ids, None], dtype=object)
        frame[name] = pd.Series(converted[codes], index=frame.index, dtype=object)
    return frame


def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _entity_issues(mapping: EntityMapping, meta: FieldsMeta | None, language: str) -> pd.DataFrame:
    rows = []
    for name, info in (meta or {}).items():
        mapped = name in mapping.targets()
        if _portal_required(info) and not mapped and name not in ("ID",):
            rows.append((name, "field.unmapped_required", "error"))
        elif mapped and info.get("isReadOnly"):
            rows.append((name, "field.read_only", "warning"))
    return pd.DataFrame(
        [
            (
                mapping.entity,
                "",
                "",
                None,
                "",
                "",
                name,
                rule,
                "",
                severity,
                message(rule, language, field=name),
                "",
            )
            for name, rule, severity in rows
        ],
        columns=list(ISSUE_COLUMNS),
    )


def _issues(
    cases: pd.DataFrame,
    table: MappedTable,
    frame: pd.DataFrame,
    mapping: EntityMapping,
    language: str,
    meta: FieldsMeta,
    statuses: Mapping[str, Sequence[str]] | None,
) -> pd.DataFrame:
    cases = cases[cases["index"].notna()]
    out = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False):
        rule = "key.duplicate" if check == "field_uniqueness" else str(check)
        index = group["index"].astype(int).to_numpy()
        out.append(
            _rule_issues(
                rule,
                str(column),
                index,
                table,
                frame,
                mapping,
                language,
                _choices(meta.get(str(column), {}), statuses),
            )
        )
    return concat_issues(out)


def _rule_issues(
    rule: str,
    column: str,
    index: np.ndarray,
    table: MappedTable,
    frame: pd.DataFrame,
    mapping: EntityMapping,
    language: str,
    options: list[str] | None,
) -> pd.DataFrame:
    spec = mapping.field(column) or _splitter(mapping, column)
    sources = (mapping.key,) if column == "_key" else (spec.sources if spec else ())
    originals = _originals(table.raw, sources, index)
    values = frame[column].to_numpy(dtype=object)[index]
    severity = _SEVERITY.get(rule, "error")
    if spec is not None and spec.severity and column != "_key":
        severity = spec.severity
    if rule == "key.duplicate":
        first = frame.drop_duplicates("_key").set_index("_key")["_row"]
        texts = [message(rule, language, value=v, first_row=first.get(v, "?")) for v in values]
    elif rule == "text.too_long":
        limit = _limit(column, spec) or 0
        texts = [message(rule, language, limit=limit, length=len(str(v))) for v in values]
    else:
        texts = [message(rule, language, field=column, column=", ".join(sources), value=o)
                 for o in originals]  # fmt: skip
    suggestions = [_closest(v, options) for v in values] if rule == "enum.unknown" else ""
    return pd.DataFrame(
        {
            "entity": mapping.entity,
            "source": frame["_source"].to_numpy()[index],
            "sheet": frame["_sheet"].to_numpy()[index],
            "row": frame["_row"].to_numpy()[index],
            "key": frame["_key"].to_numpy()[index],
            "column": ", ".join(sources),
            "field": "" if column == "_key" else column,
            "rule": rule,
            "value": originals,
            "severity": severity,
            "message": texts,
            "suggestion": suggestions,
        },
        columns=list(ISSUE_COLUMNS),
    )


def _splitter(mapping: EntityMapping, column: str) -> FieldMapping | None:
    return next((f for f in mapping.fields if column in f.split_fio), None)


def _originals(raw: pd.DataFrame, sources: Sequence[str], index: np.ndarray) -> list[str]:
    present = [c for c in sources if c in raw]
    if not present:
        return [""] * len(index)
    parts = [raw[c].to_numpy(dtype=object)[index] for c in present]
    return [shorten(" | ".join(str(p) for p in row if p), 200) for row in zip(*parts, strict=True)]


def _closest(value: Any, options: list[str] | None) -> str:
    if not options or value is None:
        return ""
    best = process.extractOne(str(value), options, score_cutoff=50)
    return str(best[0]) if best else ""


def _cut_long_text(
    frame: pd.DataFrame, mapping: EntityMapping, issues: pd.DataFrame
) -> pd.DataFrame:
    long = issues[(issues["rule"] == "text.too_long") & (issues["severity"] == "warning")]
    for column in long["field"].unique():
        limit = _limit(str(column), mapping.field(str(column)))
        if limit:
            values = frame[column]
            too_long = values.notna() & (values.astype(str).str.len() > limit)
            frame.loc[too_long, column] = (
                values[too_long].astype(str).str.slice(0, limit).astype(object)
            )
    return frame


def _drop_errors(frame: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    errors = issues[(issues["severity"] == "error") & issues["row"].notna()]
    if errors.empty:
        return frame.reset_index(drop=True)
    bad = pd.MultiIndex.from_arrays(
        [errors["source"].astype(str), errors["sheet"].astype(str), errors["row"].astype("int64")]
    )
    rows = pd.MultiIndex.from_arrays(
        [frame["_source"].astype(str), frame["_sheet"].astype(str), frame["_row"].astype("int64")]
    )
    return frame[~rows.isin(bad)].reset_index(drop=True)
