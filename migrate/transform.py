"""Map and clean: a RawTable and a mapping become the columns of a CleanTable plus Issues.

Speed matters (a million rows in well under a minute), so every field is cleaned once per
DISTINCT source value: the column is factorized, the cleaner chain, value map and split run
on the unique values, and results and problems are spread back to the rows through the codes.
Issues are built only for rows whose value failed.
"""

from __future__ import annotations

import inspect
import multiprocessing as mp
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from rapidfuzz import process

from cleaners import CleanerError
from cleaners.names import split_fio
from cleaners.registry import bind_cleaner, get_cleaner
from mappings.fields import FIO_PARTS, is_multiple_ref
from mappings.schema import ROW_KEY, CleanStep, EntityMapping, FieldMapping
from migrate.errors import MappingError, shorten
from migrate.issues import ISSUE_COLUMNS, concat_issues, empty_issues, message

__all__ = ["META_COLUMNS", "MappedTable", "RawLike", "apply_mapping"]

META_COLUMNS = ("_key", "_source", "_sheet", "_row")


class RawLike(Protocol):
    """What the map stage needs of a :class:`migrate.sources.RawTable`."""

    @property
    def frame(self) -> pd.DataFrame: ...
    @property
    def source(self) -> Path: ...
    @property
    def sheet(self) -> str: ...


@dataclass(frozen=True, slots=True)
class MappedTable:
    """The mapped, cleaned rows of one source table (all of them) and their issues so far.

    ``raw`` is the source frame row-aligned with ``frame``, so later checks can show the
    ORIGINAL value beside a problem.
    """

    entity: str
    frame: pd.DataFrame
    issues: pd.DataFrame
    raw: pd.DataFrame

    @classmethod
    def concat(cls, tables: Sequence[MappedTable]) -> MappedTable:
        """One table from the tables of several source files of the same entity."""
        if len(tables) == 1:
            return tables[0]
        return cls(
            tables[0].entity,
            pd.concat([t.frame for t in tables], ignore_index=True),
            concat_issues([t.issues for t in tables]),
            pd.concat([t.raw for t in tables], ignore_index=True),
        )


@dataclass(frozen=True, slots=True)
class _Problem:
    rule: str
    severity: str
    message: str
    suggestion: str = ""


_Outcome = tuple[Any, "_Problem | None"]


def apply_mapping(
    raw: RawLike,
    mapping: EntityMapping,
    *,
    language: str = "ru",
    timezone: str | None = None,
    workers: int | None = None,
) -> MappedTable:
    """Map and clean every row of ``raw`` with ``mapping``.

    Returns every row (errors included; validation decides what stays out) with the columns
    :data:`META_COLUMNS` plus one per mapped Bitrix24 field, and the cleaning/mapping issues.
    Large tables are cleaned by ``workers`` forked processes (default: the CPU count, at most
    4; ``B24MIGRATE_WORKERS`` overrides; 1 = in this process).
    """
    missing = [c for c in mapping.columns() if c not in raw.frame.columns]
    if missing:
        raise MappingError(
            f"`{mapping.file}` reads columns that `{raw.source.name}` does not have",
            [f"`{c}`" for c in missing],
            next_step="fix `from`/`key` in the mapping or run `b24migrate inspect` on the file",
        )
    transformer = _Transformer(raw, mapping, language, timezone)
    with _pool(transformer, len(raw.frame), workers) as pool:
        transformer.pool = pool
        return transformer.run()


class _Transformer:
    def __init__(
        self, raw: RawLike, mapping: EntityMapping, language: str, timezone: str | None
    ) -> None:
        self.raw, self.mapping, self.language, self.timezone = raw, mapping, language, timezone
        self.frame = raw.frame
        self.n = len(self.frame)
        self.rows = self.frame["_row"].to_numpy() if "_row" in self.frame else np.arange(self.n) + 2
        self.keys = self._keys()
        self.issues: list[pd.DataFrame] = []
        self.pool: Any = None
        self.value_maps = {
            id(spec): {_fold(k): v for k, v in (spec.value_map or {}).items()}
            for spec in mapping.fields
        }
        self.chains = {
            id(spec): [
                (step.name, bind_cleaner(step.name, {**self._options(step), "on_error": "raise"}))
                for step in spec.clean
            ]
            for spec in mapping.fields
        }

    def _keys(self) -> np.ndarray:
        if self.mapping.key == ROW_KEY:
            name = self.raw.source.name
            return np.array([f"{name}:{r}" for r in self.rows], dtype=object)
        return self.frame[self.mapping.key].str.strip().to_numpy(dtype=object)

    def run(self) -> MappedTable:
        columns: dict[str, Any] = {
            "_key": self.keys,
            "_source": np.full(self.n, self.raw.source.name, dtype=object),
            "_sheet": np.full(self.n, self.raw.sheet, dtype=object),
            "_row": np.asarray(self.rows, dtype=np.int64),
        }
        split_values: dict[str, np.ndarray] = {}
        for spec in self.mapping.fields:
            if spec.split_fio:
                for target, values in self._split_field(spec).items():
                    split_values[target] = values
            else:
                columns[spec.name] = self._field(spec)
        self._apply_split(columns, split_values)
        frame = pd.DataFrame(
            {k: v if k == "_row" else pd.Series(v, dtype=object) for k, v in columns.items()}
        )
        return MappedTable(self.mapping.entity, frame, concat_issues(self.issues), self.frame)

    def _apply_split(self, columns: dict[str, Any], split: Mapping[str, np.ndarray]) -> None:
        """Split names fill a row only where no explicit name field of that row has a value."""
        explicit = [columns[t] for t in split if t in columns]
        if explicit:
            filled = np.zeros(self.n, dtype=bool)
            for values in explicit:
                filled |= pd.Series(values, dtype=object).notna().to_numpy()
        for target, values in split.items():
            if target not in columns:
                empty = np.full(self.n, None, dtype=object)
                columns[target] = values if not explicit else np.where(filled, empty, values)
            else:
                columns[target] = np.where(filled, columns[target], values)

    # -- fields ------------------------------------------------------------------------------

    def _field(self, spec: FieldMapping) -> np.ndarray:
        if not spec.sources:
            value = spec.const if spec.const is not None else spec.default
            return np.full(self.n, value, dtype=object)
        if spec.is_multi:
            return self._multi(spec)
        text = self._combined(spec)
        task = ("scalar", self.mapping.fields.index(spec), "")
        return self._per_distinct(text, spec, ", ".join(spec.sources), task)

    def _combined(self, spec: FieldMapping) -> pd.Series:
        series = [self.frame[c] for c in spec.sources]
        if len(series) == 1:
            return series[0]
        if spec.join is not None:
            parts = zip(*(s.to_numpy() for s in series), strict=True)
            sep = spec.join
            return pd.Series([sep.join(p for p in row if p) for row in parts], dtype=object)
        out = series[0]
        for more in series[1:]:
            out = out.where(out.str.strip() != "", more)
        return out

    def _multi(self, spec: FieldMapping) -> np.ndarray:
        per_column = []
        for column in spec.sources:
            task = ("multi", self.mapping.fields.index(spec), spec.value_type_for(column))
            per_column.append(self._per_distinct(self.frame[column], spec, column, task))
        if len(per_column) == 1:
            return per_column[0]
        merged = [_merge_pairs(parts) for parts in zip(*per_column, strict=True)]
        return _spread(merged, np.arange(len(merged)))

    def _split_field(self, spec: FieldMapping) -> dict[str, np.ndarray]:
        text = self._combined(spec)
        task = ("split", self.mapping.fields.index(spec), "")
        codes, outcomes = self._distinct(text, spec, ", ".join(spec.sources), task)
        parts = [v for v, _ in outcomes]
        return {
            target: _spread([p[FIO_PARTS.index(target)] for p in parts], codes)
            for target in spec.split_fio
        }

    # -- per distinct value ------------------------------------------------------------------

    def _per_distinct(
        self,
        series: pd.Series,
        spec: FieldMapping,
        column: str,
        task: _Task,
    ) -> np.ndarray:
        codes, results = self._distinct(series, spec, column, task)
        return _spread([v for v, _ in results], codes)

    def _distinct(
        self, series: pd.Series, spec: FieldMapping, column: str, task: _Task
    ) -> tuple[np.ndarray, list[_Outcome]]:
        """Factorize ``series``, run ``task`` once per distinct value, collect its issues."""
        codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=False)
        values = ["" if u is None or u != u else str(u) for u in uniques]
        if self.pool is not None and len(values) >= _PARALLEL_MIN:
            size = max(1_000, len(values) // (8 * _worker_count(None)))
            chunks = [(task, values[i : i + size]) for i in range(0, len(values), size)]
            results = [o for part in self.pool.imap(_work, chunks) for o in part]
        else:
            results = self.outcomes(task, values)
        self._collect(codes, uniques, results, spec, column)
        return codes, results

    def outcomes(self, task: _Task, values: Sequence[str]) -> list[_Outcome]:
        """Run ``task`` (mode, field index, value type) on each of ``values``."""
        mode, index, kind = task
        spec = self.mapping.fields[index]
        if mode == "multi":
            return [self._multi_outcome(v, spec, kind) for v in values]
        out = [self._scalar_outcome(v, spec) for v in values]
        if mode == "split":
            out = [(split_fio(v) if isinstance(v, str) else _NO_FIO, p) for v, p in out]
        return out

    def _scalar_outcome(self, value: str, spec: FieldMapping) -> _Outcome:
        if not value.strip():
            return _empty(spec), None
        cleaned, problem = self._clean(value, spec)
        if isinstance(cleaned, list | tuple):
            cleaned = cleaned[0] if cleaned else None
        if cleaned is None or cleaned == "":
            failed = () if _empty(spec) == () else None
            return (_empty(spec) if problem is None else failed), problem
        if spec.ref and (spec.separator or is_multiple_ref(spec.name)):
            parts = str(cleaned).split(spec.separator) if spec.separator else [str(cleaned)]
            return tuple(dict.fromkeys(p.strip() for p in parts if p.strip())), problem
        if spec.value_map is not None:
            mapped, map_problem = self._map(str(cleaned), spec)
            return mapped, problem or map_problem
        return cleaned, problem

    def _multi_outcome(self, value: str, spec: FieldMapping, kind: str) -> _Outcome:
        if not value.strip():
            return (), None
        cleaned, problem = self._clean(value, spec)
        if cleaned is None or cleaned == "":
            return (), problem
        items = cleaned if isinstance(cleaned, list | tuple) else [cleaned]
        return tuple(dict.fromkeys((str(i), kind) for i in items if i)), problem

    def _clean(self, value: str, spec: FieldMapping) -> _Outcome:
        current: Any = value
        problem = None
        for name, func in self.chains[id(spec)]:
            try:
                if isinstance(current, list):
                    current = [v for v in map(func, current) if v not in (None, "")]
                else:
                    current = func(current)
            except CleanerError as error:
                severity = spec.severity or error.severity
                problem = _Problem(
                    error.rule, severity, error.message(self.language), error.suggestion or ""
                )
                if error.severity != "warning":
                    return None, problem
                current = error.cleaned
            except (ValueError, TypeError) as exc:  # a cleaner bug must not stop the run
                text = message(
                    "cleaner.failed", self.language, cleaner=name, value=value, error=exc
                )
                return None, _Problem("cleaner.failed", spec.severity or "error", text)
            if current is None:
                break
        return current, problem

    def _options(self, step: CleanStep) -> Mapping[str, Any]:
        """The step's options, plus the workspace time zone for cleaners that take one."""
        for name in ("tz", "timezone"):
            if self.timezone and name not in step.options and _accepts(step.name, name):
                return {**step.options, name: self.timezone}
        return step.options

    def _map(self, value: str, spec: FieldMapping) -> _Outcome:
        table = self.value_maps[id(spec)]
        found = table.get(_fold(value), _MISSING)
        if found is not _MISSING:
            return found, None
        params = {"value": value, "field": spec.name, "default": spec.default}
        if spec.default is not None:
            text = message("map.default", self.language, **params)
            return spec.default, _Problem("map.default", spec.severity or "warning", text)
        keys = list(spec.value_map or {})
        best = process.extractOne(value, keys, score_cutoff=60)
        hint = best[0] if best else ""
        text = message("map.unknown", self.language, **params)
        return None, _Problem("map.unknown", spec.severity or "error", text, hint)

    # -- issues ------------------------------------------------------------------------------

    def _collect(
        self,
        codes: np.ndarray,
        uniques: np.ndarray,
        outcomes: Sequence[_Outcome],
        spec: FieldMapping,
        column: str,
    ) -> None:
        bad = [i for i, (_, p) in enumerate(outcomes) if p is not None]
        if not bad:
            return
        index = np.flatnonzero(np.isin(codes, bad))
        picked = codes[index]
        problems = np.empty(len(outcomes), dtype=object)
        for i in bad:
            problems[i] = outcomes[i][1]
        chosen = problems[picked]
        frame = pd.DataFrame(
            {
                "entity": self.mapping.entity,
                "source": self.raw.source.name,
                "sheet": self.raw.sheet,
                "row": self.rows[index],
                "key": self.keys[index],
                "column": column,
                "field": spec.name,
                "rule": [p.rule for p in chosen],
                "value": [shorten(v, 200) for v in uniques[picked]],
                "severity": [p.severity for p in chosen],
                "message": [p.message for p in chosen],
                "suggestion": [p.suggestion for p in chosen],
            },
            columns=list(ISSUE_COLUMNS),
        )
        self.issues.append(frame if len(frame) else empty_issues())


_MISSING = object()
_NO_FIO = (None, None, None)
_PARALLEL_MIN = 20_000  # distinct values below this are cleaned in-process
_Task = tuple[str, int, str]
_ACTIVE: _Transformer | None = None  # what forked workers clean with


def _work(job: tuple[_Task, list[str]]) -> list[_Outcome]:
    task, values = job
    assert _ACTIVE is not None
    return _ACTIVE.outcomes(task, values)


def _worker_count(workers: int | None) -> int:
    if workers is None:
        env = os.environ.get("B24MIGRATE_WORKERS", "")
        workers = int(env) if env.isdigit() else min(os.cpu_count() or 1, 4)
    return max(1, workers)


@contextmanager
def _pool(transformer: _Transformer, rows: int, workers: int | None) -> Iterator[Any]:
    """A pool of forked workers that see ``transformer`` (none for small or single runs)."""
    global _ACTIVE
    count = _worker_count(workers)
    if count < 2 or rows < _PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        yield None
        return
    _ACTIVE = transformer
    pool = mp.get_context("fork").Pool(count)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()
        _ACTIVE = None


def _empty(spec: FieldMapping) -> Any:
    if spec.default is None and spec.ref and (spec.separator or is_multiple_ref(spec.name)):
        return ()
    return spec.default


def _merge_pairs(parts: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    seen: dict[Any, Any] = {}
    for part in parts:
        for value, kind in part:
            seen.setdefault(value, kind)
    return tuple(seen.items())


def _spread(values: Sequence[Any], codes: np.ndarray) -> np.ndarray:
    table = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        table[i] = v
    return table[codes] if len(codes) else np.empty(0, dtype=object)


def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _accepts(name: str, parameter: str) -> bool:
    try:
        return parameter in inspect.signature(get_cleaner(name)).parameters
    except (TypeError, ValueError):
        return False
