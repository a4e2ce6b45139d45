"""Names from a full-name column *and* part columns, without losing a part.

amoCRM writes `Полное имя контакта` («Иванов Иван Иванович») beside `Имя` and `Фамилия`; the
patronymic is only in the full name. Explicit part columns win where they have a value; a part
they leave empty is taken from the split full name when it adds a word the explicit parts do
not already hold. Words of the full name that land in no part are reported, never dropped
silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mappings.model import fold_text

__all__ = ["Leftover", "compose_parts"]


@dataclass(frozen=True, slots=True)
class Leftover:
    """Words of a row's full name that no name field holds."""

    index: int
    words: str


def compose_parts(
    columns: Mapping[str, np.ndarray],
    split: Mapping[str, np.ndarray],
    rows: np.ndarray,
    full_names: np.ndarray,
    targets: Sequence[str],
) -> list[Leftover]:
    """Fill empty parts of ``rows`` (in place) from ``split``; return unplaced words.

    ``columns`` hold the explicit parts (every target present), ``split`` the parts the full
    name splits into, ``full_names`` the cleaned full name per row.
    """
    lost = []
    for i in rows:
        words = _words(*(columns[t][i] for t in targets))
        for target in targets:
            part = split[target][i]
            if columns[target][i] is None and part and not _words(part) & words:
                columns[target][i] = part
                words |= _words(part)
        rest = [w for w in str(full_names[i] or "").split() if fold_text(w) not in words]
        if rest:
            lost.append(Leftover(int(i), " ".join(rest)))
    return lost


def _words(*texts: object) -> set[str]:
    return {fold_text(w) for t in texts if t for w in str(t).split()}
