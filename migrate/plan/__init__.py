"""The plan stage (dry run): everything except writing to the portal.

So far: reading the portal's metadata (:func:`read_portal_metadata`), resolving legacy owners
to portal users (:class:`OwnerResolver`) and checking a record's fields against the portal
(:func:`check_fields`: unknown fields, read-only and required fields, pipelines, stages,
dictionaries, enumerations, currencies) and turning source-key references into ledger
references (:class:`ReferenceIndex`, through the dedupe survivor map), and :func:`plan_table`,
which turns one clean table into ledger records (:class:`~migrate.ledger.PlannedRecord`) and
issue rows. :func:`run_plan` runs the whole dry run of a workspace (prepare → dedupe →
metadata → checks → records the portal already holds (:func:`match_existing`,
``on_existing``) → ledger → ``reports/plan.xlsx``). What stops `load` is read from the ledger
(:func:`migrate.ledger.blockers.plan_blockers`).
"""

from migrate.plan._checks import FieldProblem, check_fields
from migrate.plan._existing import ExistingRecord, PortalRecord, match_existing
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
from migrate.plan._run import MatchedRecord, OwnerMapping, PlanResult, run_plan

__all__ = [
    "OWNER_FIELDS",
    "REF_TARGETS",
    "ExistingRecord",
    "FieldInfo",
    "FieldProblem",
    "MatchedRecord",
    "OwnerMapping",
    "OwnerResolution",
    "OwnerResolver",
    "PlanResult",
    "PortalMetadata",
    "PortalRecord",
    "PortalUser",
    "ReferenceIndex",
    "ResolvedRefs",
    "Status",
    "TablePlan",
    "check_fields",
    "match_existing",
    "owner_key",
    "parse_fields",
    "plan_table",
    "read_portal_metadata",
    "run_plan",
]
