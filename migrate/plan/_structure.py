"""Structure the portal lacks, proposed by the plan: user fields, deal pipelines and stages.

A legacy CRM carries its own custom fields, pipelines and stages. Where a mapping targets a
user field (``UF_CRM_…``) the portal does not have, or a deal's pipeline or stage (by name)
is not on the portal, the plan *proposes* it instead of refusing the rows:

* a user field: its type from the mapping's ``type:``, else from its cleaners (``date``,
  ``datetime``, ``money`` / ``decimal`` → ``double``, ``boolean``, ``url``), else from the
  data: a column whose header says free text (a comment, a note, an address, a city) is a
  ``string``; a few distinct values (2 to 30, short, at most a few words) that really repeat
  (on average twice, at most half of them seen once) make an ``enumeration`` whose items are
  those values; any other text a ``string``. The reason is kept (``reason``: «list: 7
  distinct values over 2,000 rows») and shown in plan.xlsx. Several values per cell make a
  *multiple* list (``MULTIPLE=Y``, its items the distinct single values, loaded as arrays):
  when the mapping splits the cell (``separator:``), or when the evidence is strong — every
  part of every cell written with «;» or «,» is a short value that also stands alone in
  other cells or repeats in three rows (a company name with a comma does not). Its label is
  the source column. When the source is another portal, the field is taken from the
  source's own definition instead (``defined``, read by ``crm.<entity>.userfield.list``;
  only the mapping's ``type:`` wins over it): its type, ``MULTIPLE``, label, ``SETTINGS``
  and every list item in the source's order. A type whose values are the source's ids
  (``crm``, ``file``, ``employee``, ``iblock_*``…) is not proposed: the plan refuses the
  field as before. ``MANDATORY`` is not copied: history records without a value would be
  refused. A smart process's user field is created the same way, through ``userfieldconfig.add``
  on its object ``CRM_<id>``; its name must start ``UF_CRM_<id>_`` (the portal refuses any
  other), so a mapping naming it otherwise is refused as an unknown field, not proposed;
* a pipeline (``crm.category.add``, deals) named as the source writes it;
* a stage (``crm.status.add``) named as the source writes it, with its semantics read from
  the name (amoCRM's two fixed final stages «Успешно реализовано» / «Закрыто и не
  реализовано», Bitrix24's «Сделка успешна» / «Сделка провалена», English «won» / «lost»):
  failure stages are created after the success stage, the others before it; a pipeline has
  one success stage, so a success stage the pipeline lacks *by name* is the pipeline's own
  success stage (a new pipeline's ``C<n>:WON``, which the portal creates with it).

The proposal is shown in ``plan.xlsx`` and accepted with ``plan --accept-structure`` (or
``load.structure: create``). Accepted, the plan works against the portal *with* the proposal
(:meth:`StructureProposal.with_structure`: placeholder ids — negative pipeline ids, stage ids
``C-1:UC_…``, list items ``~company:UF_CRM_X#0``), then :meth:`StructureProposal.bind` turns
each placeholder into a ledger reference to the structure record that will hold the real id;
`load` creates the structure first (``migrate/load/_structure.py``).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mappings.entities import SMART_PROCESS
from mappings.model import EntityMapping, fold_text
from migrate.ledger import STAGE_CODE, Op, PlanIssue, PlannedRecord, Ref
from migrate.plan._listvalues import ListItems, strip_pipeline
from migrate.plan._metadata import FieldInfo, PortalMetadata, Status
from migrate.portal.source import SourceUserField

__all__ = [
    "ProposedField",
    "ProposedPipeline",
    "ProposedStage",
    "StructureProposal",
    "propose_structure",
    "split_multiple",
]

_UF_NAME = re.compile(r"UF_CRM_[A-Z0-9_]{1,43}")  # 50 characters at most (bitrix24-rest.md §10)
_TYPES_BY_CLEANER = {
    "date": "date", "datetime": "datetime", "money": "double", "decimal": "double",
    "boolean": "boolean", "url": "url",
}  # fmt: skip
#: Source user-field types proposed as they are: their values read as text by meaning.
_CARRIED_TYPES = frozenset({"string", "integer", "double", "boolean", "date", "datetime",
                            "enumeration", "url", "money"})  # fmt: skip
_STAGE_CODE = re.compile(r"(C\d+:)?[A-Z][A-Z0-9_-]*")  # an id a mapping wrote, not a name
_LIST_MAX_ITEMS = 30  # more distinct values than this is free text, not a list
_LIST_MAX_LENGTH = 60
_LIST_MAX_WORDS = 5  # a value of more words is a sentence, not a list item
_SEPARATORS = (";", ",")  # how exports write several values in one cell (docs/mappings.md)
#: Header words of columns that hold free text even when their values repeat.
_FREE_TEXT = ("коммент", "примеч", "описан", "заметк", "адрес", "город", "улиц", "текст",
              "comment", "note", "descr", "address", "city", "street", "text")  # fmt: skip
_SUCCESS = frozenset(
    fold_text(n) for n in ("Успешно реализовано", "Сделка успешна", "Успешна", "Выиграна",
                           "Won", "Closed won", "Closed - won", "Deal won")
)  # fmt: skip
_FAILURE = frozenset(
    fold_text(n) for n in ("Закрыто и не реализовано", "Сделка провалена", "Провалена",
                           "Проиграна", "Отказ", "Lost", "Closed lost", "Closed - lost",
                           "Deal lost")
)  # fmt: skip
#: The id of a new pipeline's success stage: the portal creates it with the pipeline
#: (bitrix24-rest.md §5: pipeline n has `C<n>:NEW` … `C<n>:WON`, `C<n>:LOSE`).
NEW_PIPELINE_SUCCESS = "WON"
WAIT = "_structure"  # hint path of references that only make a record wait for structure


@dataclass(frozen=True, slots=True)
class ProposedField:
    """A user field to create: ``crm.<entity>.userfield.add``."""

    entity: str
    name: str  # UF_CRM_…
    type: str  # USER_TYPE_ID
    label: str  # the source column it is filled from
    items: tuple[str, ...] = ()  # enumeration values (the source's distinct values)
    rows: int = 0  # records with a value
    multiple: bool = False  # several values per record (MULTIPLE=Y, loaded as arrays)
    basis: str = "values"  # what chose the type: mapping | source | cleaner | header | values
    distinct: int = 0  # distinct (single) values seen
    split: str = ""  # the separator the plan splits cells at (strong evidence, not mapping)
    split_cells: int = 0  # cells written with several values
    uf_entity: str = ""  # a smart process's object `CRM_<id>` (created by userfieldconfig.add)
    settings: str = ""  # its SETTINGS as JSON text (from a source portal's definition)

    def reason(self, language: str = "ru") -> str:
        """Why the field gets its type, in words for plan.xlsx."""
        en = language == "en"
        if self.basis == "mapping":
            text = "type from the mapping (`type:`)" if en else "тип задан в маппинге (`type:`)"
        elif self.basis == "source":
            text = ("type from the source portal's definition" if en
                    else "тип из определения поля в портале-источнике")  # fmt: skip
        elif self.basis == "cleaner":
            text = "type from the field's cleaner" if en else "тип по очистке поля"
        elif self.basis == "header":
            text = (f"text: the column «{self.label}» holds free text" if en
                    else f"текст: колонка «{self.label}» — свободный текст")  # fmt: skip
        else:
            kind = ("list" if en else "список") if self.items else ("text" if en else "текст")
            over = "over" if en else "в"
            what = "distinct values" if en else "разных значений"
            rows = "rows" if en else "строках"
            text = f"{kind}: {self.distinct:,} {what} {over} {self.rows:,} {rows}"
        if self.multiple:
            text += "; several values per cell" if en else "; несколько значений в ячейке"
            if self.split:
                cells = f"«{self.split}» ({self.split_cells:,}"
                text += (f", split at {cells} cells)" if en
                         else f", разделены по {cells} ячеек)")  # fmt: skip
        hint = ("; change with `type:` in the mapping" if en
                else "; изменить: `type:` в маппинге")  # fmt: skip
        return text + hint

    @property
    def key(self) -> str:
        return f"{self.entity}:{self.name}"

    def item_key(self, value: str) -> str:
        return f"{self.key}:{value}"

    def placeholder(self, index: int) -> str:
        """The stand-in id of item ``index`` until the load creates it."""
        return f"~{self.key}#{index}"


@dataclass(frozen=True, slots=True)
class ProposedPipeline:
    """A deal pipeline to create: ``crm.category.add``."""

    name: str
    placeholder: int  # a negative id the plan uses until the load creates the pipeline
    rows: int = 0


@dataclass(frozen=True, slots=True)
class ProposedStage:
    """A deal stage to create (``crm.status.add``), or a source stage that becomes the
    pipeline's own success stage (``existing``)."""

    pipeline: str  # the pipeline's name
    category: int  # its portal id, or the new pipeline's placeholder (< 0)
    name: str
    status_id: str  # without the `C<n>:` prefix
    semantics: str  # S | F | "" (in progress)
    sort: int
    rows: int = 0
    existing: str = ""  # the pipeline's success stage the name maps to (nothing created)

    @property
    def key(self) -> str:
        return f"{self.pipeline} / {self.name}"

    @property
    def stage_id(self) -> str:
        """The STAGE_ID deals hold (a placeholder ``C-1:…`` in a new pipeline)."""
        if self.existing:
            return self.existing
        return f"C{self.category}:{self.status_id}" if self.category else self.status_id

    @property
    def dictionary(self) -> str:
        return "DEAL_STAGE" if self.category == 0 else f"DEAL_STAGE_{self.category}"


@dataclass(frozen=True, slots=True)
class StructureProposal:
    """Everything the plan proposes to create (empty when the portal has it all)."""

    fields: tuple[ProposedField, ...] = ()
    pipelines: tuple[ProposedPipeline, ...] = ()
    stages: tuple[ProposedStage, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.fields or self.pipelines or self.stages)

    @property
    def created_stages(self) -> tuple[ProposedStage, ...]:
        return tuple(s for s in self.stages if not s.existing)

    def with_structure(self, meta: PortalMetadata) -> PortalMetadata:
        """``meta`` as the portal will be once the proposal is created (placeholder ids)."""
        fields = {e: dict(f) for e, f in meta.fields.items()}
        for f in self.fields:
            items = {f.placeholder(i): v for i, v in enumerate(f.items)}
            fields[f.entity][f.name] = FieldInfo(f.name, f.type, f.label, multiple=f.multiple,
                                                 user_field=True, items=items)  # fmt: skip
        categories = {**meta.categories, **{p.placeholder: p.name for p in self.pipelines}}
        statuses = meta.statuses + tuple(
            Status(s.dictionary, s.stage_id, s.name, s.category or None,
                   s.semantics or None, s.sort)
            for s in self.stages
        )  # fmt: skip
        return dataclasses.replace(meta, fields=fields, categories=categories, statuses=statuses)

    def records(self) -> list[PlannedRecord]:
        """The structure as ledger records (created by the load before everything else)."""
        out: list[PlannedRecord] = []
        for f in self.fields:
            listed = [{"VALUE": v, "SORT": (i + 1) * 10} for i, v in enumerate(f.items)]
            body: dict[str, Any] = {"ENTITY": f.entity, "FIELD_NAME": f.name,
                                    "USER_TYPE_ID": f.type, "LABEL": f.label,
                                    **({"MULTIPLE": "Y"} if f.multiple else {}),
                                    **({"UF_ENTITY": f.uf_entity} if f.uf_entity else {}),
                                    **({"SETTINGS": json.loads(f.settings)}
                                       if f.settings else {}),
                                    **({"LIST": listed} if listed else {})}  # fmt: skip
            out.append(PlannedRecord("user_field", f.key, Op.CREATE, body))
            out += [
                PlannedRecord("field_item", f.item_key(v), Op.CREATE, {"FIELD": f.key, "VALUE": v})
                for v in f.items
            ]
        out += [PlannedRecord("pipeline", p.name, Op.CREATE, {"name": p.name})
                for p in self.pipelines]  # fmt: skip
        for s in self.created_stages:
            stage: dict[str, Any] = {"STATUS_ID": s.status_id, "NAME": s.name, "SORT": s.sort,
                                     "SEMANTICS": s.semantics,
                                     "CATEGORY_ID": max(s.category, 0)}  # fmt: skip
            refs = (Ref("CATEGORY_ID", "pipeline", s.pipeline),) if s.category < 0 else ()
            out.append(PlannedRecord("stage", s.key, Op.CREATE, stage, refs))
        return out

    def bind(self, record: PlannedRecord) -> PlannedRecord:
        """``record`` with every placeholder of the proposal replaced by a reference to the
        structure record that will hold the real id."""
        fields = dict(record.fields)
        refs = list(record.refs)
        for f in self.fields:
            if f.entity != record.entity or fields.get(f.name) in (None, ""):
                continue
            placeholders = {f.placeholder(i): v for i, v in enumerate(f.items)}
            value = fields[f.name]
            if f.multiple and not isinstance(value, list | tuple):
                value = (value,)  # a multiple field holds an array, one value or several
            if isinstance(value, list | tuple):  # a multiple list: one reference per value
                fields[f.name] = list(value)
                refs += [Ref(f"{f.name}.{i}", "field_item", f.item_key(placeholders[v]))
                         for i, v in enumerate(value) if v in placeholders]  # fmt: skip
                if not any(v in placeholders for v in value):
                    refs.append(Ref(f"{WAIT}.{f.name}", "user_field", f.key))
            elif value in placeholders:
                refs.append(Ref(f.name, "field_item", f.item_key(placeholders[value])))
            else:
                refs.append(Ref(f"{WAIT}.{f.name}", "user_field", f.key))
        if record.entity == "deal":
            self._bind_deal(fields, refs)
        return dataclasses.replace(record, fields=fields, refs=tuple(refs))

    def _bind_deal(self, fields: dict[str, Any], refs: list[Ref]) -> None:
        pipelines = {p.placeholder: p.name for p in self.pipelines}
        category = fields.get("CATEGORY_ID")
        if isinstance(category, int) and category in pipelines:
            refs.append(Ref("CATEGORY_ID", "pipeline", pipelines[category]))
        stage = next((s for s in self.stages if s.stage_id == fields.get("STAGE_ID")), None)
        if stage is None:
            return
        if stage.category < 0:
            fields[STAGE_CODE] = fields.pop("STAGE_ID").split(":", 1)[1]
        if not stage.existing:
            refs.append(Ref(f"{WAIT}.STAGE_ID", "stage", stage.key))

    def covers(self, issue: PlanIssue) -> bool:
        """Whether a refusal of the plan without the proposal is about proposed structure."""
        if issue.rule == "field.unknown":
            return any(f.entity == issue.entity and f.name == issue.field for f in self.fields)
        if issue.rule == "category.unknown":
            return any(fold_text(p.name) == fold_text(issue.value) for p in self.pipelines)
        if issue.rule == "stage.unknown":
            heads = [p.name for p in self.pipelines] + [s.pipeline for s in self.stages]
            value = fold_text(strip_pipeline(issue.value, heads))
            return any(fold_text(s.name) == value for s in self.stages)
        return False


def propose_structure(
    tables: Mapping[str, pd.DataFrame],
    mappings: Mapping[str, EntityMapping],
    meta: PortalMetadata,
    defined: Mapping[str, Mapping[str, SourceUserField]] | None = None,
) -> StructureProposal:
    """What the clean ``tables`` need that the portal lacks (see the module docstring).

    ``defined``: entity → the source portal's user fields by name, for entities read from one.
    """
    fields = [
        found
        for entity, mapping in mappings.items()
        if entity in tables and entity in meta.fields
        for found in _fields(entity, mapping, tables[entity], meta, (defined or {}).get(entity))
    ]
    deals = tables.get("deal")
    if deals is None or ("CATEGORY_ID" not in deals and "STAGE_ID" not in deals):
        return StructureProposal(tuple(fields))
    pipelines = _pipelines(deals, meta)
    stages = _stages(deals, meta, pipelines)
    return StructureProposal(tuple(fields), tuple(pipelines), tuple(stages))


def _fields(
    entity: str,
    mapping: EntityMapping,
    table: pd.DataFrame,
    meta: PortalMetadata,
    defined: Mapping[str, SourceUserField] | None = None,
) -> Iterable[ProposedField]:
    uf_entity = ""
    if entity == SMART_PROCESS:  # its own user fields: `UF_CRM_<id>_…` (userfieldconfig.add)
        if meta.smart is None or not meta.smart.uf_entity:
            return
        uf_entity = meta.smart.uf_entity
    for spec in mapping.fields:
        if not _UF_NAME.fullmatch(spec.name) or spec.name in meta.fields[entity]:
            continue
        if uf_entity and not spec.name.startswith(f"UF_{uf_entity}_"):
            continue  # the portal refuses another name: refused as unknown (with the hint)
        values = _values(table, spec.name)
        source = (defined or {}).get(spec.sources[0]) if len(spec.sources) == 1 else None
        if source is not None and spec.type is None:  # the source's definition, not a guess
            if source.type in _CARRIED_TYPES:
                yield _defined_field(entity, spec.name, source, values, uf_entity)
            continue
        label = (spec.join or " / ").join(spec.sources) if spec.sources else spec.name
        cleaners = [step.name for step in spec.clean]
        typed = next((_TYPES_BY_CLEANER[c] for c in reversed(cleaners) if c in _TYPES_BY_CLEANER),
                     None)  # fmt: skip
        split = "" if typed or spec.type not in (None, "enumeration") else _split_at(values)
        cells = [_parts(v, split) for v in values]
        several = sum(1 for c in cells if len(c) > 1)
        multiple = any(isinstance(v, list | tuple) for v in values) or several > 0
        if multiple and (typed or spec.type not in (None, "enumeration", "string")):
            continue  # several dates or numbers per record: not proposed (refused as before)
        singles = [part for cell in cells for part in cell]
        distinct = len({fold_text(v) for v in singles})
        basis, kind, items = _choose(spec.type, typed, label, singles, len(values), multiple)
        yield ProposedField(entity, spec.name, kind, label, items, len(values), multiple,
                            basis, distinct, split, several if split else 0, uf_entity)  # fmt: skip


def _choose(
    chosen: str | None,
    typed: str | None,
    label: str,
    singles: list[str],
    rows: int,
    multiple: bool,
) -> tuple[str, str, tuple[str, ...]]:
    """What chose the type (mapping, cleaner, header, values), the type and its items."""
    if chosen is not None:
        items = _distinct(singles) if chosen == "enumeration" else ()
        return "mapping", chosen, items
    if typed is not None:
        return "cleaner", typed, ()
    if not multiple and any(word in fold_text(label) for word in _FREE_TEXT):
        return "header", "string", ()
    items = _list_items(singles, rows, multiple)
    return "values", "enumeration" if items else "string", items


def split_multiple(table: pd.DataFrame, entity: str, proposal: StructureProposal) -> pd.DataFrame:
    """``table`` with the cells of each proposed field the plan splits (strong evidence, not
    the mapping) as tuples of their single values."""
    fields = [f for f in proposal.fields if f.entity == entity and f.split and f.name in table]
    if not fields:
        return table
    out = table.copy()
    for f in fields:
        out[f.name] = [
            tuple(_parts(v, f.split)) if isinstance(v, str) and f.split in v else v
            for v in out[f.name].tolist()
        ]
    return out


def _parts(value: Any, split: str) -> list[str]:
    """A cell's single values: a tuple's items, or the text split at ``split``."""
    if isinstance(value, list | tuple):
        items = [str(v).strip() for v in value]
    elif split:
        items = [p.strip() for p in str(value).split(split)]
    else:
        items = [str(value).strip()]
    return list(dict.fromkeys(i for i in items if i))


def _split_at(values: list[Any]) -> str:
    """The separator the cells hold several values at, when the evidence is strong (see the
    module docstring); ``""`` when unsure."""
    texts = [str(v).strip() for v in values if isinstance(v, str)]
    alone = {fold_text(t) for t in texts}
    for sep in _SEPARATORS:
        several = [t for t in texts if sep in t]
        if len(several) < 2:
            continue
        count: dict[str, int] = {}
        for text in texts:
            for part in _parts(text, sep):
                count[fold_text(part)] = count.get(fold_text(part), 0) + 1
        parts = {fold_text(p): p for t in several for p in _parts(t, sep)}
        if not 2 <= len(count) <= _LIST_MAX_ITEMS:
            continue
        if all(_short(p) and (k in alone or count[k] >= 3) for k, p in parts.items()):
            return sep
    return ""


def _short(value: str) -> bool:
    return len(value) <= _LIST_MAX_LENGTH and len(value.split()) <= _LIST_MAX_WORDS


def _defined_field(
    entity: str, name: str, source: SourceUserField, values: list[Any], uf_entity: str
) -> ProposedField:
    """A field as the source portal defines it (its items every one, in its order)."""
    items = tuple(dict.fromkeys(v for v in source.items if v.strip()))
    settings = json.dumps(dict(source.settings), ensure_ascii=False, sort_keys=True)
    distinct = len({fold_text(p) for v in values for p in _parts(v, "")})
    return ProposedField(entity, name, source.type, source.label, items, len(values),
                         multiple=source.multiple and source.type != "boolean", basis="source",
                         distinct=distinct, uf_entity=uf_entity,
                         settings=settings if source.settings else "")  # fmt: skip


def _values(table: pd.DataFrame, column: str) -> list[Any]:
    if column not in table:
        return []
    return [v for v in table[column].tolist() if not _blank(v)]


def _blank(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return not value
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value) == ""


def _list_items(values: list[str], rows: int, multiple: bool) -> tuple[str, ...]:
    """The values as list items when they look like a list: few, short, repeated — on
    average twice, at most half of them seen once (a multiple list: every value the cells
    were split into, as they are few and short)."""
    items = _distinct(values)
    if not 2 <= len(items) <= _LIST_MAX_ITEMS or not all(map(_short, items)):
        return ()
    if multiple:
        return items
    seen: dict[str, int] = {}
    for value in values:
        seen[fold_text(value)] = seen.get(fold_text(value), 0) + 1
    once = sum(1 for n in seen.values() if n == 1)
    if rows < 2 * len(items) or once * 2 > len(items):
        return ()
    return items


def _distinct(values: list[str]) -> tuple[str, ...]:
    distinct: dict[str, str] = {}
    for value in values:
        distinct.setdefault(fold_text(value), value.strip())
    return tuple(sorted(distinct.values(), key=fold_text))


def _pipelines(deals: pd.DataFrame, meta: PortalMetadata) -> list[ProposedPipeline]:
    if "CATEGORY_ID" not in deals:
        return []
    known = ListItems({str(k): v for k, v in meta.categories.items()})
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for value in _values(deals, "CATEGORY_ID"):
        text = str(value).strip()
        if known.match(text) is not None or text.lstrip("-").isdigit():
            continue
        names.setdefault(fold_text(text), text)
        counts[fold_text(text)] = counts.get(fold_text(text), 0) + 1
    return [ProposedPipeline(name, -(i + 1), counts[key])
            for i, (key, name) in enumerate(names.items())]  # fmt: skip


def _stages(
    deals: pd.DataFrame, meta: PortalMetadata, pipelines: list[ProposedPipeline]
) -> list[ProposedStage]:
    """Stage names the deals' pipelines lack, in the order the deals first show them."""
    if "STAGE_ID" not in deals:
        return []
    known = ListItems({str(k): v for k, v in meta.categories.items()})
    new = {fold_text(p.name): p.placeholder for p in pipelines}
    wanted: dict[int, dict[str, tuple[str, int]]] = {}
    categories = deals["CATEGORY_ID"] if "CATEGORY_ID" in deals else pd.Series(
        [None] * len(deals), index=deals.index
    )  # fmt: skip
    for category_value, stage_value in zip(categories, deals["STAGE_ID"], strict=True):
        if _blank(stage_value):
            continue
        category = _category(category_value, known, new)
        if category is None:
            continue
        head = [str(category_value), meta.categories.get(category, "")]
        name = strip_pipeline(str(stage_value), [h for h in head if h]).strip()
        if _STAGE_CODE.fullmatch(name) or (category >= 0 and _matches(meta, category, name)):
            continue
        seen = wanted.setdefault(category, {})
        first, count = seen.get(fold_text(name), (name, 0))
        seen[fold_text(name)] = (first, count + 1)
    names = {p.placeholder: p.name for p in pipelines}
    out: list[ProposedStage] = []
    for category, stages in wanted.items():
        pipeline = names.get(category) or meta.categories.get(category, str(category))
        out += _pipeline_stages(meta, category, pipeline, list(stages.values()))
    return out


def _category(value: Any, known: ListItems, new: Mapping[str, int]) -> int | None:
    if _blank(value):
        return 0
    found = known.match(str(value).strip())
    if found is not None:
        return int(found)
    return new.get(fold_text(value))


def _matches(meta: PortalMetadata, category: int, name: str) -> bool:
    stages = meta.deal_stages(category)
    items = ListItems({k: s.name for k, s in stages.items()})
    return items.match(name) is not None or (
        category > 0 and items.match(f"C{category}:{name}") is not None
    )


def _pipeline_stages(
    meta: PortalMetadata, category: int, pipeline: str, names: list[tuple[str, int]]
) -> list[ProposedStage]:
    """The proposed stages of one pipeline, sorted as the portal requires: in progress before
    the success stage, failures after it (crm-status-add.md, «Restrictions for SORT»)."""
    template = meta.deal_stages(category if category >= 0 else 0).values()
    success = next((s for s in template if s.semantics == "S"), None)
    success_sort = success.sort if success else 1000
    last = max((s.sort for s in template if s.sort < success_sort and not s.semantics), default=0)
    end = max((s.sort for s in template), default=success_sort)
    taken = {s.status_id.split(":")[-1] for s in template}
    process = [(n, c) for n, c in names if _semantics(n) == ""]
    out: list[ProposedStage] = []
    for i, (name, count) in enumerate(process):
        sort = last + (success_sort - last) * (i + 1) // (len(process) + 1)
        out.append(ProposedStage(pipeline, category, name, _code(pipeline, name, taken), "",
                                 max(sort, last), count))  # fmt: skip
    failures = [(n, c) for n, c in names if _semantics(n) == "F"]
    for i, (name, count) in enumerate(failures):
        out.append(ProposedStage(pipeline, category, name, _code(pipeline, name, taken), "F",
                                 end + 10 * (i + 1), count))  # fmt: skip
    for name, count in ((n, c) for n, c in names if _semantics(n) == "S"):
        existing = _success_id(category, success)
        out.append(ProposedStage(pipeline, category, name, existing.split(":")[-1], "S",
                                 success_sort, count, existing=existing))  # fmt: skip
    return out


def _success_id(category: int, success: Status | None) -> str:
    if category < 0 or success is None:
        return f"C{category}:{NEW_PIPELINE_SUCCESS}" if category else NEW_PIPELINE_SUCCESS
    return success.status_id


def _semantics(name: str) -> str:
    folded = fold_text(name)
    return "S" if folded in _SUCCESS else "F" if folded in _FAILURE else ""


def _code(pipeline: str, name: str, taken: set[str]) -> str:
    """A stage id like the portal's own custom ones (``UC_`` + 6 characters), the same for
    the same pipeline and name in every plan, unique in the pipeline."""
    digest = hashlib.sha1(f"{pipeline}/{name}".encode()).digest()  # a name, not a secret
    text = base64.b32encode(digest).decode()
    code = f"UC_{text[:6]}"
    index = 6
    while code in taken:
        index += 1
        code = f"UC_{text[index - 6 : index]}"
    taken.add(code)
    return code
