"""Pipelines and stages written by name, matched to the portal's ids per pipeline.

Bitrix24's deal export writes the pipeline («Оптовые продажи») and the stage («Переговоры»)
by name; the same stage name can mean `UC_TALKS` in one pipeline and nothing in another. The
pipeline is matched first (id or name), then the stage among that pipeline's stages only.
Values that match nothing are left as written, for `check_fields` to refuse with the list.
"""

from __future__ import annotations

from typing import Any

from migrate.plan._metadata import PortalMetadata
from migrate.prepare.listvalues import ListItems

__all__ = ["resolve_list_values"]


def resolve_list_values(meta: PortalMetadata, entity: str, fields: dict[str, Any]) -> None:
    """Turn pipeline and stage names of a deal's ``fields`` into the portal's ids (in place)."""
    if entity != "deal":
        return
    if fields.get("CATEGORY_ID") not in (None, ""):
        pipelines = ListItems({str(k): v for k, v in meta.categories.items()})
        found = pipelines.match(fields["CATEGORY_ID"])
        if found is not None:
            fields["CATEGORY_ID"] = int(found)
    if fields.get("STAGE_ID") not in (None, ""):
        category = _category(fields.get("CATEGORY_ID"))
        if category is None:
            return
        stages = meta.deal_stages(category)
        found = ListItems({k: s.name for k, s in stages.items()}).match(fields["STAGE_ID"])
        if found is None and category:  # `WON` written without its `C1:` prefix
            found = ListItems({k: s.name for k, s in stages.items()}).match(
                f"C{category}:{fields['STAGE_ID']}"
            )
        if found is not None:
            fields["STAGE_ID"] = found


def _category(value: Any) -> int | None:
    if value in (None, ""):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
