"""What a plan is made from: one fingerprint of every file of the workspace it reads.

The plan stores :func:`inputs_fingerprint` — `migration.yaml`, the mapping files, every source
file (and the `offers*.xml` a CommerceML `import.xml` reads beside it), the client's dedupe
decisions and owner choices (`owners.xlsx` as read back) — with its records, in the same ledger
transaction. `load` recomputes it (:func:`migrate.ledger.blockers.check_plan_current`): a
source edited, a mapping changed or decisions imported since the plan mean the ledger holds a
plan of other inputs (or a newer plan was interrupted before it could replace it), and the load
stops.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from migrate.workspace.config import (
    DECISIONS_FILE,
    OWNER_CHOICES_FILE,
    MigrationConfig,
    Workspace,
)

__all__ = ["inputs_fingerprint"]


def inputs_fingerprint(workspace: Workspace, config: MigrationConfig) -> str:
    """A digest of every file the plan reads (names relative to the workspace, and content).

    Raises:
        ConfigError: a source file named in `migration.yaml` does not exist.
    """
    digest = hashlib.blake2b(digest_size=20)
    for path in _input_files(workspace, config):
        digest.update(_label(path, workspace.root).encode("utf-8") + b"\0")
        if path.is_file():
            with path.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "blake2b").digest())
    return digest.hexdigest()


def _input_files(workspace: Workspace, config: MigrationConfig) -> list[Path]:
    files = [workspace.config_path, workspace.root / DECISIONS_FILE,
             workspace.root / OWNER_CHOICES_FILE]  # fmt: skip
    mappings = workspace.mappings_dir(config)
    if mappings.is_dir():
        files += sorted(p for p in mappings.iterdir() if p.is_file())
    for spec in config.sources.values():
        for path in workspace.source_files(spec):
            files.append(path)
            if path.suffix.lower() == ".xml":  # CommerceML reads offers*.xml beside import.xml
                files += sorted(path.parent.glob("offers*.xml"))
    return files


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
