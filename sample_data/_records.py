"""Turning entities into export records, some of them planted duplicates."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

__all__ = ["Entity", "records_with_duplicates"]


class Entity(Protocol):
    """Anything that remembers which export records describe it."""

    record_ids: list[str]


E = TypeVar("E", bound=Entity)


def records_with_duplicates(
    rng: random.Random,
    entities: Sequence[E],
    n_records: int,
    ids: list[str],
    make: Callable[[random.Random, E, str, bool], dict[str, str]],
) -> list[dict[str, str]]:
    """One record per entity plus extra records (1–2 more for a random entity) up to
    ``n_records``, shuffled; ``make(rng, entity, id, duplicate)`` builds each row."""
    owners: list[tuple[E, bool]] = [(e, False) for e in entities]
    extra = n_records - len(entities)
    while extra > 0:
        entity = rng.choice(entities)
        k = min(extra, rng.choice([1, 1, 1, 2]))
        owners += [(entity, True)] * k
        extra -= k
    rng.shuffle(owners)
    rows = []
    for (entity, duplicate), rid in zip(owners, ids, strict=False):
        entity.record_ids.append(rid)
        rows.append(make(rng, entity, rid, duplicate))
    return rows
