"""Inline SVG charts for the summary page: a funnel and 100 % stacked bars.

Charts are plain SVG text (no script, no external reference), each with ``role="img"``, a
``<title>`` and a ``<desc>`` for screen readers, and a ``<title>`` per bar or segment that a
mouse pointer shows. Numbers arrive already formatted, so the language lives in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Bar", "Segment", "funnel_svg", "stacked_bars_svg"]

_WIDTH = 1000  # about the card's width on a laptop, so text keeps its CSS size
_LABEL_W = 250
_VALUE_W = 120


@dataclass(frozen=True, slots=True)
class Segment:
    """One coloured part of a stacked bar (``css`` names its colour class)."""

    css: str
    label: str
    value: int
    shown: str  # the value as the page prints it


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled bar: a funnel step (one segment) or an entity (several)."""

    label: str
    segments: tuple[Segment, ...]
    total_shown: str


def _open(chart_id: str, height: int, title: str, desc: str) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" role="img" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _text(x: float, y: float, text: str, css: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def funnel_svg(chart_id: str, title: str, desc: str, steps: Sequence[Segment]) -> str:
    """Centred bars that narrow from the first step to the last, values on the right."""
    row, bar_h = 46, 32
    height = row * len(steps) + 8
    area = _WIDTH - _LABEL_W - _VALUE_W
    top = max((s.value for s in steps), default=0) or 1
    parts = [_open(chart_id, height, title, desc)]
    for index, step in enumerate(steps):
        y = 4 + index * row
        width = max(area * step.value / top, 2.0 if step.value else 0.0)
        x = _LABEL_W + (area - width) / 2
        parts.append(
            f'<g class="step"><title>{escape(step.label)}: {escape(step.shown)}</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar_h}" rx="3" '
            f'class="{step.css}"/>'
            + _text(_LABEL_W - 12, y + bar_h / 2 + 5, step.label, "label", "end")
            + _text(_WIDTH - _VALUE_W + 12, y + bar_h / 2 + 5, step.shown, "value")
            + "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars_svg(chart_id: str, title: str, desc: str, bars: Sequence[Bar]) -> str:
    """One 100 % bar per entity, split into its segments, the total on the right."""
    row, bar_h = 40, 26
    height = row * len(bars) + 8
    area = _WIDTH - _LABEL_W - _VALUE_W
    parts = [_open(chart_id, height, title, desc)]
    for index, bar in enumerate(bars):
        y = 4 + index * row
        total = sum(s.value for s in bar.segments)
        parts.append(f'<g class="bar"><title>{escape(bar.label)}</title>')
        parts.append(_text(_LABEL_W - 12, y + bar_h / 2 + 5, bar.label, "label", "end"))
        if not total:
            parts.append(
                f'<rect x="{_LABEL_W}" y="{y}" width="{area}" height="{bar_h}" class="empty"/>'
            )
        x = float(_LABEL_W)
        for segment in bar.segments:
            if not segment.value:
                continue
            width = area * segment.value / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar_h}" '
                f'class="{segment.css}"><title>{escape(segment.label)}: '
                f"{escape(segment.shown)}</title></rect>"
            )
            x += width
        parts.append(_text(_WIDTH - _VALUE_W + 12, y + bar_h / 2 + 5, bar.total_shown, "value"))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
