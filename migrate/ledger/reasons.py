"""Failures grouped by reason: "3,721 × deal: field `UF_CRM_TAGS` has an invalid value".

The portal's error texts name the record's own value ("… has an invalid value "abc"") or id
("Contact with ID 123 not found"), so identical causes would read as thousands of different
texts. :func:`failure_reason` keeps the first quoted name (usually the field) and masks the
values and numbers after it; :func:`group_failures` counts the records per entity and reason
and keeps a few examples with their own texts. `status`, ``reports/load.xlsx`` and the load's
summary line share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from migrate.ledger._model import LedgerRecord, PlanIssue

__all__ = ["FailureGroup", "IssueGroup", "failure_reason", "group_failures", "group_issues"]

# a quote runs from its opening mark to the next closing one (`"…"`, `«…»`, `“…”`, `` `…` ``,
# `'…'`). Found by a scan, not by the pattern `«[^»]*»|…`: that one read to the end of the
# text from every `«` without a `»` after it (40,000 of them took seconds)
_QUOTES = {'"': '"', "«": "»", "“": "”", "`": "`", "'": "'"}
_OPENING = re.compile("[" + re.escape("".join(_QUOTES)) + "]")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])")


def failure_reason(text: str) -> str:
    """The error text with the record's own values masked (``"…"``, ``N``).

    Example: ``ERROR_CORE: The field "Теги" has an invalid value "abc"`` →
    ``ERROR_CORE: The field "Теги" has an invalid value "…"``.
    """
    text = text.strip().rstrip(".")
    parts, done = [], 0
    for index, (start, end) in enumerate(_quoted(text)):
        quoted = text[start:end]  # the first one kept (usually the field), the others masked
        parts += [text[done:start], quoted if index == 0 else f"{quoted[0]}…{quoted[-1]}"]
        done = end
    return _NUMBER.sub("N", "".join(parts) + text[done:]) or "?"


def _quoted(text: str) -> list[tuple[int, int]]:
    """Where the quotes are, left to right: each from its mark to the next closing mark."""
    last = {close: text.rfind(close) for close in _QUOTES.values()}
    spans, at = [], 0
    while found := _OPENING.search(text, at):
        start, close = found.start(), _QUOTES[found.group()]
        if last[close] <= start:  # no closing mark after it: not a quote
            at = start + 1
            continue
        at = text.index(close, start + 1) + 1
        spans.append((start, at))
    return spans


@dataclass(frozen=True, slots=True)
class FailureGroup:
    """Records of one entity that failed for one reason, and a few of them as examples."""

    entity: str
    reason: str
    count: int
    examples: tuple[tuple[str, str], ...]  # (source key, the portal's own text)


def group_failures(records: Iterable[LedgerRecord], examples: int = 3) -> list[FailureGroup]:
    """Failed records grouped by (entity, :func:`failure_reason`), the biggest group first."""
    groups: dict[tuple[str, str], list[LedgerRecord]] = {}
    for record in records:
        reason = failure_reason(record.last_error or "")
        groups.setdefault((record.entity, reason), []).append(record)
    out = [
        FailureGroup(
            entity,
            reason,
            len(found),
            tuple((r.source_key, r.last_error or "") for r in found[:examples]),
        )
        for (entity, reason), found in groups.items()
    ]
    return sorted(out, key=lambda g: (-g.count, g.entity, g.reason))


@dataclass(frozen=True, slots=True)
class IssueGroup:
    """Plan issues of one entity, rule and field: how many rows, a few values, one message."""

    entity: str
    rule: str
    field: str
    severity: str
    rows: int
    values: tuple[str, ...]  # distinct values, the most frequent first
    message: str  # the first row's message (it names one value)

    @property
    def distinct(self) -> int:
        return len(self.values)


def group_issues(issues: Iterable[PlanIssue]) -> list[IssueGroup]:
    """Plan issues grouped by (entity, rule, field, severity), the biggest group first."""
    groups: dict[tuple[str, str, str, str], list[PlanIssue]] = {}
    for issue in issues:
        groups.setdefault((issue.entity, issue.rule, issue.field, issue.severity), []).append(issue)
    out = []
    for (entity, rule, field, severity), found in groups.items():
        counts: dict[str, int] = {}
        for issue in found:
            if issue.value:
                counts[issue.value] = counts.get(issue.value, 0) + 1
        values = tuple(sorted(counts, key=lambda v: -counts[v]))
        out.append(IssueGroup(entity, rule, field, severity, len(found), values, found[0].message))
    return sorted(out, key=lambda g: (g.severity != "error", -g.rows, g.entity, g.rule))
