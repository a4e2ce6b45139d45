"""The plan stage (dry run): everything except writing to the portal.

So far: reading the portal's metadata (:func:`read_portal_metadata`), resolving legacy owners
to portal users (:class:`OwnerResolver`) and checking a record's fields against the portal
(:func:`check_fields`: unknown fields, read-only and required fields, pipelines, stages,
dictionaries, enumerations, currencies) and turning source-key references into ledger
references (:class:`ReferenceIndex`, through the dedupe survivor map), and :func:`plan_table`,
which turns one clean table into ledger records (:class:`~migrate.ledger.PlannedRecord`) and
issue rows. Matching records already in the portal (``on_existing``) is not done yet: every
row is planned as a ``create``.
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
from migrate.plan._records import OWNER_FIELDS, REF_TARGETS, TablePlan, plan_table
from migrate.plan._refs import ReferenceIndex, ResolvedRefs

__all__ = [
    "OWNER_FIELDS",
    "REF_TARGETS",
    "FieldInfo",
    "FieldProblem",
    "OwnerResolution",
    "OwnerResolver",
    "PortalMetadata",
    "PortalUser",
    "ReferenceIndex",
    "ResolvedRefs",
    "Status",
    "TablePlan",
    "check_fields",
    "owner_key",
    "parse_fields",
    "plan_table",
    "read_portal_metadata",
]
