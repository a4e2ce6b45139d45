"""The source's smart processes: every item of every smart process, by meaning.

Shapes read (bitrix24/b24restdocs, api-reference/crm/universal/…): ``user-defined-object-types/
crm-type-list.md`` (``{"types": [{"entityTypeId", "title", …}]}``), ``crm-item-list.md``
(``{"items": [...]}``, camelCase: ``id``, ``title``, ``categoryId``, ``stageId``,
``assignedById``, ``opportunity``, ``currencyId``, ``begindate``, ``closedate``,
``companyId``, ``contactIds``, ``parentId<entityTypeId>``, ``updatedTime``),
``category/crm-category-list.md`` (a smart process's pipelines), ``status/crm-status-list.md``
(its stages: dictionary ``DYNAMIC_<entityTypeId>_STAGE_<categoryId>``).

One table holds the items of every smart process, ``SMART_PROCESS`` naming each one's title:
a workspace migrates one smart process (its mapping names the title and keeps its rows with
``rows: {column: SMART_PROCESS, …}``), so another's items are refused by name
(``route.unplaced``), never loaded into the wrong one. The pipeline is written by name, the
stage by its name within the pipeline (the plan matches both on the target), people by
e-mail, links (company, contacts, ``PARENT_ID_<n>``) as the source's ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from migrate.portal.source._values import text, user_of

if TYPE_CHECKING:
    from migrate.portal.source._read import TableReader

__all__ = ["SMART_COLUMNS", "read_smart_items", "smart_item_keys"]

SMART_COLUMNS = ("ID", "ENTITY_TYPE_ID", "SMART_PROCESS", "TITLE", "CATEGORY", "STAGE",
                 "ASSIGNED_BY_ID", "OPPORTUNITY", "CURRENCY_ID", "BEGINDATE", "CLOSEDATE",
                 "COMPANY_ID", "CONTACT_IDS", "CREATED_TIME", "UPDATED_TIME")  # fmt: skip
_PARENT = re.compile(r"parentId(\d+)")


async def read_smart_items(reader: TableReader, since: str | None) -> list[dict[str, str]]:
    """Every smart process's items (updated at or after ``since`` when given)."""
    client = reader.client
    rows: list[dict[str, str]] = []
    for kind in await _types(reader):
        type_id = int(kind["entityTypeId"])
        categories = (await client.call("crm.category.list", {"entityTypeId": type_id})).result
        names = {text(c.get("id")): text(c.get("name")) for c in
                 (categories or {}).get("categories", [])}  # fmt: skip
        where = {">=updatedTime": since} if since else {}
        items = await client.list_all("crm.item.list", where, ["*"],
                                      params={"entityTypeId": type_id}, chained=True)  # fmt: skip
        rows += [_row(reader, kind, type_id, names, item) for item in items]
    return rows


async def smart_item_keys(reader: TableReader) -> set[str]:
    """Every item the source holds now, as ``<entityTypeId>:<id>`` (the snapshot's key: two
    smart processes number their items each from 1), ``select: [id]``."""
    keys: set[str] = set()
    for kind in await _types(reader):
        type_id = int(kind["entityTypeId"])
        items = await reader.client.list_all("crm.item.list", select=["id"], chained=True,
                                             params={"entityTypeId": type_id})  # fmt: skip
        keys.update(f"{type_id}:{text(item.get('id'))}" for item in items)
    return keys


async def _types(reader: TableReader) -> list[Mapping[str, Any]]:
    found = (await reader.client.call("crm.type.list")).result or {}
    types = found.get("types", []) if isinstance(found, Mapping) else []
    return [t for t in types if isinstance(t, Mapping)]


def _row(reader: TableReader, kind: Mapping[str, Any], type_id: int, pipelines: Mapping[str, str],
         item: Mapping[str, Any]) -> dict[str, str]:  # fmt: skip
    category, stage = text(item.get("categoryId")), text(item.get("stageId"))
    dictionary = f"DYNAMIC_{type_id}_STAGE_{category}"
    users = reader.meta.users
    row = {
        "ID": text(item.get("id")),
        "ENTITY_TYPE_ID": str(type_id),
        "SMART_PROCESS": text(kind.get("title")),
        "TITLE": text(item.get("title")),
        "CATEGORY": pipelines.get(category, category),
        "STAGE": reader.meta.statuses.get((dictionary, stage), stage),
        "ASSIGNED_BY_ID": user_of(users, item.get("assignedById")),
        "OPPORTUNITY": text(item.get("opportunity")),
        "CURRENCY_ID": text(item.get("currencyId")),
        "BEGINDATE": text(item.get("begindate")),
        "CLOSEDATE": text(item.get("closedate")),
        "COMPANY_ID": _link(item.get("companyId")),
        "CONTACT_IDS": ",".join(_link(c) for c in item.get("contactIds") or [] if _link(c)),
        "CREATED_TIME": text(item.get("createdTime")),
        "UPDATED_TIME": text(item.get("updatedTime")),
    }
    for key, value in item.items():
        found = _PARENT.fullmatch(str(key))
        if found:
            row[f"PARENT_ID_{found.group(1)}"] = _link(value)
    return row


def _link(value: Any) -> str:
    """A link's id, ``""`` for none (the portal writes ``0`` or null for no link)."""
    raw = text(value)
    return "" if raw in ("0", "") else raw
