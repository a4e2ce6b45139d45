"""plan.xlsx sheets for the reconciliation (source against plan) and the merges applied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.styles import Font, PatternFill

from migrate.reports._xlsx import safe_cell_value, write_table
from migrate.reports.reconcile import Reconciliation

__all__ = ["MERGE_LABELS", "RECONCILE_LABELS", "write_merges", "write_reconciliation"]

RECONCILE_LABELS = {
    "ru": {
        "sheet": "Сверка", "entity": "Сущность", "source": "В источнике", "refused": "Отклонено",
        "merged": "Объединено", "planned": "В плане", "loaded": "Загружено",
        "difference": "Расхождение", "currency": "Валюта", "deals": "Сделок",
        "stated": "Сумма в файле", "amount": "Сумма сделок", "refused_amount": "Отклонено",
        "lines": "Товарные строки", "notes": "Пояснения", "ok": "всё сходится",
    },
    "en": {
        "sheet": "Reconciliation", "entity": "Entity", "source": "In the source",
        "refused": "Refused", "merged": "Merged", "planned": "Planned", "loaded": "Loaded",
        "difference": "Difference", "currency": "Currency", "deals": "Deals",
        "stated": "Amount in the file", "amount": "Amount of deals",
        "refused_amount": "Refused", "lines": "Product lines", "notes": "Notes",
        "ok": "everything adds up",
    },
}  # fmt: skip
MERGE_LABELS = {
    "ru": ("Объединения", "Сущность", "Ключ (влит)", "Файл", "Строка", "Ключ (остаётся)",
           "Файл", "Строка"),
    "en": ("Merges", "Entity", "Key (merged)", "File", "Row", "Key (kept)", "File", "Row"),
}  # fmt: skip
_WARN = PatternFill("solid", fgColor="F8CBAD")


def write_reconciliation(sheet: Any, rec: Reconciliation, language: str) -> None:
    """Records per entity, deal amounts per currency, product lines, then the notes."""
    t = RECONCILE_LABELS["en" if language == "en" else "ru"]
    loaded = any(e.loaded is not None for e in rec.entities)
    header = [t[c] for c in ("entity", "source", "refused", "merged", "planned")]
    header += [t["loaded"]] * loaded + [t["difference"]]
    rows = [[e.entity, e.source, e.refused, e.merged, e.planned, *([e.loaded] * loaded),
             e.difference] for e in rec.entities]  # fmt: skip
    write_table(sheet, header, rows)
    _mark(sheet, [2 + i for i, e in enumerate(rec.entities) if e.difference], len(header))
    if rec.amounts:
        sheet.append([])
        _row(sheet, [t[c] for c in ("currency", "deals", "stated", "amount", "refused_amount",
                                    "planned")] + [t["loaded"]] * loaded + [t["difference"]],
             bold=True)  # fmt: skip
        for a in rec.amounts:
            cells = [
                a.label(language),
                a.deals,
                float(a.stated),
                float(a.source),
                float(a.refused),
                float(a.planned),
                *([float(a.loaded or 0)] * loaded),
                float(a.difference),
            ]
            _row(sheet, cells, warn=bool(a.difference) or a.stated != a.source)  # fmt: skip
    sheet.append([])
    lines = [t["lines"], rec.lines_source, rec.lines_planned]
    _row(sheet, lines + ([rec.lines_loaded] if loaded else []))
    sheet.append([])
    _row(sheet, [t["notes"]], bold=True)
    for note in rec.notes or (t["ok"],):
        _row(sheet, [note], warn=bool(rec.notes))


def write_merges(book: Any, merges: Sequence[Any], language: str) -> None:
    """Every merge the plan applies: the merged record and the one that stays."""
    title, *header = MERGE_LABELS["en" if language == "en" else "ru"]
    write_table(
        book.create_sheet(title),
        header,
        ([m.entity, m.absorbed, m.source, m.row, m.survivor, m.survivor_source, m.survivor_row]
         for m in merges),
    )  # fmt: skip


def _row(sheet: Any, cells: list[Any], *, bold: bool = False, warn: bool = False) -> None:
    sheet.append([safe_cell_value(c)[0] for c in cells])
    for cell in sheet[sheet.max_row]:
        if bold:
            cell.font = Font(bold=True)
        if warn:
            cell.fill = _WARN


def _mark(sheet: Any, rows: list[int], width: int) -> None:
    for row in rows:
        for column in range(1, width + 1):
            sheet.cell(row=row, column=column).fill = _WARN
