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
from functools import lru_cache

import numpy as np
import pandas as pd

from mappings.model import FieldMapping, fold_text
from migrate.errors import shorten
from migrate.issues import ISSUE_COLUMNS, empty_issues, message

__all__ = ["Leftover", "compose_parts", "leftover_issues"]


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
        rest = [w for w in str(full_names[i] or "").split() if _fold_word(w) not in words]
        if rest:
            lost.append(Leftover(int(i), " ".join(rest)))
    return lost


def _words(*texts: object) -> set[str]:
    return {_fold_word(w) for t in texts if t for w in str(t).split()}


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    return fold_text(word)


def leftover_issues(
    where: tuple[str, str, str],
    spec: FieldMapping,
    lost: Sequence[Leftover],
    full: np.ndarray,
    rows: np.ndarray,
    keys: np.ndarray,
    language: str,
) -> pd.DataFrame:
    """A `name.words_left` warning per row of ``lost`` (``where``: entity, file, sheet)."""
    if not lost:
        return empty_issues()
    entity, source, sheet = where
    index = np.array([item.index for item in lost], dtype=np.int64)
    texts = [message("name.words_left", language, words=i.words) for i in lost]
    return pd.DataFrame(
        {
            "entity": entity, "source": source, "sheet": sheet, "row": rows[index],
            "key": keys[index], "column": ", ".join(spec.sources),
            "field": ", ".join(spec.split_fio), "rule": "name.words_left",
            "value": [shorten(full[i], 200) for i in index],
            "severity": spec.severity or "warning", "message": texts, "suggestion": "",
        },
        columns=list(ISSUE_COLUMNS),
    )  # fmt: skip
