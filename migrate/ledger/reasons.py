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

_QUOTED = re.compile(r'"[^"]*"|«[^»]*»|“[^”]*”|`[^`]*`|\'[^\']*\'')
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])")


def failure_reason(text: str) -> str:
    """The error text with the record's own values masked (``"…"``, ``N``).

    Example: ``ERROR_CORE: The field "Теги" has an invalid value "abc"`` →
    ``ERROR_CORE: The field "Теги" has an invalid value "…"``.
    """
    kept = False

    def mask(match: re.Match[str]) -> str:
        nonlocal kept
        if not kept:
            kept = True
            return match.group(0)
        quoted = match.group(0)
        return f"{quoted[0]}…{quoted[-1]}"

    return _NUMBER.sub("N", _QUOTED.sub(mask, text.strip().rstrip("."))) or "?"


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
