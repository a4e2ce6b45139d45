"""`reports/plan.xlsx`: what the load will do, and every row it will not load and why.

Sheets (labels in the report language, ``ru`` by default): with the `add` route first a sheet
saying that the portal's automation will fire for N records and how to avoid it; summary
(records per entity and op, refused rows, warnings), reasons (refused rows and warnings grouped
by entity, rule and field, with the number of rows, example values and one message: "3,721 ×
deal `UF_CRM_TAGS`: not a number"), refused rows (reason, source file, sheet, row, whether it
blocks the load), warnings (owner warnings are not repeated per row: the owner sheet has them
with their row counts), owner mapping (legacy owner → portal user; defaulted owners
highlighted), records the portal already holds (how they were found; updated, skipped or
created), and creation dates: every new record that cannot keep its original creation date
(older than the portal's newest record of its type, in the future, or a route that cannot set
it) with what happens to it; the summary counts the dates kept and not kept per entity;
history dates: for the comments, activities and tasks planned, which of their dates the portal
keeps as they were and which it sets itself (the original then goes into the text). Then
the conflicts (on a loaded workspace: records edited in the portal since our write, with a
decision cell read back by the next plan) and the records gone from the source
(:mod:`._cutover_xlsx`); and, when the plan proposes user fields, pipelines or stages the
portal lacks, the structure sheet (last) lists them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from mappings.entities import shown_entity
from migrate.ledger.reasons import IssueGroup, group_issues
from migrate.reports._cutover_xlsx import (
    CUTOVER_LABELS,
    read_choices,
    summary_counts,
    unread_choices,
    write_cutover,
)
from migrate.reports._labels import entity_label
from migrate.reports._reconcile_xlsx import RECONCILE_LABELS, write_merges, write_reconciliation
from migrate.reports._structure_xlsx import write_structure
from migrate.reports._xlsx import safe_cell_value, write_table

if TYPE_CHECKING:
    from migrate.ledger import PlanIssue
    from migrate.plan import PlanResult
    from migrate.reports.reconcile import Reconciliation

__all__ = ["listed_warning", "read_choices", "unread_choices", "write_plan_xlsx"]

_OPS = ("create", "update", "set", "skip", "unchanged")
_LABELS = {
    "ru": {
        "summary": "Сводка", "reasons": "Причины", "refused": "Отклонённые строки",
        "warnings": "Предупреждения", "severity": "Важность", "error": "отклонено",
        "warning": "предупреждение", "examples": "Например",
        "owners": "Ответственные", "existing": "Уже на портале",
        "entity": "Сущность", "create": "Создать", "update": "Обновить", "set": "Связи",
        "skip": "Пропустить", "unchanged": "Без изменений", "refused_n": "Отклонено строк",
        "warnings_n": "Предупреждений", "source": "Файл", "sheet": "Лист", "row": "Строка",
        "key": "Ключ", "field": "Поле", "value": "Значение", "rule": "Правило",
        "message": "Причина", "blocking": "Блокирует загрузку", "legacy": "В источнике",
        "user_id": "ID сотрудника", "user": "Сотрудник на портале", "how": "Как найден",
        "rows": "Строк", "defaulted": "По умолчанию", "b24_id": "ID на портале",
        "title": "Название на портале", "by": "Найден по", "op": "Действие",
        "candidates": "Кандидатов", "yes": "да", "no": "нет",
        "skipped_on_purpose": "пропущено намеренно (--skip-refused)",
        "dates": "Даты создания", "kept_n": "Дата сохранится", "moved_n": "Дату не сохранить",
        "date": "Исходная дата", "newest": "Самая новая на портале", "action": "Что будет",
        "attention": "Внимание", "no_owner_n": "Без ответственного",
        "history": "Даты истории", "kept": "Сохранится", "kept_how": "Как",
    },
    "en": {
        "summary": "Summary", "reasons": "Reasons", "refused": "Refused rows",
        "warnings": "Warnings", "severity": "Severity", "error": "refused",
        "warning": "warning", "examples": "For example",
        "owners": "Owners", "existing": "Already in portal",
        "entity": "Entity", "create": "Create", "update": "Update", "set": "Links",
        "skip": "Skip", "unchanged": "Unchanged", "refused_n": "Refused rows",
        "warnings_n": "Warnings", "source": "File", "sheet": "Sheet", "row": "Row",
        "key": "Key", "field": "Field", "value": "Value", "rule": "Rule",
        "message": "Reason", "blocking": "Blocks the load", "legacy": "In the source",
        "user_id": "User id", "user": "Portal user", "how": "How found",
        "rows": "Rows", "defaulted": "Defaulted", "b24_id": "Portal id",
        "title": "Title in portal", "by": "Found by", "op": "Action",
        "candidates": "Candidates", "yes": "yes", "no": "no",
        "skipped_on_purpose": "left out on purpose (--skip-refused)",
        "dates": "Creation dates", "kept_n": "Date kept", "moved_n": "Date not kept",
        "date": "Original date", "newest": "Newest in portal", "action": "What happens",
        "attention": "Attention", "no_owner_n": "No owner",
        "history": "History dates", "kept": "Kept", "kept_how": "How",
    },
}  # fmt: skip
_HIGHLIGHT = PatternFill("solid", fgColor="FFF2CC")


def write_plan_xlsx(
    path: Path,
    result: PlanResult,
    *,
    language: str = "ru",
    reconciliation: Reconciliation | None = None,
) -> Path:
    """Write the plan workbook to ``path`` (folders created) and return ``path``.

    ``reconciliation`` (source against plan) becomes the second sheet when given.
    """
    from migrate.ledger.blockers import BLOCKING_RULES

    lang = "en" if language == "en" else "ru"
    t = _LABELS[lang]
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = t["summary"]
    _summary(summary, result, lang, CUTOVER_LABELS[lang])
    _reasons(book.create_sheet(t["reasons"]), result, t, BLOCKING_RULES)
    columns = ("entity", "source", "sheet", "row", "key", "field", "value", "rule", "message")
    blocking = {
        True: t["skipped_on_purpose"] if result.skip_refused else t["yes"],
        False: t["no"],
    }
    write_table(
        book.create_sheet(t["refused"]),
        [*(t[c] for c in columns), t["blocking"]],
        (
            [*_issue_cells(i), blocking[i.rule in BLOCKING_RULES]]
            for i in result.issues
            if i.severity == "error"
        ),
    )
    write_table(
        book.create_sheet(t["warnings"]),
        [t[c] for c in columns],
        (_issue_cells(i) for i in result.issues if listed_warning(i)),
    )
    _owners(book.create_sheet(t["owners"]), result, t)
    write_table(
        book.create_sheet(t["existing"]),
        [
            t[c]
            for c in (
                "entity",
                "key",
                "source",
                "row",
                "b24_id",
                "title",
                "by",
                "value",
                "op",
                "candidates",
            )
        ],
        (
            [
                m.existing.entity,
                m.existing.source_key,
                m.source,
                m.row,
                m.existing.b24_id,
                m.existing.portal.title if m.existing.portal else "",
                m.existing.by,
                m.existing.value,
                t.get(str(m.op), str(m.op)),
                m.existing.candidates,
            ]
            for m in result.matches
        ),
    )
    _dates(book.create_sheet(t["dates"]), result, t)
    if result.history:
        write_table(
            book.create_sheet(t["history"]),
            [t["entity"], t["field"], t["kept"], t["kept_how"]],
            ([d.entity, d.field, t["yes"] if d.kept else t["no"], d.how(lang)]
             for d in result.history),
        )  # fmt: skip
    write_cutover(book, result.cutover, lang)
    if reconciliation is not None:
        write_reconciliation(book.create_sheet(RECONCILE_LABELS[lang]["sheet"], 1),
                             reconciliation, lang)  # fmt: skip
    write_merges(book, result.merges, lang)
    write_structure(book, result, lang)
    _attention(book, result, lang, t)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _attention(book: Workbook, result: PlanResult, lang: str, t: dict[str, str]) -> None:
    """With the `add` route, a first sheet (the one Excel opens on) says that the portal's
    automation will fire for the records, and how to avoid it."""
    if not result.route.fires_automation:
        return
    sheet = book.create_sheet(t["attention"], 0)
    for line in result.route.lines(lang):
        sheet.append([safe_cell_value(line)[0]])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = Font(bold=True)
            cell.fill = _HIGHLIGHT
    book.active = 0


def listed_warning(issue: PlanIssue) -> bool:
    """A warning of the warnings sheet (owner warnings are in the owners sheet, with counts;
    date warnings in the creation dates sheet)."""
    return issue.severity != "error" and not issue.rule.startswith(("owner.", "date."))


def _issue_cells(issue: PlanIssue) -> list[Any]:
    return [issue.entity, issue.source, issue.sheet, issue.row, issue.source_key, issue.field,
            issue.value, issue.rule, issue.message]  # fmt: skip


def _summary(sheet: Any, result: PlanResult, lang: str, c: dict[str, str]) -> None:
    """Counts per entity, each named as summary.html names it (in the report's language)."""
    t = _LABELS[lang]
    refused = Counter(i.entity for i in result.issues if i.severity == "error")
    warned = Counter(i.entity for i in result.issues if listed_warning(i))
    entities = sorted({e for e, _ in result.counts} | set(refused) | set(warned))
    kept, moved = result.backdating.kept, Counter(m.entity for m in result.backdating.moved)
    cut = summary_counts(result.cutover)
    ownerless = next((o.by_entity for o in result.owners if not o.legacy), {})
    entities = sorted({*entities, *ownerless})
    write_table(
        sheet,
        [t["entity"], *(t[op] for op in _OPS), t["refused_n"], t["warnings_n"], t["kept_n"],
         t["moved_n"], c["conflicts_n"], c["gone_n"], t["no_owner_n"]],
        ([entity_label(shown_entity(e), lang), *(result.count(e, op) for op in _OPS),
          refused[e], warned[e], kept.get(e, 0),
          moved[e], *cut.get(e, (0, 0)), ownerless.get(e, 0)] for e in entities),
    )  # fmt: skip


def _dates(sheet: Any, result: PlanResult, t: dict[str, str]) -> None:
    newest = result.backdating.newest
    write_table(
        sheet,
        [t[c] for c in ("entity", "key", "source", "row", "date", "newest", "message", "action")],
        ([m.entity, m.source_key, m.source, m.row, m.date, newest.get(m.entity) or "", m.reason,
          m.action] for m in result.backdating.moved),
    )  # fmt: skip


_REASON_COLUMNS = ("severity", "entity", "field", "rule", "rows", "examples", "message",
                   "blocking")  # fmt: skip


def _reasons(sheet: Any, result: PlanResult, t: dict[str, str], blocking: frozenset[str]) -> None:
    """Refused rows and warnings grouped: one row per entity, rule and field."""
    issues = [i for i in result.issues if i.severity == "error" or not i.rule.startswith("owner.")]
    write_table(
        sheet,
        [t[c] for c in _REASON_COLUMNS],
        (_reason_row(g, result.skip_refused, t, blocking) for g in group_issues(issues)),
    )


def _reason_row(
    group: IssueGroup, skipped: bool, t: dict[str, str], blocking: frozenset[str]
) -> list[Any]:
    blocks = group.severity == "error" and group.rule in blocking
    says = (t["skipped_on_purpose"] if skipped else t["yes"]) if blocks else t["no"]
    return [t.get(group.severity, group.severity), group.entity, group.field, group.rule,
            group.rows, ", ".join(group.values[:5]), group.message, says]  # fmt: skip


def _owners(sheet: Any, result: PlanResult, t: dict[str, str]) -> None:
    write_table(
        sheet,
        [t[c] for c in ("legacy", "user_id", "user", "how", "rows", "defaulted")],
        (
            [o.legacy, o.user_id, o.user_name, o.rule, o.rows, t["yes"] if o.defaulted else t["no"]]
            for o in result.owners
        ),
    )
    for number, owner in enumerate(result.owners, start=2):
        if owner.defaulted:
            for cell in sheet[number]:
                cell.fill = _HIGHLIGHT
