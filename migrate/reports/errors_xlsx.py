"""`reports/errors.xlsx`: every data problem, for the client to read and fix.

One summary sheet (counts per entity, severity and rule, with what the rule means), a totals
sheet (rows read / loadable per entity) when counts are given, and one sheet per entity with
the file, sheet and row of each problem and the ORIGINAL value beside the message. Labels are
Russian by default (``language="en"`` for English); errors come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from openpyxl import Workbook

from migrate.reports._labels import ENTITY_LABELS
from migrate.reports._xlsx import write_table

__all__ = ["ENTITY_LABELS", "MAX_ROWS_PER_SHEET", "write_errors_xlsx"]

MAX_ROWS_PER_SHEET = 200_000


_LABELS = {
    "ru": {
        "summary": "Сводка", "totals": "Итоги", "entity": "Сущность", "severity": "Важность",
        "rule": "Правило", "example": "Пример сообщения", "count": "Количество",
        "error": "ошибка", "warning": "предупреждение", "source": "Файл", "sheet": "Лист",
        "row": "Строка", "key": "Ключ", "column": "Колонка", "value": "Исходное значение",
        "message": "Проблема", "suggestion": "Предложение", "field": "Поле Битрикс24",
        "files": "Файлы", "rows_read": "Строк прочитано", "rows_clean": "Можно загрузить",
        "errors": "Ошибок", "warnings": "Предупреждений",
        "cut": "Показаны первые {n} из {total} проблем",
    },
    "en": {
        "summary": "Summary", "totals": "Totals", "entity": "Entity", "severity": "Severity",
        "rule": "Rule", "example": "Example message", "count": "Count",
        "error": "error", "warning": "warning", "source": "File", "sheet": "Sheet",
        "row": "Row", "key": "Key", "column": "Column", "value": "Original value",
        "message": "Problem", "suggestion": "Suggestion", "field": "Bitrix24 field",
        "files": "Files", "rows_read": "Rows read", "rows_clean": "Loadable",
        "errors": "Errors", "warnings": "Warnings",
        "cut": "First {n} of {total} problems shown",
    },
}  # fmt: skip

_DETAIL = ("source", "sheet", "row", "key", "column", "value", "message", "suggestion", "field",
           "severity", "rule")  # fmt: skip


class _Stats(Protocol):
    @property
    def entity(self) -> str: ...
    @property
    def files(self) -> tuple[str, ...]: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def rows_clean(self) -> int: ...
    @property
    def errors(self) -> int: ...
    @property
    def warnings(self) -> int: ...


def write_errors_xlsx(
    path: Path,
    issues: pd.DataFrame,
    *,
    stats: Sequence[_Stats] = (),
    language: str = "ru",
    max_rows: int = MAX_ROWS_PER_SHEET,
) -> Path:
    """Write the workbook to ``path`` (folders created) and return ``path``."""
    labels = _LABELS.get(language, _LABELS["ru"])
    entities = ENTITY_LABELS.get(language, ENTITY_LABELS["ru"])
    book = Workbook()
    summary = book.active
    summary.title = labels["summary"]
    write_table(summary, [labels[k] for k in ("entity", "severity", "rule", "example", "count")],
                _summary_rows(issues, labels, entities))  # fmt: skip
    if stats:
        totals = book.create_sheet(labels["totals"])
        header = [labels[k] for k in ("entity", "files", "rows_read", "rows_clean", "errors",
                                      "warnings")]  # fmt: skip
        write_table(totals, header, (
            (entities.get(s.entity, s.entity), ", ".join(s.files), s.rows_read, s.rows_clean,
             s.errors, s.warnings) for s in stats
        ))  # fmt: skip
    for entity, group in issues.groupby("entity", sort=False):
        sheet = book.create_sheet(entities.get(str(entity), str(entity))[:31])
        ordered = _ordered(group)
        write_table(
            sheet, [labels[c] for c in _DETAIL], _detail_rows(ordered.head(max_rows), labels)
        )
        if len(ordered) > max_rows:
            sheet.append([labels["cut"].format(n=max_rows, total=len(ordered))])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _summary_rows(
    issues: pd.DataFrame, labels: dict[str, str], entities: dict[str, str]
) -> list[list[Any]]:
    if issues.empty:
        return []
    grouped = (
        issues.assign(_n=1)
        .groupby(["entity", "severity", "rule"], sort=False)
        .agg(example=("message", "first"), count=("_n", "sum"))
        .reset_index()
    )
    grouped["_order"] = grouped["severity"].map({"error": 0, "warning": 1})
    grouped = grouped.sort_values(["entity", "_order", "count"], ascending=[True, True, False])
    return [
        [entities.get(e, e), labels.get(s, s), r, m, int(n)]
        for e, s, r, m, n in grouped[["entity", "severity", "rule", "example", "count"]].itertuples(
            index=False, name=None
        )
    ]


def _ordered(group: pd.DataFrame) -> pd.DataFrame:
    order = group["severity"].map({"error": 0, "warning": 1})
    return group.assign(_order=order).sort_values(["_order", "source", "row"], kind="stable")


def _detail_rows(frame: pd.DataFrame, labels: dict[str, str]) -> list[list[Any]]:
    rows = []
    for record in frame.loc[:, list(_DETAIL)].itertuples(index=False, name=None):
        values = [None if v is None or (isinstance(v, float) and v != v) else v for v in record]
        values[2] = None if values[2] is None or pd.isna(values[2]) else int(values[2])
        values[9] = labels.get(str(values[9]), values[9])
        rows.append(values)
    return rows
