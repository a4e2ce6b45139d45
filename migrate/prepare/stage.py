"""The prepare stage for a whole workspace: read → map → clean → validate, then references.

:func:`prepare` is a pure function of the sources, the mappings and `migration.yaml`::

    data = prepare(Workspace.at("acme"))
    data.tables["contact"]        # the CleanTable (see docs/internals.md)
    data.issues                   # every issue, the long table of migrate.issues.ISSUE_COLUMNS

Given a :class:`~migrate.workspace.stages.StageStore`, each entity's validated table is kept
under a key of its inputs (its files' contents, its mapping file, the settings that change
cleaning, the code) and taken from the store when nothing changed; only changed entities are
read and cleaned again. References between entities are resolved every time (they depend on
all tables). Portal metadata plays no part here: what the portal accepts is the plan's check,
so `validate`, `dedupe` and `plan` see the same clean tables.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mappings.fields import ENTITIES
from mappings.schema import EntityMapping, MappingProblems, check_columns, load_mapping
from migrate.errors import ConfigError, MappingError, shorten
from migrate.issues import concat_issues
from migrate.prepare.fold import fold_lines
from migrate.prepare.refs import resolve_references
from migrate.prepare.routing import siblings, unplaced_rows
from migrate.prepare.transform import MappedTable, RawLike, apply_mapping
from migrate.prepare.validate import ValidatedTable, validate_table
from migrate.progress import ProgressCallback, emit
from migrate.workspace.config import MigrationConfig, SourceSpec, Workspace
from migrate.workspace.stages import StageStore, code_version, content_key, file_digest

__all__ = [
    "STAGE",
    "EntityStats",
    "PreparedData",
    "check_pairing",
    "load_mappings",
    "prepare",
    "prepare_entity",
]

STAGE = "prepare"
Reader = Callable[..., RawLike]
_CODE = ("cleaners", "mappings", "migrate.prepare", "migrate.sources", "migrate.issues")


@dataclass(frozen=True, slots=True)
class EntityStats:
    """Counts for one entity: rows read, rows in the CleanTable, issues, time spent."""

    entity: str
    files: tuple[str, ...]
    rows_read: int
    rows_clean: int
    errors: int
    warnings: int
    seconds: float
    rows_folded: int = 0  # rows that were further product lines of a record (`lines:`)


@dataclass(frozen=True, slots=True)
class PreparedData:
    """CleanTables per entity, all issues, the mappings used and per-entity counts.

    ``reused`` names the entities taken from the stage store rather than read and cleaned.
    """

    config: MigrationConfig
    mappings: Mapping[str, EntityMapping]
    tables: Mapping[str, pd.DataFrame]
    issues: pd.DataFrame
    stats: tuple[EntityStats, ...]
    reused: tuple[str, ...] = ()

    def count(self, severity: str) -> int:
        """How many issues of ``severity`` were found."""
        return int((self.issues["severity"] == severity).sum())


def load_mappings(folder: Path) -> dict[str, EntityMapping]:
    """Every `*.yaml` in ``folder`` by entity; all problems of all files in one MappingError."""
    if not folder.is_dir():
        raise ConfigError(
            f"mappings folder `{folder}` not found",
            next_step="create it or fix `mappings:` in `migration.yaml`",
        )
    found: dict[str, EntityMapping] = {}
    problems = [
        f"{path.name}: not read — mapping files end in `.yaml`; rename it to "
        f"`{path.stem}.yaml` (or move it out of `{folder.name}/`)"
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml"
    ]
    for path in sorted(folder.glob("*.yaml")):
        try:
            mapping = load_mapping(path)
        except MappingProblems as exc:
            problems.extend(exc.problems)
            continue
        if mapping.entity in found:
            problems.append(
                f"{path.name}: entity `{mapping.entity}` is already mapped in "
                f"{found[mapping.entity].file}"
            )
        found[mapping.entity] = mapping
    if problems:
        raise MappingError(
            f"mappings in `{folder}` have {len(problems)} problem(s)",
            problems,
            next_step="fix the lines above and run `b24migrate validate` again",
        )
    return found


def prepare(
    workspace: Workspace,
    *,
    entities: Iterable[str] | None = None,
    reader: Reader | None = None,
    environ: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
    store: StageStore | None = None,
) -> PreparedData:
    """Read, map, clean and validate every entity of ``workspace``.

    Args:
        entities: only these entities (default: every entity with a mapping and a source).
        reader: the source reader (default :func:`migrate.sources.read_table`).
        environ: environment for `env:` values of `migration.yaml` (default `os.environ`).
        on_progress: told of files read (step ``read``) and rows cleaned (``clean ENTITY``).
        store: where validated tables are kept between runs (see the module docstring).
    """
    config = workspace.load_config(environ)
    mappings = load_mappings(workspace.mappings_dir(config))
    check_pairing(workspace, config, mappings)
    wanted = set(entities) if entities is not None else None
    runnable = [e for e in ENTITIES if e in mappings and (wanted is None or e in wanted)]
    read = reader or _default_reader()
    shared = {e: siblings(mappings[e], mappings) for e in runnable}
    inputs = {e: _Inputs.of(workspace, config, shared[e], read) for e in runnable}
    stored = {e: _stored(store, inputs[e]) for e in runnable} if store else {}
    reused = {e: v for e, v in stored.items() if v is not None}
    todo = [e for e in runnable if e not in reused]
    raws = _read_all(inputs, todo, read, on_progress)
    _check_all_columns(raws, mappings)
    validated: dict[str, tuple[ValidatedTable, tuple[str, ...], float]] = dict(reused)
    for entity in todo:
        validated[entity] = _prepare_one(entity, raws[entity], shared[entity], config,
                                         on_progress)  # fmt: skip
        if store is not None:
            _store(store, inputs[entity], *validated[entity])
    tables = {e: validated[e][0].frame for e in runnable}
    tables, ref_issues = resolve_references(tables, mappings, config.language)
    issues = [_once_per_source(validated[e][0].issues, e, runnable, shared) for e in runnable]
    all_issues = concat_issues([*issues, ref_issues])
    stats = tuple(_stats(e, *validated[e], tables[e], all_issues) for e in runnable)
    return PreparedData(config, mappings, tables, all_issues, stats, tuple(reused))


def check_pairing(
    workspace: Workspace, config: MigrationConfig, mappings: Mapping[str, EntityMapping]
) -> None:
    """Every mapping has its source and every source its mapping, or one error names them.

    A mapping left without a source (or a source without a mapping) would drop an entity
    from the migration without a word; the user says which one they meant.
    """
    folder = workspace.mappings_dir(config)
    problems = [
        f"{folder.name}/{Path(m.file).name}: maps `{m.entity}`, but `sources:` in "
        f"`{config.file}` has no `{m.source_name}` — add its files there, or delete this file"
        for m in mappings.values()
        if m.source_name not in config.sources
    ]
    used = {m.source_name for m in mappings.values()}
    problems += [
        f"{config.file}: source `{name}` has no mapping file in `{folder}` — add "
        f"`{folder.name}/{name}.yaml` (`b24migrate inspect FILE --write-mapping`), or remove "
        "the source"
        for name in config.sources
        if name not in used
    ]
    if problems:
        raise MappingError(
            f"sources and mappings of `{workspace.root}` do not pair up "
            f"({len(problems)} problem(s))",
            problems,
            next_step="fix the lines above, then run the command again",
        )


def prepare_entity(
    raws: Sequence[RawLike],
    mapping: EntityMapping,
    config: MigrationConfig,
    sharing: Sequence[EntityMapping] = (),
) -> ValidatedTable:
    """Map, clean and validate the source tables of one entity.

    ``sharing``: the mappings reading the same source, ``mapping`` first
    (:func:`~migrate.prepare.routing.siblings`); rows none of their `rows:` filters takes
    become `route.unplaced` errors.
    """
    mapped = MappedTable.concat(
        [
            apply_mapping(r, mapping, language=config.language, timezone=config.timezone)
            for r in raws
        ]
    )
    rows = len(mapped.frame)
    mapped = fold_lines(mapped, mapping, config.language)
    validated = validate_table(mapped, mapping, language=config.language)
    lost = unplaced_rows(raws, sharing, config.language)
    return dataclasses.replace(
        validated, issues=concat_issues([validated.issues, lost]),
        rows_folded=rows - len(mapped.frame),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What one entity's clean table depends on, and the key that names it."""

    entity: str
    spec: SourceSpec
    files: tuple[Path, ...]
    key: str

    @classmethod
    def of(
        cls,
        workspace: Workspace,
        config: MigrationConfig,
        sharing: Sequence[EntityMapping],
        read: Reader,
    ) -> _Inputs:
        from migrate.sources import exchange_heads

        mapping = sharing[0]
        spec = config.sources[mapping.source_name]
        files = tuple(exchange_heads(workspace.source_files(spec)))
        if not files:
            raise ConfigError(
                f"source `{spec.name}`: no file matches {', '.join(spec.files)}",
                next_step=f"fix `sources.{spec.name}.files` in `migration.yaml`",
            )
        key = content_key(
            STAGE, mapping.entity, code_version(*_CODE), f"{read.__module__}.{read.__qualname__}",
            repr(mapping),  # the parsed mapping: every rule it gives, nothing else
            repr([m.rows for m in sharing[1:]]),  # which rows the others take: `route.unplaced`
            [(p.name, file_digest(p)) for p in _with_companions(files)],
            _options(spec), config.language, config.timezone,
        )  # fmt: skip
        return cls(mapping.entity, spec, files, key)


def _with_companions(files: Sequence[Path]) -> list[Path]:
    """The files and, for CommerceML, the other XML files of their folders (offers and prices
    are read from beside `import.xml`)."""
    out = list(files)
    for folder in {p.parent for p in files if p.suffix.lower() == ".xml"}:
        out.extend(sorted(p for p in folder.glob("*.xml") if p not in files))
    return out


def _options(spec: SourceSpec) -> dict[str, Any]:
    options = {
        "sheet": spec.sheet, "header_row": spec.header_row,
        "encoding": spec.encoding, "delimiter": spec.delimiter,
    }  # fmt: skip
    return {k: v for k, v in options.items() if v is not None}


def _stored(
    store: StageStore, inputs: _Inputs
) -> tuple[ValidatedTable, tuple[str, ...], float] | None:
    found = store.get(STAGE, inputs.entity, inputs.key)
    if found is None:
        return None
    table = ValidatedTable(
        inputs.entity, found.frames["table"], found.frames["issues"], int(found.data["rows_read"]),
        int(found.data.get("rows_folded", 0)),
    )  # fmt: skip
    return table, tuple(found.data["files"]), float(found.data["seconds"])


def _store(
    store: StageStore, inputs: _Inputs, table: ValidatedTable, files: tuple[str, ...],
    seconds: float,
) -> None:  # fmt: skip
    data = {"rows_read": table.rows_read, "rows_folded": table.rows_folded, "files": list(files),
            "seconds": seconds}  # fmt: skip
    store.put(STAGE, inputs.entity, inputs.key, {"table": table.frame, "issues": table.issues},
              data)  # fmt: skip


def _prepare_one(
    entity: str,
    raws: list[RawLike],
    sharing: Sequence[EntityMapping],
    config: MigrationConfig,
    on_progress: ProgressCallback | None,
) -> tuple[ValidatedTable, tuple[str, ...], float]:
    started = time.perf_counter()
    rows = sum(len(r.frame) for r in raws)
    emit(on_progress, f"clean {entity}", 0, rows)
    validated = prepare_entity(raws, sharing[0], config, sharing)
    emit(on_progress, f"clean {entity}", rows, rows, finished=True)
    files = tuple(r.source.name for r in raws)
    return validated, files, round(time.perf_counter() - started, 3)


def _once_per_source(
    issues: pd.DataFrame,
    entity: str,
    runnable: Sequence[str],
    shared: Mapping[str, Sequence[EntityMapping]],
) -> pd.DataFrame:
    """``issues`` without `route.unplaced` unless ``entity`` is the run's first reader of its
    source (every reader finds the same lost rows)."""
    readers = {m.entity for m in shared[entity]}
    first = next(e for e in runnable if e in readers)
    if first == entity or "route.unplaced" not in set(issues["rule"]):
        return issues
    return issues[issues["rule"] != "route.unplaced"].reset_index(drop=True)


def _default_reader() -> Reader:
    from migrate.sources import read_table

    return read_table


def _read_all(
    inputs: Mapping[str, _Inputs],
    entities: Sequence[str],
    read: Reader,
    on_progress: ProgressCallback | None,
) -> dict[str, list[RawLike]]:
    total = sum(len(inputs[e].files) for e in entities)
    raws: dict[str, list[RawLike]] = {}
    if not entities:
        return raws
    emit(on_progress, "read", 0, total, unit="files")
    for entity in entities:
        spec = inputs[entity].spec
        raws[entity] = [read(path, **_options(spec)) for path in inputs[entity].files]
        emit(on_progress, "read", sum(map(len, raws.values())), total, unit="files")
    emit(on_progress, "read", total, total, unit="files", finished=True)
    return raws


def _check_all_columns(
    raws: Mapping[str, list[RawLike]], mappings: Mapping[str, EntityMapping]
) -> None:
    problems = []
    for entity, tables in raws.items():
        for raw in tables:
            columns = [c for c in raw.frame.columns if c != "_row"]
            found = check_columns(mappings[entity], columns, raw.source.name)
            if found and len(columns) == 1 and any(d in columns[0] for d in ";,\t|"):
                found.append(
                    f"{raw.source.name}: read as one column `{shorten(columns[0], 60)}`: the "
                    "delimiter is wrong; drop `delimiter` from this source in `migration.yaml`"
                )
            problems.extend(found)
    if problems:
        raise MappingError(
            f"mappings read columns the sources do not have ({len(problems)} problem(s))",
            problems,
            next_step="fix `from`/`key` (or run `b24migrate inspect FILE`)",
        )


def _stats(
    entity: str, validated: ValidatedTable, files: tuple[str, ...], seconds: float,
    table: pd.DataFrame, issues: pd.DataFrame,
) -> EntityStats:  # fmt: skip
    mine = issues[issues["entity"] == entity]["severity"]
    return EntityStats(
        entity,
        files,
        validated.rows_read,
        len(table),
        int((mine == "error").sum()),
        int((mine == "warning").sum()),
        seconds,
        validated.rows_folded,
    )
