"""b24migrate: move a company's CRM data into Bitrix24.

The pipeline is read → map → clean → validate → dedupe → plan → load, run by one orchestrator,
:class:`Migration` (``Migration("acme").plan()``); ``docs/architecture.md`` in the repository
maps the rooms and the walls between them, ``docs/internals.md`` the hand-offs.
"""

from typing import Any

from migrate.errors import (
    CheckpointError,
    ConfigError,
    Interrupted,
    LoadError,
    MappingError,
    MigrationError,
    PortalTerminalError,
    PortalTransientError,
    SourceReadError,
    ValidationFailed,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``migrate.Migration`` is imported on first use: the command line's start stays light."""
    if name == "Migration":
        from migrate.run import Migration

        return Migration
    raise AttributeError(f"module 'migrate' has no attribute {name!r}")


__all__ = [
    "CheckpointError",
    "ConfigError",
    "Interrupted",
    "LoadError",
    "MappingError",
    "Migration",
    "MigrationError",
    "PortalTerminalError",
    "PortalTransientError",
    "SourceReadError",
    "ValidationFailed",
    "__version__",
]
