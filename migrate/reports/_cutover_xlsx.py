"""The cut-over sheets of `reports/plan.xlsx`, and reading the client's conflict decisions back.

*Conflicts*: one row per field of a record we wrote that someone edited in the portal since,
with the source's value against the portal's and a **decision** cell (dropdown: keep the
portal's / take the source's). An empty decision keeps the portal's values for now; the next
`plan` reads the decisions back before it writes the workbook again (as `dedupe` reads
duplicates.xlsx), so a "take source" becomes an update. *Gone from the source*: records we
loaded that the new export no longer has; nothing deletes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from migrate.errors import ConfigError, SourceReadError, shorten
from migrate.reports._xlsx import column_of, keep_aside, write_table
from migrate.sources import check_workbook

if TYPE_CHECKING:
    from openpyxl import Workbook

    from migrate.plan import Cutover

__all__ = [
    "CUTOVER_LABELS",
    "DECISIONS",
    "read_choices",
    "summary_counts",
    "unread_choices",
    "write_cutover",
]

#: The decision cell's words → the plan's codes (`portal` | `source`).
DECISIONS = {
    "ru": {"portal": "оставить как на портале", "source": "взять из источника"},
    "en": {"portal": "keep portal", "source": "take source"},
}
CUTOVER_LABELS = {
    "ru": {
        "conflicts": "Конфликты", "gone": "Удалены в источнике", "decision": "Решение",
        "entity": "Сущность", "key": "Ключ", "b24_id": "ID на портале",
        "title": "Название на портале", "field": "Поле", "source": "В источнике",
        "portal": "На портале", "modified": "Изменено на портале", "by": "Кем (ID сотрудника)",
        "both": "Источник тоже изменён", "yes": "да", "no": "нет",
        "conflicts_n": "Конфликтов", "gone_n": "Удалены в источнике",
    },
    "en": {
        "conflicts": "Conflicts", "gone": "Gone from the source", "decision": "Decision",
        "entity": "Entity", "key": "Key", "b24_id": "Portal id", "title": "Title in portal",
        "field": "Field", "source": "In the source", "portal": "In the portal",
        "modified": "Changed in portal", "by": "By (user id)", "both": "Source changed too",
        "yes": "yes", "no": "no", "conflicts_n": "Conflicts", "gone_n": "Gone from the source",
    },
}  # fmt: skip
_CONFLICT_COLUMNS = ("decision", "entity", "key", "b24_id", "title", "field", "source", "portal",
                     "modified", "by", "both")  # fmt: skip


def write_cutover(book: Workbook, cutover: Cutover, language: str) -> None:
    """Add the conflicts and gone-from-the-source sheets to the plan workbook."""
    t = CUTOVER_LABELS["en" if language == "en" else "ru"]
    words = DECISIONS["en" if language == "en" else "ru"]
    sheet = book.create_sheet(t["conflicts"])
    rows = [
        [words.get(c.choice, ""), c.entity, c.source_key, c.b24_id, c.title, d.field, d.source,
         d.portal, c.modified_at, c.modified_by, t["yes"] if c.source_changed else t["no"]]
        for c in cutover.conflicts for d in c.diffs
    ]  # fmt: skip
    count = write_table(sheet, [t[c] for c in _CONFLICT_COLUMNS], rows)
    if count:
        labels = ",".join(words.values())
        check = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        check.add(f"A2:A{count + 1}")
        sheet.add_data_validation(check)
    write_table(
        book.create_sheet(t["gone"]),
        [t[c] for c in ("entity", "key", "b24_id", "title")],
        ([g.entity, g.source_key, g.b24_id, g.title] for g in cutover.gone),
    )


def read_choices(path: Path) -> dict[str, str]:
    """The client's conflict decisions in the plan workbook at ``path``: ``entity\\tkey`` →
    ``portal`` | ``source`` | ``""`` (left empty). A workbook without the sheet has none.

    Raises:
        ConfigError: not a workbook, damaged, a decision cell that is not a decision, or two
            rows of one record with different decisions (every such cell listed).
        SourceReadError: a workbook beyond the bounds of :func:`migrate.sources.check_workbook`.
    """
    check_workbook(path)
    problems: list[str] = []
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [s for s in book.worksheets if s.title in _TITLES]
            rows = list(sheets[0].iter_rows(values_only=True)) if sheets else []
            where = f"`{path.name}` sheet `{sheets[0].title}`" if sheets else ""
        finally:
            book.close()
    except Exception as exc:  # an untrusted file: whatever the parser trips on, say so plainly
        raise ConfigError(
            f"`{path}` cannot be read as the plan workbook ({type(exc).__name__}: "
            f"{shorten(exc, 120)})",
            next_step="pass the reports/plan.xlsx that `b24migrate plan` wrote, saved as .xlsx",
        ) from None
    choices = _sheet_choices(rows, where, problems) if rows else {}
    if problems:
        raise ConfigError(
            f"`{path}`: {len(problems)} conflict decision(s) cannot be read:\n"
            + "\n".join(f"  - {p}" for p in problems),
            next_step="choose a value from the dropdown (or leave the cell empty) and run again",
        )
    return choices


def unread_choices(path: Path) -> tuple[dict[str, str], Path | None]:
    """:func:`read_choices` of the workbook about to be replaced; one that cannot be read is
    renamed `plan.kept-<time>.xlsx` beside it (returned): the client's edits stay."""
    if not path.is_file():
        return {}, None
    try:
        return read_choices(path), None
    except (ConfigError, SourceReadError):
        return {}, keep_aside(path)


_TITLES = frozenset(t["conflicts"] for t in CUTOVER_LABELS.values())
_WORDS = {w.lower(): code for table in DECISIONS.values() for code, w in table.items()}


def _sheet_choices(rows: list[tuple[Any, ...]], where: str, problems: list[str]) -> dict[str, str]:
    header = [str(h or "").strip() for h in rows[0]]
    cols = {name: column_of(header, (labels[name] for labels in CUTOVER_LABELS.values()))
            for name in ("decision", "entity", "key")}  # fmt: skip
    if None in cols.values():
        problems.append(f"{where}: the columns decision, entity and key are needed")
        return {}
    out: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        entity, key, raw = (_cell(row, cols[n]) for n in ("entity", "key", "decision"))
        if not entity or not key:
            continue
        choice = _WORDS.get(raw.lower()) if raw else ""
        if choice is None:
            problems.append(f"{where} row {number}: `{raw[:80]}` is not a decision")
            continue
        record = f"{entity}\t{key}"
        if out.get(record) and choice and out[record] != choice:
            problems.append(f"{where} row {number}: `{entity}` `{key}` has two decisions")
        out[record] = out.get(record) or choice
    return out


def _cell(row: tuple[Any, ...], index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    return str(row[index]).strip()


def summary_counts(cutover: Cutover) -> Mapping[str, tuple[int, int]]:
    """entity → (conflicts, gone), for the plan workbook's summary sheet."""
    out: dict[str, tuple[int, int]] = {}
    for c in cutover.conflicts:
        conflicts, gone = out.get(c.entity, (0, 0))
        out[c.entity] = (conflicts + 1, gone)
    for g in cutover.gone:
        conflicts, gone = out.get(g.entity, (0, 0))
        out[g.entity] = (conflicts, gone + 1)
    return out
