"""`dedupe_table`: blocking → scoring → clusters → survivorship for one entity's table.

The result (:class:`DedupeResult`) is what the plan consumes: ``key_map`` (every source key →
its survivor's key), ``survivors`` (merged rows, the CleanTable's columns plus ``_absorbed``),
``clusters`` (one row per record), ``pairs`` (matched and doubtful pairs with the probability
and the reason in words) and the decisions that bound the run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from migrate.dedupe._features import shared_texts
from migrate.dedupe._heap import heap_kept
from migrate.dedupe.blocking import SkippedBlock, candidate_pairs
from migrate.dedupe.cluster import cluster_records, connected_components
from migrate.dedupe.compare import Prepared, prepare
from migrate.dedupe.decisions import Decisions
from migrate.dedupe.explain import explain_pairs
from migrate.dedupe.model import FittedModel, probability
from migrate.dedupe.rules import Rules
from migrate.dedupe.scoring import score_candidates
from migrate.dedupe.survive import choose_masters, merge_rows
from migrate.errors import ConfigError
from migrate.progress import ProgressCallback, emit

__all__ = ["DedupeResult", "DedupeStats", "dedupe_table", "key_codes"]

IntArray = npt.NDArray[np.int64]
Levels = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]
CHUNK = 2_000_000


@dataclass(frozen=True, slots=True)
class DedupeStats:
    """Counts of one run, for the CLI and the summary."""

    records: int
    candidate_pairs: int
    pairs_per_key: dict[str, int]
    skipped_blocks: tuple[SkippedBlock, ...]
    matched_pairs: int
    review_pairs: int
    clusters: int
    merged_records: int
    rebuilt_clusters: int
    seconds: float


@dataclass(frozen=True, slots=True)
class DedupeResult:
    """What dedupe hands to the plan for one entity (see the module docstring)."""

    entity: str
    key_map: dict[str, str]
    survivors: pd.DataFrame
    clusters: pd.DataFrame
    pairs: pd.DataFrame
    model: FittedModel | None  # None when read back from the workspace's stage store
    decisions: Decisions
    stats: DedupeStats
    language: str = "ru"
    fields: tuple[str, ...] = field(default_factory=tuple)

    def review_groups(self) -> tuple[IntArray, IntArray]:
        """What the client reviews together: a group label per record (its cluster, joined
        with the clusters its doubtful pairs reach) and the size of every group."""
        keys = self.clusters["_key"].to_numpy(object)
        position = {k: i for i, k in enumerate(keys.tolist())}
        labels = self.clusters["cluster"].to_numpy(np.int64)
        first = pd.Series(np.arange(len(labels))).groupby(labels).transform("min").to_numpy()
        review = self.pairs[self.pairs["status"] == "review"]
        a = np.array([position[k] for k in review["key_a"]], dtype=np.int64)
        b = np.array([position[k] for k in review["key_b"]], dtype=np.int64)
        n = len(keys)
        group = connected_components(n, np.r_[np.arange(n), a], np.r_[first, b])
        return group, np.bincount(group, minlength=n)


# arrays of millions of pairs come and go: reuse their memory; read each column once
@heap_kept()
@shared_texts()
def dedupe_table(
    frame: pd.DataFrame,
    rules: Rules,
    *,
    key: str = "_key",
    decisions: Decisions | None = None,
    on_progress: ProgressCallback | None = None,
    seed: int = 0,
    explain: bool = True,
    survive: bool = True,
) -> DedupeResult:
    """Find and merge the duplicates of one entity's table.

    Args:
        frame: a CleanTable (or any table; comparisons normalise raw text themselves).
        rules: the entity's rules (:func:`~migrate.dedupe.rules.default_rules` or parsed YAML).
        key: the column holding each record's source key.
        decisions: the client's decisions; those naming absent keys are ignored.
        on_progress: told one line per step as the note of a tick of step ``dedupe ENTITY``
            (the candidate count comes before scoring).
        seed: seed of the random pairs that estimate u.
        explain: compute the reason text of matched and doubtful pairs.
        survive: merge the survivors' rows; without it ``survivors`` has the table's columns
            and no row (the stand-alone path writes only the clusters).
    """
    started = time.perf_counter()

    def say(line: str) -> None:
        emit(on_progress, f"dedupe {rules.entity}", 0, len(frame), unit="records", note=line)

    if key not in frame.columns:
        raise ConfigError(
            f"{rules.entity}: the key column `{key}` is not in the table",
            next_step=f"columns are: {', '.join(map(str, frame.columns))[:200]}",
        )
    frame = frame.reset_index(drop=True)
    keys = frame[key].map(lambda v: "" if v is None or v != v else str(v)).to_numpy(object)
    decided = (decisions or Decisions()).restricted_to(keys)
    prepared = [prepare(frame, c) for c in rules.comparisons]
    known = {p.comparison.name: key_codes(p) for p in prepared}
    found = candidate_pairs(frame, rules.blocking, max_block=rules.max_block, known=known,
                            max_key_pairs=_key_budget(rules, len(frame)))  # fmt: skip
    say(f"{rules.entity}: {len(frame)} records, {len(found.a)} candidate pairs "
        f"({', '.join(f'{k}: {v}' for k, v in found.per_key.items())})")  # fmt: skip
    for name, count in found.coarse.items():
        say(f"{rules.entity}: blocking key `{name}`: its {count} largest blocks skipped "
            f"(at most {rules.key_pairs:g} pairs per record)")  # fmt: skip
    for block in found.skipped:
        say(f"{rules.entity}: skipped block `{block.key}` = {block.value!r}: {block.size} records")
    a, b, forced = _with_decided_pairs(found.a, found.b, keys, decided)
    scored = score_candidates(prepared, rules, found, (a, b, forced), len(frame), seed)
    cand_levels, conflict, score, model = (scored.levels, scored.conflict, scored.score,
                                           scored.model)  # fmt: skip
    veto = scored.veto | scored.held
    prob = probability(score)
    prob[conflict.any(axis=0)] = 0.0
    apart = _separated(a, b, keys, decided)
    is_match = ((prob >= rules.match) & ~veto & ~apart) | forced
    is_review = (prob >= rules.review) & ~is_match & ~apart & ~conflict.any(axis=0)
    strong = [_strong_codes(p) for p in prepared if p.comparison.strong and p.valid is not None]
    link = np.flatnonzero(is_match)
    clustering = cluster_records(
        len(frame), a[link], b[link], prob[link] + forced[link], max_cluster=rules.max_cluster,
        strong_codes=strong, cannot_link=_index_pairs(decided.separate, keys),
        forced=forced[link],
    )  # fmt: skip
    labels = clustering.labels
    refused = is_match & (labels[a] != labels[b])
    is_review = (is_review | refused) & (labels[a] != labels[b])
    preferred = np.isin(keys, list(decided.masters))
    master, order = choose_masters(frame, labels, rules.survivorship, preferred=preferred)
    survivors = (merge_rows(frame, master, order, rules.survivorship, key) if survive
                 else frame.iloc[:0].assign(_absorbed=pd.Series(dtype=object)))  # fmt: skip
    shown = np.flatnonzero(is_match | is_review)
    reasons = (
        explain_pairs(
            prepared,
            [lv[shown] for lv in cand_levels],
            list(conflict[:, shown]),
            model.weights(),
            a[shown],
            b[shown],
            rules.language,
        )
        if explain
        else [""] * len(shown)
    )
    status = np.where(forced[shown], "decided", np.where(is_match[shown] & ~refused[shown],
                                                         "match", "review"))  # fmt: skip
    pairs = pd.DataFrame({
        "key_a": keys[a[shown]], "key_b": keys[b[shown]], "probability": prob[shown],
        "score": score[shown], "status": status, "reason": reasons,
    })  # fmt: skip
    clusters = pd.DataFrame({
        "_key": keys, "cluster": _dense(labels), "master": keys[master],
        "is_master": master == np.arange(len(frame)),
    })  # fmt: skip
    sizes = np.bincount(labels, minlength=len(frame))
    stats = DedupeStats(
        records=len(frame), candidate_pairs=len(found.a), pairs_per_key=found.per_key,
        skipped_blocks=found.skipped, matched_pairs=int((status != "review").sum()),
        review_pairs=int((status == "review").sum()), clusters=int((sizes > 1).sum()),
        merged_records=int((master != np.arange(len(frame))).sum()),
        rebuilt_clusters=clustering.rebuilt, seconds=time.perf_counter() - started,
    )  # fmt: skip
    say(f"{rules.entity}: {stats.clusters} clusters, {stats.merged_records} records merged, "
        f"{stats.review_pairs} pairs to review")  # fmt: skip
    return DedupeResult(
        entity=rules.entity, key_map=dict(zip(keys.tolist(), keys[master].tolist(), strict=True)),
        survivors=survivors, clusters=clusters, pairs=pairs, model=model, decisions=decided,
        stats=stats, language=rules.language,
        fields=tuple(dict.fromkeys(c for p in prepared for c in p.comparison.columns)),
    )  # fmt: skip


# a blocking key may always find this many pairs: a small table is cheap to compare in full
MIN_KEY_PAIRS = 200_000


def _key_budget(rules: Rules, records: int) -> int:
    """Pairs one blocking key may find (``0``: any): ``limits.key_pairs`` per record."""
    return int(max(rules.key_pairs * records, MIN_KEY_PAIRS)) if rules.key_pairs else 0


def _dense(labels: IntArray) -> IntArray:
    _, dense = np.unique(labels, return_inverse=True)
    return dense.reshape(-1).astype(np.int64)


def _index_pairs(pairs: frozenset[tuple[str, str]], keys: npt.NDArray[np.object_]) -> list[
    tuple[int, int]
]:  # fmt: skip
    position: dict[str, int] = {}
    for index, k in enumerate(keys.tolist()):
        position.setdefault(k, index)
    return [(position[x], position[y]) for x, y in pairs if x in position and y in position]


def _with_decided_pairs(
    a: IntArray, b: IntArray, keys: npt.NDArray[np.object_], decided: Decisions
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """Candidates plus the pairs the client merged and records sharing one key (forced)."""
    extra = _index_pairs(decided.merge, keys)
    codes, _ = pd.factorize(keys)
    order = np.argsort(codes, kind="stable")
    same = np.flatnonzero(codes[order][1:] == codes[order][:-1])
    extra += list(zip(order[same].tolist(), order[same + 1].tolist(), strict=True))
    n = np.int64(max(len(keys), 1))
    if not extra:
        return a, b, np.zeros(len(a), dtype=bool)
    base = a * n + b
    forced_codes = np.unique(np.array([min(x, y) * n + max(x, y) for x, y in extra if x != y],
                                      dtype=np.int64))  # fmt: skip
    merged = np.union1d(base, forced_codes)
    return merged // n, merged % n, np.isin(merged, forced_codes)


def _separated(
    a: IntArray, b: IntArray, keys: npt.NDArray[np.object_], decided: Decisions
) -> npt.NDArray[np.bool_]:
    if not decided.separate:
        return np.zeros(len(a), dtype=bool)
    n = np.int64(max(len(keys), 1))
    codes = [min(x, y) * n + max(x, y) for x, y in _index_pairs(decided.separate, keys)]
    return np.isin(a * n + b, np.array(codes, dtype=np.int64))


def key_codes(p: Prepared) -> tuple[IntArray, IntArray, list[str]]:
    """A comparison's own blocking key: its normalised value (names: the Latin word set)."""
    if p.multi is not None:
        return p.multi.records(), p.multi.value_codes(), list(p.multi.values)
    codes = p.extra.get("translit", p.main) if p.comparison.kind in (
        "person_name", "company_name") else p.main  # fmt: skip
    present = np.flatnonzero(codes.codes >= 0)
    return present, codes.codes[present], list(codes.values)


def _strong_codes(p: Prepared) -> IntArray:
    assert p.valid is not None
    return np.where(p.valid, p.main.codes, -1).astype(np.int64)
