"""`b24migrate init`: write a new workspace from a mapping preset.

The workspace gets a commented `migration.yaml`, the preset's mapping files (to be edited by
the data specialist), `reports/` and `.b24migrate/`. Sources are exactly what ``--source``
names: a folder (every entity of the preset, files named as the preset names them) and/or
``ENTITY=PATH`` items; given only ``ENTITY=PATH`` items, the workspace holds those entities and
their mapping files, nothing else. Without any ``--source`` a preset that has sample data
(amocrm, onec) points at the bundled sample: a rehearsal workspace, which
:func:`check_not_sample` keeps away from a real portal.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

import mappings
import sample_data
from migrate.errors import ConfigError
from migrate.workspace.config import MigrationConfig, Workspace

__all__ = ["PRESETS", "InitResult", "check_not_sample", "init_workspace", "preset_dir"]

PRESETS: dict[str, str] = {
    "amocrm": "amocrm",
    "bitrix24": "bitrix24_export",
    "generic": "generic",
    "onec": "onec",
}
"""`--from` choice → folder under `mappings/`."""

_TEMPLATE = """\
# b24migrate workspace, written by `b24migrate init --from {preset}`.
# Every stage reads this file; edit it, then run `b24migrate validate`.

# The migration's name: every record created in Bitrix24 carries it as ORIGINATOR_ID
# (and its source key as ORIGIN_ID), which makes loading exactly-once and resumable.
name: {name}

# Language of the reports and messages: ru | en
language: {language}

# Time zone for dates and times written without an offset
timezone: Europe/Moscow

portal:
  # sandbox            — a local Bitrix24-compatible portal (rehearsals, demo)
  # env:B24_WEBHOOK_URL — read the webhook URL from the environment (recommended)
  # https://<portal>/rest/<user>/<code>/ — a webhook URL (a secret: never commit it)
  url: sandbox
  # The REST limits the load keeps to (the embedded sandbox applies them too):
  # standard (2 requests/s, bursts of 50) | enterprise (5/s, 250) | unlimited (a sandbox
  # served without limits). Set it to the client's Bitrix24 plan.
  plan: standard

# Where each entity's export lives. files: paths or globs (relative to this folder);
# optional: sheet, header_row (1-based; detected when absent), encoding, delimiter.
{sources}
# Mapping files (one per entity), copied from the `{preset}` preset
mappings: mappings

# Duplicate search (read by `b24migrate dedupe`; defaults apply when empty)
dedupe: {{}}

# Legacy owner (name or e-mail as written in the exports) → portal user id or e-mail
owners:
  map: {{}}
  default_owner: null

load:
  route: add          # add (crm.*.add, automation fires) | import (crm.item.batchImport)
  on_existing: update # a record already in the portal: update | skip | create
  batch_size: 50
  # a creation date older than the portal's newest record of its type cannot be kept:
  # comment (created today, the date in the comment) | ask (wait for your choice) | UF_CRM_…
  backdate: comment
"""


@dataclass(frozen=True, slots=True)
class InitResult:
    """What `init` wrote: the workspace, its mapping files and the sources it points at."""

    workspace: Workspace
    mapping_files: tuple[Path, ...]
    sources: Mapping[str, Any]
    uses_sample: bool


def preset_dir(preset: str) -> Path:
    """The folder of the preset called ``preset`` (a `--from` choice)."""
    if preset not in PRESETS:
        raise ConfigError(f"unknown preset `{preset}`; choose one of {', '.join(PRESETS)}")
    return Path(mappings.__file__).parent / PRESETS[preset]


def init_workspace(
    target: Path,
    preset: str,
    *,
    sources: Sequence[str] = (),
    name: str | None = None,
    language: str = "ru",
    force: bool = False,
) -> InitResult:
    """Write a workspace into ``target`` from ``preset``.

    Args:
        sources: a folder holding the export files named in the preset, and/or
            ``ENTITY=PATH`` items for single entities; default: the bundled sample data.
        name: the migration name (default: from the folder name).
        force: overwrite an existing `migration.yaml` and mapping files.
    """
    folder = preset_dir(preset)
    workspace = Workspace.at(target)
    if workspace.config_path.exists() and not force:
        raise ConfigError(f"`{workspace.config_path}` already exists",
                          next_step="use another folder, or `--force` to overwrite it")  # fmt: skip
    info = yaml.safe_load((folder / "preset.yaml").read_text(encoding="utf-8")) or {}
    resolved, uses_sample = _sources(info, sources, workspace.root)
    mappings_dir = workspace.root / "mappings"
    _private_dirs(*((workspace.root,) if not workspace.root.exists() else ()), mappings_dir)
    copied = []
    for path in sorted(folder.glob("*.yaml")):
        if path.stem in resolved:  # only the entities given a source (preset.yaml is not one)
            chosen = _variant(folder, info, path.stem, resolved) or path
            copied.append(Path(shutil.copyfile(chosen, mappings_dir / path.name)))
    _private_dirs(workspace.reports_dir, workspace.state_dir)
    text = _TEMPLATE.format(
        preset=preset,
        name=name or _name(workspace.root.name),
        language=language,
        sources=_sources_yaml(resolved),
    )
    workspace.config_path.write_text(text, encoding="utf-8")
    for path in (workspace.config_path, *copied):
        path.chmod(0o600)  # may come to hold a webhook URL; the mappings name the client's data
    return InitResult(workspace, tuple(copied), resolved, uses_sample)


def _sources(
    info: Mapping[str, Any], given: Sequence[str], root: Path
) -> tuple[dict[str, Any], bool]:
    preset_sources: dict[str, dict[str, Any]] = {
        entity: dict(spec) for entity, spec in (info.get("sources") or {}).items()
    }
    folders = [g for g in given if "=" not in g]
    explicit = dict(g.split("=", 1) for g in given if "=" in g)
    unknown = [e for e in explicit if e not in preset_sources]
    if unknown:
        raise ConfigError(f"`--source {unknown[0]}=…`: the preset has no `{unknown[0]}` mapping; "
                          f"choose from {', '.join(preset_sources)}",
                          next_step="name one of these entities before `=`")  # fmt: skip
    if len(folders) > 1:
        raise ConfigError(
            "give one source folder (and any number of ENTITY=PATH)",
            next_step="e.g. `--source ~/exports/amo --source deal=~/exports/deals.xlsx`",
        )
    _check_given(folders, explicit)
    sample = info.get("sample")
    uses_sample = not given and bool(sample)
    if folders:
        base: Path | None = Path(folders[0]).expanduser().resolve()
    elif uses_sample:
        base = _sample_root() / str(sample)
    elif not given:
        base = root / "data"
    else:
        base = None  # only ENTITY=PATH items: the other entities have no source at all
    out: dict[str, Any] = {}
    for entity, spec in preset_sources.items():
        if entity in explicit:
            spec = {"files": [str(Path(explicit[entity]).expanduser().resolve())]}
        elif base is None:
            continue
        else:
            spec["files"] = [_relative((base / f).resolve(), root) for f in spec["files"]]
        out[entity] = spec
    return out, uses_sample


def _sample_root() -> Path:
    return Path(sample_data.__file__).parent.resolve()


def check_not_sample(workspace: Workspace, config: MigrationConfig) -> None:
    """Refuse a workspace whose sources are the bundled sample data for a real portal.

    `init` without `--source` points at the sample so that a new user can rehearse against
    the sandbox; planning those synthetic records for a client's portal would fill it with
    invented companies, so a portal other than the sandbox (embedded, or served on this
    machine's loopback as the demo does) stops here with the way out.
    """
    if config.portal.kind == "sandbox" or _on_loopback(config):
        return
    sample = _sample_root()
    for spec in config.sources.values():
        for path in workspace.source_files(spec):
            if path.resolve().is_relative_to(sample):
                raise ConfigError(
                    f"source `{spec.name}` in `{workspace.config_path}` is the bundled sample "
                    f"data (`{path.name}`), and the portal is {config.portal.display}",
                    next_step="point `sources:` at your exports (`b24migrate init DIR --source "
                    "ENTITY=PATH`), or set `portal.url: sandbox` to rehearse",
                )


def _check_given(folders: Sequence[str], explicit: Mapping[str, str]) -> None:
    """Refuse `--source` paths that do not exist (a glob must match something)."""
    for folder in folders:
        path = Path(folder).expanduser()
        if not path.is_dir():
            what = "is a file, not a folder" if path.is_file() else "does not exist"
            raise ConfigError(
                f"`--source {folder}`: the folder {what}",
                next_step="give the folder with the export files, or ENTITY=FILE for one file",
            )
    for entity, given in explicit.items():
        path = Path(given).expanduser()
        if path.is_file():
            continue
        if any(ch in given for ch in "*?["):
            if not any(path.parent.glob(path.name)):
                raise ConfigError(
                    f"`--source {entity}={given}`: no file matches",
                    next_step="check the folder and the pattern",
                )
        elif not path.is_file():
            raise ConfigError(
                f"`--source {entity}={given}`: the file does not exist",
                next_step="check the path and its spelling",
            )


def _private_dirs(*folders: Path) -> None:
    """Create ``folders`` readable by the user only (the workspace holds the client's data)."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)


def _on_loopback(config: MigrationConfig) -> bool:
    portal = config.portal
    url = (
        portal.webhook.reveal() if portal.webhook else portal.oauth.endpoint if portal.oauth else ""
    )
    host = urlsplit(url.strip()).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1")


def _variant(
    folder: Path, info: Mapping[str, Any], entity: str, sources: Mapping[str, Any]
) -> Path | None:
    """The preset's alternative mapping for ``entity`` when its source file calls for one."""
    variants = (info.get("variants") or {}).get(entity) or {}
    files = (sources.get(entity) or {}).get("files") or []
    suffix = Path(files[0]).suffix.lower() if files else ""
    return folder / variants[suffix] if suffix in variants else None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _sources_yaml(sources: Mapping[str, Any]) -> str:
    lines = ["sources:"]
    for entity, spec in sources.items():
        flow = yaml.safe_dump(spec, allow_unicode=True, default_flow_style=True, width=1000)
        lines.append(f"  {entity}: {flow.strip()}")
    return "\n".join(lines) + "\n"


def _name(folder: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "-", folder).strip("-")[:50]
    return cleaned or "migration"
