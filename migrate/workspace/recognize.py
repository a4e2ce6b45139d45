"""`init` looks before it writes: which export the files are, which file holds which entity.

:func:`recognize` reads the header of every file in the export folder and places each file on
the preset source whose header set it holds (the file name breaks ties); without `--from` the
preset that places the most files wins. Files no source takes are listed, never silently used.
:func:`tailor` then fits a preset mapping to the columns its file really has: a field whose
columns are all missing is left out (and listed), a list of columns keeps those present.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mappings.model import ROW_KEY, EntityMapping, FieldMapping, LineSpec
from migrate.errors import MigrationError
from migrate.workspace.presets import PRESETS, Preset, PresetSource, load_preset

__all__ = [
    "Placement",
    "Recognition",
    "Tailored",
    "file_columns",
    "recognize",
    "scan_files",
    "tailor",
]

_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xml", ".html"}
_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Placement:
    """A file placed on a preset source, with the columns it was read with."""

    source: PresetSource
    path: Path
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recognition:
    """What `init` found in an export folder."""

    preset: Preset
    placements: tuple[Placement, ...]
    unplaced: tuple[tuple[Path, str], ...]
    alternative: str | None = None  # another preset that fits the files better

    def files_of(self, source: str) -> list[Placement]:
        return [p for p in self.placements if p.source.name == source]


def scan_files(folder: Path) -> list[Path]:
    """Data files under ``folder`` (three levels deep), skipping hidden files and Excel locks."""
    found = []
    for path in sorted(folder.rglob("*")):
        depth = len(path.relative_to(folder).parts)
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        wanted = path.suffix.lower() in _SUFFIXES and not path.name.startswith("~$")
        if path.is_file() and wanted and not hidden and depth <= _DEPTH:
            found.append(path)
    return found


def recognize(files: Sequence[Path], preset: str | None = None) -> Recognition:
    """Place ``files`` on the sources of ``preset`` (default: the preset that fits best)."""
    headers = {p: _columns(p) for p in files}
    scored = {name: _place(load_preset(name), files, headers) for name in PRESETS}
    best = max(scored, key=lambda n: (len(scored[n][0]), -list(PRESETS).index(n)))
    chosen = preset or best
    placements, unplaced = scored[chosen] if chosen in scored else _place(
        load_preset(chosen), files, headers
    )  # fmt: skip
    better = best if preset and len(scored[best][0]) > len(placements) else None
    return Recognition(load_preset(chosen), tuple(placements), tuple(unplaced), better)


def file_columns(path: Path, sheet: str | None = None) -> tuple[str, ...]:
    """The columns of ``path`` (its ``sheet``); an unreadable file raises its SourceReadError."""
    from migrate.sources import read_table

    xml = path.suffix.lower() == ".xml"
    return tuple(read_table(path, sheet=sheet if xml else None).columns)


def _columns(path: Path) -> dict[str | None, list[str] | str]:
    """The columns of ``path`` per sheet it may be read with (an error text if unreadable)."""
    from migrate.sources import list_sheets, read_table

    out: dict[str | None, list[str] | str] = {}
    try:
        sheets: list[str | None] = [None]
        if path.suffix.lower() == ".xml":
            sheets = [s for s in list_sheets(path) if s] or [None]
        for sheet in sheets:
            try:
                out[sheet] = read_table(path, sheet=sheet).columns
            except MigrationError as exc:
                out[sheet] = str(exc).splitlines()[0]
    except MigrationError as exc:
        out[None] = str(exc).splitlines()[0]
    return out


def _place(
    preset: Preset, files: Sequence[Path], headers: Mapping[Path, Mapping[str | None, object]]
) -> tuple[list[Placement], list[tuple[Path, str]]]:
    placements: list[Placement] = []
    unplaced: list[tuple[Path, str]] = []
    for path in files:
        found = _sources_for(preset, path, headers[path])
        if not found:
            unplaced.append((path, _why(headers[path])))
        placements.extend(found)
    return placements, unplaced


def _sources_for(
    preset: Preset, path: Path, sheets: Mapping[str | None, object]
) -> list[Placement]:
    """Every source of ``preset`` the file fits: the best header match per sheet."""
    out = []
    for sheet, columns in sheets.items():
        if not isinstance(columns, list):
            continue
        candidates = [
            (s.header_score(columns), s.name_matches(path), s)
            for s in preset.sources
            if (s.sheet or None) == (sheet or None) or (sheet is None and not s.sheet)
        ]
        scored = [c for c in candidates if c[0]]
        if scored:
            _, _, source = max(scored, key=lambda c: (c[0], c[1]))
            out.append(Placement(source, path, tuple(columns)))
    return out


def _why(sheets: Mapping[str | None, object]) -> str:
    texts = [v for v in sheets.values() if isinstance(v, str)]
    if texts:
        return texts[0]
    columns = next((v for v in sheets.values() if isinstance(v, list)), [])
    shown = ", ".join(str(c) for c in columns[:8])
    return f"columns: {shown}{' …' if len(columns) > 8 else ''}"


@dataclass(frozen=True, slots=True)
class Tailored:
    """A preset mapping fitted to a file: the mapping, and what was left out and why."""

    mapping: EntityMapping
    dropped: tuple[str, ...]  # fields whose columns the file lacks
    unread: tuple[str, ...]  # columns of the file no field reads
    notes: tuple[str, ...] = ()


def tailor(
    mapping: EntityMapping,
    columns: Sequence[str],
    preset: Preset,
) -> Tailored:
    """``mapping`` reduced to the ``columns`` the file has (see the module docs)."""
    have = set(columns)
    dropped: list[str] = []
    notes: list[str] = []
    fields = []
    for spec in mapping.fields:
        fitted = _fit(spec, have)
        if fitted is None:
            dropped.append(f"{spec.name} ← {', '.join(spec.sources)}")
            continue
        fields.append(fitted)
    consts = preset.header_consts.get(mapping.entity, {})
    for name, by_header in consts.items():
        present = [v for h, v in by_header.items() if h in have]
        if present:
            fields = [dataclasses.replace(f, const=present[0]) if f.name == name else f
                      for f in fields]  # fmt: skip
            header = next(h for h, v in by_header.items() if h in have and v == present[0])
            notes.append(f"{name} = {present[0]} ← «{header}»")
    key = mapping.key
    if (key != ROW_KEY and key not in have) or key == ROW_KEY:
        key = next((k for k in preset.key_columns if k in have), ROW_KEY)
    lines = _fit_lines(mapping.lines, have)
    rows = mapping.rows
    if rows is not None and rows.column not in have:  # not the shared file: every row is ours
        notes.append(f"rows: every row (the file has no «{rows.column}» column)")
        rows = None
    fitted_mapping = dataclasses.replace(
        mapping, key=key, fields=tuple(fields), lines=lines, rows=rows
    )
    read = set(fitted_mapping.columns())
    unread = tuple(c for c in columns if c not in read)
    return Tailored(fitted_mapping, tuple(dropped), unread, tuple(notes))


def _fit(spec: FieldMapping, have: set[str]) -> FieldMapping | None:
    if not spec.sources:
        return spec
    present = tuple(c for c in spec.sources if c in have)
    if not present:
        return None
    value_type = spec.value_type
    if isinstance(value_type, Mapping):
        value_type = {c: t for c, t in value_type.items() if c in present}
    return dataclasses.replace(
        spec, sources=present, from_is_list=len(present) > 1, value_type=value_type
    )


def _fit_lines(lines: LineSpec | None, have: set[str]) -> LineSpec | None:
    if lines is None:
        return None
    fields = tuple(f for f in (_fit(s, have) for s in lines.fields) if f is not None)
    return LineSpec(fields, lines.total) if fields else None
