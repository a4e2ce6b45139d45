"""`reports/summary.html`: one self-contained page that tells the client how the migration went.

What was found, cleaned, merged, loaded and refused, per entity, what the client has to do
next, two inline SVG charts (with the same numbers as tables for screen readers) and links to
the workbooks beside the page. No external asset of any kind: inline CSS, system fonts, no
script. Russian by default, English with ``language="en"``; every piece of data is escaped.
The output is well-formed XML (XHTML-style), so tests can read it with ``xml.etree``.

    write_summary(Path("reports/summary.html"), summary)   # summary: RunSummary
"""

from __future__ import annotations

from pathlib import Path

from migrate import __version__
from migrate.reports._summary_charts import charts_section
from migrate.reports._summary_page import PageContext, esc, pending
from migrate.reports._summary_reconcile import reconcile_section
from migrate.reports._summary_style import CSS
from migrate.reports._summary_tables import details_section, overview_section, timings_section
from migrate.reports._summary_text import (
    check_language,
    count_noun,
    format_datetime,
    format_duration,
    is_one,
)
from migrate.reports.summary_model import RunSummary, keep_existing_workbooks, redact_url

__all__ = ["render_summary", "write_summary"]

#: The «read» figure's label by where the sources were read (files, another portal, both).
_READ_LABEL = {"files": "kpi_read", "portal": "kpi_read_portal", "both": "kpi_read_both"}


def write_summary(path: Path, summary: RunSummary, language: str = "ru") -> Path:
    """Render ``summary`` into ``path``, linking only the workbooks that exist beside it."""
    page = render_summary(keep_existing_workbooks(summary, path.parent), language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def render_summary(summary: RunSummary, language: str = "ru") -> str:
    """The summary page of ``summary`` as one HTML document (text)."""
    return _Page(summary, check_language(language)).render()


class _Page(PageContext):
    """The page: header, headline figures, what to do, then the sections in order."""

    def render(self) -> str:
        body = "".join(
            (self.header(), self.route(), self.kpis(), self.todo(), reconcile_section(self),
             charts_section(self), overview_section(self), details_section(self),
             timings_section(self), self.workbooks(), self.footer())
        )  # fmt: skip
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<title>{esc(self.t['title'])}: {esc(self.s.name)}</title>"
            f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
        )

    def status(self) -> str:
        if self.actions(hard_only=True):
            return "attention"
        if not any(e.load for e in self.s.entities):
            return "dry"
        return "running" if self.total(pending) else "done"

    def header(self) -> str:
        s, t = self.s, self.t
        portal = t["sandbox"] if s.portal == "sandbox" else redact_url(s.portal)
        items = [(t["run"], s.name), (t["portal"], portal),
                 (t["started"], format_datetime(s.started_at, self.lang))]  # fmt: skip
        if s.finished_at:
            items.append((t["finished"], format_datetime(s.finished_at, self.lang)))
            seconds = (s.finished_at - s.started_at).total_seconds()
            items.append((t["duration"], format_duration(seconds, self.lang)))
        else:
            items.append((t["finished"], t["running"]))
        meta = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items)
        status = self.status()
        return (
            '<header class="card"><p class="eyebrow">b24migrate</p>'
            f"<h1>{esc(t['title'])}</h1>"
            f'<p class="status status-{status}" data-status="{status}">{esc(t["status_" + status])}'
            f'</p><dl class="meta">{meta}</dl></header>'
        )

    def route(self) -> str:
        """With the `add` route, the page's first words after the title: the portal's
        automation will fire for the records, and how to avoid it."""
        route = self.s.route
        if route is None or not route.fires_automation:
            return ""
        lines = "".join(f"<p>{esc(line)}</p>" for line in route.lines(self.lang))
        return (
            f'<section class="card route-warning" data-route="{esc(route.route)}">{lines}</section>'
        )

    def kpis(self) -> str:
        t = self.t
        values = (
            ("read", self.total(lambda e: e.rows_read), t[_READ_LABEL[self.s.read_from]]),
            ("warn", self.column_total("validation", "warnings"), t["kpi_warn"]),
            ("merged", self.column_total("dedupe", "records_merged"), t["kpi_merged"]),
            ("done", self.column_total("load", "done"), t["kpi_loaded"]),
            ("refused", self.total(lambda e: e.refused), t["kpi_refused"]),
        )
        cards = "".join(
            f'<div class="kpi kpi-{key}" data-kpi="{key}"><span class="kpi-value">'
            f"{'—' if value is None else self.num(value)}</span>"
            f'<span class="kpi-label">{esc(label)}</span></div>'
            for key, value, label in values
        )
        return f'<section class="kpis" aria-label="{esc(t["charts"])}">{cards}</section>'

    def actions(self, *, hard_only: bool = False) -> list[tuple[str, str]]:
        t, lang = self.t, self.lang
        found: list[tuple[str, str]] = []

        def add(key: str, n: int, noun: str, file: str) -> None:
            if n:
                template = t.get(f"todo_{key}_one", "") if is_one(n, lang) else ""
                text = esc(template or t["todo_" + key]).replace(
                    "{n}", esc(count_noun(n, noun, lang))
                )
                found.append((key, text.replace("{file}", self.file_ref(file))))

        add("review", self.total(lambda e: e.dedupe.review_pending if e.dedupe else 0), "pair",
            "duplicates.xlsx")  # fmt: skip
        add("errors", self.total(lambda e: e.validation.rows_refused if e.validation else 0),
            "row", "errors.xlsx")  # fmt: skip
        add("plan", self.total(lambda e: e.plan.refused if e.plan else 0), "record", "plan.xlsx")
        add("conflicts", self.total(lambda e: e.plan.conflicts if e.plan else 0), "record",
            "plan.xlsx")  # fmt: skip
        add("failed", self.total(lambda e: e.load.failed if e.load else 0), "record", "load.xlsx")
        if hard_only:
            return found
        add("pending", self.total(lambda e: e.load.pending if e.load else 0), "record", "")
        add("gone", self.total(lambda e: e.plan.gone if e.plan else 0), "record", "plan.xlsx")
        add("no_owner", self.total(lambda e: e.plan.no_owner if e.plan else 0), "record",
            "owners.xlsx")  # fmt: skip
        add("warnings", self.total(lambda e: e.validation.warnings if e.validation else 0),
            "warning", "errors.xlsx")  # fmt: skip
        return found

    def todo(self) -> str:
        actions = self.actions()
        if not any(e.load for e in self.s.entities):
            actions.append(("dry", esc(self.t["todo_dry"])))
        clear = "" if actions else " todo-clear"
        actions = actions or [("none", esc(self.t["todo_none"]))]
        items = "".join(f'<li data-action="{key}">{text}</li>' for key, text in actions)
        return (
            f'<section class="card todo{clear}" aria-labelledby="todo-h">'
            f'<h2 id="todo-h">{esc(self.t["todo"])}</h2><ul>{items}</ul></section>'
        )

    def workbooks(self) -> str:
        t = self.t
        if not self.s.workbooks:
            items = f'<p class="hint">{esc(t["no_workbooks"])}</p>'
        else:
            items = '<ul class="workbooks">' + "".join(
                f"<li>{self.file_ref(name)} — {esc(t.get('wb_' + name, ''))}</li>"
                for name in self.s.workbooks
            ) + "</ul>"  # fmt: skip
        return (
            f'<section class="card" aria-labelledby="wb-h"><h2 id="wb-h">{esc(t["workbooks"])}</h2>'
            f"{items}</section>"
        )

    def footer(self) -> str:
        return f"<footer>{esc(self.t['footer'])} v{esc(__version__)}</footer>"
