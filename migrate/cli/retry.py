"""`b24migrate retry`: re-plan, then load the failed records again after a fix."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli._loading import common_options, run_and_render
from migrate.plan import run_plan
from migrate.workspace.config import Workspace

__all__ = ["command"]


@click.command("retry")
@click.option("--entity", "entities", multiple=True, help="Only failed records of this entity.")
@click.option("--no-plan", "no_plan", is_flag=True, help="Do not re-plan; re-send as planned.")
@click.option("--skip-refused", is_flag=True, help="Re-plan accepting refused rows (as `plan`).")
@common_options
def command(root: Path, quiet: bool, as_json: bool, no_plan: bool, skip_refused: bool,
            **options: object) -> None:  # fmt: skip
    """Re-plan, then load the failed records again after a fix.

    Re-planning carries a fix to the data or mapping into the failed records (the plan is a
    delta: loaded records that did not change are left alone); what is still failed is
    re-queued as it is, then everything planned is loaded.

    \b
    Example:
      b24migrate retry --workspace acme --entity deal
    """
    if not no_plan:
        run_plan(Workspace.at(root), skip_refused=skip_refused)
    result = run_and_render(root, quiet, as_json, retry=True, **options)
    if not as_json:
        how = "without re-planning" if no_plan else "after re-planning the workspace"
        click.echo(f"Retried {result.requeued} failed records {how}.")
