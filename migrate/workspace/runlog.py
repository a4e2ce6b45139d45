"""One JSON-lines log file per command run, in the workspace, with no secrets in it.

```python
with run_log(workspace.root, "load", secrets=config_secrets(config)) as log:
    ...                         # everything logged through `logging` lands in log.path
```

The file is ``WORKSPACE/.b24migrate/logs/<run-id>.jsonl``: one JSON object per line with
``ts`` (UTC ISO 8601), ``level``, ``logger``, ``message``, ``run`` and whatever ``extra`` the
caller passed (``logging.info("…", extra={"event": "stage", "stage": "plan"})``).
:class:`RedactSecrets` removes webhook codes (``/rest/<user>/<code>/``), ``auth=``,
``access_token``/``refresh_token``/``client_secret`` values and every secret named to it from
the message, its arguments, the extras and the exception text, before anything is written.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from migrate.workspace.config import redact_webhooks, webhook_secrets

__all__ = [
    "LOG_DIR",
    "JsonLinesFormatter",
    "RedactSecrets",
    "RunLog",
    "active_log",
    "config_secrets",
    "new_run_id",
    "redact_text",
    "run_log",
    "take_last_log",
]

LOG_DIR = Path(".b24migrate") / "logs"
MASK = "***"

_PATTERNS = (
    re.compile(
        r"((?:auth|access_token|refresh_token|client_secret|password|token)"
        r"[\"']?\s*[=:]\s*[\"']?)([^&\s\"',}]+)",
        re.IGNORECASE,
    ),
)
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "exc_text"}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret of ``secrets`` and every credential-shaped value masked."""
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return redact_webhooks(text)


class RedactSecrets(logging.Filter):
    """A handler filter that masks secrets in the message, its arguments, extras, exception."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage(), self.secrets)
        record.args = None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(text, self.secrets)
            record.exc_info = None
        for name, value in list(vars(record).items()):
            if name not in _RECORD_FIELDS:
                setattr(record, name, _redact_value(value, self.secrets))
        return True


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v, secrets) for v in value]
    return value


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "run": self.run_id,
        }
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and name not in body:
                body[name] = value
        if record.exc_text:
            body["exception"] = record.exc_text
        return json.dumps(body, ensure_ascii=False, default=str)


@dataclass(frozen=True, slots=True)
class RunLog:
    """The log of one run: its id and file."""

    run_id: str
    path: Path


def new_run_id(command: str, now: datetime | None = None) -> str:
    """``20261126T221503Z-plan-4711``: sortable, names the command, unique per process."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{moment}-{command.replace(' ', '-')}-{os.getpid()}"


_ACTIVE: list[RunLog] = []
_LAST: list[RunLog] = []


def active_log() -> RunLog | None:
    """The log of the command running in this process (``None`` outside :func:`run_log`), so
    a command can point at it when something went wrong."""
    return _ACTIVE[-1] if _ACTIVE else None


def take_last_log() -> RunLog | None:
    """The log of the last command of this process, also after it ended (for the error
    handler, which runs after the command's log is closed); forgotten once taken."""
    return _LAST.pop() if _LAST else None


@contextmanager
def run_log(
    root: Path,
    command: str,
    *,
    secrets: Iterable[str] = (),
    level: int = logging.INFO,
    loggers: Iterable[str] = ("migrate", "loaders"),
) -> Iterator[RunLog]:
    """Log ``loggers`` (at ``level`` and above) to a new JSON-lines file in ``root``."""
    run_id = new_run_id(command)
    path = root / LOG_DIR / f"{run_id}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(level)
    handler.addFilter(RedactSecrets(secrets))
    handler.setFormatter(JsonLinesFormatter(run_id))
    attached = [logging.getLogger(name) for name in loggers]
    previous = [lg.level for lg in attached]
    for lg in attached:
        lg.addHandler(handler)
        if lg.getEffectiveLevel() > level or lg.level == logging.NOTSET:
            lg.setLevel(level)
    log = RunLog(run_id, path)
    _ACTIVE.append(log)
    _LAST[:] = [log]
    try:
        yield log
    finally:
        _ACTIVE.remove(log)
        for lg, old in zip(attached, previous, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(old)
        handler.close()


def config_secrets(config: Any) -> tuple[str, ...]:
    """The secret texts of a :class:`~migrate.workspace.config.MigrationConfig`: the
    webhook or OAuth secrets of the target ``portal`` and of the ``source_portal``."""
    out: list[str] = []
    for portal in (getattr(config, "portal", None), getattr(config, "source_portal", None)):
        webhook = getattr(portal, "webhook", None)
        if webhook is not None and webhook.reveal():
            out += webhook_secrets(webhook.reveal())
        oauth = getattr(portal, "oauth", None)
        if oauth is not None:
            out += [oauth.client_secret.reveal(), oauth.refresh_token.reveal()]
    return tuple(s for s in out if s)
