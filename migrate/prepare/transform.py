"""Map and clean: a RawTable and a mapping become the columns of a CleanTable plus Issues.

Speed matters (a million rows in well under a minute), so every field is cleaned once per
DISTINCT source value: the column is factorized, the cleaner chain, value map and split run
on the unique values, and results and problems are spread back to the rows through the codes.
Issues are built only for rows whose value failed.
"""

from __future__ import annotations

import gc
import inspect
import multiprocessing as mp
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import process

from cleaners import CleanerError
from cleaners.bulk import as_strings, fast_clean
from cleaners.names import fast_split_fio, split_fio
from cleaners.registry import bind_cleaner, get_cleaner
from loaders.entities import MultiValue
from mappings.escape import EscapeError, unescape_value
from mappings.fields import FIO_PARTS, is_multiple_ref
from mappings.schema import ROW_KEY, CleanStep, EntityMapping, FieldMapping
from migrate.errors import MappingError, shorten
from migrate.issues import ISSUE_COLUMNS, concat_issues, empty_issues, message
from migrate.prepare._compose import compose_parts, leftover_issues
from migrate.prepare.routing import decoded, routed

__all__ = ["LINE_PREFIX", "META_COLUMNS", "MappedTable", "RawLike", "apply_mapping"]

META_COLUMNS = ("_key", "_source", "_sheet", "_row")
LINE_PREFIX = "_line."
"""Columns of a mapping's `lines:` fields, folded into ``PRODUCT_ROWS`` (:mod:`.fold`)."""


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
    if not missing and mapping.rows is not None:
        raw = routed(raw, mapping)
    if missing:
        raise MappingError(
            f"`{mapping.file}` reads columns that `{raw.source.name}` does not have",
            [f"`{c}`" for c in missing],
            next_step="fix `from`/`key` in the mapping or run `b24migrate inspect` on the file",
        )
    transformer = _Transformer(raw, mapping, language, timezone)
    with _gc_paused(), _pool(transformer, len(raw.frame), workers) as pool:
        transformer.pool = pool
        return transformer.run()


class _Transformer:
    def __init__(
        self, raw: RawLike, mapping: EntityMapping, language: str, timezone: str | None
    ) -> None:
        self.raw, self.mapping, self.language, self.timezone = raw, mapping, language, timezone
        self.specs = (*mapping.fields, *(mapping.lines.fields if mapping.lines else ()))
        self.frame = decoded(raw.frame, mapping) if mapping.decode_html else raw.frame
        self.n = len(self.frame)
        self.rows = self.frame["_row"].to_numpy() if "_row" in self.frame else np.arange(self.n) + 2
        self.keys = self._keys()
        self.issues: list[tuple[int, pd.DataFrame]] = []
        self.pool: Any = None
        self.value_maps = {
            id(spec): {_fold(k): v for k, v in (spec.value_map or {}).items()}
            for spec in self.specs
        }
        self.chains = {
            id(spec): [
                (step.name, bind_cleaner(step.name, {**self._options(step), "on_error": "raise"}))
                for step in spec.clean
            ]
            for spec in self.specs
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
        for spec in self.mapping.fields:
            if not spec.split_fio:
                columns[spec.name] = self._field(spec)
        for spec in self.mapping.fields:
            if spec.split_fio:
                self._apply_split(columns, spec)
        for spec in self.mapping.lines.fields if self.mapping.lines else ():
            columns[LINE_PREFIX + spec.name] = self._field(spec)
        frame = pd.DataFrame(
            {k: v if k == "_row" else pd.Series(v, dtype=object) for k, v in columns.items()}
        )
        issues = [frame for _, frame in sorted(self.issues, key=lambda item: item[0])]
        return MappedTable(self.mapping.entity, frame, concat_issues(issues), self.frame)

    def _apply_split(self, columns: dict[str, Any], spec: FieldMapping) -> None:
        """Split names fill the parts a row's explicit name fields leave empty.

        A row without explicit parts takes every part of the split; a row with some takes the
        missing ones when they add a word (:mod:`._compose`), and words of the full name that
        land nowhere are reported (`name.words_left`). The name is cleaned (and its issues
        collected) on every row.
        """
        explicit = [t for t in spec.split_fio if t in columns]
        filled = np.zeros(self.n, dtype=bool)
        missing = np.zeros(self.n, dtype=bool)
        for target in explicit:
            present = pd.Series(columns[target], dtype=object).notna().to_numpy()
            filled |= present
            missing |= ~present
        missing |= len(explicit) < len(spec.split_fio)
        split = self._split_field(spec, ~filled | missing)
        for target in spec.split_fio:
            if target not in columns:
                columns[target] = np.full(self.n, None, dtype=object)
            columns[target] = np.where(filled, columns[target], split[target])
        rows = np.flatnonzero(filled & missing)
        if len(rows):
            full = self._combined(spec).to_numpy(dtype=object)
            lost = compose_parts(columns, split, rows, full, spec.split_fio)
            where = (self.mapping.entity, self.raw.source.name, self.raw.sheet)
            found = leftover_issues(where, spec, lost, full, self.rows, self.keys, self.language)
            self.issues.append((self.specs.index(spec), found))

    # -- fields ------------------------------------------------------------------------------

    def _field(self, spec: FieldMapping) -> np.ndarray:
        if not spec.sources:
            value = spec.const if spec.const is not None else spec.default
            return np.full(self.n, value, dtype=object)
        if spec.is_multi:
            return self._multi(spec)
        text = self._combined(spec)
        codes, results = self._distinct(text, spec, ", ".join(spec.sources), "scalar", "")
        return _spread(results, codes)

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
        """:class:`MultiValue` items from every source column, merged per row (the first value
        type of a value wins)."""
        per_column = []
        for column in spec.sources:
            kind = spec.value_type_for(column)
            codes, results = self._distinct(self.frame[column], spec, column, "multi", kind)
            empty = np.fromiter((not r for r in results), dtype=bool, count=len(results))
            per_column.append((_spread(results, codes), empty[codes]))
        merged, _ = per_column[0]
        if len(per_column) == 1:
            return merged
        merged = merged.copy()
        taken = ~per_column[0][1]  # rows that already hold pairs
        both = np.zeros(self.n, dtype=bool)
        for values, empty in per_column[1:]:
            both |= taken & ~empty
            only = ~taken & ~empty
            merged[only] = values[only]
            taken |= ~empty
        rows = np.flatnonzero(both)
        if len(per_column) == 2:  # the common case, two single pairs, without a dict
            first, second = per_column[0][0][rows], per_column[1][0][rows]
            pairs: Any = (
                (a + b if a[0][0] != b[0][0] else a)
                if len(a) == 1 == len(b)
                else _merge_pairs((a, b))
                for a, b in zip(first, second, strict=True)
            )
        else:
            pairs = (_merge_pairs([values[i] for values, _ in per_column]) for i in rows)
        merged[rows] = np.fromiter(pairs, dtype=object, count=len(rows))
        return merged

    def _split_field(self, spec: FieldMapping, needed: np.ndarray) -> dict[str, np.ndarray]:
        """The ФИО parts per row (``needed`` rows only; other rows get no parts)."""
        text = self._combined(spec)
        codes, names = self._distinct(text, spec, ", ".join(spec.sources), "scalar", "")
        wanted = np.zeros(len(names), dtype=bool)
        wanted[codes[needed]] = True
        parts = np.fromiter(repeat(_NO_FIO, len(names)), dtype=object, count=len(names))
        todo = np.flatnonzero(wanted & np.fromiter(map(_is_str, names), bool, len(names)))
        texts = names[todo].tolist()
        found = fast_split_fio(texts)
        parts[todo[found.hits]] = found.cleaned[found.hits]
        rest = todo[~found.hits]
        outcomes = self._outcomes("split", spec, "", names[rest].tolist())
        parts[rest] = np.fromiter((v for v, _ in outcomes), dtype=object, count=len(rest))
        split = {}
        for target in spec.split_fio:
            at = FIO_PARTS.index(target)
            split[target] = np.fromiter((p[at] for p in parts), dtype=object, count=len(parts))
        return {target: _spread(values, codes) for target, values in split.items()}

    # -- per distinct value ------------------------------------------------------------------

    def _distinct(
        self, series: pd.Series, spec: FieldMapping, column: str, mode: str, kind: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Factorize ``series``, clean each distinct value once, collect its issues.

        Returns the codes (row → distinct value) and the outcome per distinct value. Values
        a cleaner's fast path recognises are cleaned together; the rest one by one.
        """
        codes, uniques = _factorize(series)
        results = np.full(len(uniques), None, dtype=object)
        problems: dict[int, _Problem] = {}
        todo = np.arange(len(uniques))
        fast = self._fast(uniques, spec, mode, kind)
        if fast is not None:
            hits, outcomes = fast
            done = np.flatnonzero(hits)
            results[done] = np.fromiter((v for v, _ in outcomes), dtype=object, count=len(done))
            problems.update((int(done[i]), p) for i, (_, p) in enumerate(outcomes) if p)
            todo = np.flatnonzero(~hits)
        values = _texts(uniques, todo)
        outcomes = self._outcomes(mode, spec, kind, values)
        results[todo] = np.fromiter((v for v, _ in outcomes), dtype=object, count=len(todo))
        problems.update((int(todo[i]), p) for i, (_, p) in enumerate(outcomes) if p)
        self._collect(codes, uniques, problems, spec, column)
        return codes, results

    def _fast(
        self, uniques: _Uniques, spec: FieldMapping, mode: str, kind: str
    ) -> tuple[np.ndarray, list[_Outcome]] | None:
        """Where a fast path settles the value, and the outcomes there (one-step chains)."""
        if not spec.clean and mode == "scalar" and spec.value_map is None:
            return _plain_outcomes(uniques, spec)
        if len(spec.clean) != 1 or not isinstance(uniques, pa.Array):
            return None
        step = spec.clean[0]
        found = fast_clean(step.name, uniques, self._options(step))
        if found is None:
            return None
        cleaned = found.cleaned[found.hits]
        if mode == "multi":
            return found.hits, [
                (((MultiValue(c[0], kind),) if len(c) == 1 and c[0] else _pairs(c, kind)), None)
                for c in cleaned
            ]
        if spec.value_map is None and not _splits_refs(spec):  # text stays as cleaned
            return found.hits, [
                ((c, None) if c.__class__ is str and c else self._settle(c, None, spec))
                for c in cleaned
            ]
        return found.hits, [self._settle(c, None, spec) for c in cleaned]

    def _outcomes(self, mode: str, spec: FieldMapping, kind: str, values: list[str]) -> Any:
        """Outcomes of ``values`` one by one: in forked workers when there are many."""
        task = (mode, self.specs.index(spec), kind)
        if self.pool is None or len(values) < _PARALLEL_MIN:
            return self.outcomes(task, values)
        size = max(1_000, len(values) // (8 * _worker_count(None)))
        chunks = [(task, values[i : i + size]) for i in range(0, len(values), size)]
        return [o for part in self.pool.imap(_work, chunks) for o in part]

    def outcomes(self, task: _Task, values: Sequence[str]) -> list[_Outcome]:
        """Run ``task`` (mode, field index, value type) on each of ``values``."""
        mode, index, kind = task
        spec = self.specs[index]
        if mode == "multi":
            return [self._multi_outcome(v, spec, kind) for v in values]
        if mode == "split":
            return [(split_fio(v), None) for v in values]
        return [self._scalar_outcome(v, spec) for v in values]

    def _scalar_outcome(self, value: str, spec: FieldMapping) -> _Outcome:
        if not value.strip():
            return _empty(spec), None
        cleaned, problem = self._clean(value, spec)
        return self._settle(cleaned, problem, spec)

    def _settle(self, cleaned: Any, problem: _Problem | None, spec: FieldMapping) -> _Outcome:
        """A cleaned scalar as the field holds it: first of a list, references, value map."""
        if isinstance(cleaned, list | tuple):
            cleaned = cleaned[0] if cleaned else None
        if cleaned is None or cleaned == "":
            failed = () if _empty(spec) == () else None
            return (_empty(spec) if problem is None else failed), problem
        if _splits_refs(spec):
            parts = str(cleaned).split(spec.separator) if spec.separator else [str(cleaned)]
            values = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
            if spec.escaped:
                try:
                    values = tuple(dict.fromkeys(unescape_value(v) for v in values))
                except EscapeError as bad:
                    text = message("value.escape", self.language, value=bad.value,
                                   field=spec.name, sequence=bad.sequence)  # fmt: skip
                    return None, _Problem("value.escape", spec.severity or "error", text)
            if spec.ref or spec.value_map is None:
                return values, problem
            mapped = [self._map(v, spec) for v in values]  # a user field's list values
            problems = [p for _, p in mapped if p is not None]
            kept = tuple(dict.fromkeys(m for m, _ in mapped if m not in (None, "")))
            return kept, problem or (problems[0] if problems else None)
        if spec.value_map is not None:
            mapped, map_problem = self._map(str(cleaned), spec)
            return mapped, problem or map_problem
        return cleaned, problem

    def _multi_outcome(self, value: str, spec: FieldMapping, kind: str) -> _Outcome:
        if not value.strip():
            return (), None
        cleaned, problem = self._clean(value, spec)
        return _pairs(cleaned, kind), problem

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
        if spec.keep_unmapped:
            return value, None
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
        uniques: _Uniques,
        problems: Mapping[int, _Problem],
        spec: FieldMapping,
        column: str,
    ) -> None:
        if not problems:
            return
        bad = np.fromiter(problems, dtype=np.int64, count=len(problems))
        slot = np.full(len(uniques), -1, dtype=np.int64)
        slot[bad] = np.arange(len(bad))
        index = np.flatnonzero(slot[codes] >= 0)
        picked = slot[codes[index]]
        chosen = np.fromiter(problems.values(), dtype=object, count=len(bad))[picked]
        texts = np.asarray([shorten(v, 200) for v in _texts(uniques, bad)])
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
                "value": texts[picked] if len(index) else [],
                "severity": [p.severity for p in chosen],
                "message": [p.message for p in chosen],
                "suggestion": [p.suggestion for p in chosen],
            },
            columns=list(ISSUE_COLUMNS),
        )
        order = self.specs.index(spec)
        self.issues.append((order, frame if len(frame) else empty_issues()))


_MISSING = object()
_NO_FIO = (None, None, None)
_PARALLEL_MIN = 20_000  # distinct values below this are cleaned in-process
_Task = tuple[str, int, str]
_Uniques: TypeAlias = "pa.Array | list[str]"
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
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the outcomes are built (workers inherit this).

    Cleaning creates millions of small tuples and lists that hold only text and make no
    reference cycles; each collection would rescan all of them (a fifth of the run).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    if spec.default is None and _splits_refs(spec):
        return ()
    return spec.default


def _merge_pairs(parts: Sequence[tuple[MultiValue, ...]]) -> tuple[MultiValue, ...]:
    seen: dict[str, MultiValue] = {}
    for part in parts:
        for item in part:
            seen.setdefault(item.value, item)
    return tuple(seen.values())


def _spread(results: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return results[codes] if len(codes) else np.empty(0, dtype=object)


def _pairs(cleaned: Any, kind: str) -> tuple[MultiValue, ...]:
    """A multi-field cleaner's result as :class:`MultiValue` items without repeats."""
    if cleaned is None or cleaned == "":
        return ()
    items = cleaned if isinstance(cleaned, list | tuple) else [cleaned]
    if len(items) == 1:
        return (MultiValue(str(items[0]), kind),) if items[0] else ()
    return tuple(dict.fromkeys(MultiValue(str(i), kind) for i in items if i))


def _splits_refs(spec: FieldMapping) -> bool:
    """Cells split into several values: multiple references (``separator`` or a multiple
    reference field), and with ``separator`` the values of a multiple field (a user field's
    multiple list, a source portal's multiple field), a tuple like references'."""
    return bool(spec.separator or (spec.ref and is_multiple_ref(spec.name)))


def _plain_outcomes(uniques: _Uniques, spec: FieldMapping) -> tuple[np.ndarray, list[_Outcome]]:
    """Outcomes of a field without cleaners (text kept as it is, blank → the default)."""
    values = uniques.to_pylist() if isinstance(uniques, pa.Array) else uniques
    empty = _empty(spec)
    if _splits_refs(spec):
        return np.zeros(len(values), dtype=bool), []
    return np.ones(len(values), dtype=bool), [(v if v.strip() else empty, None) for v in values]


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _texts(uniques: _Uniques, indices: np.ndarray) -> list[str]:
    if isinstance(uniques, pa.Array):
        return uniques.take(pa.array(indices)).to_pylist()  # type: ignore[no-any-return]
    return [uniques[i] for i in indices]


def _factorize(series: pd.Series) -> tuple[np.ndarray, _Uniques]:
    """Codes (row → distinct value) and the distinct values as text (missing → ``""``).

    The values are a pyarrow array (for the fast paths), or a list when some text cannot be
    UTF-8 (a lone surrogate in a caller's own frame; the sources never produce one).
    """
    if isinstance(series.dtype, pd.StringDtype):
        try:
            encoded = pc.dictionary_encode(as_strings(pa.array(series.array)))
        except (UnicodeEncodeError, pa.ArrowException):
            return _factorize(series.astype(object))
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
        return codes, as_strings(encoded.dictionary)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=False)
    values = ["" if u is None or u != u else str(u) for u in uniques]
    try:
        return codes, as_strings(values)
    except (UnicodeEncodeError, pa.ArrowException):
        return codes, values


def _fold(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _accepts(name: str, parameter: str) -> bool:
    try:
        return parameter in inspect.signature(get_cleaner(name)).parameters
    except (TypeError, ValueError):
        return False
