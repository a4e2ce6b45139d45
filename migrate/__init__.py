"""b24migrate: move a company's CRM data into Bitrix24.

The pipeline is read → map → clean → validate → dedupe → plan → load; see
``ARCHITECTURE.md`` in the repository for the design.
"""

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
    "__version__",
]
