"""The charts section: a funnel of all rows and a 100 % stacked bar per entity, with tables."""

from __future__ import annotations

from collections.abc import Callable

from migrate.reports._summary_page import PageContext, esc, pending
from migrate.reports._svg import Bar, Segment, funnel_svg, stacked_bars_svg
from migrate.reports.summary_model import EntitySummary

__all__ = ["SEGMENTS", "charts_section"]

# (css/segment key, text key, value of an entity)
SEGMENTS: tuple[tuple[str, str, Callable[[EntitySummary], int]], ...] = (
    ("done", "seg_done", lambda e: e.load.done if e.load else 0),
    ("skip", "seg_skip", lambda e: e.plan.skip if e.plan else 0),
    ("merged", "seg_merged", lambda e: e.dedupe.records_merged if e.dedupe else 0),
    ("refused", "seg_refused", lambda e: e.refused - (e.load.failed if e.load else 0)),
    ("failed", "seg_failed", lambda e: e.load.failed if e.load else 0),
    ("pending", "seg_pending", pending),
)


def _funnel_steps(ctx: PageContext) -> list[Segment]:
    t = ctx.t
    read = ctx.total(lambda e: e.rows_read)
    clean = ctx.total(lambda e: e.validation.rows_kept if e.validation else e.rows_read)
    merged = ctx.total(lambda e: e.dedupe.records_merged if e.dedupe else 0)
    # records derived from rows (requisites, product rows, relations) are not rows: only
    # entities read from sources count here, so the funnel compares like with like
    done = ctx.total(
        lambda e: (
            ((e.load.done if e.load else 0) + (e.plan.skip if e.plan else 0)) if e.sources else 0
        )
    )
    steps = [("read", read), ("clean", clean), ("dedupe", clean - merged)]
    if any(e.load for e in ctx.s.entities):
        steps.append(("load", done))
    return [Segment(f"c-{k}", t["step_" + k], v, ctx.num(v)) for k, v in steps]


def _entity_bars(ctx: PageContext) -> list[Bar]:
    return [
        Bar(
            ctx.entity_name(e.entity),
            tuple(
                Segment(f"c-{key}", ctx.t[label], pick(e), ctx.num(pick(e)))
                for key, label, pick in SEGMENTS
            ),
            ctx.num(e.rows_read),
        )
        for e in ctx.s.entities
        if e.sources  # a bar is a share of the rows read; derived entities are in the tables
    ]


def charts_section(ctx: PageContext) -> str:
    t = ctx.t
    steps, bars = _funnel_steps(ctx), _entity_bars(ctx)
    funnel_rows = "".join(
        f'<tr data-step="{s.css[2:]}"><th scope="row">{esc(s.label)}</th>'
        f'<td class="num">{s.shown}</td></tr>'
        for s in steps
    )
    legend = "".join(
        f'<li><span class="swatch s-{key}" aria-hidden="true"></span>{esc(t[label])}</li>'
        for key, label, _ in SEGMENTS
    )
    head = "".join(f'<th scope="col" class="num">{esc(t[label])}</th>' for _, label, _ in SEGMENTS)
    bar_rows = "".join(
        f'<tr><th scope="row">{esc(b.label)}</th>'
        + "".join(f'<td class="num">{s.shown}</td>' for s in b.segments)
        + "</tr>"
        for b in bars
    )
    return (
        '<section class="card" aria-labelledby="charts-h">'
        f'<h2 id="charts-h">{esc(t["charts"])}</h2><div class="charts">'
        f'<figure class="chart-box"><h3>{esc(t["funnel"])}</h3>'
        + funnel_svg("funnel", t["funnel"], t["funnel_desc"], steps)
        + f'<details><summary>{esc(t["as_table"])}</summary><table class="funnel-data">'
        f"<tbody>{funnel_rows}</tbody></table></details></figure>"
        f'<figure class="chart-box"><h3>{esc(t["bars"])}</h3><ul class="legend">{legend}</ul>'
        + stacked_bars_svg("bars", t["bars"], t["bars_desc"], bars)
        + f'<details><summary>{esc(t["as_table"])}</summary><table class="bars-data">'
        f'<thead><tr><th scope="col">{esc(t["entity"])}</th>{head}</tr></thead>'
        f"<tbody>{bar_rows}</tbody></table></details></figure></div></section>"
    )
