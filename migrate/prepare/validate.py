"""Validation: pandera schemas built from the mapping.

Failures never raise: pandera runs lazily, every failure case becomes an Issue row, rows with
an ``error`` are kept out of the CleanTable and ``warning`` rows load their cleaned value
(text that is too long is cut). Rules:

* ``key.empty`` / ``key.duplicate`` — every row needs a unique source key (the first
  occurrence of a repeated key stays, the repeats are errors);
* ``field.required`` — fields marked ``required`` in the mapping;
* ``text.too_long`` — text beyond the field's limit (warning, cut).

What the portal accepts (its required fields, list items, stages, read-only fields) is not
known here: the plan checks it against the portal's metadata, so the tables the client
reviews after `validate` and `dedupe` are the ones the plan works on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from mappings.fields import MULTI_FIELDS, TEXT_LIMITS
from mappings.schema import EntityMapping, FieldMapping
from migrate.errors import shorten
from migrate.issues import ISSUE_COLUMNS, concat_issues, message
from migrate.prepare.transform import MappedTable

__all__ = ["ValidatedTable", "build_schema", "validate_table"]

_DEFAULT_LIMIT = 255
_SEVERITY = {
    "key.empty": "error",
    "key.duplicate": "error",
    "field.required": "error",
    "text.too_long": "warning",
}


@dataclass(frozen=True, slots=True)
class ValidatedTable:
    """The CleanTable of one entity (rows without errors) and every issue of the entity.

    ``rows_read`` counts records as read (after `lines:` folded repeated rows);
    ``rows_folded`` the rows that were further product lines of a record above them.
    """

    entity: str
    frame: pd.DataFrame
    issues: pd.DataFrame
    rows_read: int
    rows_folded: int = 0


def build_schema(mapping: EntityMapping) -> pa.DataFrameSchema:
    """The pandera schema for the CleanTable of ``mapping`` (check names are issue rules)."""
    columns: dict[str, pa.Column] = {
        "_key": pa.Column(
            checks=[pa.Check(_filled, name="key.empty", ignore_na=False)],
            unique=True,
            report_duplicates="exclude_first",
            nullable=True,
        )
    }
    for name in mapping.targets():
        checks = []
        spec = mapping.field(name)
        if spec is not None and spec.required:
            checks.append(pa.Check(_filled, name="field.required", ignore_na=False))
        limit = _limit(name, spec)
        if limit is not None:
            checks.append(pa.Check(_short(limit), name="text.too_long"))
        columns[name] = pa.Column(checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, name=mapping.entity)


def validate_table(
    table: MappedTable,
    mapping: EntityMapping,
    *,
    language: str = "ru",
) -> ValidatedTable:
    """Validate ``table``; return the rows without errors and all issues of the entity."""
    frame = table.frame
    found = [table.issues]
    try:
        build_schema(mapping).validate(frame, lazy=True)
    except SchemaErrors as exc:
        found.append(_issues(exc.failure_cases, table, frame, mapping, language))
    issues = concat_issues(found)
    frame = _cut_long_text(frame, mapping, issues)
    return ValidatedTable(table.entity, _drop_errors(frame, issues), issues, len(frame))


def _filled(series: pd.Series) -> pd.Series:
    return series.notna() & series.astype(bool)


def _short(limit: int) -> Any:
    return lambda s: s.isna() | (s.astype(str).str.len() <= limit)


def _limit(name: str, spec: FieldMapping | None) -> int | None:
    if spec is not None and spec.max_length:
        return spec.max_length
    if name in MULTI_FIELDS or (spec is not None and (spec.ref or spec.owner)):
        return None
    return TEXT_LIMITS.get(name, _DEFAULT_LIMIT)


def _issues(
    cases: pd.DataFrame,
    table: MappedTable,
    frame: pd.DataFrame,
    mapping: EntityMapping,
    language: str,
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
            "suggestion": "",
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
