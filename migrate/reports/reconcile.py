"""Source against result, per entity: records, deal amounts, product lines — and why they differ.

The client's question after a migration is «is everything there?». This answers it with
numbers that must add up: every record of the source is refused, merged into another, or in the
plan (and, after `load`, in the portal); the deals' amounts in the file equal the amounts
planned plus those of refused deals; every product line of the file is a product row. Where a
figure does not add up, a note says by how much and why (a stated total that disagreed with its
product lines, refused deals, records planned by an earlier run), so a silent 25 000 loaded for
a deal worth 73 000 cannot pass unseen.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from mappings.entities import (
    REQUISITE_TABLE_PREFIX,
    SMART_PROCESS,
    TASK_FILES_PREFIX,
    entity_label,
    shown_entity,
)

__all__ = [
    "AmountCheck",
    "EntityCheck",
    "LedgerRow",
    "Reconciliation",
    "reconcile",
    "reconciliation_from_dict",
]

_STATED = "_stated_total"


@dataclass(frozen=True, slots=True)
class EntityCheck:
    """One entity's records: in the source, refused, merged, planned, loaded."""

    entity: str
    source: int
    refused: int
    merged: int
    planned: int
    loaded: int | None = None

    @property
    def difference(self) -> int:
        """Records unaccounted for (0 when everything adds up)."""
        return self.source - self.refused - self.merged - self.planned


@dataclass(frozen=True, slots=True)
class AmountCheck:
    """The amounts of one entity's records (deals; a smart process's items) in one currency,
    as decimal text."""

    currency: str
    deals: int  # records (deals, or items of the smart process)
    stated: str  # as the file writes them
    source: str  # after folding product lines and cleaning
    refused: str  # of records the plan refused
    planned: str
    loaded: str | None = None
    entity: str = "deal"

    def label(self, language: str = "ru") -> str:
        """The currency, and for records other than deals their entity: «RUB · Смарт-процесс»."""
        if self.entity == "deal":
            return self.currency
        return f"{self.currency} · {entity_label(self.entity, language)}"

    @property
    def difference(self) -> Decimal:
        """Source amounts neither refused nor planned (0 when they add up)."""
        return _d(self.source) - _d(self.refused) - _d(self.planned)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The three comparisons and the notes that explain every difference."""

    entities: tuple[EntityCheck, ...]
    amounts: tuple[AmountCheck, ...] = ()
    lines_source: int = 0
    lines_planned: int = 0
    lines_loaded: int | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """What the reconciliation needs of a ledger (or planned) record."""

    entity: str
    source_key: str
    fields: Mapping[str, Any]
    done: bool = False


def reconcile(
    prepared: Any,
    rows: Iterable[LedgerRow],
    refused_keys: Mapping[str, set[str]],
    merged: Mapping[str, int],
    *,
    loaded: bool = False,
    language: str = "ru",
) -> Reconciliation:
    """Compare the prepared sources with the planned (and loaded) records.

    Args:
        prepared: the `PreparedData` of the run (stats, clean tables, issues).
        rows: the plan's records (ledger entity names; `comment` shows as `note`).
        refused_keys: per entity, the keys the plan refused (validation's refusals are counted
            from the stats).
        merged: per entity, records merged into another.
        loaded: `load` ran: count and sum what reached the portal.
    """
    by_entity: dict[str, list[LedgerRow]] = defaultdict(list)
    for row in rows:
        if row.entity == "requisite" and not row.source_key.startswith(REQUISITE_TABLE_PREFIX):
            continue  # a company row's RQ_* columns: derived, not a row of the requisite table
        if row.entity == "comment" and row.source_key.startswith(TASK_FILES_PREFIX):
            continue  # a task's files on a comment: part of the task row, not a note row
        by_entity[shown_entity(row.entity)].append(row)
    entities = tuple(
        EntityCheck(
            s.entity, s.rows_read,
            s.rows_read - s.rows_clean + len(refused_keys.get(s.entity, ())),
            merged.get(s.entity, 0), len(by_entity.get(s.entity, ())),
            sum(r.done for r in by_entity.get(s.entity, ())) if loaded else None,
        )
        for s in prepared.stats
    )  # fmt: skip
    deals = prepared.tables.get("deal")
    amounts = tuple(
        check
        for entity in _MONEY
        for check in _amounts(prepared.tables.get(entity), by_entity.get(entity, []),
                              refused_keys.get(entity, set()), loaded, entity)
    )  # fmt: skip
    lines = by_entity.get("deal_products", [])
    lines_source = _source_lines(deals)
    notes = _notes(prepared, entities, amounts, lines_source, lines, language)
    return Reconciliation(
        entities, amounts, lines_source, sum(len(r.fields.get("ROWS") or ()) for r in lines),
        sum(len(r.fields.get("ROWS") or ()) for r in lines if r.done) if loaded else None,
        tuple(notes),
    )  # fmt: skip


#: Entities whose records carry an amount (``OPPORTUNITY``) that must add up.
_MONEY = ("deal", SMART_PROCESS)


def _amounts(
    deals: pd.DataFrame | None,
    planned: list[LedgerRow],
    refused: set[str],
    loaded: bool,
    entity: str = "deal",
) -> tuple[AmountCheck, ...]:
    if deals is None or "OPPORTUNITY" not in deals.columns:
        return ()
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for record in deals.to_dict("records"):
        currency = str(record.get("CURRENCY_ID") or "—")
        amount = _d(record.get("OPPORTUNITY"))
        stated = record.get(_STATED)
        sums[currency]["source"] += amount
        sums[currency]["stated"] += _d(stated) if _filled(stated) else amount
        if str(record["_key"]) in refused:
            sums[currency]["refused"] += amount
        totals[currency]["deals"] += 1
    for row in planned:
        currency = str(row.fields.get("CURRENCY_ID") or "—")
        sums[currency]["planned"] += _d(row.fields.get("OPPORTUNITY"))
        if row.done:
            sums[currency]["loaded"] += _d(row.fields.get("OPPORTUNITY"))
    return tuple(
        AmountCheck(
            c,
            totals[c]["deals"],
            _t(s["stated"]),
            _t(s["source"]),
            _t(s["refused"]),
            _t(s["planned"]),
            _t(s["loaded"]) if loaded else None,
            entity,
        )
        for c, s in sorted(sums.items())
    )


def _source_lines(deals: pd.DataFrame | None) -> int:
    if deals is None or "PRODUCT_ROWS" not in deals.columns:
        return 0
    return int(sum(len(v) for v in deals["PRODUCT_ROWS"] if isinstance(v, tuple | list)))


_TEXT = {
    "ru": {
        "records": "{entity}: не сходится на {n} записей (в источнике {source}, отклонено "
        "{refused}, объединено {merged}, в плане {planned})",
        "stated": "Сделки в {currency}: в файле {stated}, после сложения товарных строк {source}: "
        "{n} сделок, где сумма в файле не равна сумме строк (errors.xlsx, lines.total_mismatch)",
        "refused": "Сделки в {currency}: {refused} — суммы отклонённых сделок, они не загружаются",
        "amount": "Сделки в {currency}: не сходится на {diff} (в источнике {source}, отклонено "
        "{refused}, в плане {planned})",
        "validation": "{entity}: {n} строк отклонено при проверке — их суммы не входят в итоги",
        "lines": "Товарные строки: в источнике {source}, в плане {planned}",
        "folded": "{entity}: {n} строк файла — товарные строки записей выше, сложены в них "
        "(записей {records})",
        "loaded": "Сделки в {currency}: загружено {loaded} из {planned} по плану",
    },
    "en": {
        "records": "{entity}: off by {n} records (source {source}, refused {refused}, merged "
        "{merged}, planned {planned})",
        "stated": "Deals in {currency}: {stated} in the file, {source} after adding up product "
        "lines: {n} deals whose stated amount differs from their lines (errors.xlsx, "
        "lines.total_mismatch)",
        "refused": "Deals in {currency}: {refused} belongs to refused deals, which are not loaded",
        "amount": "Deals in {currency}: off by {diff} (source {source}, refused {refused}, "
        "planned {planned})",
        "validation": "{entity}: {n} rows refused at validation — their amounts are not in the "
        "totals",
        "lines": "Product lines: {source} in the source, {planned} planned",
        "folded": "{entity}: {n} rows of the file are further product lines of a record above "
        "them, folded into it ({records} records)",
        "loaded": "Deals in {currency}: {loaded} loaded of {planned} planned",
    },
}


def _notes(
    prepared: Any,
    entities: tuple[EntityCheck, ...],
    amounts: tuple[AmountCheck, ...],
    lines_source: int,
    lines: list[LedgerRow],
    language: str,
) -> list[str]:
    t = _TEXT["en" if language == "en" else "ru"]
    notes = [
        t["folded"].format(entity=s.entity, n=s.rows_folded, records=s.rows_read)
        for s in prepared.stats
        if getattr(s, "rows_folded", 0)
    ]
    notes += [
        t["records"].format(
            entity=e.entity,
            n=e.difference,
            source=e.source,
            refused=e.refused,
            merged=e.merged,
            planned=e.planned,
        )
        for e in entities
        if e.difference
    ]
    mismatched = _mismatches(prepared)
    for a in amounts:
        if _d(a.stated) != _d(a.source):
            notes.append(t["stated"].format(currency=a.label(language), stated=a.stated,
                                            source=a.source, n=mismatched))  # fmt: skip
        if _d(a.refused):
            notes.append(t["refused"].format(currency=a.label(language), refused=a.refused))
        if a.difference:
            notes.append(t["amount"].format(currency=a.label(language), diff=_t(a.difference),
                                            source=a.source, refused=a.refused,
                                            planned=a.planned))  # fmt: skip
        if a.loaded is not None and _d(a.loaded) != _d(a.planned):
            notes.append(t["loaded"].format(currency=a.label(language), loaded=a.loaded,
                                            planned=a.planned))  # fmt: skip
    deal = next((e for e in entities if e.entity == "deal"), None)
    refused_rows = deal.source - deal.refused if deal else 0
    stats = next((s for s in prepared.stats if s.entity == "deal"), None)
    if stats is not None and stats.rows_read > stats.rows_clean and amounts:
        notes.append(t["validation"].format(entity="deal", n=stats.rows_read - stats.rows_clean))
    planned_lines = sum(len(r.fields.get("ROWS") or ()) for r in lines)
    if lines_source != planned_lines and refused_rows >= 0:
        notes.append(t["lines"].format(source=lines_source, planned=planned_lines))
    return notes


def _mismatches(prepared: Any) -> int:
    issues = prepared.issues
    return int((issues["rule"] == "lines.total_mismatch").sum()) if len(issues) else 0


def _filled(value: Any) -> bool:
    return value is not None and value == value and value != ""


def _d(value: Any) -> Decimal:
    if not _filled(value):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def _t(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def reconciliation_from_dict(data: Mapping[str, Any]) -> Reconciliation:
    """Back from ``dataclasses.asdict`` (the summary's JSON) to a :class:`Reconciliation`."""
    return Reconciliation(
        entities=tuple(EntityCheck(**e) for e in data.get("entities", ())),
        amounts=tuple(AmountCheck(**a) for a in data.get("amounts", ())),
        lines_source=int(data.get("lines_source", 0)),
        lines_planned=int(data.get("lines_planned", 0)),
        lines_loaded=data.get("lines_loaded"),
        notes=tuple(str(n) for n in data.get("notes", ())),
    )
