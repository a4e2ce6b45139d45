"""List values written as the portal's item *names*, matched to the item ids.

Exports show list fields the way people read them: Bitrix24's own CSV writes «Звонок» for
SOURCE_ID `CALL`, «г-н» for HONORIFIC `HNR_RU_1`, «Оптовые продажи» for pipeline 1 and the
stage's name for STAGE_ID. A value is matched to an item by its id first, then by its name
folded the way people read it (case, spaces, «ё», Latin look-alike letters: a stage name typed
with a Latin «C» is the same stage). A name two items share is not guessed.

Pipelines and stages depend on each other: the same stage name can mean `UC_TALKS` in one
pipeline and nothing in another, so the pipeline is matched first (id or name), then the stage
among that pipeline's stages only. Values that match nothing are left as written, for
`check_fields` to refuse with the list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from mappings.entities import SMART_PROCESS
from mappings.model import fold_text
from migrate.plan._metadata import Measure, PortalMetadata

__all__ = ["ListItems", "measure_id", "resolve_list_values", "strip_pipeline", "vat_id"]

_RATE = re.compile(r"\d+(?:\.\d+)?")


class ListItems:
    """The items of one list (id → name) and a matcher for values written either way."""

    def __init__(self, items: Mapping[str, str]) -> None:
        self.items = {str(k): str(v) for k, v in items.items()}
        self._ids = {fold_text(k): k for k in self.items}
        names: dict[str, list[str]] = {}
        for item_id, name in self.items.items():
            names.setdefault(fold_text(name), []).append(item_id)
        self._names = {n: ids[0] for n, ids in names.items() if len(ids) == 1}

    def match(self, value: Any) -> str | None:
        """The id ``value`` stands for (itself when it is an id), or ``None``."""
        if value is None:
            return None
        text = str(value)
        if text in self.items:
            return text
        folded = fold_text(text)
        return self._ids.get(folded) or self._names.get(folded)

    def label(self, item_id: str) -> str:
        """How the item reads: its name (its id when it has none)."""
        return self.items.get(item_id) or item_id


def resolve_list_values(meta: PortalMetadata, entity: str, fields: dict[str, Any]) -> None:
    """Turn pipeline and stage names of a deal's or a smart-process item's ``fields`` into the
    portal's ids (in place). A stage may be written without its pipeline's prefix: ``WON`` for
    ``C1:WON``, ``SUCCESS`` for ``DT128_3:SUCCESS`` (crm-item-add.md: a smart process's stages
    are ``DT<entityTypeId>_<categoryId>:…``)."""
    if entity not in ("deal", SMART_PROCESS):
        return
    if fields.get("CATEGORY_ID") not in (None, ""):
        pipelines = ListItems({str(k): v for k, v in meta.categories_of(entity).items()})
        found = pipelines.match(fields["CATEGORY_ID"])
        if found is not None:
            fields["CATEGORY_ID"] = int(found)
    if fields.get("STAGE_ID") not in (None, ""):
        category = _category(fields.get("CATEGORY_ID"))
        if category is None:
            return
        stages = ListItems({k: s.name for k, s in meta.stages(entity, category).items()})
        value = str(fields["STAGE_ID"])
        found = stages.match(value)
        prefix = _stage_prefix(meta, entity, category)
        if found is None and prefix:  # `WON` written without its `C1:` prefix, `SUCCESS`
            found = stages.match(f"{prefix}{value}")
        if found is None:  # «Тендеры / Заявка подана»: the pipeline's name joined to the stage
            names = meta.categories_of(entity)
            found = stages.match(strip_pipeline(value, [names.get(category, "")]))
        if found is not None:
            fields["STAGE_ID"] = found


def _stage_prefix(meta: PortalMetadata, entity: str, category: int) -> str:
    """What a pipeline's stage ids start with: ``C<n>:`` (a deal pipeline other than the
    general one), ``DT<type>_<n>:`` (a smart process's)."""
    if entity == SMART_PROCESS:
        return meta.smart.stage_prefix(category) if meta.smart is not None else ""
    return f"C{category}:" if category else ""


def strip_pipeline(value: str, pipelines: Sequence[str]) -> str:
    """A stage ``value`` without a leading «<pipeline> / » when it names one of
    ``pipelines`` (a mapping that joins `Воронка` and `Этап сделки` writes both)."""
    head, sep, tail = value.rpartition(" / ")
    if sep and any(fold_text(head) == fold_text(p) for p in pipelines if p):
        return tail
    return value


def _category(value: Any) -> int | None:
    if value in (None, ""):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def measure_id(measures: Sequence[Measure], value: Any) -> int | None:
    """The catalogue unit ``value`` stands for: its OKEI code (``796``, as 1C writes it), or
    one of its names («шт», «Штука», «PCE», folded like other list names); ``None`` when the
    portal has no such unit."""
    text = str(value).strip()
    if text.isdigit():
        found = [m.id for m in measures if m.code == int(text)]
        if found:
            return found[0]
    folded = fold_text(text).rstrip(".")
    named = {m.id for m in measures for n in m.names if fold_text(n).rstrip(".") == folded}
    return named.pop() if len(named) == 1 else None


def vat_id(vats: Mapping[int, float | None], value: Any) -> int | None:
    """The catalogue VAT rate ``value`` stands for: a rate as exports write it (``20``,
    ``20%``, «НДС 20%», «Без НДС»); ``None`` when the portal has no such rate."""
    text = fold_text(value)
    if "без" in text.split() or text in ("без ндс", "нет", "no vat", "none"):
        found = [i for i, rate in vats.items() if rate is None]
    else:
        number = _RATE.search(text.replace(",", "."))
        rate = float(number.group()) if number else None
        found = [i for i, r in vats.items() if rate is not None and r == rate]
    return found[0] if len(found) == 1 else None
