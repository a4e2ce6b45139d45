"""`b24migrate plan`: the dry run — what the load will create, update, skip or refuse, and why."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from migrate.cli._options import output_options, workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import json_text, terminal_text
from migrate.cli._words import say, workspace_language
from migrate.ledger.blockers import BLOCKING_RULES, Blocker
from migrate.ledger.reasons import group_issues
from migrate.plan import PlanResult
from migrate.reports.plan_xlsx import listed_warning
from migrate.run import Planned

__all__ = ["command"]

_OPS = ("create", "update", "set", "skip", "unchanged")


@click.command("plan")
@workspace_option
@click.option(
    "--skip-refused",
    is_flag=True,
    help="Accept leaving out the rows refused for blocking reasons; `load` then starts.",
)
@click.option("--no-dedupe", is_flag=True, help="Plan every source row (do not merge duplicates).")
@click.option(
    "--accept-structure",
    is_flag=True,
    help="Accept the user fields, pipelines and stages the plan proposes (the mapping needs "
    "them, the portal lacks them): `load` creates them first. Same as `load.structure: create`.",
)
@output_options
def command(
    root: Path, skip_refused: bool, no_dedupe: bool, accept_structure: bool, quiet: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Check everything against the portal and write the ops to the ledger; write nothing to
    the portal. Writes reports/plan.xlsx (counts, refused rows, owners, existing records) and
    reports/owners.xlsx (every legacy owner and the portal user it becomes; the client writes
    corrections into it, read back by the next plan). With `load.route: auto` it asks the
    portal whether the webhook's user is an administrator: import route if so, else add (the
    first lines then warn that the portal's automation fires).

    Exit code 1 while blocking problems exist (a stage, field or enumeration item the portal
    lacks, an owner without a default): fix them, or accept leaving those rows out with
    --skip-refused; 2 for a config or mapping problem.

    \b
    Example:
      b24migrate plan --workspace acme --skip-refused
    """
    with open_migration(root, quiet, as_json) as migration:
        planned = migration.plan(
            skip_refused=skip_refused, dedupe=not no_dedupe, accept_structure=accept_structure
        )
    if as_json:
        click.echo(json_text(_summary(planned)))
    else:
        _render(planned, workspace_language(root))
    if planned.result.blockers:
        raise click.exceptions.Exit(1)


def _summary(planned: Planned) -> dict[str, object]:
    result = planned.result
    entities = sorted({e for e, _ in result.counts})
    return {
        "report": str(planned.report),
        "run_id": result.run_id,
        "entities": {e: {op: result.count(e, op) for op in _OPS} for e in entities},
        "refused": len(result.refused),
        "warnings": sum(map(listed_warning, result.issues)),
        "existing": len(result.matches),
        "defaulted_owners": [o.legacy for o in result.owners if o.defaulted and o.legacy],
        "no_owner": next(
            ({"records": o.rows, "user_id": o.user_id} for o in result.owners if not o.legacy),
            None,
        ),
        "owners_report": str(planned.owners.report) if planned.owners else None,
        "owner_choices_read": planned.owners.choices_read if planned.owners else 0,
        "blockers": [
            {
                "entity": b.entity,
                "rule": b.rule,
                "field": b.field,
                "value": b.value,
                "rows": b.count,
                "message": b.message,
            }
            for b in result.blockers
        ],
        "route": {
            "route": result.route.route,
            "configured": result.route.configured,
            "admin": result.route.admin,
            "automation_fires_for": result.route.automated,
        },
        "skip_refused": result.skip_refused,
        "structure": {
            "accepted": result.structure_accepted,
            "user_fields": [f"{f.entity}:{f.name}" for f in result.structure.fields],
            "pipelines": [p.name for p in result.structure.pipelines],
            "stages": [s.key for s in result.structure.created_stages],
            "field_types": [
                {
                    "field": f"{f.entity}:{f.name}",
                    "type": f.type,
                    "multiple": f.multiple,
                    "items": list(f.items),
                    "reason": f.reason("en"),
                }
                for f in result.structure.fields
            ],
            "to_create": {
                "user_fields": [f"{f.entity}:{f.name}" for f in result.structure_new.fields],
                "pipelines": [p.name for p in result.structure_new.pipelines],
                "stages": [s.key for s in result.structure_new.created_stages],
            },
        },
        "dedupe": result.dedupe,
        "merges": [[m.entity, m.absorbed, m.survivor] for m in result.merges],
        "conflicts": [
            {
                "entity": c.entity,
                "key": c.source_key,
                "b24_id": c.b24_id,
                "modified_at": c.modified_at,
                "decision": c.choice,
                "fields": [[d.field, d.source, d.portal] for d in c.diffs],
            }
            for c in result.cutover.conflicts
        ],
        "gone": [[g.entity, g.source_key, g.b24_id] for g in result.cutover.gone],
        "reconciliation": list(planned.reconciliation.notes) if planned.reconciliation else [],
        "seconds": dict(result.seconds),
        "history_dates": [
            {"entity": d.entity, "field": d.field, "kept": d.kept} for d in result.history
        ],
    }


def _render(planned: Planned, lang: str) -> None:
    result = planned.result
    console = Console()
    for line in result.route.lines(lang):  # first: automation firing for every record
        click.secho(line, bold=result.route.fires_automation)
    table = Table(title=say("plan", lang))
    for number, header in enumerate(say("plan_cols", lang).split("|")):
        table.add_column(header, justify="right" if number else "left")
    for entity in sorted({e for e, _ in result.counts}):
        table.add_row(entity, *(str(result.count(entity, op)) for op in _OPS))
    console.print(table)
    # counted as plan.xlsx lists them: owner and date warnings on sheets of their own
    kept = [i for i in result.issues if i.severity != "error"]
    owners = sum(1 for i in kept if i.rule.startswith("owner."))
    dates = sum(1 for i in kept if i.rule.startswith("date."))
    warnings = sum(map(listed_warning, kept))
    line = say("plan_line", lang, refused=len(result.refused), warnings=warnings, owners=owners,
               dates=dates, existing=len(result.matches), path=planned.report)  # fmt: skip
    console.print(line, markup=False)
    if not result.structure.empty:
        console.print(terminal_text(structure_line(result, lang)), markup=False)
    if result.history:
        console.print(history_line(result, lang), markup=False)
    _owners_lines(planned, lang)
    merged = say("merges", lang, n=len(result.merges)) if planned.dedupe_ran else None
    console.print(merged or say("no_dedupe", lang), markup=False)
    for note in planned.reconciliation.notes if planned.reconciliation else ():
        console.print(terminal_text(say("reconcile", lang, note=note)), markup=False)
    _cutover(planned, console, lang)
    _refusals(result, lang)
    for line in blocker_lines(result.blockers, lang):
        console.print(terminal_text(line), markup=False)
    if result.blockers:
        console.print(say("blocked_next", lang), markup=False)
    elif result.skip_refused and result.refused:
        console.print(say("skipped_on_purpose", lang), markup=False)


def history_line(result: PlanResult, lang: str) -> str:
    """Which dates of the planned history the portal keeps and which go into the text."""
    names = {
        kept: ", ".join(f"{d.entity}.{d.field}" for d in result.history if d.kept == kept) or "—"
        for kept in (True, False)
    }
    return say("history_dates", lang, kept=names[True], moved=names[False])


def _cutover(planned: Planned, console: Console, lang: str) -> None:
    """The cut-over lines: conflicts to decide, records gone from the source."""
    cutover = planned.result.cutover
    if cutover.conflicts:
        line = say("conflicts", lang, n=len(cutover.conflicts), open=cutover.undecided)
        console.print(line, markup=False)
    if cutover.gone:
        console.print(say("gone", lang, n=len(cutover.gone)), markup=False)
    if planned.kept_aside is not None:
        console.print(terminal_text(say("kept_plan", lang, path=planned.kept_aside)), markup=False)


def structure_line(result: PlanResult, lang: str) -> str:
    """One line: what structure the plan proposes and whether it is accepted."""
    proposal = result.structure_new
    if proposal.empty:
        done = result.structure
        return say("structure_done", lang, fields=len(done.fields),
                   pipelines=len(done.pipelines), stages=len(done.created_stages))  # fmt: skip
    state = say("structure_accepted" if result.structure_accepted else "structure_ask", lang)
    return say(
        "structure", lang, fields=len(proposal.fields),
        items=sum(len(f.items) for f in proposal.fields), pipelines=len(proposal.pipelines),
        stages=len(proposal.created_stages), state=state,
    )  # fmt: skip


def _owners_lines(planned: Planned, lang: str) -> None:
    """How the legacy owners matched, and where the client confirms or corrects them."""
    owners, reviewed = planned.result.owners, planned.owners
    if reviewed is None:
        return
    if reviewed.choices_read:
        click.echo(say("owners_read", lang, n=reviewed.choices_read))
    if reviewed.kept_aside:
        click.echo(terminal_text(say("owners_kept", lang, path=reviewed.kept_aside)))
    named = [o for o in owners if o.legacy]
    if named:
        blocked = sum(1 for o in named if o.user_id is None)
        defaulted = sum(1 for o in named if o.defaulted and o.user_id is not None)
        click.echo(terminal_text(say(
            "owners_line", lang, n=len(named), matched=len(named) - blocked - defaulted,
            defaulted=defaulted, blocked=blocked, path=reviewed.report,
        )))  # fmt: skip
    none = next((o for o in owners if not o.legacy and o.rows), None)
    if none is not None:
        who = (f"{none.user_name} (ID {none.user_id})" if none.user_id is not None
               else say("owners_none_webhook", lang))  # fmt: skip
        click.echo(terminal_text(say("owners_none", lang, n=none.rows, who=who)))


def _refusals(result: PlanResult, lang: str, limit: int = 8) -> None:
    """The rows refused for other reasons than blockers, one line per reason."""
    groups = [g for g in group_issues(result.refused) if g.rule not in BLOCKING_RULES]
    if not groups:
        return
    click.echo(say("refused_by_reason", lang))
    for group in groups[:limit]:
        field = f" `{group.field}`" if group.field else ""
        click.echo(terminal_text(f"  {group.rows:,} × {group.entity}{field} ({group.rule}): "
                                 f"{group.message}" + _examples(group.values, lang)))  # fmt: skip
    if len(groups) > limit:
        click.echo(say("more_reasons", lang, n=len(groups) - limit))


def blocker_lines(blockers: Sequence[Blocker], lang: str = "en") -> list[str]:
    """One line per blocking reason (rule and field), not per value: 300 legacy owners
    without a portal account are one line with examples."""
    groups: dict[tuple[str, str], list[Blocker]] = {}
    for blocker in blockers:
        groups.setdefault((blocker.rule, blocker.field), []).append(blocker)
    lines = []
    for (rule, field), found in groups.items():
        rows = sum(b.count for b in found)
        entities = ", ".join(sorted({b.entity for b in found}))
        ranked = sorted(found, key=lambda b: -b.count)
        values = list(dict.fromkeys(b.value for b in ranked if b.value))
        if len(values) <= 1:
            line = say("blocking", lang, entity=entities, field=field, message=found[0].message,
                       n=rows)  # fmt: skip
        else:
            line = say("blocking_many", lang, rule=rule, field=field, n=len(values), rows=rows,
                       entities=entities, examples=_examples(values, lang),
                       message=found[0].message)  # fmt: skip
        hint = say("owner_hint", lang) if rule == "owner.no_default" else ""
        lines.append(line + (f"; {hint}" if hint else ""))
    return lines


def _examples(values: Sequence[str], lang: str, shown: int = 3) -> str:
    if len(values) <= 1:
        return ""
    listed = ", ".join(f"«{v}»" for v in values[:shown])
    more = say("and_more", lang, n=len(values) - shown) if len(values) > shown else ""
    return say("values", lang, values=listed) + more
