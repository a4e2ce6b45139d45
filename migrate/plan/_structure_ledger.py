"""The proposal against the ledger: what was proposed, what the load already created, what
the user accepted, and what that does to the plan's records and refusals.

Structure a load created is ours: a later plan proposes it again (so the records that use it
keep the same references and stay unchanged, and the structure records stay in the ledger for
`rollback`) and needs no new acceptance. Structure not created yet is planned only when the
user accepted the proposal; otherwise the rows that need it are refused with a reason that
names the flag (``structure.proposed``, blocking).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from migrate.ledger import Ledger, PlanIssue, PlannedRecord, State
from migrate.plan._metadata import PortalMetadata
from migrate.plan._structure import StructureProposal

__all__ = ["PlannedStructure", "accepted_structure"]

_PROPOSED = (
    "{what} нет на портале — план предлагает создать (лист «Структура» в plan.xlsx); "
    "подтвердите: `b24migrate plan --accept-structure` или `load: structure: create` в "
    "migration.yaml",
    "the portal has no {what}; the plan proposes to create it (sheet “Structure” of "
    "plan.xlsx): accept with `b24migrate plan --accept-structure` or `load: structure: create` "
    "in migration.yaml",
)
_WHAT = {
    "field.unknown": ("поля «{field}»", "field “{field}”"),
    "category.unknown": ("воронки «{value}»", "pipeline “{value}”"),
    "stage.unknown": ("стадии «{value}»", "stage “{value}”"),
}


@dataclass(frozen=True, slots=True)
class PlannedStructure:
    """The proposal and what the plan does with it.

    Attributes:
        proposal: everything proposed (created by an earlier load or not).
        used: what the plan plans with (all of it when accepted, else what exists already).
        new: what is proposed and not created yet.
        accepted: the user accepted the proposal (or nothing new is proposed).
        meta: the portal's metadata the records are checked against (with ``used``).
    """

    proposal: StructureProposal
    used: StructureProposal
    new: StructureProposal
    accepted: bool
    meta: PortalMetadata

    def apply(
        self, records: list[PlannedRecord], issues: list[PlanIssue], language: str
    ) -> tuple[list[PlannedRecord], list[PlanIssue]]:
        """Records bound to the structure they use (plus the structure records); refusals
        about structure not accepted yet say so and name the flag."""
        if self.used.empty:
            bound = records
        else:
            bound = [self.used.bind(r) for r in records] + self.used.records()
        if self.accepted:
            return bound, issues
        return bound, [
            dataclasses.replace(i, rule="structure.proposed", message=_proposed(i, language))
            if self.new.covers(i) else i
            for i in issues
        ]  # fmt: skip


def _proposed(issue: PlanIssue, language: str) -> str:
    index = 1 if language == "en" else 0
    what = _WHAT[issue.rule][index].format(field=issue.field, value=issue.value)
    return _PROPOSED[index].format(what=what)


def accepted_structure(
    ledger: Ledger,
    meta: PortalMetadata,
    accept: bool,
    propose: Callable[[PortalMetadata], StructureProposal],
) -> PlannedStructure:
    """Propose against the portal as it was before our own structure, split the proposal
    into what exists (created by a load of this ledger) and what is new, and decide."""
    own = _own(ledger)
    base = _without(meta, own)
    proposal = propose(base)
    created = _only(proposal, own)
    new = _except(proposal, own)
    accepted = accept or new.empty
    used = proposal if accepted else created
    planning = base if used.empty else used.with_structure(base)
    return PlannedStructure(proposal, used, new, accepted and not proposal.empty, planning)


def _own(ledger: Ledger) -> dict[str, dict[str, int]]:
    """Structure records the load created, by entity: source key → portal id."""
    out: dict[str, dict[str, int]] = {}
    for entity in ("user_field", "pipeline", "stage"):
        out[entity] = {
            r.source_key: r.b24_id
            for r in ledger.records(entity, State.DONE)
            if r.b24_id is not None
        }
    out["stage_codes"] = {
        f"{r.resolved_fields().get('CATEGORY_ID')}:{r.fields.get('STATUS_ID')}": 0
        for r in ledger.records("stage", State.DONE)
    }
    return out


def _without(meta: PortalMetadata, own: Mapping[str, Mapping[str, int]]) -> PortalMetadata:
    """``meta`` without the structure this ledger's loads created."""
    if not any(own.values()):
        return meta
    fields = {e: dict(f) for e, f in meta.fields.items()}
    for key in own["user_field"]:
        entity, _, name = key.partition(":")
        fields.get(entity, {}).pop(name, None)
    pipelines = set(own["pipeline"].values())
    categories = {k: v for k, v in meta.categories.items() if k not in pipelines}
    statuses = tuple(
        s
        for s in meta.statuses
        if s.category_id not in pipelines
        and f"{s.category_id or 0}:{s.status_id.split(':')[-1]}" not in own["stage_codes"]
    )
    return dataclasses.replace(meta, fields=fields, categories=categories, statuses=statuses)


def _only(proposal: StructureProposal, own: Mapping[str, Mapping[str, int]]) -> StructureProposal:
    pipelines = tuple(p for p in proposal.pipelines if p.name in own["pipeline"])
    names = {p.name for p in pipelines}
    return StructureProposal(
        tuple(f for f in proposal.fields if f.key in own["user_field"]),
        pipelines,
        tuple(
            s
            for s in proposal.stages
            if s.key in own["stage"] or (s.existing and s.category < 0 and s.pipeline in names)
        ),
    )


def _except(proposal: StructureProposal, own: Mapping[str, Mapping[str, int]]) -> StructureProposal:
    created = _only(proposal, own)
    return StructureProposal(
        tuple(f for f in proposal.fields if f not in created.fields),
        tuple(p for p in proposal.pipelines if p not in created.pipelines),
        tuple(s for s in proposal.stages if s not in created.stages),
    )
