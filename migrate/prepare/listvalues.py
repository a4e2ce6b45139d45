"""List values written as the portal's item *names* matched to the item ids.

Exports show list fields the way people read them: Bitrix24's own CSV writes «Звонок» for
SOURCE_ID `CALL`, «г-н» for HONORIFIC `HNR_RU_1`, «Оптовые продажи» for pipeline 1 and the
stage's name for STAGE_ID. A value is matched to an item by its id first, then by its name
folded the way people read it (case, spaces, «ё», Latin look-alike letters: a stage name typed
with a Latin «C» is the same stage). A name two items share is not guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mappings.model import fold_text

__all__ = ["ListItems"]


class ListItems:
    """The items of one list (id → name) and a matcher for values written either way."""

    def __init__(self, items: Mapping[str, str]) -> None:
        self.items = {str(k): str(v) for k, v in items.items()}
        self._ids = {fold_text(k): k for k in self.items}
        names: dict[str, list[str]] = {}
        for item_id, name in self.items.items():
            names.setdefault(fold_text(name), []).append(item_id)
        self._names = {n: ids[0] for n, ids in names.items() if len(ids) == 1}

    def match(self, value: Any) -> str | None:
        """The id ``value`` stands for (itself when it is an id), or ``None``."""
        if value is None:
            return None
        text = str(value)
        if text in self.items:
            return text
        folded = fold_text(text)
        return self._ids.get(folded) or self._names.get(folded)

    def label(self, item_id: str) -> str:
        """How the item reads: its name (its id when it has none)."""
        return self.items.get(item_id) or item_id
