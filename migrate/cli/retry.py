"""`b24migrate retry`: re-send exactly the records that failed, after a fix."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import render_load, render_reasons
from migrate.cli._options import load_options, output_options, workspace_option
from migrate.cli._progress import open_migration
from migrate.cli._safe import json_text, terminal_text
from migrate.cli._words import say, workspace_language
from migrate.ledger.next_step import next_text
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
    lang = workspace_language(root)
    _render(retried.choice, dry_run, include_changes, lang)
    if retried.loaded is not None:
        render_load(retried.loaded, as_json=False)
    elif dry_run and retried.choice.ids:
        click.echo(f"Next: {next_text('retry_now', lang)}")
    else:
        click.echo(f"Next: {retried.next_step}")


def _render(choice: RetryChoice, dry_run: bool, include_changes: bool, lang: str) -> None:
    sends = choice.sends()
    if not sends:
        click.echo(say("retry_nothing", lang))
    else:
        listing = ", ".join(f"{n} {entity}" for entity, n in sorted(sends.items()))
        click.echo(say("retry_line", lang, verb=say("retry_would" if dry_run else "retry_sends",
                                                    lang),
                       n=sum(sends.values()), listing=listing, chosen=len(choice.chosen),
                       needed=len(choice.needed), waiting=len(choice.waiting)))  # fmt: skip
    failed = [r for r in choice.chosen if r.last_error]
    if failed:
        click.echo(say("retry_reasons", lang))
        render_reasons(group_failures(failed), lang)
    if replanned := len(choice.chosen) - len(failed):
        click.echo(say("retry_replanned", lang, n=replanned))
    _others(choice, dry_run, include_changes, lang)
    for key, keys in (("retry_unknown", list(choice.unknown)),
                      ("retry_gone", [f"{e} `{k}`" for e, k in choice.gone]),
                      ("retry_done", [f"{e} `{k}`" for e, k in choice.done])):  # fmt: skip
        if keys:
            click.echo(terminal_text(say(key, lang, keys=", ".join(keys[:20]))))


def _others(choice: RetryChoice, dry_run: bool, include_changes: bool, lang: str) -> None:
    if not choice.others:
        return
    listing = ", ".join(f"{n:,} {entity} {op}" for (entity, op), n in sorted(choice.others.items()))
    if include_changes:
        click.echo(say("retry_also_would" if dry_run else "retry_also", lang, listing=listing))
    else:
        click.echo(say("retry_not_sent", lang, listing=listing,
                       next=next_text("changes", lang)))  # fmt: skip


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
