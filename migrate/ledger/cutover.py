"""What the last plan found about a loaded workspace (cut-over), as ledger settings.

The plan stage decides (:mod:`migrate.plan._cutover`); the settings live here so that the
reports and `status` can count them without the plan stage: the client's conflict decisions,
the conflicts the last plan listed (each with the portal edit it is about) and the records
gone from the source — and, counted the same way for summary.html, the records whose source
names no owner (:data:`NO_OWNER_META`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from migrate.ledger._ledger import Ledger

__all__ = [
    "CHOICES_META",
    "GONE_META",
    "LISTED_META",
    "NO_OWNER_META",
    "cutover_counts",
    "gone_keys",
    "gone_setting",
    "no_owner_counts",
]

#: ``entity\\tkey`` → ``{"choice": "portal"|"source", "modified": DATE_MODIFY}``.
CHOICES_META = "cutover.choices"
#: ``entity\\tkey`` → the ``DATE_MODIFY`` of the portal edit the last plan listed.
LISTED_META = "cutover.listed"
#: ``[[entity, key], …]``: loaded records the last plan's sources no longer have.
GONE_META = "cutover.gone"
#: ``{entity: records}``: records of the last plan whose source names no owner (the
#: «(не указан)» row of owners.xlsx; they get the client's choice there or the default owner).
NO_OWNER_META = "plan.no_owner"


def gone_setting(gone: Iterable[tuple[str, str]]) -> str:
    """The :data:`GONE_META` value for ``(entity, key)`` pairs."""
    return json.dumps([list(g) for g in gone], ensure_ascii=False)


def gone_keys(ledger: Ledger) -> set[tuple[str, str]]:
    """``(entity, key)`` of the loaded records the last plan's sources no longer have (they
    stay in the ledger and the portal, and are not part of this export's reconciliation)."""
    return {(str(g[0]), str(g[1])) for g in _loads(ledger.meta(GONE_META), []) if len(g) == 2}


def cutover_counts(ledger: Ledger) -> dict[str, tuple[int, int]]:
    """entity → (conflicts listed, records gone from the source) of the last plan."""
    conflicts = Counter(k.split("\t", 1)[0] for k in _loads(ledger.meta(LISTED_META), {}))
    gone = Counter(str(g[0]) for g in _loads(ledger.meta(GONE_META), []) if g)
    return {e: (conflicts[e], gone[e]) for e in sorted(set(conflicts) | set(gone))}


def no_owner_counts(ledger: Ledger) -> dict[str, int]:
    """entity → records of the last plan whose source names no owner."""
    found = _loads(ledger.meta(NO_OWNER_META), {})
    return {str(e): int(n) for e, n in found.items() if isinstance(n, int) and n}


def _loads(text: str | None, empty: Any) -> Any:
    try:
        value = json.loads(text or "null")
    except ValueError:
        return empty
    return value if isinstance(value, type(empty)) else empty
