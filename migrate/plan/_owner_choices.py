"""The client's owner choices, kept in the workspace between plans.

`reports/owners.xlsx` is rewritten by every `plan`; what the client wrote in it is read back
first (:func:`migrate.reports.owners_xlsx.unread_owner_choices`) and kept here, so a choice
binds every later plan and is part of the plan's inputs fingerprint (a choice changed since
the plan stops `load`). One JSON file, ``.b24migrate/owner_choices.json``, keyed by
:func:`~migrate.plan._owners.owner_key` of the legacy owner::

    {"version": 1, "choices": {"попова елена": {"legacy": "Попова Елена", "value": "7",
                                                 "where": "owners.xlsx sheet … row 5 …"}}}
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from migrate.errors import ConfigError
from migrate.plan._owners import OwnerChoice
from migrate.workspace.config import OWNER_CHOICES_FILE

__all__ = ["OwnerChoiceStore"]


class OwnerChoiceStore:
    """Owner choices by legacy owner in one JSON file under the workspace (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_workspace(cls, workspace: Path) -> OwnerChoiceStore:
        """The store at ``<workspace>/.b24migrate/owner_choices.json``."""
        return cls(workspace / OWNER_CHOICES_FILE)

    def load(self) -> dict[str, OwnerChoice]:
        """Every stored choice by :func:`owner_key` (empty when none was read yet)."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {
                str(key): OwnerChoice(str(c["legacy"]), str(c["value"]), str(c.get("where", "")))
                for key, c in data["choices"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(
                f"`{self.path}`: the owner choices file is damaged ({exc})",
                next_step="restore it from a backup, or delete it and write the choices into "
                "reports/owners.xlsx again",
            ) from exc

    def apply(self, changes: Iterable[OwnerChoice]) -> dict[str, OwnerChoice]:
        """Store ``changes`` (an empty value withdraws the choice for that owner); return the
        choices now stored."""
        stored = self.load()
        for choice in changes:
            if choice.value:
                stored[choice.key] = choice
            else:
                stored.pop(choice.key, None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": 1, "choices": {k: {"legacy": c.legacy, "value": c.value,
                                              "where": c.where}
                                          for k, c in sorted(stored.items())}}  # fmt: skip
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".owners-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)
        return stored
