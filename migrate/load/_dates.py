"""Before a load: the creation dates the plan kept must still be allowed by the portal.

The plan decided which new records keep their original creation date against the portal as it
was (:mod:`migrate.plan._backdate`); a colleague who adds a record between `plan` and `load`
raises the newest date of its type, and the portal would refuse every older kept date. The load
reads the newest dates again and stops with the way out instead.
"""

from __future__ import annotations

from datetime import UTC

from loaders.client import Bitrix24Client
from migrate.errors import CheckpointError
from migrate.ledger import Ledger
from migrate.portal.dates import dated_entities, portal_datetime, read_newest_dates

__all__ = ["check_dates_hold"]


async def check_dates_hold(ledger: Ledger, client: Bitrix24Client, route: str) -> None:
    """Refuse to load when the portal got a record newer than a creation date the plan kept.

    Raises:
        CheckpointError: a kept date is now older than the portal's newest of its type.
    """
    entities = dated_entities(route)
    newest = await read_newest_dates(client, entities)
    for entity in entities:
        earliest = portal_datetime(ledger.earliest_kept_date(entity), UTC)
        portal = portal_datetime(newest.get(entity), UTC)
        if earliest is not None and portal is not None and earliest < portal:
            raise CheckpointError(
                f"the portal now holds a {entity} created {newest[entity]}, later than "
                f"creation dates the plan kept (from {earliest.isoformat()}): the portal would "
                "refuse them",
                next_step="run `b24migrate plan` again (it moves those dates into the comment "
                "or waits for your choice, see `load.backdate`), then `b24migrate load`",
            )
