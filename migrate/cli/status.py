"""`b24migrate status`: the ledger per entity and state, failures, and an ETA during a load."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from migrate.cli._options import json_option, workspace_option
from migrate.cli._safe import json_text, terminal_text
from migrate.ledger.status import LoadStatus
from migrate.run import Migration

__all__ = ["command"]


@click.command("status")
@workspace_option
@click.option(
    "--failed",
    "failed_limit",
    default=20,
    show_default=True,
    help="How many failed records to list with the portal's error.",
)
@json_option
def command(root: Path, failed_limit: int, as_json: bool) -> None:
    """Show how many records are planned, sending, done, failed or blocked, per entity.

    Safe to run while a load is running (it only reads); then it also shows the rate and
    an estimate of the time left.

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
    run = status.last_run
    return {
        "migration": status.migration,
        "entities": [
            {
                "entity": e.entity,
                "planned": e.planned,
                "sending": e.sending,
                "done": e.done,
                "failed": e.failed,
                "blocked": e.blocked,
                "total": e.total,
            }
            for e in status.entities
        ],
        "remaining": status.remaining,
        "last_run": None
        if run is None
        else {
            "id": run.id,
            "kind": run.kind,
            "status": run.status,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        },
        "rate_per_second": status.running_rate,
        "eta_seconds": status.eta_seconds,
        "blocking_issues": status.blocking_issues,
        "failed": [
            {
                "entity": r.entity,
                "source_key": r.source_key,
                "op": str(r.op),
                "attempts": r.attempts,
                "error": r.last_error,
            }
            for r in status.failed
        ],
    }


def _render(status: LoadStatus) -> None:
    console = Console()
    table = Table(title=f"Migration `{status.migration}`")
    for name in ("entity", "planned", "sending", "done", "failed", "blocked", "total"):
        table.add_column(name, justify="left" if name == "entity" else "right")
    for e in status.entities:
        table.add_row(
            e.entity,
            *(str(v) for v in (e.planned, e.sending, e.done, e.failed, e.blocked, e.total)),
        )
    console.print(table)
    run = status.last_run
    if run is not None:
        console.print(
            f"Last run: {run.id} `{run.kind}` {run.status}, started "
            f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    if status.eta_seconds is not None and status.running_rate is not None:
        left = _duration(status.eta_seconds)
        console.print(f"Loading {status.running_rate:.1f} records/s; about {left} left")
    if status.blocking_issues:
        console.print(
            f"{status.blocking_issues} rows have problems that block the load; see "
            "reports/plan.xlsx (fix them, or `b24migrate plan --skip-refused`)"
        )
    for record in status.failed:
        console.print(
            terminal_text(
                f"failed {record.entity} `{record.source_key}` "
                f"({record.attempts} attempts): {record.last_error}"
            ),
            markup=False,
        )
    if any(e.failed for e in status.entities):
        console.print("Fix the data or mapping, run `b24migrate plan`, then `b24migrate load`.")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
