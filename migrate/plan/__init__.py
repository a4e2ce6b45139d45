"""The plan stage (dry run): everything except writing to the portal.

So far: reading the portal's metadata (:func:`read_portal_metadata`), resolving legacy owners
to portal users (:class:`OwnerResolver`) and checking a record's fields against the portal
(:func:`check_fields`: unknown fields, read-only and required fields, pipelines, stages,
dictionaries, enumerations, currencies) and turning source-key references into ledger
references (:class:`ReferenceIndex`, through the dedupe survivor map). Turning clean tables
into ledger records (:class:`~migrate.ledger.PlannedRecord`) builds on these.
"""

from migrate.plan._checks import FieldProblem, check_fields
from migrate.plan._metadata import (
    FieldInfo,
    PortalMetadata,
    PortalUser,
    Status,
    parse_fields,
    read_portal_metadata,
)
from migrate.plan._owners import OwnerResolution, OwnerResolver, owner_key
from migrate.plan._refs import ReferenceIndex, ResolvedRefs

__all__ = [
    "FieldInfo",
    "FieldProblem",
    "OwnerResolution",
    "OwnerResolver",
    "PortalMetadata",
    "PortalUser",
    "ReferenceIndex",
    "ResolvedRefs",
    "Status",
    "check_fields",
    "owner_key",
    "parse_fields",
    "read_portal_metadata",
]
