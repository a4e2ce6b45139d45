"""`reports/summary.html`: one self-contained page that tells the client how the migration went.

What was found, cleaned, merged, loaded and refused, per entity, what the client has to do
next, two inline SVG charts (with the same numbers as tables for screen readers) and links to
the workbooks beside the page. No external asset of any kind: inline CSS, system fonts, no
script. Russian by default, English with ``language="en"``; every piece of data is escaped.
The output is well-formed XML (XHTML-style), so tests can read it with ``xml.etree``.

    write_summary(Path("reports/summary.html"), summary)   # summary: RunSummary
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote

from migrate import __version__
from migrate.reports._summary_style import CSS
from migrate.reports._summary_text import (
    ENTITY_NAMES,
    TEXT,
    check_language,
    count_noun,
    format_datetime,
    format_duration,
    format_number,
    is_one,
)
from migrate.reports._svg import Bar, Segment, funnel_svg, stacked_bars_svg
from migrate.reports.summary_model import (
    EntitySummary,
    ReasonCount,
    RunSummary,
    keep_existing_workbooks,
    redact_url,
)

__all__ = ["render_summary", "write_summary"]

# (css/segment key, text key, value of an entity)
_SEGMENTS: tuple[tuple[str, str, Callable[[EntitySummary], int]], ...] = (
    ("done", "seg_done", lambda e: e.load.done if e.load else 0),
    ("skip", "seg_skip", lambda e: e.plan.skip if e.plan else 0),
    ("merged", "seg_merged", lambda e: e.dedupe.records_merged if e.dedupe else 0),
    ("refused", "seg_refused", lambda e: e.refused - (e.load.failed if e.load else 0)),
    ("failed", "seg_failed", lambda e: e.load.failed if e.load else 0),
    ("pending", "seg_pending", lambda e: _pending(e)),
)


def write_summary(path: Path, summary: RunSummary, language: str = "ru") -> Path:
    """Render ``summary`` into ``path``, linking only the workbooks that exist beside it."""
    page = render_summary(keep_existing_workbooks(summary, path.parent), language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def render_summary(summary: RunSummary, language: str = "ru") -> str:
    """The summary page of ``summary`` as one HTML document (text)."""
    return _Page(summary, check_language(language)).render()


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pending(entity: EntitySummary) -> int:
    """Records still to load; before the load, what the plan (or dedupe) leaves to send."""
    if entity.load:
        return entity.load.pending
    if entity.plan:
        return entity.plan.create + entity.plan.update
    if entity.validation:
        merged = entity.dedupe.records_merged if entity.dedupe else 0
        return max(entity.validation.rows_kept - merged, 0)
    return entity.rows_read


class _Page:
    def __init__(self, summary: RunSummary, language: str) -> None:
        self.s = summary
        self.lang = language
        self.t = TEXT[language]

    # -- small helpers -------------------------------------------------------------------

    def num(self, value: float) -> str:
        return format_number(value, self.lang)

    def entity_name(self, entity: str) -> str:
        return ENTITY_NAMES[self.lang].get(entity, entity)

    def total(self, pick: Callable[[EntitySummary], int]) -> int:
        return sum(pick(e) for e in self.s.entities)

    def file_ref(self, name: str) -> str:
        if name in self.s.workbooks:
            return f'<a href="{_e(quote(name))}">{_e(name)}</a>'
        return f"<b>{_e(name)}</b>"

    # -- the page ------------------------------------------------------------------------

    def render(self) -> str:
        body = "".join(
            (self.header(), self.kpis(), self.todo(), self.charts(), self.overview(),
             self.details(), self.timings(), self.workbooks(), self.footer())
        )  # fmt: skip
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8"/>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
            f"<title>{_e(self.t['title'])}: {_e(self.s.name)}</title>"
            f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
        )

    def status(self) -> str:
        if self.actions(hard_only=True):
            return "attention"
        if not any(e.load for e in self.s.entities):
            return "dry"
        return "running" if self.total(_pending) else "done"

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
        meta = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in items)
        status = self.status()
        return (
            '<header class="card"><p class="eyebrow">b24migrate</p>'
            f"<h1>{_e(t['title'])}</h1>"
            f'<p class="status status-{status}" data-status="{status}">{_e(t["status_" + status])}'
            f'</p><dl class="meta">{meta}</dl></header>'
        )

    def kpis(self) -> str:
        t = self.t
        values = (
            ("read", self.total(lambda e: e.rows_read), t["kpi_read"]),
            ("warn", self.column_total("validation", "warnings"), t["kpi_warn"]),
            ("merged", self.column_total("dedupe", "records_merged"), t["kpi_merged"]),
            ("done", self.column_total("load", "done"), t["kpi_loaded"]),
            ("refused", self.total(lambda e: e.refused), t["kpi_refused"]),
        )
        cards = "".join(
            f'<div class="kpi kpi-{key}" data-kpi="{key}"><span class="kpi-value">'
            f"{'—' if value is None else self.num(value)}</span>"
            f'<span class="kpi-label">{_e(label)}</span></div>'
            for key, value, label in values
        )
        return f'<section class="kpis" aria-label="{_e(t["charts"])}">{cards}</section>'

    def actions(self, *, hard_only: bool = False) -> list[tuple[str, str]]:
        t, lang = self.t, self.lang
        found: list[tuple[str, str]] = []

        def add(key: str, n: int, noun: str, file: str) -> None:
            if n:
                template = t.get(f"todo_{key}_one", "") if is_one(n, lang) else ""
                text = _e(template or t["todo_" + key]).replace(
                    "{n}", _e(count_noun(n, noun, lang))
                )
                found.append((key, text.replace("{file}", self.file_ref(file))))

        add("review", self.total(lambda e: e.dedupe.review_pending if e.dedupe else 0), "pair",
            "duplicates.xlsx")  # fmt: skip
        add("errors", self.total(lambda e: e.validation.rows_refused if e.validation else 0),
            "row", "errors.xlsx")  # fmt: skip
        add("plan", self.total(lambda e: e.plan.refused if e.plan else 0), "record", "plan.xlsx")
        add("failed", self.total(lambda e: e.load.failed if e.load else 0), "record", "load.xlsx")
        if hard_only:
            return found
        add("pending", self.total(lambda e: e.load.pending if e.load else 0), "record", "")
        add("warnings", self.total(lambda e: e.validation.warnings if e.validation else 0),
            "warning", "errors.xlsx")  # fmt: skip
        return found

    def todo(self) -> str:
        actions = self.actions()
        if not any(e.load for e in self.s.entities):
            actions.append(("dry", _e(self.t["todo_dry"])))
        clear = "" if actions else " todo-clear"
        actions = actions or [("none", _e(self.t["todo_none"]))]
        items = "".join(f'<li data-action="{key}">{text}</li>' for key, text in actions)
        return (
            f'<section class="card todo{clear}" aria-labelledby="todo-h">'
            f'<h2 id="todo-h">{_e(self.t["todo"])}</h2><ul>{items}</ul></section>'
        )

    # -- charts --------------------------------------------------------------------------

    def funnel_steps(self) -> list[Segment]:
        t = self.t
        read = self.total(lambda e: e.rows_read)
        clean = self.total(lambda e: e.validation.rows_kept if e.validation else e.rows_read)
        merged = self.total(lambda e: e.dedupe.records_merged if e.dedupe else 0)
        done = self.total(lambda e: (e.load.done if e.load else 0) + (e.plan.skip if e.plan else 0))
        steps = [("read", read), ("clean", clean), ("dedupe", clean - merged)]
        if any(e.load for e in self.s.entities):
            steps.append(("load", done))
        return [Segment(f"c-{k}", t["step_" + k], v, self.num(v)) for k, v in steps]

    def entity_bars(self) -> list[Bar]:
        return [
            Bar(
                self.entity_name(e.entity),
                tuple(
                    Segment(f"c-{key}", self.t[label], pick(e), self.num(pick(e)))
                    for key, label, pick in _SEGMENTS
                ),
                self.num(e.rows_read),
            )
            for e in self.s.entities
        ]

    def charts(self) -> str:
        t = self.t
        steps, bars = self.funnel_steps(), self.entity_bars()
        funnel_rows = "".join(
            f'<tr data-step="{s.css[2:]}"><th scope="row">{_e(s.label)}</th>'
            f'<td class="num">{s.shown}</td></tr>'
            for s in steps
        )
        legend = "".join(
            f'<li><span class="swatch s-{key}" aria-hidden="true"></span>{_e(t[label])}</li>'
            for key, label, _ in _SEGMENTS
        )
        head = "".join(
            f'<th scope="col" class="num">{_e(t[label])}</th>' for _, label, _ in _SEGMENTS
        )
        bar_rows = "".join(
            f'<tr><th scope="row">{_e(b.label)}</th>'
            + "".join(f'<td class="num">{s.shown}</td>' for s in b.segments)
            + "</tr>"
            for b in bars
        )
        return (
            '<section class="card" aria-labelledby="charts-h">'
            f'<h2 id="charts-h">{_e(t["charts"])}</h2><div class="charts">'
            f'<figure class="chart-box"><h3>{_e(t["funnel"])}</h3>'
            + funnel_svg("funnel", t["funnel"], t["funnel_desc"], steps)
            + f'<details><summary>{_e(t["as_table"])}</summary><table class="funnel-data">'
            f"<tbody>{funnel_rows}</tbody></table></details></figure>"
            f'<figure class="chart-box"><h3>{_e(t["bars"])}</h3><ul class="legend">{legend}</ul>'
            + stacked_bars_svg("bars", t["bars"], t["bars_desc"], bars)
            + f'<details><summary>{_e(t["as_table"])}</summary><table class="bars-data">'
            f'<thead><tr><th scope="col">{_e(t["entity"])}</th>{head}</tr></thead>'
            f"<tbody>{bar_rows}</tbody></table></details></figure></div></section>"
        )

    # -- tables --------------------------------------------------------------------------

    _COLUMNS: tuple[tuple[str, str, str], ...] = (
        ("validation", "rows_read", "rows_read"),
        ("validation", "rows_kept", "rows_kept"),
        ("validation", "rows_refused", "rows_refused"),
        ("validation", "errors", "errors"),
        ("validation", "warnings", "warnings"),
        ("dedupe", "clusters", "clusters"),
        ("dedupe", "records_merged", "records_merged"),
        ("dedupe", "review_pending", "review_pending"),
        ("plan", "create", "create"),
        ("plan", "update", "update"),
        ("plan", "skip", "skip"),
        ("plan", "refused", "plan_refused"),
        ("load", "done", "done"),
        ("load", "failed", "failed"),
        ("load", "pending", "pending"),
    )  # (stage, attribute, metric key = text key)
    _STARTS = frozenset({"clusters", "done"})

    def overview(self) -> str:
        t = self.t
        halves = (("validation", "dedupe"), ("plan", "load"))
        tables = "".join(self.overview_table(stages) for stages in halves)
        return (
            '<section class="card" aria-labelledby="overview-h">'
            f'<h2 id="overview-h">{_e(t["overview"])}</h2>{tables}</section>'
        )

    def overview_table(self, stages: Sequence[str]) -> str:
        """Counts per entity (rows) for the columns of ``stages``, with a totals row."""
        t = self.t
        columns = [c for c in self._COLUMNS if c[0] in stages]
        group_row = '<th scope="col"></th>' + "".join(
            f'<th scope="colgroup" colspan="{sum(1 for c in columns if c[0] == g)}" '
            f'class="group">{_e(t[g])}</th>'
            for g in stages
        )
        head = f'<th scope="col">{_e(t["entity"])}</th>' + "".join(
            f'<th scope="col" class="num{self.start(key)}">{_e(t[key])}</th>'
            for _, _, key in columns
        )
        rows = "".join(self.overview_row(e, columns) for e in self.s.entities)
        totals = "".join(
            self.cell(key, self.column_total(stage, attribute)) for stage, attribute, key in columns
        )
        return (
            f'<div class="wide"><table class="overview" data-stages="{" ".join(stages)}">'
            f"<thead><tr>{group_row}</tr><tr>{head}</tr></thead><tbody>{rows}</tbody>"
            f'<tfoot><tr data-entity="_total"><th scope="row">{_e(t["total"])}</th>{totals}</tr>'
            "</tfoot></table></div>"
        )

    def start(self, key: str) -> str:
        return " start" if key in self._STARTS else ""

    def cell(self, key: str, value: int | None) -> str:
        if value is None:
            return (
                f'<td class="none{self.start(key)}" data-metric="{key}" '
                f'title="{_e(self.t["not_run"])}">—</td>'
            )
        return f'<td class="num{self.start(key)}" data-metric="{key}">{self.num(value)}</td>'

    def overview_row(self, entity: EntitySummary, columns: Sequence[tuple[str, str, str]]) -> str:
        cells = "".join(
            self.cell(key, _metric(entity, stage, attribute)) for stage, attribute, key in columns
        )
        return (
            f'<tr data-entity="{_e(entity.entity)}"><th scope="row">'
            f"{_e(self.entity_name(entity.entity))}</th>{cells}</tr>"
        )

    def column_total(self, stage: str, attribute: str) -> int | None:
        known = [_metric(e, stage, attribute) for e in self.s.entities]
        values = [v for v in known if v is not None]
        return sum(values) if values else None

    def details(self) -> str:
        cards = "".join(self.entity_card(e) for e in self.s.entities)
        return (
            f'<section aria-labelledby="details-h"><h2 id="details-h" class="section-title">'
            f'{_e(self.t["details"])}</h2><div class="entities">{cards}</div></section>'
        )

    def entity_card(self, entity: EntitySummary) -> str:
        t = self.t
        parts = [f"<h3>{_e(self.entity_name(entity.entity))}</h3>"]
        if entity.sources:
            rows = [(s.file, s.sheet, self.num(s.rows)) for s in entity.sources]
            parts.append(
                self.table(t["sources"], (t["file"], t["sheet"], t["rows"]), rows, "sources")
            )
        if entity.validation and entity.validation.top_rules:
            rules = [
                (f'{_e(r.label or r.rule)} <br/><code>{_e(r.rule)}</code>',
                 f'<span class="sev-{_e(r.severity)}">{_e(t.get(r.severity, r.severity))}</span>',
                 self.num(r.count))
                for r in entity.validation.top_rules
            ]  # fmt: skip
            parts.append(self.table(t["top_rules"], (t["rule"], t["severity"], t["count"]), rules,
                                    "rules", raw=True))  # fmt: skip
        if entity.plan and entity.plan.top_reasons:
            parts.append(self.reasons(t["top_reasons"], entity.plan.top_reasons, "plan-reasons"))
        if entity.load and entity.load.top_failures:
            parts.append(self.reasons(t["top_failures"], entity.load.top_failures, "load-failures"))
        return f'<article class="card" data-entity="{_e(entity.entity)}">{"".join(parts)}</article>'

    def reasons(self, caption: str, reasons: Sequence[ReasonCount], css: str) -> str:
        rows = [(r.reason, self.num(r.count)) for r in reasons]
        return self.table(caption, (self.t["reason"], self.t["count"]), rows, css)

    def table(
        self,
        caption: str,
        head: Sequence[str],
        rows: Sequence[Sequence[str]],
        css: str,
        *,
        raw: bool = False,
    ) -> str:
        """A small table whose last column is numeric; cells are escaped unless ``raw``."""
        if not rows:
            return f'<p class="hint">{_e(caption)}: {_e(self.t["no_problems"])}</p>'
        last = len(head) - 1
        th = "".join(
            f'<th scope="col" class="{"num" if i == last else "text"}">{_e(h)}</th>'
            for i, h in enumerate(head)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="{"num" if i == last else "reason"}">'
                f"{value if raw or i == last else _e(value)}</td>"
                for i, value in enumerate(row)
            )
            + "</tr>"
            for row in rows
        )
        return (
            f'<table class="{css}"><caption>{_e(caption)}</caption>'
            f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
        )

    def timings(self) -> str:
        if not self.s.timings:
            return ""
        t, lang = self.t, self.lang
        rows = "".join(
            f'<tr data-stage="{_e(x.stage)}">'
            f'<th scope="row">{_e(t.get("st_" + x.stage, x.stage))}</th>'
            f'<td class="num">{format_duration(x.seconds, lang)}</td></tr>'
            for x in self.s.timings
        )
        total = format_duration(sum(x.seconds for x in self.s.timings), lang)
        return (
            '<section class="card" aria-labelledby="timings-h">'
            f'<h2 id="timings-h">{_e(t["timings"])}</h2><table class="timings"><thead><tr>'
            f'<th scope="col">{_e(t["stage"])}</th><th scope="col" class="num">{_e(t["time"])}</th>'
            f"</tr></thead><tbody>{rows}</tbody><tfoot><tr>"
            f'<th scope="row">{_e(t["total"])}</th><td class="num">{total}</td></tr></tfoot>'
            "</table></section>"
        )

    def workbooks(self) -> str:
        t = self.t
        if not self.s.workbooks:
            items = f'<p class="hint">{_e(t["no_workbooks"])}</p>'
        else:
            items = '<ul class="workbooks">' + "".join(
                f"<li>{self.file_ref(name)} — {_e(t.get('wb_' + name, ''))}</li>"
                for name in self.s.workbooks
            ) + "</ul>"  # fmt: skip
        return (
            f'<section class="card" aria-labelledby="wb-h"><h2 id="wb-h">{_e(t["workbooks"])}</h2>'
            f"{items}</section>"
        )

    def footer(self) -> str:
        return f"<footer>{_e(self.t['footer'])} v{_e(__version__)}</footer>"


def _metric(entity: EntitySummary, stage: str, attribute: str) -> int | None:
    """One count of ``entity``, or ``None`` when its stage did not run."""
    if attribute == "rows_read":
        return entity.rows_read
    block = getattr(entity, stage)
    return None if block is None else int(getattr(block, attribute))
