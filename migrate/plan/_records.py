"""Clean tables → ledger records: owners, references, requisites, history, field checks.

One row of a CleanTable (see ``docs/internals.md``) becomes one :class:`PlannedRecord` (a
company row with requisite columns also a ``requisite`` record; a deal with ``PRODUCT_ROWS`` also
a ``deal_products`` record; a ``note`` row a ``comment`` record, an ``activity`` row an
``activity``, a ``task`` row a ``task``), or issue rows saying why not. Everything here is pure:
the portal's metadata, owners, the reference index and the attachments found come in.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from loaders.entities import ENTITY_TYPE_HINT, choose_preset, spec_for
from mappings.entities import REGISTRY, SMART_PROCESS, TASK_FILES_PREFIX, reference_targets, where
from migrate.errors import shorten
from migrate.ledger import Op, PlanIssue, PlannedRecord, Ref
from migrate.plan._checks import as_int, check_fields
from migrate.plan._files import FILES_HINT, UF_FILES, Attachment, Attachments, split_paths
from migrate.plan._history import Refusal, activity_fields, task_fields
from migrate.plan._listvalues import measure_id, resolve_list_values, vat_id
from migrate.plan._metadata import PortalMetadata
from migrate.plan._owners import NO_OWNER_HINT, OwnerResolution, OwnerResolver
from migrate.plan._refs import ReferenceIndex
from migrate.plan._requisite_tables import plan_address, plan_bank_detail, plan_requisite
from migrate.plan._types import coerce_types

__all__ = [
    "OWNER_FIELDS",
    "REF_TARGETS",
    "TASK_FILES_PREFIX",
    "TablePlan",
    "line_row",
    "plan_table",
]

#: Reference columns and the entity whose source keys they hold.
REF_TARGETS = reference_targets()
#: Columns holding a legacy user (name or e-mail) that must become a portal user id.
OWNER_FIELDS = ("ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "RESPONSIBLE_ID", "CREATED_BY")
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
    "history.owner": (
        "запись истории относится к записи «{value}», которой нет в загрузке",
        "the history record belongs to “{value}”, which is not being loaded",
    ),
    "note.owner_empty": (
        "у заметки не указано, к какой записи она относится (`ENTITY_TYPE` и `ENTITY_ID`)",
        "the note does not say which record it belongs to (`ENTITY_TYPE` and `ENTITY_ID`)",
    ),
    "history.owner_empty": (
        "у записи истории не указано, к какой записи она относится (`ENTITY_TYPE` и `ENTITY_ID`)",
        "the history record does not say which record it belongs to (`ENTITY_TYPE` and "
        "`ENTITY_ID`)",
    ),
    "activity.type": (
        "тип дела «{value}» неизвестен: call, email, meeting (или call_in, call_out, email_in, "
        "email_out) — сопоставьте его в `map:`",
        "unknown activity type “{value}”: call, email, meeting (or call_in, call_out, email_in, "
        "email_out); map it with `map:`",
    ),
    "activity.time": (
        "у дела нет ни времени начала, ни даты создания",
        "the activity has neither a start time nor a creation date",
    ),
    "task.title": ("у задачи нет названия", "the task has no title"),
    "file.single": (
        "поле «{field}» хранит один файл: «{value}» не будет загружен",
        "field “{field}” holds one file: “{value}” is not uploaded",
    ),
    "task.status": (
        "статус задачи «{value}» неизвестен: 2–6 или pending, in_progress, "
        "supposedly_completed, completed, deferred",
        "unknown task status “{value}”: 2–6 or pending, in_progress, supposedly_completed, "
        "completed, deferred",
    ),
    "task.responsible": (
        "у задачи нет ответственного на портале (укажите `owners.default_owner`)",
        "the task has no responsible portal user (set `owners.default_owner`)",
    ),
    "task.files": (
        "файлы задачи прикреплены комментарием к записи «{value}», к которой привязана задача: "
        "через REST задаче можно передать только файлы Диска (UF_TASK_WEBDAV_FILES)",
        "the task's files are attached to a comment on “{value}”, the record the task is bound "
        "to: through REST a task takes only Disk files (UF_TASK_WEBDAV_FILES)",
    ),
    "task.files_text": ("Файлы задачи «{value}»", "Files of the task “{value}”"),
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
    attachments: Attachments | None = None,
) -> TablePlan:
    """Plan every row of ``entity``'s clean table as ``create`` records (see module docs)."""
    records: list[PlannedRecord] = []
    issues: list[PlanIssue] = []
    files = attachments or Attachments({})
    for row in frame.to_dict("records"):
        planner = _Row(entity, row, meta, owners, index, language, files)
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
        attachments: Attachments,
    ) -> None:
        self.entity, self.meta, self.owners, self.index = entity, meta, owners, index
        self.language, self.attachments = language, attachments
        self.key = str(row["_key"])
        self.source = str(row.get("_source") or "")
        self.sheet = str(row.get("_sheet") or "")
        self.row = as_int(row.get("_row"))
        self.values = {str(k): _value(v) for k, v in row.items() if not str(k).startswith("_")}
        self.issues: list[PlanIssue] = []
        self.refused = False

    def plan(self) -> list[PlannedRecord]:
        if self.entity in _HISTORY:
            return _HISTORY[self.entity](self)
        fields = {k: v for k, v in self.values.items() if v is not None}
        self._owners(fields)
        self._no_owner(fields)
        requisite = {k: fields.pop(k) for k in list(fields) if k.startswith("RQ_")}
        rows = fields.pop("PRODUCT_ROWS", None) if self.entity == "deal" else None
        refs = self._refs(fields)
        fields.update(self._file_fields(fields))
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

    def _no_owner(self, fields: dict[str, Any]) -> None:
        """A record of an entity with owners (``ASSIGNED_BY_ID`` in the portal's fields) whose
        row names none: counted under the «(не указан)» row of owners.xlsx and given the
        client's choice there or the default owner (else the portal gives it the webhook's
        user, as it always did — now listed)."""
        known = self.meta.fields.get(self.entity, {})
        if "ASSIGNED_BY_ID" not in known or self.values.get("ASSIGNED_BY_ID") is not None:
            return
        resolution = self.owners.resolve("", self.entity, self.key)
        if resolution.user_id is not None:
            fields.update({"ASSIGNED_BY_ID": resolution.user_id, NO_OWNER_HINT: True})

    def _author(self, *names: str) -> tuple[OwnerResolution, str] | None:
        """The author of a history row (the first of ``names`` the row fills) through the
        owner mapping (counted in owners.xlsx), with the name as the source writes it; never
        a refusal: the name goes into the text whenever the portal cannot show the person."""
        name = next((n for n in names if self.values.get(n) is not None), None)
        if name is None:
            return None
        text = str(self.values[name]).strip()
        resolution = self.owners.resolve(text, self.entity, self.key)
        if resolution.severity != "ok":
            self._issue(resolution.rule, resolution.message(self.language), "warning", name,
                        resolution.value)  # fmt: skip
        return resolution, text

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

    def _owner(self) -> tuple[str, tuple[Ref, ...]] | None:
        """The CRM record a history row belongs to (``ENTITY_TYPE`` + ``ENTITY_ID``), or
        ``None`` with a refusal when it is not being loaded."""
        owner_type = str(self.values.get("ENTITY_TYPE") or "").lower()
        owner_key = self.values.get("ENTITY_ID")
        resolved = self.index.resolve("ENTITY_ID", owner_type, owner_key)
        if owner_type not in _NOTE_OWNERS or not resolved.refs:
            rule = "note.owner" if self.entity == "note" else "history.owner"
            named = _record_name(owner_type, owner_key, self.language)
            if not named:
                rule += "_empty"
            self._issue(rule, self._text(rule, "ENTITY_ID", named), "error", "ENTITY_ID",
                        str(owner_key or ""))  # fmt: skip
            return None
        return owner_type, resolved.refs

    def _history(
        self, entity: str, fields: dict[str, Any], refs: tuple[Ref, ...], author: str | None
    ) -> PlannedRecord:
        """A history record; ``author``: the original author's name for the text (``None``:
        the portal shows the author itself)."""
        hints = {"_DATE": self.values.get("CREATED"), "_AUTHOR": author}
        body = {k: v for k, v in {**fields, **hints}.items() if v is not None}
        return PlannedRecord(entity, self.key, Op.CREATE, body, refs,
                             sort_key=_sort_key(self.values.get("CREATED")))  # fmt: skip

    def _note(self) -> list[PlannedRecord]:
        owner = self._owner()
        if owner is None:
            return []
        fields: dict[str, Any] = {"ENTITY_TYPE": owner[0],
                                  "COMMENT": str(self.values.get("COMMENT") or "")}  # fmt: skip
        in_text = None
        author = self._author("AUTHOR_ID", "CREATED_BY")
        if author is not None:  # crm-timeline-comment-add.md: AUTHOR_ID is set on the add
            resolution, in_text = author
            if resolution.user_id is not None:
                fields["AUTHOR_ID"] = resolution.user_id
            if resolution.severity == "ok":
                in_text = None  # the portal shows the person: no name in the text
        return [self._history("comment", self._files(fields), owner[1], in_text)]

    def _activity(self) -> list[PlannedRecord]:
        owner = self._owner()
        built = activity_fields(self.values, self.language)
        if isinstance(built, Refusal):
            self._refuse(built)
        if owner is None or isinstance(built, Refusal):
            return []
        fields = {**built, **self._people("RESPONSIBLE_ID", required="RESPONSIBLE_ID")}
        fields["OWNER_TYPE_ID"] = spec_for(owner[0]).entity_type_id
        refs = tuple(Ref("OWNER_ID", r.entity, r.source_key) for r in owner[1])
        # crm-activity-fields.md: AUTHOR_ID is read-only, so the author's name is in the text
        author = self._author("AUTHOR_ID", "CREATED_BY")
        return [self._history("activity", self._files(fields), refs, author and author[1])]

    def _task(self) -> list[PlannedRecord]:
        owner = self._owner()
        built = task_fields(self.values)
        if isinstance(built, Refusal):
            self._refuse(built)
        if owner is None or isinstance(built, Refusal):
            return []
        people = self._people("RESPONSIBLE_ID", required="RESPONSIBLE_ID")
        if people.get("RESPONSIBLE_ID") is None:
            self._refuse(Refusal("task.responsible", "RESPONSIBLE_ID",
                                 str(self.values.get("RESPONSIBLE_ID") or "")))  # fmt: skip
            return []
        fields = {**built, **people, "OWNER_TYPE": owner[0]}
        refs = tuple(Ref("OWNER_ID", r.entity, r.source_key) for r in owner[1])
        author = self._creator(fields)
        task = self._history("task", fields, refs, author)
        return [task, *self._task_files(owner, built["TITLE"], author)]

    def _task_files(
        self, owner: tuple[str, tuple[Ref, ...]], title: str, author: str | None
    ) -> list[PlannedRecord]:
        """A task's files, as a timeline comment of the record the task is bound to.

        ``tasks.task.add`` takes files only as Disk object ids (``UF_TASK_WEBDAV_FILES``,
        b24restdocs tutorials/tasks/how-to-create-task-with-file.md: upload with
        ``disk.folder.uploadfile`` first); we do not write to the client's Disk, so the files
        go with a comment (``FILES`` base64, crm-timeline-comment-add.md) naming the task,
        and a warning per task says so.
        """
        fields = self._files({"ENTITY_TYPE": owner[0], "COMMENT": self._text(
            "task.files_text", "FILES", title)})  # fmt: skip
        if FILES_HINT not in fields:
            return []
        label = _record_name(owner[0], self.values.get("ENTITY_ID"), self.language)
        self._issue("task.files", self._text("task.files", "FILES", label), "warning", "FILES",
                    str(self.values.get("FILES") or ""))  # fmt: skip
        record = self._history("comment", fields, owner[1], author)
        return [dataclasses.replace(record, source_key=f"{TASK_FILES_PREFIX}{self.key}")]

    def _creator(self, fields: dict[str, Any]) -> str | None:
        """A task's creator (tasks fields.md: ``CREATED_BY`` is set on the add) as a portal
        user; the name for the text when the person is not that user (defaulted, unknown)."""
        author = self._author("CREATED_BY", "AUTHOR_ID")
        if author is None:
            return None
        resolution, name = author
        if resolution.user_id is not None:
            fields["CREATED_BY"] = resolution.user_id
        return None if resolution.severity == "ok" else name

    def _people(self, *names: str, required: str = "") -> dict[str, Any]:
        """The row's owner fields ``names`` as portal user ids (unresolved ones left out); an
        empty ``required`` one goes to the default owner."""
        people = {n: self.values[n] for n in names if self.values.get(n) is not None}
        if required and required not in people:
            people[required] = ""
        self._owners(people)
        return people

    def _files(self, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` with the row's attachments as the ``_FILES`` hint; each file that will
        not be sent (missing, a link, too large) a warning naming it."""
        found = self._found("FILES", self.values.get("FILES"))
        return {**fields, FILES_HINT: found} if found else fields

    def _file_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The record's file user fields (``crm.*.fields`` type ``file``) taken out of
        ``fields`` into the ``_UF_FILES`` hint: each file found beside the source, each one
        that is not (or a second file for a single-file field) a warning naming it."""
        known = self.meta.fields.get(self.entity, {})
        hint: dict[str, Any] = {}
        for name in [n for n in fields if n in known and known[n].type == "file"]:
            found = self._found(name, fields.pop(name))
            if found and not known[name].multiple and len(found) > 1:
                for extra in found[1:]:
                    self._issue("file.single", self._text("file.single", name, extra["name"]),
                                "warning", name, extra["name"])  # fmt: skip
                found = found[:1]
            if found:
                hint[name] = {"multiple": known[name].multiple, "files": found}
        return {UF_FILES: hint} if hint else {}

    def _found(self, field: str, cell: Any) -> list[dict[str, Any]]:
        found = []
        for raw in split_paths(cell):
            got = self.attachments.lookup(self.source, raw)
            if isinstance(got, Attachment):
                found.append(got.hint())
            else:
                self._issue(got.rule, got.message(self.language), "warning", field, raw)
        return found

    def _refuse(self, refusal: Refusal) -> None:
        self._issue(refusal.rule, self._text(refusal.rule, refusal.field, refusal.value),
                    "error", refusal.field, refusal.value)  # fmt: skip

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


_HISTORY = {"note": _Row._note, "activity": _Row._activity, "task": _Row._task,
            "requisite": plan_requisite, "bank_detail": plan_bank_detail,
            "address": plan_address}  # fmt: skip

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


def _record_name(entity: str, key: Any, language: str) -> str:
    """``("contact", 43041130)`` → ``Контакт 43041130`` (``""`` when the row names no key)."""
    if key in (None, ""):
        return ""
    ru, en = _ONE.get(entity, (entity, entity))
    return f"{en if language == 'en' else ru} {key}".strip()


_ONE = {"company": ("Компания", "company"), "contact": ("Контакт", "contact"),
        "deal": ("Сделка", "deal"), "lead": ("Лид", "lead"),
        SMART_PROCESS: ("Элемент смарт-процесса", "smart-process item")}  # fmt: skip


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
