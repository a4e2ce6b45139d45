"""Mapping presets: what each kind of export looks like, read from `mappings/<folder>/preset.yaml`.

A preset names its files' sources (`sources:`), how to recognise each source's file (file name
patterns and header sets), the `--from` names it answers to (`aliases:`), constants that depend
on which header a file has (`header_consts:`), alternative key columns and a default `dedupe:`
block. :func:`resolve_preset` turns any name the docs use into the preset.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

import mappings
from mappings.model import fold_text
from migrate.errors import ConfigError

__all__ = ["PRESETS", "Preset", "PresetSource", "load_preset", "preset_dir", "resolve_preset"]

PRESETS: dict[str, str] = {
    "amocrm": "amocrm",
    "bitrix24": "bitrix24_export",
    "onec": "onec",
    "generic": "generic",
}
"""The documented `--from` choices → folder under `mappings/` (aliases: each preset.yaml)."""
_HIDDEN = {"sample": "sample", "bitrix24_portal": "bitrix24_portal"}  # no export files: the
# demo's synthetic sample, and another portal read over REST (migrate.portal.source)


@dataclass(frozen=True, slots=True)
class PresetSource:
    """One `sources:` entry of a preset and how to recognise its file."""

    name: str
    entities: tuple[str, ...]
    names: tuple[str, ...] = ()
    headers: tuple[tuple[str, ...], ...] = ()
    sheet: str | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def name_matches(self, path: Path) -> bool:
        """Whether the file name fits one of the source's name patterns."""
        name = path.name.casefold()
        return any(fnmatch.fnmatch(name, p.casefold()) for p in self.names)

    def header_score(self, columns: list[str]) -> int:
        """The size of the largest header set the columns hold in full (0: none)."""
        have = {fold_text(c) for c in columns}
        sets = [s for s in self.headers if {fold_text(h) for h in s} <= have]
        return max((len(s) for s in sets), default=0)


@dataclass(frozen=True, slots=True)
class Preset:
    """A preset folder and what its preset.yaml says."""

    name: str
    folder: Path
    title: str
    aliases: tuple[str, ...]
    sources: tuple[PresetSource, ...]
    info: Mapping[str, Any]

    @property
    def header_consts(self) -> Mapping[str, Mapping[str, Mapping[str, str]]]:
        return self.info.get("header_consts") or {}

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(self.info.get("key_columns") or ())

    @property
    def dedupe(self) -> Mapping[str, Any]:
        return self.info.get("dedupe") or {}

    def source_of(self, entity: str) -> PresetSource | None:
        """The source whose file holds ``entity``."""
        return next((s for s in self.sources if entity in s.entities), None)

    def mapping_files(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.yaml") if p.name != "preset.yaml")


def preset_dir(preset: str) -> Path:
    """The folder of the preset called ``preset`` (any of its names)."""
    return load_preset(preset).folder


def resolve_preset(text: str) -> str:
    """The canonical preset for ``text`` (`1c`, `bitrix24_export`, `kommo` …)."""
    wanted = fold_text(text).replace("-", "_")
    if wanted in _HIDDEN:
        return wanted
    for name in PRESETS:
        preset = load_preset(name)
        if wanted in {fold_text(a).replace("-", "_") for a in (name, *preset.aliases)}:
            return name
    names = ", ".join(PRESETS)
    raise ConfigError(
        f"unknown export kind `{text}`; choose one of {names}",
        next_step="or leave `--from` out: `init` recognises the export by its files",
    )


def load_preset(name: str) -> Preset:
    """The preset ``name`` (a canonical name or an alias)."""
    canonical = name if name in PRESETS or name in _HIDDEN else resolve_preset(name)
    folder = Path(mappings.__file__).parent / {**PRESETS, **_HIDDEN}[canonical]
    info = yaml.safe_load((folder / "preset.yaml").read_text(encoding="utf-8")) or {}
    sources = tuple(_source(n, s) for n, s in (info.get("sources") or {}).items())
    return Preset(canonical, folder, str(info.get("title") or canonical),
                  tuple(info.get("aliases") or ()), sources, info)  # fmt: skip


def _source(name: str, spec: Mapping[str, Any]) -> PresetSource:
    headers = spec.get("headers") or []
    sets = [headers] if headers and isinstance(headers[0], str) else headers
    options = {k: v for k, v in spec.items() if k in ("encoding", "delimiter", "header_row")}
    return PresetSource(
        name=str(name),
        entities=tuple(spec.get("entities") or [name]),
        names=tuple(spec.get("names") or spec.get("files") or ()),
        headers=tuple(tuple(str(h) for h in s) for s in sets),
        sheet=spec.get("sheet"),
        options=MappingProxyType(options),
    )
