"""A smart-process row's type, pipeline and stage as the portal names them.

A mapping file names a smart process by its title and writes stages as the client sees them:
the short id a new pipeline has (``NEW``, ``SUCCESS``, ``FAIL``: how-to-add-category-to-spa.md),
the full id (``DT128_3:SUCCESS``) or the stage's name («Успех»); a pipeline by its id or name.
The portal wants the full stage id of the item's pipeline (crm-item-add.md: ``stageId``
``DT1220_30:NEW``, from ``DYNAMIC_{entityTypeId}_STAGE_{categoryId}``). A value that fits no
stage is left as written: the field checks refuse the row and list the stages there are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.entities import ENTITY_TYPE_HINT
from migrate.plan._checks import as_int
from migrate.plan._metadata import PortalMetadata, Status

__all__ = ["place_smart"]


def place_smart(meta: PortalMetadata, fields: dict[str, Any]) -> None:
    """Write the type (the ``_ENTITY_TYPE_ID`` hint), the pipeline (the default one unless
    named) and the full stage id into a smart-process row's ``fields``."""
    smart = meta.smart
    if smart is None:
        return
    fields[ENTITY_TYPE_HINT] = smart.entity_type_id
    category = _category(smart.categories, fields.get("CATEGORY_ID"), smart.default_category)
    if category is not None:
        fields["CATEGORY_ID"] = category
        stage = fields.get("STAGE_ID")
        if stage not in (None, ""):
            stages = meta.stages("smart_process", category)
            fields["STAGE_ID"] = _stage(stages, str(stage), smart.stage_prefix(category))


def _category(categories: Mapping[int, str], value: Any, default: int) -> int | None:
    """The pipeline id: the default when empty, an id it has, or the id of a name it has."""
    if value in (None, ""):
        return default
    number = as_int(value)
    if number is not None:
        return number
    wanted = _fold(value)
    found = [i for i, name in categories.items() if _fold(name) == wanted]
    return found[0] if len(found) == 1 else None


def _stage(stages: Mapping[str, Status], value: str, prefix: str) -> str:
    if value in stages:
        return value
    if prefix + value in stages:
        return prefix + value
    wanted = _fold(value)
    named = [sid for sid, status in stages.items() if _fold(status.name) == wanted]
    return named[0] if len(named) == 1 else value


def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()
