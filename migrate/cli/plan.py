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
from migrate.ledger.blockers import BLOCKING_RULES, Blocker
from migrate.ledger.reasons import group_issues
from migrate.plan import PlanResult
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
@output_options
def command(root: Path, skip_refused: bool, no_dedupe: bool, quiet: bool, as_json: bool) -> None:
    """Check everything against the portal and write the ops to the ledger; write nothing to
    the portal. Writes reports/plan.xlsx (counts, refused rows, owners, existing records).

    Exit code 1 while blocking problems exist (a stage, field or enumeration item the portal
    lacks, an owner without a default): fix them, or accept leaving those rows out with
    --skip-refused; 2 for a config or mapping problem.

    \b
    Example:
      b24migrate plan --workspace acme --skip-refused
    """
    with open_migration(root, quiet, as_json) as migration:
        planned = migration.plan(skip_refused=skip_refused, dedupe=not no_dedupe)
    if as_json:
        click.echo(json_text(_summary(planned)))
    else:
        _render(planned)
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
        "warnings": len(result.issues) - len(result.refused),
        "existing": len(result.matches),
        "defaulted_owners": [o.legacy for o in result.owners if o.defaulted],
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
        "skip_refused": result.skip_refused,
        "dedupe": result.dedupe,
        "seconds": dict(result.seconds),
    }


def _render(planned: Planned) -> None:
    result = planned.result
    console = Console()
    table = Table(title="Plan")
    table.add_column("entity")
    for op in _OPS:
        table.add_column(op, justify="right")
    for entity in sorted({e for e, _ in result.counts}):
        table.add_row(entity, *(str(result.count(entity, op)) for op in _OPS))
    console.print(table)
    console.print(
        f"{len(result.refused)} refused rows, {len(result.issues) - len(result.refused)} "
        f"warnings, {len(result.matches)} records already in the portal; "
        f"report: {planned.report}",
        markup=False,
    )
    _refusals(result)
    for line in blocker_lines(result.blockers):
        click.echo(terminal_text(line))
    if result.blockers:
        console.print(
            "Fix the portal or the mapping and run `b24migrate plan` again, or leave these rows "
            "out with `b24migrate plan --skip-refused`."
        )
    elif result.skip_refused and result.refused:
        console.print("Refused rows are left out on purpose (--skip-refused).")


def _refusals(result: PlanResult, limit: int = 8) -> None:
    """The rows refused for other reasons than blockers, one line per reason."""
    groups = [g for g in group_issues(result.refused) if g.rule not in BLOCKING_RULES]
    if not groups:
        return
    click.echo("Refused rows by reason (not loaded; every row is in plan.xlsx):")
    for group in groups[:limit]:
        field = f" `{group.field}`" if group.field else ""
        click.echo(terminal_text(f"  {group.rows:,} × {group.entity}{field} ({group.rule}): "
                                 f"{group.message}" + _examples(group.values)))  # fmt: skip
    if len(groups) > limit:
        click.echo(f"  … {len(groups) - limit} more reasons")


_HINTS = {
    "owner.no_default": "set `owners.default_owner` in migration.yaml, or map each in "
    "`owners.map` (plan.xlsx lists them with their rows)",
}


def blocker_lines(blockers: Sequence[Blocker]) -> list[str]:
    """One line per blocking reason (rule and field), not per value: 300 legacy owners
    without a portal account are one line with examples."""
    groups: dict[tuple[str, str], list[Blocker]] = {}
    for blocker in blockers:
        groups.setdefault((blocker.rule, blocker.field), []).append(blocker)
    lines = []
    for (rule, field), found in groups.items():
        rows = sum(b.count for b in found)
        entities = ", ".join(sorted({b.entity for b in found}))
        if len(found) == 1:
            text = f"{found[0].message} ({rows} rows, {entities})"
        else:
            ranked = sorted(found, key=lambda b: -b.count)
            values = list(dict.fromkeys(b.value for b in ranked if b.value))
            text = (f"{len(values)} values in {rows} rows ({entities})" + _examples(values)
                    + f" — e.g. {found[0].message}")  # fmt: skip
        hint = f"; {_HINTS[rule]}" if rule in _HINTS else ""
        lines.append(f"BLOCKING {rule}{f' `{field}`' if field else ''}: {text}{hint}")
    return lines


def _examples(values: Sequence[str], shown: int = 3) -> str:
    if len(values) <= 1:
        return ""
    more = f" and {len(values) - shown} more" if len(values) > shown else ""
    return ", values " + ", ".join(f"«{v}»" for v in values[:shown]) + more
