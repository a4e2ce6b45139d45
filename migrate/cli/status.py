"""`b24migrate status`: records per entity and state, whether the load is alive, failures by
reason, and the next step."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from migrate.cli._loading import render_reasons
from migrate.cli._options import json_option, workspace_option
from migrate.cli._safe import json_text, terminal_text
from migrate.cli._words import WORDS, say
from migrate.ledger.status import LoadStatus
from migrate.run import Migration

__all__ = ["command"]

_STATES = ("planned", "blocked", "sending", "done", "failed")


@click.command("status")
@workspace_option
@click.option(
    "--failed",
    "failed_limit",
    default=20,
    show_default=True,
    help="How many failed records to list with the portal's own text.",
)
@json_option
def command(root: Path, failed_limit: int, as_json: bool) -> None:
    """Show the records per entity and state, whether a load is running, and what to do next.

    Safe to run while a load is running (it only reads). It tells a live load (with its rate
    and the time left) from one waiting for the portal and from one that was killed or
    interrupted; groups the failures by reason; and shows records that wait for a failed or
    refused record as `blocked`, apart from those still to send.

    \b
    Example:
      b24migrate status --workspace acme --failed 50
    """
    migration = Migration(root)
    status = migration.status(failed_limit=failed_limit)
    if as_json:
        click.echo(json_text(_as_dict(status)))
    else:
        _render(status, migration.language)


def _as_dict(status: LoadStatus) -> dict[str, object]:
    run, beat, last = status.last_run, status.activity.heartbeat, status.last_command
    return {
        "migration": status.migration,
        "entities": [
            {"entity": e.entity, **{s: getattr(e, s) for s in _STATES}, "total": e.total}
            for e in status.entities
        ],
        "remaining": status.remaining,
        "load": {
            "state": status.activity.state,
            "alive": status.activity.alive,
            "since": _iso(status.activity.since),
            "detail": beat.detail if beat else "",
            "pid": beat.pid if beat else None,
            "last_answer": _iso(beat.last_batch_at) if beat else None,
        },
        "last_run": None if run is None else {
            "id": run.id, "kind": run.kind, "status": run.status,
            "started_at": run.started_at.isoformat(), "finished_at": _iso(run.finished_at),
        },
        "last_command": None if last is None else {
            "command": last.command, "at": last.at.isoformat(), "exit_code": last.exit_code,
            "text": last.text,
        },
        "rate_per_second": status.running_rate,
        "eta_seconds": status.eta_seconds,
        "blocking_issues": status.blocking_issues,
        "failure_reasons": [
            {"entity": g.entity, "reason": g.reason, "count": g.count,
             "examples": [k for k, _ in g.examples]}
            for g in status.failures
        ],
        "failed": [
            {"entity": r.entity, "source_key": r.source_key, "op": str(r.op),
             "attempts": r.attempts, "error": r.last_error}
            for r in status.failed
        ],
        "next": status.next_step,
    }  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _render(status: LoadStatus, lang: str) -> None:
    console = Console()
    table = Table(title=terminal_text(say("status_title", lang, name=status.migration)))
    for number, header in enumerate(say("status_cols", lang).split("|")):
        table.add_column(header, justify="right" if number else "left")
    for e in status.entities:
        table.add_row(e.entity, *(f"{getattr(e, s):,}" for s in _STATES), f"{e.total:,}")
    console.print(table)
    click.echo(terminal_text(_activity_line(status, lang)))
    last = status.last_command
    if last is not None and last.exit_code:
        line = say("last_command", lang, command=last.command, at=_local(last.at),
                   code=last.exit_code, text=last.text)  # fmt: skip
        click.echo(terminal_text(line))
    if blocked := status.total("blocked"):
        click.echo(say("blocked_records", lang, n=blocked))
    if status.blocking_issues:
        click.echo(say("blocking_rows", lang, n=status.blocking_issues))
    if status.failures:
        click.echo(say("failed_by_reason", lang, n=status.total("failed")))
        render_reasons(status.failures, lang)
    click.echo(f"Next: {status.next_step}")


def _activity_line(status: LoadStatus, lang: str) -> str:
    activity = status.activity
    beat = activity.heartbeat
    if beat is None:
        return say("no_load", lang)
    values = {
        "who": say("who", lang, command=beat.command, run=beat.run_id, pid=beat.pid),
        "answered": say("answered", lang, at=_local(beat.last_batch_at))
        if beat.last_batch_at else "",
        "since": _local(activity.since), "at": _local(beat.beat_at),
        "detail": beat.detail or say("stopped", lang), "pace": _pace(status, lang),
    }  # fmt: skip
    if activity.state == "interrupted" and beat.active:  # it claimed to work: its process died
        return say("act_gone", lang, **values)
    key = f"act_{activity.state}"
    return say(key, lang, **values) if key in WORDS else activity.state


def _pace(status: LoadStatus, lang: str) -> str:
    if status.running_rate is None or status.eta_seconds is None:
        return ""
    return say("pace", lang, rate=status.running_rate, left=_duration(status.eta_seconds))


def _local(moment: datetime | None) -> str:
    return "?" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
