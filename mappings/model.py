"""The mapping dataclasses (what a mapping file loads into) and "did you mean" hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cleaners.lookalikes import to_cyrillic
from mappings.fields import MULTI_FIELDS

__all__ = [
    "LINE_FIELDS",
    "ROW_KEY",
    "CleanStep",
    "EntityMapping",
    "FieldMapping",
    "LineSpec",
    "MappingProblems",
    "RowFilter",
    "fold_text",
    "suggest",
]

ROW_KEY = "_row"
LINE_FIELDS = (
    "PRODUCT_NAME", "PRODUCT_ID", "PRICE", "QUANTITY", "DISCOUNT_RATE", "DISCOUNT_SUM",
    "TAX_RATE", "MEASURE_NAME", "MEASURE_CODE",
)  # fmt: skip
"""What a product line (`lines:`) can fill: the row fields of `crm.deal.productrows.set`."""
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class MappingProblems(ValueError):
    """Raised by :func:`parse_mapping`: ``problems`` lists every ``file:line: text``."""

    def __init__(self, file: str, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: {len(problems)} problem(s)")


@dataclass(frozen=True, slots=True)
class CleanStep:
    """One cleaner in a field's chain: its registry name and keyword options."""

    name: str
    options: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How one Bitrix24 field (or a helper field starting with `_`) is filled.

    Attributes:
        name: the Bitrix24 field (`NAME`, `PHONE`, `UF_CRM_…`) or a helper (`_fio`).
        sources: the source columns (`from`); several → first non-empty, or joined by ``join``;
            multi-fields and multiple references take every column.
        clean: cleaners applied in order to each distinct value.
        value_map: `map` — cleaned value → Bitrix24 value (matched ignoring case and spaces).
        default: value when the cell is empty or (with `map`) not in the map.
        split_fio: which parts of a full name to fill (LAST_NAME, NAME, SECOND_NAME), found by
            `cleaners.names.split_fio` whatever order the name is written in.
        ref: the referenced entity (`company`, `contact`, …, or `any` with `ENTITY_TYPE`).
        owner: the field holds a legacy user (name or e-mail) resolved by the plan.
        value_type: multi-field VALUE_TYPE, one for all columns or per column.
        required: an empty value is an error.
        severity: overrides the severity of every issue of this field.
        const: a constant value for every row.
        max_length: longest text kept; longer text is cut with a warning.
        join: separator to join several source columns instead of taking the first non-empty.
        separator: split one cell into several values (multiple references; on any other
            field, the values of a multiple field, each mapped on its own: on a user field
            the plan proposes a multiple list; ``"\n"`` for a source portal's multiple user
            field).
        escaped: with ``separator``: each value's own backslashes and line breaks come
            escaped (``\\``, ``\n``, ``\r``; :mod:`mappings.escape`) and are decoded after the
            split, as a source portal writes a multiple text user field.
        keep_unmapped: with `map`, a value the map lacks stays as written (for the portal's
            list to match by name at `plan`) instead of being refused.
        type: a user field's type (`string`, `enumeration`, …) when the plan proposes it,
            instead of the type the plan infers from the cleaners and the data.
    """

    name: str
    sources: tuple[str, ...] = ()
    clean: tuple[CleanStep, ...] = ()
    value_map: Mapping[str, Any] | None = None
    default: Any = None
    split_fio: tuple[str, ...] = ()
    ref: str | None = None
    owner: bool = False
    value_type: str | Mapping[str, str] | None = None
    required: bool = False
    severity: str | None = None
    const: Any = None
    max_length: int | None = None
    join: str | None = None
    separator: str | None = None
    escaped: bool = False
    keep_unmapped: bool = False
    type: str | None = None
    from_is_list: bool = field(default=False, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def is_helper(self) -> bool:
        """A helper field (`_fio`) is never loaded itself."""
        return self.name.startswith("_")

    @property
    def is_multi(self) -> bool:
        """PHONE / EMAIL / WEB / IM: the value is a tuple of (value, VALUE_TYPE) pairs."""
        return self.name in MULTI_FIELDS

    def value_type_for(self, column: str) -> str:
        """The VALUE_TYPE for values from ``column`` (WORK when nothing is said)."""
        if isinstance(self.value_type, Mapping):
            return str(self.value_type.get(column, "WORK"))
        return self.value_type or "WORK"


def fold_text(value: Any) -> str:
    """``value`` compared the way people read it: case, spaces, ``ё`` and Latin look-alikes.

    ``"Сделка  успешна"`` with a Latin ``C`` folds like ``"сделка успешна"``.
    """
    text = " ".join(str(value).split()).casefold().replace("ё", "е")
    return to_cyrillic(text) if any("\u0400" <= ch <= "\u04ff" for ch in text) else text


@dataclass(frozen=True, slots=True)
class RowFilter:
    """`rows:` — the rows of a shared file that belong to this entity.

    A row belongs when the text in ``column`` folds (:func:`fold_text`) to one of ``values``:
    amoCRM's «Контакты и компании» export holds both, told apart by ``Тип``.
    """

    column: str
    values: tuple[str, ...]

    def matches(self, text: Any) -> bool:
        """Whether a cell of ``column`` selects the row."""
        return fold_text(text) in {fold_text(v) for v in self.values}

    def selects(self, cells: Iterable[Any]) -> list[bool]:
        """:meth:`matches` for every cell of ``cells``, folding each distinct text once."""
        wanted = {fold_text(v) for v in self.values}
        seen: dict[Any, bool] = {}
        out = []
        for cell in cells:
            hit = seen.get(cell)
            if hit is None:
                hit = seen[cell] = fold_text(cell) in wanted
            out.append(hit)
        return out


@dataclass(frozen=True, slots=True)
class LineSpec:
    """`lines:` — an export that repeats a record once per product line.

    Rows with the same key are folded into one record; each row's line ``fields`` become one
    product row (``PRODUCT_ROWS``), and ``total`` (the record's amount field, which such
    exports fill per line) becomes the sum of the lines, with a warning when the stated
    amounts disagree with them.
    """

    fields: tuple[FieldMapping, ...]
    total: str | None = None


@dataclass(frozen=True, slots=True)
class EntityMapping:
    """A whole mapping file: entity, key column and fields in file order.

    Attributes:
        entity, key, fields, source: see docs/mappings.md.
        rows: only the rows of the source this filter selects (a file shared by entities).
        lines: fold rows repeated per product line into one record with product rows.
        decode_html: the export writes HTML entities (``&quot;``): decode every cell read.
        smart_process: the title of the smart process the rows go to (``entity:
            smart_process`` only; the plan finds its ``entityTypeId`` by this title).
    """

    entity: str
    key: str
    fields: tuple[FieldMapping, ...]
    source: str | None = None
    file: str = field(default="", compare=False)
    rows: RowFilter | None = None
    lines: LineSpec | None = None
    decode_html: bool = False
    smart_process: str | None = None

    @property
    def source_name(self) -> str:
        """The `sources:` entry of `migration.yaml` this mapping reads (default: the entity)."""
        return self.source or self.entity

    def columns(self) -> list[str]:
        """Every source column the mapping reads, key first, without repeats."""
        seen = [] if self.key == ROW_KEY else [self.key]
        if self.rows is not None:
            seen.append(self.rows.column)
        for spec in (*self.fields, *(self.lines.fields if self.lines else ())):
            seen.extend(c for c in spec.sources if c not in seen)
        return seen

    def field(self, name: str) -> FieldMapping | None:
        """The field called ``name``, if mapped."""
        return next((f for f in self.fields if f.name == name), None)

    def targets(self) -> list[str]:
        """The CleanTable columns this mapping produces (fields and split_fio targets)."""
        out: list[str] = []
        for spec in self.fields:
            for name in (*spec.split_fio, spec.name):
                if not name.startswith("_") and name not in out:
                    out.append(name)
        return out


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` for the closest choice, or empty text.

    Only a choice that is surely meant: the same text but for case and spaces, the same name
    under a group of a two-row header, or a spelling close enough where the words differ (a
    hint that merely shares `Дата` — «Дата закрытия» for «Дата изменения» — is worse than none).
    """
    choices = list(choices)
    folded = {" ".join(c.split()).casefold(): c for c in choices}
    key = " ".join(word.split()).casefold()
    if key in folded:  # case, spaces, NBSP: surely this one
        return f" (did you mean `{folded[key]}`?)"
    # a column under a group of a two-row header: `Имя` → `Контакт / Имя`
    grouped = [c for f, c in folded.items() if f.rsplit(" / ", 1)[-1] == key][:1]
    close = grouped or [c for f, c in folded.items() if _close(key, f)]
    if not close:
        return ""
    best = max(close, key=lambda c: difflib.SequenceMatcher(None, key, c.casefold()).ratio())
    return f" (did you mean `{best}`?)"


def _close(a: str, b: str) -> bool:
    """``a`` is a misspelling of ``b``: close overall, and close where their words differ."""
    if difflib.SequenceMatcher(None, a, b).ratio() < 0.75:
        return False
    wa, wb = a.replace("_", " ").split(), b.replace("_", " ").split()
    while wa and wb and wa[0] == wb[0]:
        wa, wb = wa[1:], wb[1:]
    while wa and wb and wa[-1] == wb[-1]:
        wa, wb = wa[:-1], wb[:-1]
    if not wa or not wb:
        return True
    return difflib.SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() >= 0.7
