"""Clusters from matched pairs: union-find with guards.

Only strong links merge: pairs whose match probability reached the ``match`` threshold (and
that no ``required`` comparison vetoed), plus pairs the client told us to merge. Connected
components are found with vectorised pointer jumping. A component that breaks a guard — more
than ``max_cluster`` records, two different valid values of a strong identifier (two INNs), or
two records the client kept apart — is rebuilt edge by edge, strongest first, refusing every
union that would break the guard (Kruskal-style). That is how a weak chain of links cannot pull
thousands of records into one cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from migrate.dedupe._features import sorted_unique, unique_counts

__all__ = ["Clustering", "cluster_records", "connected_components"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Clustering:
    """``labels[i]`` = the cluster (smallest record index in it) of record ``i``."""

    labels: IntArray
    rebuilt: int  # components that broke a guard and were rebuilt


def connected_components(n: int, a: IntArray, b: IntArray) -> IntArray:
    """Label every record with the smallest record index of its component."""
    parent = np.arange(n, dtype=np.int64)
    if len(a) == 0:
        return parent
    while True:
        pa, pb = parent[a], parent[b]
        if (pa == pb).all():
            return parent
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        np.minimum.at(parent, hi, lo)
        while True:
            jumped = parent[parent]
            if (jumped == parent).all():
                break
            parent = jumped


def cluster_records(
    n: int,
    a: IntArray,
    b: IntArray,
    strength: FloatArray,
    *,
    max_cluster: int,
    strong_codes: Sequence[IntArray] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    forced: npt.NDArray[np.bool_] | None = None,
) -> Clustering:
    """Cluster ``n`` records from links ``(a[i], b[i])`` of ``strength[i]`` with the guards.

    ``strong_codes`` holds, per strong identifier, a value code per record (``-1`` = none or
    invalid); ``forced`` marks links the client decided (they ignore size and identifier guards
    but never a ``cannot_link`` pair).
    """
    labels = connected_components(n, a, b)
    forced = np.zeros(len(a), dtype=bool) if forced is None else forced
    bad = _components_breaking_guards(labels, max_cluster, strong_codes)
    separate = {(min(x, y), max(x, y)) for x, y in cannot_link}
    for x, y in separate:
        if labels[x] == labels[y]:
            bad.add(int(labels[x]))
    if not bad:
        return Clustering(labels, 0)
    in_bad = np.isin(labels[a], np.fromiter(bad, dtype=np.int64))
    members = np.isin(labels, np.fromiter(bad, dtype=np.int64))
    labels = labels.copy()
    labels[members] = np.flatnonzero(members)
    order = np.flatnonzero(in_bad)
    order = order[np.lexsort((-strength[order], ~forced[order]))]
    guard = _Guard(labels, max_cluster, strong_codes, separate)
    for edge in order:
        guard.union(int(a[edge]), int(b[edge]), bool(forced[edge]))
    return Clustering(guard.final(), len(bad))


def _components_breaking_guards(
    labels: IntArray, max_cluster: int, strong_codes: Sequence[IntArray]
) -> set[int]:
    sizes = np.bincount(labels, minlength=len(labels))
    bad = set(np.flatnonzero(sizes > max_cluster).tolist())
    for codes in strong_codes:
        has = codes >= 0
        width = np.int64(codes.max() + 1) if has.any() else np.int64(1)
        pairs = sorted_unique(labels[has] * width + codes[has])
        if len(pairs):
            roots, counts = unique_counts(pairs // width)
            bad.update(roots[counts > 1].tolist())
    return bad


class _Guard:
    """A small union-find over the records of the components that broke a guard."""

    def __init__(
        self,
        labels: IntArray,
        max_cluster: int,
        strong_codes: Sequence[IntArray],
        separate: set[tuple[int, int]],
    ) -> None:
        self.parent: dict[int, int] = {}
        self.labels = labels
        self.max_cluster = max_cluster
        self.strong = strong_codes
        self.size: dict[int, int] = {}
        self.values: dict[int, list[set[int]]] = {}
        self.members: dict[int, set[int]] = {}
        self.separate: dict[int, set[int]] = {}
        for x, y in separate:
            self.separate.setdefault(x, set()).add(y)
            self.separate.setdefault(y, set()).add(x)

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def _init(self, root: int) -> None:
        if root not in self.size:
            self.size[root] = 1
            self.members[root] = {root}
            self.values[root] = [{int(c[root])} - {-1} for c in self.strong]

    def union(self, x: int, y: int, forced: bool) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return
        self._init(rx)
        self._init(ry)
        if not forced:
            if self.size[rx] + self.size[ry] > self.max_cluster:
                return
            for vx, vy in zip(self.values[rx], self.values[ry], strict=True):
                if vx and vy and vx != vy:
                    return
        small, large = sorted((rx, ry), key=lambda r: self.size[r])
        for member in self.members[small]:
            if self.separate.get(member, set()) & self.members[large]:
                return
        self.parent[small] = large
        self.size[large] += self.size.pop(small)
        self.members[large] |= self.members.pop(small)
        for vl, vs in zip(self.values[large], self.values.pop(small), strict=True):
            vl |= vs

    def final(self) -> IntArray:
        labels = self.labels.copy()
        groups: dict[int, int] = {}
        for x in list(self.parent):
            root = self.find(x)
            groups[root] = min(groups.get(root, x), x)
        for x in list(self.parent):
            labels[x] = groups[self.find(x)]
        return labels
