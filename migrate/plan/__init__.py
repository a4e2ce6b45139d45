"""The plan stage (dry run): everything except writing to the portal.

It reads the portal's metadata (:func:`read_portal_metadata`), resolves legacy owners to portal
users (:class:`OwnerResolver`), checks each record's fields against the portal
(:func:`check_fields`: unknown fields, read-only and required fields, pipelines, stages,
dictionaries, enumerations, currencies), turns source-key references into ledger references
(:class:`ReferenceIndex`, through the dedupe survivor map) and one clean table into ledger
records (:func:`plan_table`). :func:`plan_workspace` is the whole dry run of a workspace, given
the prepare and dedupe stages' results: metadata → checks → records the portal already holds
(:func:`match_existing`, ``on_existing``) → ledger, with the load's route it chose
(:class:`RouteChoice`: ``load.route: auto`` asks `user.admin`). What stops `load` is read
from the ledger (:func:`migrate.ledger.blockers.plan_blockers`).
"""

from migrate.plan._backdate import Backdating, DateDecision, decide_backdating
from migrate.plan._checks import FieldProblem, check_fields
from migrate.plan._cutover import (
    CHOICES,
    Conflict,
    Cutover,
    FieldDiff,
    GoneRecord,
    conflict_key,
)
from migrate.plan._existing import ExistingRecord, PortalRecord, match_existing
from migrate.plan._metadata import (
    FieldInfo,
    PortalMetadata,
    PortalUser,
    Status,
    parse_fields,
    read_portal_metadata,
)
from migrate.plan._owner_choices import OwnerChoiceStore
from migrate.plan._owners import OwnerChoice, OwnerResolution, OwnerResolver, owner_key
from migrate.plan._records import OWNER_FIELDS, REF_TARGETS, TablePlan, plan_table
from migrate.plan._refs import ReferenceIndex, ResolvedRefs
from migrate.plan._route import RouteChoice, choose_route
from migrate.plan._run import MatchedRecord, OwnerMapping, PlanResult, plan_workspace

__all__ = [
    "CHOICES",
    "OWNER_FIELDS",
    "REF_TARGETS",
    "Backdating",
    "Conflict",
    "Cutover",
    "DateDecision",
    "ExistingRecord",
    "FieldDiff",
    "FieldInfo",
    "FieldProblem",
    "GoneRecord",
    "MatchedRecord",
    "OwnerChoice",
    "OwnerChoiceStore",
    "OwnerMapping",
    "OwnerResolution",
    "OwnerResolver",
    "PlanResult",
    "PortalMetadata",
    "PortalRecord",
    "PortalUser",
    "ReferenceIndex",
    "ResolvedRefs",
    "RouteChoice",
    "Status",
    "TablePlan",
    "check_fields",
    "choose_route",
    "conflict_key",
    "decide_backdating",
    "match_existing",
    "owner_key",
    "parse_fields",
    "plan_table",
    "plan_workspace",
    "read_portal_metadata",
]
