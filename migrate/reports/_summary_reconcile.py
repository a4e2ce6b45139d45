"""The summary page's reconciliation: source → plan → portal, in numbers that must add up."""

from __future__ import annotations

from migrate.reports._summary_page import PageContext, esc
from migrate.reports.reconcile import Reconciliation

__all__ = ["reconcile_section"]

_T = {
    "ru": {
        "title": "Сверка: источник → план → портал", "entity": "Сущность",
        "source": "В источнике", "refused": "Отклонено", "merged": "Объединено",
        "planned": "В плане", "loaded": "Загружено", "difference": "Расхождение",
        "currency": "Валюта", "deals": "Сделок", "stated": "Сумма в файле",
        "amount": "Сумма сделок", "lines": "Товарные строки", "ok": "Всё сходится.",
        "money": "Суммы сделок",
    },
    "en": {
        "title": "Reconciliation: source → plan → portal", "entity": "Entity",
        "source": "In the source", "refused": "Refused", "merged": "Merged",
        "planned": "Planned", "loaded": "Loaded", "difference": "Difference",
        "currency": "Currency", "deals": "Deals", "stated": "Amount in the file",
        "amount": "Amount of deals", "lines": "Product lines", "ok": "Everything adds up.",
        "money": "Deal amounts",
    },
}  # fmt: skip


def reconcile_section(ctx: PageContext) -> str:
    """The section, or nothing when the run has no reconciliation (no plan yet)."""
    rec = ctx.s.reconciliation
    if rec is None:
        return ""
    t = _T[ctx.lang]
    notes = "".join(f"<li>{esc(n)}</li>" for n in rec.notes)
    verdict = f'<ul class="notes">{notes}</ul>' if notes else f"<p>{esc(t['ok'])}</p>"
    return (
        '<section class="card" aria-labelledby="reconcile-h" id="reconcile">'
        f'<h2 id="reconcile-h">{esc(t["title"])}</h2>{_records(ctx, rec)}{_money(ctx, rec)}'
        f"{verdict}</section>"
    )


def _records(ctx: PageContext, rec: Reconciliation) -> str:
    t = _T[ctx.lang]
    heads = ("entity", "source", "refused", "merged", "planned", "loaded", "difference")
    head = "".join(f'<th scope="col">{esc(t[h])}</th>' for h in heads)
    rows = "".join(
        f'<tr{_bad(e.difference)}><th scope="row">{esc(ctx.entity_name(e.entity))}</th>'
        + "".join(f'<td class="num">{_n(ctx, v)}</td>'
                  for v in (e.source, e.refused, e.merged, e.planned, e.loaded, e.difference))
        + "</tr>"
        for e in rec.entities
    )  # fmt: skip
    lines = (
        f'<tr><th scope="row">{esc(t["lines"])}</th><td class="num">{_n(ctx, rec.lines_source)}'
        f'</td><td></td><td></td><td class="num">{_n(ctx, rec.lines_planned)}</td>'
        f'<td class="num">{_n(ctx, rec.lines_loaded)}</td><td></td></tr>'
    )
    return (
        f'<table class="reconcile"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}{lines}</tbody></table>"
    )


def _money(ctx: PageContext, rec: Reconciliation) -> str:
    if not rec.amounts:
        return ""
    t = _T[ctx.lang]
    heads = ("currency", "deals", "stated", "amount", "refused", "planned", "loaded")
    head = "".join(f'<th scope="col">{esc(t[h])}</th>' for h in (*heads, "difference"))
    rows = "".join(
        f'<tr{_bad(a.difference or a.stated != a.source)}>'
        f'<th scope="row">{esc(a.label(ctx.lang))}</th>'
        + "".join(f'<td class="num">{_n(ctx, v)}</td>'
                  for v in (a.deals, a.stated, a.source, a.refused, a.planned, a.loaded,
                            a.difference))
        + "</tr>"
        for a in rec.amounts
    )  # fmt: skip
    return (
        f'<h3>{esc(t["money"])}</h3><table class="reconcile money"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _bad(flag: object) -> str:
    return ' class="off"' if flag else ""


def _n(ctx: PageContext, value: object) -> str:
    if value is None:
        return "—"
    try:
        return esc(ctx.num(float(str(value))))
    except ValueError:
        return esc(value)
