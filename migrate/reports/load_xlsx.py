"""`reports/load.xlsx`: what the load did per entity, and every record the portal refused.

Two sheets: a summary (per entity: planned, sending, done, failed) and the failures, each with
the portal's error text, the source file, sheet and row it came from (the plan's provenance
hints) and the command that loads it again once the cause is fixed. Russian labels by
default, English with ``language="en"``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook

from migrate.ledger import Ledger, State
from migrate.reports._labels import entity_label
from migrate.reports._xlsx import write_table

__all__ = ["LOAD_XLSX", "write_load_report"]

LOAD_XLSX = "load.xlsx"

_LABELS = {
    "ru": {
        "summary": "Сводка", "failed": "Ошибки загрузки", "entity": "Сущность",
        "planned": "Запланировано", "sending": "Отправляется", "done": "Загружено",
        "failed_n": "Ошибок", "total": "Всего", "key": "Ключ в источнике", "op": "Операция",
        "error": "Ответ портала", "source": "Файл", "sheet": "Лист", "row": "Строка",
        "attempts": "Попыток", "retry": "Как повторить",
    },
    "en": {
        "summary": "Summary", "failed": "Failed records", "entity": "Entity",
        "planned": "Planned", "sending": "Sending", "done": "Loaded", "failed_n": "Failed",
        "total": "Total", "key": "Source key", "op": "Operation", "error": "Portal's reply",
        "source": "File", "sheet": "Sheet", "row": "Row", "attempts": "Attempts",
        "retry": "How to retry",
    },
}  # fmt: skip


def write_load_report(ledger: Ledger, reports_dir: Path, language: str = "ru") -> Path:
    """Write ``reports_dir/load.xlsx`` from the ledger; returns its path."""
    lang = "en" if language == "en" else "ru"
    labels = _LABELS[lang]
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = labels["summary"]
    totals: dict[str, dict[State, int]] = defaultdict(lambda: dict.fromkeys(State, 0))
    for count in ledger.counts():
        totals[count.entity][count.state] += count.count
    states = (State.PLANNED, State.SENDING, State.DONE, State.FAILED)
    write_table(
        summary,
        [labels[k] for k in ("entity", "planned", "sending", "done", "failed_n", "total")],
        (
            [entity_label(e, lang), *(t[s] for s in states), sum(t.values())]
            for e, t in sorted(totals.items())
        ),
    )
    failed = book.create_sheet(labels["failed"])
    header = ("entity", "key", "op", "error", "source", "sheet", "row", "attempts", "retry")
    rows = []
    for record in ledger.failed():
        source, sheet, row = record.provenance
        # the workspace by its folder name, never this machine's full path: the workbook travels
        retry = f"b24migrate retry --workspace {ledger.path.parent.parent.name} " \
            f"--entity {record.entity}"  # fmt: skip
        rows.append(
            [entity_label(record.entity, lang), record.source_key, str(record.op),
             record.last_error or "", source, sheet, row, record.attempts, retry]
        )  # fmt: skip
    write_table(failed, [labels[k] for k in header], rows)
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / LOAD_XLSX
    book.save(path)
    return path
