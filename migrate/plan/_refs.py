"""References between records: source keys in clean tables → ledger :class:`Ref` objects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from migrate.ledger import Ref

__all__ = ["ReferenceIndex", "ResolvedRefs"]


@dataclass(frozen=True, slots=True)
class ResolvedRefs:
    """The references of one field: ``refs`` to write, ``missing`` keys nobody plans."""

    refs: tuple[Ref, ...]
    missing: tuple[str, ...]


class ReferenceIndex:
    """Which records exist, so a reference is either a :class:`Ref` or a plan issue.

    Built from the keys every entity's clean table plans (after dedupe, absorbed keys point
    to their survivor through ``survivors``) plus the keys the ledger already holds from
    earlier plans. A reference is resolved at send time, when its target has a portal id.
    """

    def __init__(
        self,
        keys: Mapping[str, Iterable[str]],
        survivors: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._keys = {entity: set(values) for entity, values in keys.items()}
        self._survivors = survivors or {}

    def survivor(self, entity: str, key: str) -> str:
        """The key that stands for ``key`` after dedupe (itself when not absorbed)."""
        return self._survivors.get(entity, {}).get(key, key)

    def resolve(self, path: str, entity: str, keys: str | Sequence[str] | None) -> ResolvedRefs:
        """References for the field at ``path`` to ``entity`` records with these source keys.

        A single key gives ``path`` itself; several give ``path.0``, ``path.1``… in order,
        with duplicates (two absorbed keys of one survivor) removed.
        """
        if keys is None or keys == "":
            return ResolvedRefs((), ())
        single = isinstance(keys, str)
        wanted: list[str] = []
        for key in [keys] if isinstance(keys, str) else keys:
            survivor = self.survivor(entity, str(key).strip())
            if survivor and survivor not in wanted:
                wanted.append(survivor)
        known = self._keys.get(entity, set())
        found = [k for k in wanted if k in known]
        missing = tuple(k for k in wanted if k not in known)
        if single:
            return ResolvedRefs(tuple(Ref(path, entity, k) for k in found), missing)
        return ResolvedRefs(
            tuple(Ref(f"{path}.{i}", entity, k) for i, k in enumerate(found)), missing
        )
