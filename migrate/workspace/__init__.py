"""The workspace: `migration.yaml` and the folders beside it, the run logs, the stage store.

``config`` loads `migration.yaml` into frozen dataclasses (:class:`Workspace` names the
folders); ``presets`` reads what each kind of export looks like, ``recognize`` places an export's
files on entities and fits the mappings to them, ``scaffold`` writes a new workspace
(`b24migrate init`); ``runlog`` keeps one JSON-lines log per command; ``sample`` copies the
bundled sample for a quick demo.
"""

from migrate.workspace.config import (
    CONFIG_FILE,
    MigrationConfig,
    Secret,
    SourceSpec,
    Workspace,
    load_config,
    redact_url,
)

__all__ = [
    "CONFIG_FILE",
    "MigrationConfig",
    "Secret",
    "SourceSpec",
    "Workspace",
    "load_config",
    "redact_url",
]
