"""The orchestrator: one object that runs the stages in order and writes every report.

::

    migration = Migration("acme")
    migration.validate()            # prepare → reports/errors.xlsx
    migration.dedupe()              # dedupe on the prepared tables → reports/duplicates.xlsx
    migration.plan()                # plan on the deduplicated tables → ledger + plan.xlsx,
                                    # owners.xlsx (the client's owner choices read back first)
    migration.load()                # ledger → portal → reports/load.xlsx
    migration.report()              # reports/summary.html

Each stage takes the previous stage's typed result and returns its own; a stage never runs
another stage and never writes a report, and a report renders results and runs nothing. The
command line and the demo call this object and nothing else of the pipeline.

The pure stages (prepare, dedupe) are computed at most once per :class:`Migration` and kept in
the workspace's stage store (``.b24migrate/stages/``) keyed by their inputs, so `plan` after
`validate` and `dedupe` works on exactly what the client reviewed, and re-computes only the
entities whose files, mapping, decisions or settings changed. Every stage's computed and
reused entities are logged to the command's run log (``event: stage``).
"""

from migrate.run._migration import Migration
from migrate.run._outcomes import (
    Deduplicated,
    Loaded,
    LoadScope,
    OwnersReviewed,
    Planned,
    Reported,
    Retried,
    Validated,
)

__all__ = [
    "Deduplicated",
    "LoadScope",
    "Loaded",
    "Migration",
    "OwnersReviewed",
    "Planned",
    "Reported",
    "Retried",
    "Validated",
]
