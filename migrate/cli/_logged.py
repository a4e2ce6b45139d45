"""Every command that works on a workspace logs its run to `.b24migrate/logs/<run-id>.jsonl`.

The root group wraps each command's callback once (:func:`with_run_log`): when the command
has a ``--workspace`` (the ``root`` parameter) that holds a `migration.yaml`, the run is logged
with :func:`migrate.workspace.runlog.run_log`, secrets of the workspace's config masked, from the
command's start (its options) to its end (exit code, or the error's one line).
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any

import click

from migrate.errors import MigrationError
from migrate.workspace.runlog import config_secrets, redact_text, run_log

__all__ = ["with_run_log"]

log = logging.getLogger("migrate.cli")


def with_run_log(command: click.Command) -> click.Command:
    """``command`` with its callback logged (idempotent)."""
    callback = command.callback
    if callback is None or getattr(callback, "_run_logged", False):
        return command

    @functools.wraps(callback)
    def logged(*args: Any, **kwargs: Any) -> Any:
        root = kwargs.get("root")
        if not isinstance(root, Path) or not (root / "migration.yaml").is_file():
            return callback(*args, **kwargs)
        secrets = _secrets(root)
        with run_log(root, command.name or "command", secrets=secrets):
            options = {k: str(v) for k, v in kwargs.items()}
            log.info(
                "command started",
                extra={
                    "event": "start",
                    "command": command.name,
                    "options": options,
                    "argv": sys.argv[1:],
                },
            )
            try:
                result = callback(*args, **kwargs)
            except click.exceptions.Exit as exc:
                log.info("command finished", extra={"event": "end", "exit_code": exc.exit_code})
                raise
            except MigrationError as exc:
                exc.message = redact_text(exc.message, secrets)  # the line main() prints
                exc.next_step = exc.next_step and redact_text(exc.next_step, secrets)
                log.error(
                    "%s",
                    exc.message,
                    extra={"event": "end", "exit_code": exc.exit_code, "next_step": exc.next_step},
                )
                raise
            except BaseException as exc:
                log.error(
                    "command stopped: %s", type(exc).__name__, exc_info=True, extra={"event": "end"}
                )
                raise
            log.info("command finished", extra={"event": "end", "exit_code": 0})
            return result

    logged._run_logged = True  # type: ignore[attr-defined]
    command.callback = logged
    return command


def _secrets(root: Path) -> tuple[str, ...]:
    from migrate.workspace.config import Workspace

    try:
        return config_secrets(Workspace.at(root).load_config())
    except MigrationError:
        return ()
