"""`b24migrate retry`: re-send exactly the records that failed, after a fix."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import render_load, render_reasons
from migrate.cli._options import load_options, output_options, workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import json_text, terminal_text
from migrate.ledger.next_step import NEXT
from migrate.ledger.reasons import group_failures
from migrate.load import RetryChoice
from migrate.reports.load_xlsx import parse_key, read_retry_keys
from migrate.run import Retried

__all__ = ["command"]


@click.command("retry")
@click.option("--entity", "entities", multiple=True, help="Only failed records of this entity.")
@click.option("--key", "keys", multiple=True, metavar="[ENTITY:]KEY",
              help="Only this failed record (repeatable), e.g. `deal:D-17`.")  # fmt: skip
@click.option("--keys-from", type=click.Path(dir_okay=False, path_type=Path),
              help="Only the records listed in this file: reports/load.xlsx (its failed-records "
              "sheet, rows you want) or a text file of [ENTITY:]KEY lines.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Re-plan and show what would be sent; send nothing.")
@click.option("--include-changes", is_flag=True,
              help="Also send the other changes the re-plan finds (as `load` would).")  # fmt: skip
@click.option("--skip-refused/--no-skip-refused", default=None,
              help="Re-plan leaving out (or not) the rows refused for blocking reasons; "
              "default: as the last `plan` did.")  # fmt: skip
@click.option("--no-plan", "no_plan", is_flag=True, help="Do not re-plan; re-send as planned.")
@workspace_option
@load_options
@output_options
def command(root: Path, entities: tuple[str, ...], keys: tuple[str, ...],
            keys_from: Path | None, dry_run: bool, include_changes: bool,
            skip_refused: bool | None, no_plan: bool, skip_blocked: bool, settle_seconds: float,
            max_outage: float, quiet: bool, as_json: bool) -> None:  # fmt: skip
    """Re-send the records the portal refused, after you fixed the data or the mapping.

    Re-plans first (the fix reaches the failed records), then sends exactly those records,
    what they need first and what waits on them. Every other change the re-plan finds (for
    example updates of records a mapping edit touched) is listed, not sent: `b24migrate load`
    or --include-changes sends it. Exit codes as `load` (3: records failed again).

    \b
    Example:
      b24migrate retry --workspace acme --dry-run
      b24migrate retry --workspace acme --entity deal
      b24migrate retry --workspace acme --key deal:D-17 --key deal:D-18
      b24migrate retry --workspace acme --keys-from acme/reports/load.xlsx
    """
    wanted = [parse_key(k) for k in keys] + (read_retry_keys(keys_from) if keys_from else [])
    if (keys or keys_from) and not wanted:
        raise click.UsageError("no keys given: the file lists no records")
    with open_migration(root, quiet, as_json, lines=True) as migration:
        retried = migration.retry(
            replan=not no_plan, skip_refused=skip_refused, entities=entities, keys=wanted,
            include_changes=include_changes, dry_run=dry_run, skip_blocked=skip_blocked,
            settle_seconds=settle_seconds, max_outage=max_outage,
        )  # fmt: skip
    if as_json:
        click.echo(json_text(_as_dict(retried, dry_run), indent=None))
        return
    _render(retried.choice, dry_run, include_changes)
    if retried.loaded is not None:
        render_load(retried.loaded, as_json=False)
    elif dry_run and retried.choice.ids:
        click.echo(f"Next: {NEXT['retry_now']}")
    else:
        click.echo(f"Next: {retried.next_step}")


def _render(choice: RetryChoice, dry_run: bool, include_changes: bool) -> None:
    sends = choice.sends()
    verb = "Would re-send" if dry_run else "Re-sending"
    if not sends:
        click.echo("Nothing to re-send: no failed record matches.")
    else:
        listing = ", ".join(f"{n} {entity}" for entity, n in sorted(sends.items()))
        click.echo(f"{verb} {sum(sends.values())} records ({listing}): {len(choice.chosen)} "
                   f"that failed, {len(choice.needed)} they need first, {len(choice.waiting)} "
                   "that wait on them.")  # fmt: skip
    failed = [r for r in choice.chosen if r.last_error]
    if failed:
        click.echo("The failed ones, by the portal's last reason:")
        render_reasons(group_failures(failed))
    if replanned := len(choice.chosen) - len(failed):
        click.echo(f"  {replanned} planned again with new content by the last plan")
    _others(choice, dry_run, include_changes)
    if choice.unknown:
        click.echo(
            terminal_text("Not failed records, left alone: " + ", ".join(choice.unknown[:20]))
        )
    if choice.gone:
        gone = ", ".join(f"{e} `{k}`" for e, k in choice.gone[:20])
        click.echo(
            terminal_text(f"No longer in the plan (refused now: see reports/plan.xlsx): {gone}")
        )
    if choice.done:
        done = ", ".join(f"{e} `{k}`" for e, k in choice.done[:20])
        click.echo(terminal_text(f"Loaded meanwhile: {done}"))


def _others(choice: RetryChoice, dry_run: bool, include_changes: bool) -> None:
    if not choice.others:
        return
    listing = ", ".join(f"{n:,} {entity} {op}" for (entity, op), n in sorted(choice.others.items()))
    if include_changes:
        what = "would also send" if dry_run else "also sends (--include-changes)"
        click.echo(f"It {what}: {listing}.")
    else:
        click.echo(
            f"Not sent by this retry: {listing} (changes the re-plan found, or records an "
            f"earlier load left): {NEXT['changes']}."
        )


def _as_dict(retried: Retried, dry_run: bool) -> dict[str, object]:
    choice = retried.choice
    loaded = retried.loaded
    return {
        "dry_run": dry_run,
        "chosen": [
            {"entity": r.entity, "key": r.source_key, "error": r.last_error} for r in choice.chosen
        ],
        "needed": len(choice.needed),
        "waiting": len(choice.waiting),
        "not_sent": {f"{e} {op}": n for (e, op), n in sorted(choice.others.items())},
        "unknown_keys": list(choice.unknown),
        "gone": [f"{e}:{k}" for e, k in choice.gone],
        "written": loaded.result.report.count("written") if loaded else 0,
        "failed": loaded.result.failed if loaded else 0,
        "load_xlsx": str(loaded.report) if loaded else None,
        "next": retried.next_step,
    }
