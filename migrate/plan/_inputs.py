"""What a plan was made from, so that `load` executes only a plan of the current inputs.

The plan stores a fingerprint of its inputs — `migration.yaml`, the mapping files, every source
file (and the `offers*.xml` a CommerceML `import.xml` reads beside it), the client's dedupe
decisions — with its records, in the same transaction. `load` recomputes it: a source edited,
a mapping changed or decisions imported since the plan mean the ledger holds a plan of other
inputs (or a newer plan was interrupted before it could replace it), and the load stops.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from migrate.config import MigrationConfig, Workspace
from migrate.errors import CheckpointError, MigrationError
from migrate.ledger import Ledger

__all__ = ["INPUTS_META", "check_plan_current", "inputs_fingerprint"]

INPUTS_META = "plan.inputs"
_DECISIONS = Path(".b24migrate") / "dedupe_decisions.json"


def inputs_fingerprint(workspace: Workspace, config: MigrationConfig) -> str:
    """A digest of every file the plan reads (names relative to the workspace, and content)."""
    digest = hashlib.blake2b(digest_size=20)
    for path in _input_files(workspace, config):
        digest.update(_label(path, workspace.root).encode("utf-8") + b"\0")
        if path.is_file():
            with path.open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "blake2b").digest())
    return digest.hexdigest()


def check_plan_current(ledger: Ledger, workspace: Workspace, config: MigrationConfig) -> None:
    """Refuse to load a ledger whose plan was made from other inputs than those on disk now.

    Raises:
        CheckpointError: no complete plan of the current inputs is in the ledger.
    """
    stored = ledger.meta(INPUTS_META)
    try:
        current = inputs_fingerprint(workspace, config)
    except MigrationError:
        current = None  # a source that cannot be found now: not the plan's inputs either
    if stored is not None and stored == current:
        return
    raise CheckpointError(
        "the ledger holds no complete plan of the current sources, mappings and decisions "
        "(they changed since the last plan, or that plan was interrupted)",
        next_step="run `b24migrate plan` again, then `b24migrate load`",
    )


def _input_files(workspace: Workspace, config: MigrationConfig) -> list[Path]:
    files = [workspace.config_path, workspace.root / _DECISIONS]
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
