"""The pure stages before dedupe: read → map → clean → validate, for a whole workspace.

:func:`prepare` is what `b24migrate validate` runs and what dedupe, plan and demo call first::

    data = prepare(Workspace.at("acme"))
    data.tables["contact"]        # the CleanTable (see docs/internals.md)
    data.issues                   # every issue, the long table of migrate.issues.ISSUE_COLUMNS
"""

from __future__ import annotations

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
from migrate.prepare.routing import unrouted_issues
from migrate.prepare.transform import MappedTable, RawLike, apply_mapping
from migrate.prepare.validate import FieldsMeta, validate_table
from migrate.progress import ProgressCallback, emit
from migrate.workspace.config import MigrationConfig, SourceSpec, Workspace

__all__ = [
    "EntityStats",
    "PreparedData",
    "load_mappings",
    "prepare",
    "prepare_entity",
    "validate_workspace",
]

Reader = Callable[..., RawLike]


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


@dataclass(frozen=True, slots=True)
class PreparedData:
    """CleanTables per entity, all issues, the mappings used and per-entity counts."""

    config: MigrationConfig
    mappings: Mapping[str, EntityMapping]
    tables: Mapping[str, pd.DataFrame]
    issues: pd.DataFrame
    stats: tuple[EntityStats, ...]
    skipped: tuple[str, ...] = ()

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
    problems: list[str] = []
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
    fields_meta: Mapping[str, FieldsMeta] | None = None,
    statuses: Mapping[str, Sequence[str]] | None = None,
    reader: Reader | None = None,
    environ: Mapping[str, str] | None = None,
    on_progress: ProgressCallback | None = None,
) -> PreparedData:
    """Read, map, clean and validate every entity of ``workspace``.

    Args:
        entities: only these entities (default: every entity with a mapping and a source).
        fields_meta: portal metadata per entity (`crm.<entity>.fields` results), if known.
        statuses: portal status lists by `statusType` (`DEAL_STAGE`, `SOURCE`, …), if known.
        reader: the source reader (default :func:`migrate.sources.read_table`).
        environ: environment for `env:` values of `migration.yaml` (default `os.environ`).
        on_progress: told of files read (step ``read``) and rows cleaned (``clean ENTITY``).
    """
    config = workspace.load_config(environ)
    mappings = load_mappings(workspace.mappings_dir(config))
    wanted = set(entities) if entities is not None else None
    order = [e for e in ENTITIES if e in mappings and (wanted is None or e in wanted)]
    runnable = [e for e in order if mappings[e].source_name in config.sources]
    skipped = tuple(e for e in order if e not in runnable)
    read = reader or _default_reader()
    raws = _read_all(workspace, config, mappings, runnable, read, on_progress)
    _check_all_columns(raws, mappings)
    tables, issues, stats = {}, [], []
    for entity in runnable:
        started = time.perf_counter()
        rows = sum(len(r.frame) for r in raws[entity])
        emit(on_progress, f"clean {entity}", 0, rows)
        validated = prepare_entity(
            raws[entity],
            mappings[entity],
            config,
            fields_meta=(fields_meta or {}).get(entity),
            statuses=statuses,
        )
        tables[entity] = validated.frame
        issues.append(validated.issues)
        stats.append((entity, validated.rows_read, time.perf_counter() - started))
        emit(on_progress, f"clean {entity}", rows, rows, finished=True)
    tables, ref_issues = resolve_references(tables, mappings, config.language)
    unrouted = unrouted_issues(raws, mappings, config.language)
    all_issues = concat_issues([*issues, ref_issues, unrouted])
    return PreparedData(
        config,
        mappings,
        tables,
        all_issues,
        tuple(_stats(e, raws[e], tables[e], all_issues, n, s) for e, n, s in stats),
        skipped,
    )


def validate_workspace(workspace: Workspace, **options: Any) -> tuple[PreparedData, Path]:
    """:func:`prepare` the workspace and write `reports/errors.xlsx`; return both."""
    from migrate.reports.errors_xlsx import write_errors_xlsx

    data = prepare(workspace, **options)
    report = write_errors_xlsx(
        workspace.reports_dir / "errors.xlsx",
        data.issues,
        stats=data.stats,
        language=data.config.language,
    )
    return data, report


def prepare_entity(
    raws: Sequence[RawLike],
    mapping: EntityMapping,
    config: MigrationConfig,
    *,
    fields_meta: FieldsMeta | None = None,
    statuses: Mapping[str, Sequence[str]] | None = None,
) -> Any:
    """Map, clean and validate the source tables of one entity → ``ValidatedTable``."""
    mapped = MappedTable.concat(
        [
            apply_mapping(r, mapping, language=config.language, timezone=config.timezone)
            for r in raws
        ]
    )
    mapped = fold_lines(mapped, mapping, config.language)
    return validate_table(
        mapped, mapping, fields_meta=fields_meta, statuses=statuses, language=config.language
    )


def _default_reader() -> Reader:
    from migrate.sources import read_table

    return read_table


def _read_all(
    workspace: Workspace,
    config: MigrationConfig,
    mappings: Mapping[str, EntityMapping],
    entities: Sequence[str],
    read: Reader,
    on_progress: ProgressCallback | None,
) -> dict[str, list[RawLike]]:
    specs = {e: config.sources[mappings[e].source_name] for e in entities}
    total = sum(len(workspace.source_files(spec)) for spec in specs.values())
    raws: dict[str, list[RawLike]] = {}
    emit(on_progress, "read", 0, total, unit="files")
    for entity, spec in specs.items():
        raws[entity] = _read(workspace, spec, read)
        emit(on_progress, "read", sum(map(len, raws.values())), total, unit="files")
    emit(on_progress, "read", total, total, unit="files", finished=True)
    return raws


def _read(workspace: Workspace, spec: SourceSpec, read: Reader) -> list[RawLike]:
    from migrate.sources import exchange_heads

    files = exchange_heads(workspace.source_files(spec))
    if not files:
        raise ConfigError(
            f"source `{spec.name}`: no file matches {', '.join(spec.files)}",
            next_step=f"fix `sources.{spec.name}.files` in `migration.yaml`",
        )
    options = {
        "sheet": spec.sheet, "header_row": spec.header_row,
        "encoding": spec.encoding, "delimiter": spec.delimiter,
    }  # fmt: skip
    return [read(path, **{k: v for k, v in options.items() if v is not None}) for path in files]


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
    entity: str, raws: list[RawLike], table: pd.DataFrame, issues: pd.DataFrame,
    rows_read: int, seconds: float,
) -> EntityStats:  # fmt: skip
    mine = issues[issues["entity"] == entity]["severity"]
    return EntityStats(
        entity,
        tuple(r.source.name for r in raws),
        rows_read,
        len(table),
        int((mine == "error").sum()),
        int((mine == "warning").sum()),
        round(seconds, 3),
    )
