"""`reports/load.xlsx`: what the load did per entity, why records failed, what waits.

Sheets, the summary first:

1. summary — per entity: loaded, failed, waiting (blocked: a record they refer to failed or
   was refused by the plan, so no load sends them until that is fixed), planned, sending;
2. failure reasons — the failed records grouped by entity and reason
   (:mod:`migrate.ledger.reasons`), biggest first, with examples;
3. failed records — one row each: the portal's own text, its reason group, the source file,
   sheet and row, and the `retry` command that re-sends exactly that record;
4. waiting records — the blocked ones, with the record each waits for and its state.

Russian labels by default, English with ``language="en"``. :func:`read_retry_keys` reads the
failed-records sheet back (or a text file of keys) for ``b24migrate retry --keys-from``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from mappings.entities import REGISTRY
from migrate.errors import ConfigError
from migrate.ledger import Ledger, State
from migrate.ledger.reasons import failure_reason, group_failures
from migrate.reports._labels import entity_label
from migrate.reports._xlsx import write_table

__all__ = ["LOAD_XLSX", "read_retry_keys", "write_load_report"]

LOAD_XLSX = "load.xlsx"

_LABELS = {
    "ru": {
        "summary": "Сводка", "reasons": "Причины ошибок", "failed": "Ошибки загрузки",
        "waiting": "Ожидают", "entity": "Сущность", "planned": "Запланировано",
        "blocked": "Ждут исправления", "sending": "Отправляется", "done": "Загружено",
        "failed_n": "Ошибок", "total": "Всего", "key": "Ключ в источнике", "op": "Операция",
        "reason": "Причина", "count": "Записей", "examples": "Например",
        "error": "Ответ портала", "source": "Файл", "sheet": "Лист", "row": "Строка",
        "attempts": "Попыток", "retry": "Как повторить", "waits_for": "Ждёт запись",
        "waits_state": "Её состояние", "todo": "Что сделать",
        "fix": "исправьте данные или маппинг, затем b24migrate retry",
        "missing": "не загружается (отклонена планом)", "failed_state": "ошибка загрузки",
    },
    "en": {
        "summary": "Summary", "reasons": "Failure reasons", "failed": "Failed records",
        "waiting": "Waiting", "entity": "Entity", "planned": "Planned",
        "blocked": "Waiting for a fix", "sending": "Sending", "done": "Loaded",
        "failed_n": "Failed", "total": "Total", "key": "Source key", "op": "Operation",
        "reason": "Reason", "count": "Records", "examples": "For example",
        "error": "Portal's reply", "source": "File", "sheet": "Sheet", "row": "Row",
        "attempts": "Attempts", "retry": "How to retry", "waits_for": "Waits for",
        "waits_state": "Its state", "todo": "What to do",
        "fix": "fix the data or mapping, then b24migrate retry",
        "missing": "not loaded (refused by the plan)", "failed_state": "failed to load",
    },
}  # fmt: skip


def write_load_report(ledger: Ledger, reports_dir: Path, language: str = "ru") -> Path:
    """Write ``reports_dir/load.xlsx`` from the ledger; returns its path."""
    lang = "en" if language == "en" else "ru"
    t = _LABELS[lang]
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = t["summary"]
    _summary(summary, ledger, t, lang)
    failed = ledger.failed()
    write_table(
        book.create_sheet(t["reasons"]),
        [t[k] for k in ("entity", "reason", "count", "examples", "todo")],
        (
            [
                entity_label(g.entity, lang),
                g.reason,
                g.count,
                ", ".join(k for k, _ in g.examples),
                t["fix"],
            ]
            for g in group_failures(failed)
        ),
    )
    workspace = ledger.path.parent.parent.name
    header = ("entity", "key", "op", "reason", "error", "source", "sheet", "row", "attempts",
              "retry")  # fmt: skip
    rows = []
    for record in failed:
        source, sheet, row = record.provenance
        # the workspace by its folder name, never this machine's full path: the workbook travels
        retry = (
            f"b24migrate retry --workspace {workspace} --key {record.entity}:{record.source_key}"
        )
        rows.append(
            [entity_label(record.entity, lang), record.source_key, str(record.op),
             failure_reason(record.last_error or ""), record.last_error or "", source, sheet,
             row, record.attempts, retry]
        )  # fmt: skip
    write_table(book.create_sheet(t["failed"]), [t[k] for k in header], rows)
    _waiting(book.create_sheet(t["waiting"]), ledger, t, lang)
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / LOAD_XLSX
    book.save(path)
    return path


def _summary(sheet: Any, ledger: Ledger, t: dict[str, str], lang: str) -> None:
    totals: dict[str, dict[State, int]] = defaultdict(lambda: dict.fromkeys(State, 0))
    for count in ledger.counts():
        totals[count.entity][count.state] += count.count
    blocked = ledger.blocked_counts()
    write_table(
        sheet,
        [t[k] for k in ("entity", "done", "failed_n", "blocked", "planned", "sending", "total")],
        (
            [
                entity_label(e, lang),
                n[State.DONE],
                n[State.FAILED],
                blocked.get(e, 0),
                n[State.PLANNED] - blocked.get(e, 0),
                n[State.SENDING],
                sum(n.values()),
            ]
            for e, n in sorted(totals.items())
        ),
    )


def _waiting(sheet: Any, ledger: Ledger, t: dict[str, str], lang: str) -> None:
    states = {"missing": t["missing"], "failed": t["failed_state"]}
    rows = []
    for record in ledger.blocked():
        source, _, row = record.provenance
        for entity, key, state in ledger.waits_for(record.id):
            rows.append(
                [entity_label(record.entity, lang), record.source_key,
                 f"{entity_label(entity, lang)} {key}", states.get(state, state), source, row]
            )  # fmt: skip
    write_table(
        sheet,
        [t[k] for k in ("entity", "key", "waits_for", "waits_state", "source", "row")],
        rows,
    )


_ENTITY_NAMES = {
    label.casefold(): e.name
    for e in REGISTRY.values()
    for label in (e.name, e.label_ru, e.label_en)
}


def read_retry_keys(path: Path) -> list[tuple[str | None, str]]:
    """The records to re-send listed in ``path``: the failed-records sheet of a load.xlsx
    (its entity and key columns; delete the rows you do not want), or a text file with one
    ``ENTITY:KEY`` (or ``KEY``) per line.

    Raises:
        ConfigError: the file cannot be read or has no key column.
    """
    if not path.is_file():
        raise ConfigError(f"`{path}` does not exist", next_step="give the path of load.xlsx")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _keys_from_workbook(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [parse_key(line) for line in lines if line.strip() and not line.startswith("#")]


def parse_key(text: str) -> tuple[str | None, str]:
    """``deal:D-1`` → ``("deal", "D-1")``; ``D-1`` → ``(None, "D-1")`` (any entity)."""
    head, sep, rest = text.strip().partition(":")
    if sep and head.strip().casefold() in _ENTITY_NAMES:
        return _ENTITY_NAMES[head.strip().casefold()], rest.strip()
    return None, text.strip()


def _keys_from_workbook(path: Path) -> list[tuple[str | None, str]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ConfigError(
            f"`{path}` cannot be read as a workbook ({type(exc).__name__})",
            next_step="give the reports/load.xlsx the load wrote, or a text file of keys",
        ) from None
    titles = {_LABELS[lang]["failed"] for lang in _LABELS}
    sheets = [book[name] for name in book.sheetnames if name in titles]
    if not sheets:
        raise ConfigError(
            f"`{path}` has no sheet of failed records ({', '.join(sorted(titles))})",
            next_step="give the reports/load.xlsx the load wrote, or a text file of keys",
        )
    rows = list(sheets[0].iter_rows(values_only=True))
    header = [str(cell or "") for cell in rows[0]] if rows else []
    key_col = next((header.index(_LABELS[lang]["key"]) for lang in _LABELS
                    if _LABELS[lang]["key"] in header), None)  # fmt: skip
    entity_col = next((header.index(_LABELS[lang]["entity"]) for lang in _LABELS
                       if _LABELS[lang]["entity"] in header), None)  # fmt: skip
    if key_col is None:
        raise ConfigError(f"`{path}`: the sheet of failed records has no key column")
    out: list[tuple[str | None, str]] = []
    for row in rows[1:]:
        key = str(row[key_col] or "").strip()
        if not key:
            continue
        label = str(row[entity_col] or "").strip().casefold() if entity_col is not None else ""
        out.append((_ENTITY_NAMES.get(label), key))
    return out
