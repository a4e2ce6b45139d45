"""What every section of the summary page shares: the run, the words, numbers and totals."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from urllib.parse import quote

from migrate.reports._summary_text import ENTITY_NAMES, TEXT, format_number
from migrate.reports.summary_model import EntitySummary, RunSummary

__all__ = ["PageContext", "esc", "metric", "pending"]


def esc(value: object) -> str:
    """``value`` as text safe inside HTML elements and quoted attributes."""
    return escape(str(value), quote=True)


def pending(entity: EntitySummary) -> int:
    """Records still to load; before the load, what the plan (or dedupe) leaves to send."""
    if entity.load:
        return entity.load.pending
    if entity.plan:
        return entity.plan.create + entity.plan.update
    if entity.validation:
        merged = entity.dedupe.records_merged if entity.dedupe else 0
        return max(entity.validation.rows_kept - merged, 0)
    return entity.rows_read


def metric(entity: EntitySummary, stage: str, attribute: str) -> int | None:
    """One count of ``entity``, or ``None`` when its stage did not run."""
    if attribute == "rows_read":  # derived entities (requisites, relations) read no rows
        return entity.rows_read if entity.sources else None
    block = getattr(entity, stage)
    return None if block is None else int(getattr(block, attribute))


class PageContext:
    """The run being shown and the language it is shown in, with the helpers sections use."""

    def __init__(self, summary: RunSummary, language: str) -> None:
        self.s = summary
        self.lang = language
        self.t = TEXT[language]

    def num(self, value: float) -> str:
        return format_number(value, self.lang)

    def entity_name(self, entity: str) -> str:
        return ENTITY_NAMES[self.lang].get(entity, entity)

    def total(self, pick: Callable[[EntitySummary], int]) -> int:
        return sum(pick(e) for e in self.s.entities)

    def file_ref(self, name: str) -> str:
        if name in self.s.workbooks:
            return f'<a href="{esc(quote(name))}">{esc(name)}</a>'
        return f"<b>{esc(name)}</b>"

    def column_total(self, stage: str, attribute: str) -> int | None:
        known = [metric(e, stage, attribute) for e in self.s.entities]
        values = [v for v in known if v is not None]
        return sum(values) if values else None
