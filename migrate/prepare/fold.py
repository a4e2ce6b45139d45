"""Fold an export that repeats a record once per product line into one record with its lines.

Bitrix24's deal export with goods writes a deal once per product row, and puts the line's own
amount (price × quantity) in the deal's «Сумма» column (its `crm.deal.list` CSV/Excel templates
do exactly this). Validation would refuse the repeats as duplicate keys and the deal would keep
the first line's amount. With `lines:` in the mapping, rows sharing a key become one record:
the first row gives the record's fields, every row with line data one entry of
``PRODUCT_ROWS`` (a dict of the line fields), and the `total` field the sum of the lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from mappings.schema import EntityMapping
from migrate.issues import ISSUE_COLUMNS, concat_issues, message
from migrate.prepare.transform import LINE_PREFIX, MappedTable

__all__ = ["STATED_TOTAL", "fold_lines"]

_CENT = Decimal("0.01")
STATED_TOTAL = "_stated_total"
"""CleanTable column: the record's amount as the file states it (for the reconciliation)."""


def fold_lines(table: MappedTable, mapping: EntityMapping, language: str = "ru") -> MappedTable:
    """``table`` with rows of one key folded into one record with ``PRODUCT_ROWS``."""
    if mapping.lines is None:
        return table
    frame = table.frame
    line_columns = [c for c in frame.columns if c.startswith(LINE_PREFIX)]
    groups = _groups(frame, line_columns)
    columns = {c: frame[c].to_numpy(dtype=object) for c in frame.columns}
    keep, rows, totals, stated, issues = [], [], [], [], []
    for positions in groups:
        folded = _Record(columns, positions, line_columns, mapping, language)
        keep.append(positions[0])
        rows.append(folded.lines())
        totals.append(folded.total())
        stated.append(folded.stated)
        issues.extend(folded.issues)
    out = frame.iloc[keep].drop(columns=line_columns).reset_index(drop=True)
    out["PRODUCT_ROWS"] = pd.Series(rows, dtype=object)
    out[STATED_TOTAL] = pd.Series(stated, dtype=object)
    total = mapping.lines.total
    if total is not None:
        stated = out[total].tolist() if total in out.columns else [None] * len(out)
        out[total] = [t if t is not None else s for t, s in zip(totals, stated, strict=True)]
    raw = table.raw.iloc[keep].reset_index(drop=True)
    return MappedTable(table.entity, out, concat_issues([table.issues, _frame(issues)]), raw)


def _groups(frame: pd.DataFrame, line_columns: Sequence[str]) -> list[list[int]]:
    """Row positions per record: rows sharing a non-empty key, in file order.

    Rows with an empty key stay alone (validation refuses them), and so do repeats of a key
    that carry no line data (they are duplicates, not lines).
    """
    has_line = frame[line_columns].notna().any(axis=1).to_numpy() if line_columns else None
    order: dict[str, list[int]] = {}
    alone: list[list[int]] = []
    for position, key in enumerate(frame["_key"].to_numpy(dtype=object)):
        if not key or (has_line is not None and not has_line[position] and key in order):
            alone.append([position])
            continue
        order.setdefault(str(key), []).append(position)
    groups = [*order.values(), *alone]
    return sorted(groups, key=lambda g: g[0])


class _Record:
    """One folded record: its lines, its total and the warnings of folding it."""

    def __init__(
        self,
        columns: Mapping[str, np.ndarray],
        positions: list[int],
        line_columns: Sequence[str],
        mapping: EntityMapping,
        language: str,
    ) -> None:
        self.columns, self.positions, self.line_columns = columns, positions, line_columns
        self.mapping, self.language = mapping, language
        self.issues: list[dict[str, Any]] = []
        self.stated: str | None = None
        self.items = [self._line(p) for p in positions]
        self.items = [i for i in self.items if i]
        if len(positions) > 1:
            self._check_agreement()

    def _line(self, position: int) -> dict[str, Any]:
        values = {c[len(LINE_PREFIX) :]: self.columns[c][position] for c in self.line_columns}
        return {k: v for k, v in values.items() if v is not None and v != ""}

    def lines(self) -> tuple[dict[str, Any], ...]:
        return tuple(self.items)

    def total(self) -> str | None:
        """The sum of the lines (``None``: keep the stated amount)."""
        field = self.mapping.lines.total if self.mapping.lines else None
        amounts = [_amount(i) for i in self.items]
        if not field or not self.items or any(a is None for a in amounts):
            return None
        computed = sum((a for a in amounts if a is not None), Decimal(0)).quantize(_CENT)
        written = self.columns.get(field)
        stated = [_decimal(written[p]) for p in self.positions] if written is not None else []
        known = [s for s in stated if s is not None]
        per_line = sum(known, Decimal(0)).quantize(_CENT)
        repeated = bool(known) and len(set(known)) == 1 and known[0].quantize(_CENT) == computed
        if known:
            as_written = known[0] if len(set(known)) == 1 and len(known) > 1 else per_line
            self.stated = f"{(computed if repeated or per_line == computed else as_written):.2f}"
        if known and per_line != computed and not repeated:
            shown = known[0] if len(set(known)) == 1 else per_line
            self._issue(0, "lines.total_mismatch", field, str(shown),
                        stated=f"{shown:.2f}", computed=f"{computed:.2f}")  # fmt: skip
        return f"{computed:.2f}"

    def _check_agreement(self) -> None:
        skip = {"_row", "_source", "_sheet", "_key", "PRODUCT_ROWS", *self.line_columns}
        skip.add((self.mapping.lines.total if self.mapping.lines else None) or "")
        first = self.positions[0]
        for column, values in self.columns.items():
            if column in skip:
                continue
            kept: Any = values[first]
            others = {str(values[p]) for p in self.positions[1:] if _filled(values[p])
                      and values[p] != kept}  # fmt: skip
            if others:
                self._issue(0, "lines.differ", column, str(kept),
                            kept=kept, others=", ".join(sorted(others)))  # fmt: skip

    def _issue(self, at: int, rule: str, field: str, value: str, **params: Any) -> None:
        position = self.positions[at]
        row = {c: self.columns[c][position] for c in ("_source", "_sheet", "_row", "_key")}
        self.issues.append(
            {
                "entity": self.mapping.entity, "source": row["_source"], "sheet": row["_sheet"],
                "row": row["_row"], "key": row["_key"], "column": "", "field": field,
                "rule": rule, "value": value, "severity": "warning",
                "message": message(rule, self.language, field=field, **params),
                "suggestion": "",
            }
        )  # fmt: skip


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value == "")


def _amount(line: dict[str, Any]) -> Decimal | None:
    price = _decimal(line.get("PRICE"))
    quantity = _decimal(line.get("QUANTITY", "1"))
    if price is None or quantity is None:
        return None
    return price * quantity


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _frame(issues: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(issues, columns=list(ISSUE_COLUMNS)).astype({"row": "Int64"})
