"""Problems that stop `load`: the portal lacks something the data needs.

Refused rows caused by dirty source values are listed in the plan and simply not loaded; but
a stage, a field, an enumeration item, a pipeline or a currency the portal does not have, or
an owner nobody can stand in for, is a mistake in the portal set-up or the mapping that the
user must fix (or accept, with ``b24migrate plan --skip-refused``) before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from migrate.errors import CheckpointError, ValidationFailed
from migrate.ledger._ledger import Ledger
from migrate.ledger._model import PlanIssue
from migrate.ledger.next_step import NEXT

__all__ = [
    "BLOCKING_RULES",
    "INPUTS_META",
    "NO_DEDUPE_META",
    "ROUTE_META",
    "SKIP_META",
    "STRUCTURE_META",
    "Blocker",
    "PlanChoices",
    "blocking_error",
    "check_plan_current",
    "plan_blockers",
    "plan_choices",
]

#: Issue rules that block the load until fixed or skipped on purpose.
BLOCKING_RULES = frozenset(
    {
        "field.unknown",
        "field.unmapped_required",
        "stage.unknown",
        "category.unknown",
        "status.unknown",
        "enum.unknown",
        "currency.unknown",
        "owner.no_default",
        "date.before_portal",  # `load.backdate: ask`: the user chooses what happens to the date
        "structure.proposed",  # `load.structure: ask`: the user accepts the proposed structure
    }
)
#: Ledger setting: the id of the plan run whose refused rows the user accepted to leave out.
SKIP_META = "plan.skip_refused_run"
#: Ledger setting: the id of the plan run made without dedupe (`plan --no-dedupe`).
NO_DEDUPE_META = "plan.no_dedupe_run"
#: Ledger setting: the id of the plan run whose proposed structure the user accepted.
STRUCTURE_META = "plan.accept_structure_run"


@dataclass(frozen=True, slots=True)
class PlanChoices:
    """The options of the latest plan, which `retry` re-plans with."""

    skip_refused: bool = False
    dedupe: bool = True
    accept_structure: bool = False


def plan_choices(ledger: Ledger) -> PlanChoices:
    """What the latest plan was told (``--skip-refused``, ``--no-dedupe``)."""
    plans = [r for r in ledger.runs() if r.kind == "plan"]
    if not plans:
        return PlanChoices()
    last = str(plans[-1].id)
    return PlanChoices(
        ledger.meta(SKIP_META) == last,
        ledger.meta(NO_DEDUPE_META) != last,
        ledger.meta(STRUCTURE_META) == last,
    )


#: Ledger setting: the fingerprint of the inputs the plan was made from (written with the plan).
INPUTS_META = "plan.inputs"
#: Ledger setting: the load's route the plan chose, as JSON (`migrate.plan.RouteChoice`).
ROUTE_META = "plan.route"


def check_plan_current(ledger: Ledger, fingerprint: str | None) -> None:
    """Refuse to load a ledger whose plan was made from other inputs than those on disk now.

    ``fingerprint`` is :func:`migrate.workspace.inputs.inputs_fingerprint` of the workspace as
    it is (``None`` when it cannot be computed, e.g. a source file gone).

    Raises:
        CheckpointError: no complete plan of the current inputs is in the ledger.
    """
    stored = ledger.meta(INPUTS_META)
    if stored is not None and stored == fingerprint:
        return
    raise CheckpointError(
        "the ledger holds no complete plan of the current sources, mappings and decisions "
        "(they changed since the last plan, or that plan was interrupted)",
        next_step="run `b24migrate plan` again, then `b24migrate load`",
    )


@dataclass(frozen=True, slots=True)
class Blocker:
    """One blocking problem and the rows it keeps out."""

    entity: str
    rule: str
    field: str
    value: str
    message: str
    rows: tuple[tuple[str, int | None, str], ...]  # (source file, row, source key)

    @property
    def count(self) -> int:
        return len(self.rows)


def plan_blockers(ledger: Ledger) -> list[Blocker]:
    """The blocking problems of the latest plan (empty when clean or accepted).

    `load` calls this first and refuses to start while it is not empty.
    """
    plans = [r for r in ledger.runs() if r.kind == "plan"]
    if plans and ledger.meta(SKIP_META) == str(plans[-1].id):
        return []
    groups: dict[tuple[str, str, str, str], list[PlanIssue]] = defaultdict(list)
    for issue in ledger.issues("error"):
        if issue.rule in BLOCKING_RULES:
            groups[(issue.entity, issue.rule, issue.field, issue.value)].append(issue)
    return [
        Blocker(
            entity,
            rule,
            field,
            value,
            found[0].message,
            tuple((i.source, i.row, i.source_key) for i in found),
        )
        for (entity, rule, field, value), found in groups.items()
    ]


def blocking_error(blockers: Sequence[Blocker], command: str = "load") -> ValidationFailed:
    """The error that stops ``command`` while the plan has blocking problems (exit 1): the
    first problem with its row, and the next step in the command's own words."""
    first = blockers[0]
    rows = sum(b.count for b in blockers)
    source, row, key = first.rows[0]
    where = f"{first.entity} `{key}`" + (f" `{first.field}`" if first.field else "")
    where += f" ({source}, row {row})" if source and row else ""
    hint = NEXT["blocking_retry" if command == "retry" else "blocking"]
    if command == "load":
        hint += " or `b24migrate load --skip-blocked`"
    return ValidationFailed(
        f"the plan has {len(blockers)} blocking problem(s) in {rows} rows, e.g. "
        f"{where}: {first.message}",
        next_step=hint,
    )
