"""The «Структура» / "Structure" sheet of ``plan.xlsx``: the user fields, pipelines and
stages the plan proposes to create, one row each, with what depends on them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from migrate.reports._xlsx import write_table

if TYPE_CHECKING:
    from openpyxl import Workbook

    from migrate.plan import PlanResult

__all__ = ["write_structure"]

_LABELS = {
    "ru": {
        "sheet": "Структура", "kind": "Что", "entity": "Сущность", "code": "Код",
        "name": "Название", "type": "Тип", "pipeline": "Воронка", "items": "Значения списка",
        "sort": "Сортировка", "rows": "Строк", "action": "Что будет", "state": "Подтверждено",
        "reason": "Почему такой тип",
        "field": "Пользовательское поле", "new_pipeline": "Воронка", "stage": "Стадия",
        "create": "создать", "created": "создано ранее (загрузкой)",
        "success": "стадия успеха воронки «{id}»", "yes": "да",
        "no": "нет — plan --accept-structure или load.structure: create",
        "S": "успех", "F": "провал", "": "в работе",
    },
    "en": {
        "sheet": "Structure", "kind": "What", "entity": "Entity", "code": "Code",
        "name": "Name", "type": "Type", "pipeline": "Pipeline", "items": "List values",
        "sort": "Sort", "rows": "Rows", "action": "What happens", "state": "Accepted",
        "reason": "Why this type",
        "field": "User field", "new_pipeline": "Pipeline", "stage": "Stage",
        "create": "create", "created": "created earlier (by a load)",
        "success": "the pipeline's success stage “{id}”", "yes": "yes",
        "no": "no — plan --accept-structure or load.structure: create",
        "S": "success", "F": "failure", "": "in progress",
    },
}  # fmt: skip
_COLUMNS = ("kind", "entity", "code", "name", "type", "pipeline", "items", "sort", "rows",
            "action", "state", "reason")  # fmt: skip


def write_structure(book: Workbook, result: PlanResult, language: str) -> None:
    """Add the sheet when the plan proposes anything."""
    proposal = result.structure
    if proposal.empty:
        return
    t = _LABELS["en" if language == "en" else "ru"]
    state = t["yes"] if result.structure_accepted else t["no"]
    new = result.structure_new

    def action(item: object) -> str:
        return t["create"] if item in (*new.fields, *new.pipelines, *new.stages) else t["created"]

    rows: list[list[Any]] = [
        [t["field"], f.entity, f.name, f.label, _type(f.type, f.multiple, language),
         "", "; ".join(f.items), None, f.rows, action(f), state, f.reason(language)]
        for f in proposal.fields
    ]  # fmt: skip
    rows += [[t["new_pipeline"], "deal", "", p.name, "", "", "", None, p.rows, action(p), state, ""]
             for p in proposal.pipelines]  # fmt: skip
    rows += [
        [t["stage"], "deal", s.status_id, s.name, t[s.semantics], s.pipeline, "", s.sort, s.rows,
         t["success"].format(id=s.existing) if s.existing else action(s), state, ""]
        for s in proposal.stages
    ]  # fmt: skip
    write_table(book.create_sheet(t["sheet"]), [t[c] for c in _COLUMNS], rows)


def _type(kind: str, multiple: bool, language: str) -> str:
    if not multiple:
        return kind
    return f"{kind} ({'multiple' if language == 'en' else 'множественное'})"
