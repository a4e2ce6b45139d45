"""Creation dates as the portal sees them: which entities a route can back-date, and the newest
creation date the portal holds per entity type.

Bitrix24 sets a record's creation date only on an import — `params[IMPORT]=Y` on
`crm.contact.add` / `crm.company.add` (the `add` route), `createdTime` on `crm.item.batchImport`
(the `import` route: every CRM object) — and refuses one earlier than the records of that type
it already holds, or one in the future (b24restdocs `api-reference/crm/contacts/crm-contact-add.md`:
"cannot be earlier than the creation date of the last created contact";
`api-reference/crm/universal/import/index.md`: "createdTime must increase monotonically … no
record dated earlier than any existing one"; "createdTime and updatedTime cannot be in the
future"). The plan decides with these facts; the load checks them again before it starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import spec_for
from mappings.entities import where

__all__ = ["dated_entities", "portal_datetime", "read_newest_dates", "route_sets_date"]

_DATED = "DATE_CREATE"


def dated_entities(route: str) -> tuple[str, ...]:
    """The entities whose creation date ``route`` (`add` | `import`) can set."""
    return tuple(e for e in where(crm=True) if route_sets_date(e, route))


def route_sets_date(entity: str, route: str) -> bool:
    """Whether ``route`` sends ``entity``'s creation date (`add`: only with `IMPORT=Y`)."""
    try:
        spec = spec_for(entity)
    except KeyError:
        return False
    return spec.entity_type_id is not None if route == "import" else spec.history_import


async def read_newest_dates(
    client: Bitrix24Client, entities: Iterable[str]
) -> dict[str, str | None]:
    """entity → the newest `DATE_CREATE` of the portal's records of that type (``None``: none)."""
    newest: dict[str, str | None] = {}
    for entity in entities:
        params = {"order": {_DATED: "DESC"}, "select": ["ID", _DATED], "start": 0}
        rows = (await client.call(f"crm.{entity}.list", params)).result or []
        newest[entity] = (str(rows[0].get(_DATED) or "") or None) if rows else None
    return newest


def portal_datetime(value: Any, zone: tzinfo) -> datetime | None:
    """An aware datetime from ISO text (a date alone is midnight); naive text is in ``zone``.

    ``None`` for an empty value or text that is not an ISO date/time.
    """
    if value is None or str(value).strip() == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
