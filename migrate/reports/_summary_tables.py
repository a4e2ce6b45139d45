"""The table sections: counts per entity and stage, each entity's details, stage times."""

from __future__ import annotations

from collections.abc import Sequence

from migrate.reports._summary_page import PageContext, esc, metric
from migrate.reports._summary_text import format_duration
from migrate.reports.summary_model import EntitySummary, ReasonCount

__all__ = ["COLUMNS", "details_section", "overview_section", "timings_section"]

COLUMNS: tuple[tuple[str, str, str], ...] = (
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


def overview_section(ctx: PageContext) -> str:
    t = ctx.t
    halves = (("validation", "dedupe"), ("plan", "load"))
    tables = "".join(_overview_table(ctx, stages) for stages in halves)
    return (
        '<section class="card" aria-labelledby="overview-h">'
        f'<h2 id="overview-h">{esc(t["overview"])}</h2>{tables}</section>'
    )


def _overview_table(ctx: PageContext, stages: Sequence[str]) -> str:
    """Counts per entity (rows) for the columns of ``stages``, with a totals row."""
    t = ctx.t
    columns = [c for c in COLUMNS if c[0] in stages]
    group_row = '<th scope="col"></th>' + "".join(
        f'<th scope="colgroup" colspan="{sum(1 for c in columns if c[0] == g)}" '
        f'class="group">{esc(t[g])}</th>'
        for g in stages
    )
    head = f'<th scope="col">{esc(t["entity"])}</th>' + "".join(
        f'<th scope="col" class="num{_start(key)}">{esc(t[key])}</th>' for _, _, key in columns
    )
    rows = "".join(_overview_row(ctx, e, columns) for e in ctx.s.entities)
    totals = "".join(
        _cell(ctx, key, ctx.column_total(stage, attribute)) for stage, attribute, key in columns
    )
    return (
        f'<div class="wide"><table class="overview" data-stages="{" ".join(stages)}">'
        f"<thead><tr>{group_row}</tr><tr>{head}</tr></thead><tbody>{rows}</tbody>"
        f'<tfoot><tr data-entity="_total"><th scope="row">{esc(t["total"])}</th>{totals}</tr>'
        "</tfoot></table></div>"
    )


def _start(key: str) -> str:
    return " start" if key in _STARTS else ""


def _cell(ctx: PageContext, key: str, value: int | None) -> str:
    if value is None:
        return (
            f'<td class="none{_start(key)}" data-metric="{key}" '
            f'title="{esc(ctx.t["not_run"])}">—</td>'
        )
    return f'<td class="num{_start(key)}" data-metric="{key}">{ctx.num(value)}</td>'


def _overview_row(
    ctx: PageContext, entity: EntitySummary, columns: Sequence[tuple[str, str, str]]
) -> str:
    cells = "".join(
        _cell(ctx, key, metric(entity, stage, attribute)) for stage, attribute, key in columns
    )
    return (
        f'<tr data-entity="{esc(entity.entity)}"><th scope="row">'
        f"{esc(ctx.entity_name(entity.entity))}</th>{cells}</tr>"
    )


def details_section(ctx: PageContext) -> str:
    cards = "".join(_entity_card(ctx, e) for e in ctx.s.entities)
    return (
        f'<section aria-labelledby="details-h"><h2 id="details-h" class="section-title">'
        f'{esc(ctx.t["details"])}</h2><div class="entities">{cards}</div></section>'
    )


def _entity_card(ctx: PageContext, entity: EntitySummary) -> str:
    t = ctx.t
    parts = [f"<h3>{esc(ctx.entity_name(entity.entity))}</h3>"]
    if entity.sources:
        rows = [(s.file, s.sheet, ctx.num(s.rows)) for s in entity.sources]
        parts.append(_table(t["sources"], (t["file"], t["sheet"], t["rows"]), rows, "sources"))
    if entity.validation and entity.validation.top_rules:
        rules = [
            (f'{esc(r.label or r.rule)} <br/><code>{esc(r.rule)}</code>',
             f'<span class="sev-{esc(r.severity)}">{esc(t.get(r.severity, r.severity))}</span>',
             ctx.num(r.count))
            for r in entity.validation.top_rules
        ]  # fmt: skip
        head = (t["rule"], t["severity"], t["count"])
        parts.append(_table(t["top_rules"], head, rules, "rules", raw=True))
    if entity.plan and entity.plan.top_reasons:
        parts.append(_reasons(ctx, t["top_reasons"], entity.plan.top_reasons, "plan-reasons"))
    if entity.load and entity.load.top_failures:
        parts.append(_reasons(ctx, t["top_failures"], entity.load.top_failures, "load-failures"))
    return f'<article class="card" data-entity="{esc(entity.entity)}">{"".join(parts)}</article>'


def _reasons(ctx: PageContext, caption: str, reasons: Sequence[ReasonCount], css: str) -> str:
    rows = [(r.reason, ctx.num(r.count)) for r in reasons]
    return _table(caption, (ctx.t["reason"], ctx.t["count"]), rows, css)


def _table(
    caption: str,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    css: str,
    *,
    raw: bool = False,
) -> str:
    """A small table whose last column is numeric; cells are escaped unless ``raw``."""
    last = len(head) - 1
    th = "".join(
        f'<th scope="col" class="{"num" if i == last else "text"}">{esc(h)}</th>'
        for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i == last else "reason"}">'
            f"{value if raw or i == last else esc(value)}</td>"
            for i, value in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="{css}"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def timings_section(ctx: PageContext) -> str:
    if not ctx.s.timings:
        return ""
    t, lang = ctx.t, ctx.lang
    rows = "".join(
        f'<tr data-stage="{esc(x.stage)}">'
        f'<th scope="row">{esc(t.get("st_" + x.stage, x.stage))}</th>'
        f'<td class="num">{format_duration(x.seconds, lang)}</td></tr>'
        for x in ctx.s.timings
    )
    total = format_duration(sum(x.seconds for x in ctx.s.timings), lang)
    return (
        '<section class="card" aria-labelledby="timings-h">'
        f'<h2 id="timings-h">{esc(t["timings"])}</h2><table class="timings"><thead><tr>'
        f'<th scope="col">{esc(t["stage"])}</th><th scope="col" class="num">{esc(t["time"])}</th>'
        f"</tr></thead><tbody>{rows}</tbody><tfoot><tr>"
        f'<th scope="row">{esc(t["total"])}</th><td class="num">{total}</td></tr></tfoot>'
        "</table></section>"
    )
