"""Clean tables → ledger records: owners, references, requisites, history, field checks.

One row of a CleanTable (see ``docs/internals.md``) becomes one :class:`PlannedRecord` (a
company row with requisite columns also a ``requisite`` record; a deal with ``PRODUCT_ROWS`` also
a ``deal_products`` record; a ``note`` row a ``comment`` record), or issue rows saying why not.
Everything here is pure: the portal's metadata, owners and the reference index come in.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from loaders.entities import ENTITY_TYPE_HINT, choose_preset
from mappings.entities import REGISTRY, SMART_PROCESS, reference_targets, where
from migrate.errors import shorten
from migrate.ledger import Op, PlanIssue, PlannedRecord, Ref
from migrate.plan._checks import as_int, check_fields
from migrate.plan._listvalues import measure_id, resolve_list_values, vat_id
from migrate.plan._metadata import PortalMetadata
from migrate.plan._owners import OwnerResolver
from migrate.plan._refs import ReferenceIndex
from migrate.plan._types import coerce_types

__all__ = ["OWNER_FIELDS", "REF_TARGETS", "TablePlan", "line_row", "plan_table"]

#: Reference columns and the entity whose source keys they hold.
REF_TARGETS = reference_targets()
#: Columns holding a legacy user (name or e-mail) that must become a portal user id.
OWNER_FIELDS = ("ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "RESPONSIBLE_ID")
_REQUISITE_OWNERS = {e.name: e.requisite_owner for e in REGISTRY.values() if e.requisite_owner}
_NOTE_OWNERS = where(crm=True)

_MESSAGES = {
    "ref.missing": (
        "связь «{field}» указывает на запись «{value}», которой нет в загрузке — связь не будет "
        "создана",
        "“{field}” points to “{value}”, which is not being loaded; the link is left out",
    ),
    "note.owner": (
        "заметка относится к записи «{value}», которой нет в загрузке",
        "the note belongs to “{value}”, which is not being loaded",
    ),
    "product.catalog": (
        "на портале нет каталога товаров CRM (catalog.catalog.list) — товары не загрузятся",
        "the portal has no CRM product catalogue (catalog.catalog.list); products will not load",
    ),
    "requisite.preset": (
        "на портале нет шаблона реквизитов для этой компании — реквизиты не загрузятся",
        "the portal has no requisite preset for this company; requisites will not load",
    ),
}


@dataclass(frozen=True, slots=True)
class TablePlan:
    """The records one clean table plans, and the issues of its rows."""

    records: tuple[PlannedRecord, ...]
    issues: tuple[PlanIssue, ...]


def plan_table(
    entity: str,
    frame: pd.DataFrame,
    *,
    meta: PortalMetadata,
    owners: OwnerResolver,
    index: ReferenceIndex,
    language: str = "ru",
) -> TablePlan:
    """Plan every row of ``entity``'s clean table as ``create`` records (see module docs)."""
    records: list[PlannedRecord] = []
    issues: list[PlanIssue] = []
    for row in frame.to_dict("records"):
        planner = _Row(entity, row, meta, owners, index, language)
        planned = planner.plan()
        issues.extend(planner.issues)
        records.extend(planner.with_provenance(r) for r in planned)
    return TablePlan(tuple(records), tuple(issues))


class _Row:
    def __init__(
        self,
        entity: str,
        row: Mapping[Hashable, Any],
        meta: PortalMetadata,
        owners: OwnerResolver,
        index: ReferenceIndex,
        language: str,
    ) -> None:
        self.entity, self.meta, self.owners, self.index = entity, meta, owners, index
        self.language = language
        self.key = str(row["_key"])
        self.source = str(row.get("_source") or "")
        self.sheet = str(row.get("_sheet") or "")
        self.row = as_int(row.get("_row"))
        self.values = {str(k): _value(v) for k, v in row.items() if not str(k).startswith("_")}
        self.issues: list[PlanIssue] = []
        self.refused = False

    def plan(self) -> list[PlannedRecord]:
        if self.entity == "note":
            return self._note()
        fields = {k: v for k, v in self.values.items() if v is not None}
        self._owners(fields)
        requisite = {k: fields.pop(k) for k in list(fields) if k.startswith("RQ_")}
        rows = fields.pop("PRODUCT_ROWS", None) if self.entity == "deal" else None
        refs = self._refs(fields)
        if self.entity == SMART_PROCESS:
            self._smart(fields)
        resolve_list_values(self.meta, self.entity, fields)
        self._types(fields)
        self._check(fields)
        if self.refused:
            return []
        records = [
            PlannedRecord(
                self.entity,
                self.key,
                Op.CREATE,
                fields,
                refs,
                sort_key=_sort_key(fields.get("DATE_CREATE")),
            )
        ]
        if self.entity in ("product", "product_section"):
            records = self._catalog(records[0])
        if requisite and self.entity in _REQUISITE_OWNERS:
            records.extend(self._requisite(requisite, fields))
        if rows:
            records.extend(self._product_rows(rows))
        return records

    def with_provenance(self, record: PlannedRecord) -> PlannedRecord:
        """``record`` with the source file, sheet and row as ``_``-hints (never sent)."""
        origin = {"_source": self.source, "_sheet": self.sheet, "_row": self.row}
        hints = {k: v for k, v in origin.items() if v not in (None, "")}
        return dataclasses.replace(record, fields={**record.fields, **hints})

    def _owners(self, fields: dict[str, Any]) -> None:
        for name in OWNER_FIELDS:
            if name not in fields:
                continue
            resolution = self.owners.resolve(str(fields[name]), self.entity, self.key)
            if resolution.severity != "ok":
                self._issue(
                    resolution.rule,
                    resolution.message(self.language),
                    resolution.severity,
                    name,
                    resolution.value,
                )
            if resolution.user_id is None:
                del fields[name]
            else:
                fields[name] = resolution.user_id

    def _refs(self, fields: dict[str, Any]) -> tuple[Ref, ...]:
        refs: list[Ref] = []
        for name, target in REF_TARGETS.items():
            if name not in fields:
                continue
            resolved = self.index.resolve(name, target, fields[name])
            for key in resolved.missing:
                self._issue(
                    "ref.missing", self._text("ref.missing", name, key), "warning", name, key
                )
            refs.extend(resolved.refs)
            fields[name] = [None] * len(resolved.refs) if name.endswith("_IDS") else None
            if not resolved.refs:
                del fields[name]
        return tuple(refs)

    def _smart(self, fields: dict[str, Any]) -> None:
        """A smart-process item: its type (the ``_ENTITY_TYPE_ID`` hint the loader sends as
        ``entityTypeId``) and its pipeline, the smart process's default one unless named
        (crm-item-add.md: ``categoryId``; the stage is then matched within it)."""
        smart = self.meta.smart
        if smart is None:
            return
        fields[ENTITY_TYPE_HINT] = smart.entity_type_id
        if fields.get("CATEGORY_ID") in (None, ""):
            fields["CATEGORY_ID"] = smart.default_category

    def _types(self, fields: dict[str, Any]) -> None:
        """Each value against its field's type: converted (a warning) or refused (module
        :mod:`migrate.plan._types`)."""
        resolved = frozenset((*OWNER_FIELDS, *REF_TARGETS))
        for problem in coerce_types(self.meta, self.entity, fields, resolved):
            self._issue(problem.rule, problem.message(self.language), problem.severity,
                        problem.field, problem.value)  # fmt: skip

    def _check(self, fields: Mapping[str, Any]) -> None:
        for problem in check_fields(self.meta, self.entity, fields):
            self._issue(
                problem.rule,
                problem.message(self.language),
                problem.severity,
                problem.field,
                problem.value,
            )

    def _requisite(
        self, requisite: dict[str, Any], fields: Mapping[str, Any]
    ) -> list[PlannedRecord]:
        title = str(fields.get("TITLE") or "")
        preset = choose_preset(self.meta.presets, requisite.get("RQ_INN"), title)
        if preset is None:
            self._issue(
                "requisite.preset",
                self._text("requisite.preset", "PRESET_ID", ""),
                "warning",
                "PRESET_ID",
                "",
            )
            return []
        requisite.setdefault("RQ_COMPANY_NAME", title or None)
        body = {k: v for k, v in requisite.items() if v is not None}
        body.update(PRESET_ID=preset, ENTITY_TYPE_ID=_REQUISITE_OWNERS[self.entity])
        owner = Ref("ENTITY_ID", self.entity, self.key)
        return [PlannedRecord("requisite", self.key, Op.CREATE, body, (owner,))]

    def _catalog(self, record: PlannedRecord) -> list[PlannedRecord]:
        """A product or section goes into the portal's product catalogue; a product's price is
        a ``product_prices`` set of its own (the catalogue writes prices apart)."""
        if self.meta.catalog_iblock is None:
            self._issue("product.catalog", self._text("product.catalog", "CATALOG_ID", ""),
                        "error", "CATALOG_ID", "")  # fmt: skip
            return []
        fields = dict(record.fields)
        fields["CATALOG_ID"] = self.meta.catalog_iblock
        if fields.get("MEASURE") not in (None, ""):
            self._measure(fields)
        if fields.get("VAT_ID") not in (None, ""):
            self._vat(fields)
        price = fields.pop("PRICE", None)
        currency = fields.pop("CURRENCY_ID", None) or self.meta.base_currency or "RUB"
        planned = [dataclasses.replace(record, fields=fields)]
        if self.entity != "product" or price is None:
            return planned
        prices = [{"CATALOG_GROUP_ID": self.meta.base_price_type, "PRICE": price,
                   "CURRENCY_ID": currency}]  # fmt: skip
        owner = Ref("OWNER_ID", "product", self.key)
        return [*planned, PlannedRecord("product_prices", self.key, Op.SET, {"PRICES": prices},
                                        (owner,))]  # fmt: skip

    def _measure(self, fields: dict[str, Any]) -> None:
        """A product's unit («шт», ``796``) as the catalogue's unit id; a unit the portal does
        not have is left out with a warning naming the units it has."""
        found = measure_id(self.meta.measures, fields["MEASURE"])
        if found is not None:
            fields["MEASURE"] = found
            return
        unit = str(fields.pop("MEASURE"))
        has = ", ".join(f"«{m.names[0]}»" for m in self.meta.measures if m.names) or "—"
        text = (
            f"the portal's catalogue has no unit “{unit}” (it has {has}): the product loads "
            "without a unit; add the unit to the catalogue or map it to one it has"
            if self.language == "en"
            else f"единицы «{unit}» нет в каталоге портала (есть {has}) — товар загрузится без "
            "единицы; добавьте её в каталог или сопоставьте с имеющейся"
        )
        self._issue("measure.unknown", text, "warning", "MEASURE", unit)

    def _vat(self, fields: dict[str, Any]) -> None:
        """A product's VAT rate («20», «НДС 20%») as the catalogue's VAT id (a rate is not an
        id: 20 would be some other rate's id); a rate the portal lacks is left out, warned."""
        found = vat_id(self.meta.vats, fields["VAT_ID"])
        if found is not None:
            fields["VAT_ID"] = found
            return
        rate = str(fields.pop("VAT_ID"))
        has = ", ".join("—" if r is None else f"{r:g}%" for r in self.meta.vats.values()) or "—"
        text = (
            f"the portal's catalogue has no VAT rate “{rate}” (it has {has}): the product loads "
            "without one; add the rate to the catalogue or map it"
            if self.language == "en"
            else f"ставки НДС «{rate}» нет в каталоге портала (есть {has}) — товар загрузится без "
            "ставки; добавьте её в каталог или сопоставьте"
        )
        self._issue("vat.unknown", text, "warning", "VAT_ID", rate)

    def _product_rows(self, items: Any) -> list[PlannedRecord]:
        """``PRODUCT_ROWS``: product keys (catalogue rows) and/or folded lines (dicts).

        A line with a ``PRODUCT_ID`` (a product's source key) points at the catalogue; one
        without is a free-text row (``PRODUCT_NAME``, price, quantity), as Bitrix24's own
        export gives them.
        """
        items = items if isinstance(items, list | tuple) else [items]
        rows: list[dict[str, Any]] = []
        refs: list[Ref] = []
        for item in items:
            line = dict(item) if isinstance(item, Mapping) else {"PRODUCT_ID": item}
            key = line.pop("PRODUCT_ID", None)
            row = line_row(line) if isinstance(item, Mapping) else {"QUANTITY": 1}
            if key not in (None, ""):
                found = self.index.resolve("ROWS", "product", [str(key)])
                for missing in found.missing:
                    self._issue("ref.missing", self._text("ref.missing", "PRODUCT_ROWS", missing),
                                "warning", "PRODUCT_ROWS", missing)  # fmt: skip
                if found.missing and not row.get("PRODUCT_NAME"):
                    continue
                path = f"ROWS.{len(rows)}.PRODUCT_ID"
                refs.extend(Ref(path, r.entity, r.source_key) for r in found.refs)
            rows.append(row)
        if not rows:
            return []
        owner = Ref("OWNER_ID", "deal", self.key)
        return [PlannedRecord("deal_products", self.key, Op.SET, {"ROWS": rows}, (owner, *refs))]

    def _note(self) -> list[PlannedRecord]:
        owner_type = str(self.values.get("ENTITY_TYPE") or "").lower()
        owner_key = self.values.get("ENTITY_ID")
        resolved = self.index.resolve("ENTITY_ID", owner_type, owner_key)
        if owner_type not in _NOTE_OWNERS or not resolved.refs:
            self._issue(
                "note.owner",
                self._text("note.owner", "ENTITY_ID", str(owner_key)),
                "error",
                "ENTITY_ID",
                str(owner_key or ""),
            )
            return []
        fields = {
            "ENTITY_TYPE": owner_type,
            "COMMENT": str(self.values.get("COMMENT") or ""),
            "_DATE": self.values.get("CREATED"),
            "_AUTHOR": self.values.get("AUTHOR_ID"),
        }
        fields = {k: v for k, v in fields.items() if v is not None}
        return [
            PlannedRecord(
                "comment",
                self.key,
                Op.CREATE,
                fields,
                resolved.refs,
                sort_key=_sort_key(self.values.get("CREATED")),
            )
        ]

    def _text(self, rule: str, field: str, value: str) -> str:
        ru, en = _MESSAGES[rule]
        return (en if self.language == "en" else ru).format(field=field, value=value)

    def _issue(self, rule: str, message: str, severity: str, field: str, value: Any) -> None:
        self.refused = self.refused or severity == "error"
        self.issues.append(
            PlanIssue(
                self.entity,
                self.key,
                rule,
                message,
                severity,
                field,
                shorten(value or "", 80),
                self.source,
                self.sheet,
                self.row,
            )
        )


_LINE_NUMBERS = ("PRICE", "QUANTITY", "DISCOUNT_RATE", "DISCOUNT_SUM", "TAX_RATE")


def line_row(line: Mapping[str, Any]) -> dict[str, Any]:
    """A folded product line as a ``crm.deal.productrows.set`` row (numbers as numbers)."""
    row: dict[str, Any] = {}
    for name, value in line.items():
        if name in _LINE_NUMBERS:
            try:
                row[name] = float(value)
            except (TypeError, ValueError):
                continue
        else:
            row[name] = value
    return row


def _value(value: Any) -> Any:
    """A cell as JSON: ``None`` for empty, multi-field tuples as lists of pairs."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if isinstance(value, tuple):
        return [
            list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, Mapping) else v
            for v in value
        ] or None
    return value


def _sort_key(value: Any) -> str:
    """An ISO date/time in UTC so that text order is time order (``""`` if none)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).isoformat()
