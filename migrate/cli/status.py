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
from migrate.ledger.heartbeat import Activity
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
    status = Migration(root).status(failed_limit=failed_limit)
    if as_json:
        click.echo(json_text(_as_dict(status)))
    else:
        _render(status)


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


def _render(status: LoadStatus) -> None:
    console = Console()
    table = Table(title=terminal_text(f"Migration `{status.migration}`"))
    for name in ("entity", *_STATES, "total"):
        table.add_column(name, justify="left" if name == "entity" else "right")
    for e in status.entities:
        table.add_row(e.entity, *(f"{getattr(e, s):,}" for s in _STATES), f"{e.total:,}")
    console.print(table)
    click.echo(terminal_text(_activity_line(status)))
    last = status.last_command
    if last is not None and last.exit_code:
        click.echo(terminal_text(f"Last command: `{last.command}` at {_local(last.at)} stopped "
                                 f"with exit {last.exit_code}: {last.text}"))  # fmt: skip
    if blocked := status.total("blocked"):
        click.echo(f"{blocked:,} records are blocked: they wait for a record that failed or "
                   "that the plan refused (reports/load.xlsx lists them).")  # fmt: skip
    if status.blocking_issues:
        click.echo(f"{status.blocking_issues} rows have problems that block the load "
                   "(reports/plan.xlsx).")  # fmt: skip
    if status.failures:
        click.echo(f"{status.total('failed'):,} records failed, by reason:")
        render_reasons(status.failures)
    click.echo(f"Next: {status.next_step}")


def _activity_line(status: LoadStatus) -> str:
    activity = status.activity
    beat = activity.heartbeat
    if beat is None:
        return "No load has run yet."
    what = f"`{beat.command}` (run {beat.run_id}, process {beat.pid})"
    answer = f"; the portal last answered at {_local(beat.last_batch_at)}" if (
        beat.last_batch_at
    ) else ""  # fmt: skip
    lines = {
        "running": f"Load running: {what}{_pace(status)}.",
        "reconciling": f"Load running: {what} is looking up {beat.detail} whose reply was "
        f"lost (since {_local(activity.since)}).",
        "waiting": f"Load waiting for the portal since {_local(activity.since)}: {what}; "
        f"{beat.detail}{answer}.",
        "stuck": f"Load stuck: {what} has not written since {_local(beat.beat_at)}.",
        "interrupted": _interrupted(activity, what, answer),
        "finished": f"Last load finished at {_local(activity.since)}: {what}.",
        "failed": f"Last load failed at {_local(activity.since)}: {what}: {beat.detail}.",
    }
    return lines.get(activity.state, f"Last load: {activity.state}.")


def _interrupted(activity: Activity, what: str, answer: str) -> str:
    beat = activity.heartbeat
    assert beat is not None
    if beat.active:  # it claimed to work, but its process is gone
        return (f"Load interrupted: {what} is gone (killed or crashed); its last sign of life "
                f"was at {_local(beat.beat_at)}{answer}.")  # fmt: skip
    return f"Load interrupted at {_local(beat.since)}: {what}: {beat.detail or 'stopped'}."


def _pace(status: LoadStatus) -> str:
    if status.running_rate is None or status.eta_seconds is None:
        return ""
    return f"; {status.running_rate:.1f} records/s, about {_duration(status.eta_seconds)} left"


def _local(moment: datetime | None) -> str:
    return "?" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
