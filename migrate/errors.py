"""The error tree of b24migrate.

Every failure of a run as a whole raises one of these; a problem in one row of data never
raises, it becomes an :class:`~migrate.issues.Issue`.

```
MigrationError                 exit code 2 unless a subclass says otherwise
├── ConfigError                migration.yaml missing or wrong, bad CLI usage
├── MappingError               a mapping file has problems (all of them listed at once)
├── SourceReadError            a source file cannot be read (names file/sheet/row)
├── ValidationFailed           issues above --fail-on (exit 1)
├── LoadError                  exit 3: the portal refused records or credentials for good
│   ├── PortalTransientError   exit 4: the portal did not answer (network, 5xx); resumable
│   └── PortalTerminalError    the portal refused: fix data/mapping/permissions first
├── CheckpointError            the ledger is unusable or inconsistent
└── Interrupted                Ctrl-C / SIGTERM during a load (exit 4, resumable)
```

A message says where (file, sheet, row, column or batch and entity), what (the rule and the
value, cut to 80 characters) and what to do next, with names in backticks.
"""

from __future__ import annotations

__all__ = [
    "CheckpointError",
    "ConfigError",
    "Interrupted",
    "LoadError",
    "MappingError",
    "MigrationError",
    "PortalTerminalError",
    "PortalTransientError",
    "SourceReadError",
    "ValidationFailed",
    "shorten",
]


def shorten(value: object, limit: int = 80) -> str:
    """Return ``value`` as text cut to ``limit`` characters, for messages."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MigrationError(Exception):
    """Base of every error that stops a b24migrate command."""

    exit_code: int = 2

    def __init__(self, message: str, *, next_step: str | None = None) -> None:
        self.message = message
        self.next_step = next_step
        super().__init__(message if not next_step else f"{message}\nNext: {next_step}")


class ConfigError(MigrationError):
    """`migration.yaml`, a CLI option or the environment is missing or wrong."""


class MappingError(MigrationError):
    """A mapping file is wrong; ``problems`` lists every one of them (file:line: text)."""

    def __init__(
        self, message: str, problems: list[str] | None = None, *, next_step: str | None = None
    ) -> None:
        self.problems = list(problems or [])
        body = (
            message
            if not self.problems
            else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        )
        super().__init__(body, next_step=next_step)


class SourceReadError(MigrationError):
    """A source file cannot be read at all (not a row-level problem)."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        next_step: str | None = None,
    ) -> None:
        self.source, self.sheet, self.row = source, sheet, row
        where = ", ".join(
            part
            for part in (
                f"`{source}`" if source else "",
                f"sheet `{sheet}`" if sheet else "",
                f"row {row}" if row is not None else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message, next_step=next_step)


class ValidationFailed(MigrationError):
    """Validation found issues at or above the `--fail-on` severity."""

    exit_code = 1


class LoadError(MigrationError):
    """The load could not finish."""

    exit_code = 3


class PortalTransientError(LoadError):
    """A failure that may pass: the portal or the network did not answer. Nothing is lost and
    re-running the command resumes, so it is "interrupted but resumable" (exit 4), not a
    terminal failure."""

    exit_code = 4


class PortalTerminalError(LoadError):
    """The portal refused for a reason that will not pass by waiting (auth, permissions, data)."""


class CheckpointError(MigrationError):
    """The ledger is unusable or inconsistent."""


class Interrupted(MigrationError):
    """The run was interrupted (Ctrl-C); the ledger is consistent and `load` resumes it."""

    exit_code = 4
