"""`b24migrate demo`: the whole migration of the bundled sample into a local sandbox portal."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from migrate.cli._options import output_options
from migrate.cli._progress import progress_bars
from migrate.cli._safe import json_text, terminal_text
from migrate.demo import DemoResult, DemoSettings, run_demo

__all__ = ["command"]

_REPORTS = (
    "errors.xlsx",
    "duplicates.xlsx",
    "plan.xlsx",
    "owners.xlsx",
    "load.xlsx",
    "summary.html",
)


@click.command("demo")
@click.option(
    "--workspace",
    "-w",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the demo workspace (default: a new temp folder). Must not hold one.",
)
@click.option(
    "--plan",
    type=click.Choice(["unlimited", "standard", "enterprise"]),
    default="unlimited",
    show_default=True,
    help="The sandbox's REST limits. `standard` (2 req/s, burst 50) shows real timing: "
    "the sample takes 5+ minutes.",
)
@click.option("--faults", is_flag=True, help="Inject failures during the load; show recovery.")
@click.option(
    "--rows",
    type=click.IntRange(min=1),
    default=None,
    help="Keep only the first N rows of each sample file (a quick run).",
)
@click.option(
    "--from-portal",
    "from_portal",
    is_flag=True,
    help="Migrate a second, seeded sandbox portal (read over REST, never written) instead of "
    "the sample export; both portals are compared record by record at the end.",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Keep the sandbox portal served after the demo, until Ctrl-C (to look at its data).",
)
@output_options
def command(
    root: Path | None,
    plan: str,
    faults: bool,
    rows: int | None,
    from_portal: bool,
    serve: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Run the whole migration of the bundled amoCRM sample into a local sandbox portal.

    Writes a workspace (init --from sample), serves the sandbox portal on 127.0.0.1, then
    runs validate → dedupe → plan → load → report and prints where the reports are, the
    webhook of the portal and the next commands. Exit code 3 when a stage failed.

    \b
    Example:
      b24migrate demo
      b24migrate demo --faults --workspace ./demo-ws
      b24migrate demo --plan standard --serve
      b24migrate demo --from-portal
    """
    folder = root or Path(tempfile.mkdtemp(prefix="b24migrate-demo-"))
    settings = DemoSettings(folder.resolve(), plan=plan, faults=faults, rows=rows,
                            from_portal=from_portal)  # fmt: skip
    bars = progress_bars(quiet, as_json)
    say = (lambda _line: None) if as_json else click.echo
    if not as_json:
        click.echo(f"Workspace: {settings.root}")
        click.echo(_limits_line(plan))

    def finish(result: DemoResult) -> None:  # called while the portal is still served
        if bars is not None:
            bars.progress.stop()
        _output(result, faults, as_json, serving=serve)
        if serve:
            _wait_for_interrupt()

    if bars is None:
        result = run_demo(settings, say=say, hold=finish)
    else:
        with bars:
            result = run_demo(settings, on_progress=bars, say=bars.say, hold=finish)
    if result.failed is not None or result.differences:
        raise click.exceptions.Exit(3)


def _limits_line(plan: str) -> str:
    if plan == "unlimited":
        return (
            "Sandbox running without rate limits; use --plan standard to see real timing "
            "(2 requests/s, 50 commands each: about 100 records/s)."
        )
    return f"Sandbox running with the {plan} plan's rate limits (real timing)."


def _output(result: DemoResult, faults: bool, as_json: bool, *, serving: bool) -> None:
    if as_json:
        click.echo(json_text(_as_json(result)))
    else:
        _render(result, faults, serving)


def _wait_for_interrupt() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Sandbox portal stopped.")


def _render(result: DemoResult, faults: bool, serving: bool) -> None:
    ws = result.workspace.root
    failed = result.failed
    if failed is not None:
        verb = "finished with failures" if failed.name == "load" else "stopped the demo"
        click.echo(terminal_text(f"`{failed.name}` {verb}: {failed.line}"))
        if failed.error:
            click.echo(f"Next: {failed.error}")
    if faults:
        _render_recovery(result)
    elif result.check is not None:
        click.echo(
            f"Check against the portal: {result.check.expected:,} records, "
            f"lost={result.check.lost} duplicated={result.check.duplicated}"
        )
    if result.differences is not None:
        shown = "; ".join(result.differences[:3])
        line = f"{len(result.differences)} differences" + (f" ({shown})" if shown else "")
        click.echo(terminal_text(f"Source and target portals compared record by record: {line}"))
    total = sum(s.seconds for s in result.steps)
    click.echo(f"Done in {total:.0f} s: validate → dedupe → plan → load → report.")
    click.echo("Reports:")
    for name in _REPORTS:
        path = result.report(name)
        if path is not None:
            click.echo(f"  {path}")
    click.echo(f"Log: {result.log.path}")
    data = ws / ".b24migrate" / "sandbox"
    port, token = _port_token(result.webhook_url)
    if serving:
        click.echo(f"Sandbox portal serving until Ctrl-C (data in {data}):")
        click.echo(f"  webhook: {result.webhook_url}")
    else:
        click.echo(f"Sandbox portal (stopped with the demo; data in {data}):")
        click.echo(f"  webhook was {result.webhook_url}")
        click.echo(
            f"  serve it again:  b24migrate sandbox serve --data {data} --port {port} "
            f"--token {token}   (or run the demo with --serve)"
        )
    click.echo(
        f"  then look:       curl '{result.webhook_url}crm.contact.list?start=0'  "
        f"and  curl {result.stats_url}"
    )
    click.echo(
        "Next (the workspace now opens the same sandbox data in-process: portal.url: sandbox):"
    )
    click.echo(f"  open {ws / 'reports' / 'summary.html'}")
    click.echo(f"  b24migrate status -w {ws}")
    click.echo(f"  b24migrate plan -w {ws} --skip-refused  # again: all unchanged")
    click.echo(f"  b24migrate rollback -w {ws} --yes       # delete what the load created")
    click.echo("  your own data: b24migrate init my-migration --source DIR")
    click.echo("  the whole procedure: docs/runbook.md")


def _render_recovery(result: DemoResult) -> None:
    faults = result.portal_stats.get("faults", {})
    injected = ", ".join(f"{n} × {k}" for k, n in sorted(faults.items())) or "none"
    load = next((s for s in result.steps if s.name == "load"), None)
    click.echo(f"Failures injected by the portal: {injected}")
    click.echo(
        f"Recovery: {result.retries:,} requests retried by the client"
        + (f"; load: {load.line}" if load else "")
    )
    if result.check is not None:
        c = result.check
        click.echo(
            f"Check against the ledger and the portal: {c.expected:,} records, "
            f"lost={c.lost} duplicated={c.duplicated} unaccounted={c.unaccounted}"
        )


def _port_token(url: str) -> tuple[str, str]:
    """``http://127.0.0.1:PORT/rest/1/TOKEN/`` → (PORT, TOKEN)."""
    host, _, path = url.split("://", 1)[1].partition("/")
    return host.rpartition(":")[2], path.strip("/").split("/")[-1]


def _as_json(result: DemoResult) -> dict[str, object]:
    check = result.check
    return {
        "workspace": str(result.workspace.root),
        "webhook_url": result.webhook_url,
        "steps": [
            {
                "name": s.name,
                "seconds": round(s.seconds, 2),
                "result": s.line,
                "report": str(s.report) if s.report else None,
                "error": s.error,
            }
            for s in result.steps
        ],
        "reports": {n: str(p) for n in _REPORTS if (p := result.report(n))},
        "check": None
        if check is None
        else {
            "expected": check.expected,
            "lost": check.lost,
            "duplicated": check.duplicated,
            "unaccounted": check.unaccounted,
        },
        "retries": result.retries,
        "differences": None if result.differences is None else list(result.differences),
        "faults": result.portal_stats.get("faults", {}),
        "log": str(result.log.path),
    }
