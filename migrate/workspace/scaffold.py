"""`b24migrate init`: look at the export, then write a workspace fitted to it.

With ``--source DIR`` the files are read first (:mod:`.recognize`): the export kind is
recognised (or checked against ``--from``), each file is placed on the entity it holds, the
preset's mappings are reduced to the columns the files have, and what was not placed or not
mapped is reported. Without a source the preset's full mappings are written and `sources:`
points at `data/` for the files to be copied there. Given only ``ENTITY=PATH`` items, the
workspace holds those entities and nothing else; a file named for one entity of a file the
preset shares between entities (amoCRM's contacts-and-companies) is that entity's own source.
The `sample` preset (the demo) points at the bundled synthetic sample: a rehearsal workspace,
which :func:`check_not_sample` keeps away from a real portal. The workspace is private to the
user (folders 0700, `migration.yaml` and mappings 0600).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

import sample_data
from mappings.schema import dump_mapping, load_mapping
from migrate.errors import ConfigError
from migrate.workspace.config import MigrationConfig, Workspace
from migrate.workspace.presets import PRESETS, Preset, load_preset, preset_dir, resolve_preset
from migrate.workspace.recognize import (
    Placement,
    Recognition,
    Tailored,
    file_columns,
    recognize,
    scan_files,
    tailor,
)

__all__ = [
    "PRESETS",
    "FileReport",
    "InitResult",
    "check_not_sample",
    "init_workspace",
    "preset_dir",
]

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
{source_portal}
# Where each entity's export lives. files: paths or globs (relative to this folder);
# optional: sheet, header_row (1-based; detected when absent), encoding, delimiter.
{sources}
# Mapping files (one per entity), fitted from the `{preset}` preset to the files' columns
mappings: mappings

# Duplicate search (read by `b24migrate dedupe`; defaults apply when empty)
dedupe: {dedupe}

# Legacy owner (name or e-mail as written in the exports) → portal user id or e-mail
owners:
  map: {{}}
  default_owner: null

load:
  # auto: import when the webhook's user is an administrator (user.admin), else add |
  # import (crm.item.batchImport: no robots or business processes fire, creation dates kept) |
  # add (crm.*.add: the portal's automation fires for every record)
  route: auto
  on_existing: update # a record already in the portal: update | skip | create
  batch_size: 50
  # a creation date older than the portal's newest record of its type cannot be kept:
  # comment (created today, the date in the comment) | ask (wait for your choice) | UF_CRM_…
  backdate: comment
  # user fields, pipelines and stages the mapping needs and the portal lacks: the plan
  # proposes them (plan.xlsx); ask (wait for `plan --accept-structure`) | create (accepted)
  structure: ask
"""


_SOURCE_PORTAL = """
# The Bitrix24 portal migrated FROM, read over REST and never written to (the client
# refuses any write). Its own webhook (read rights on crm, user, catalog) from the
# environment, or an `oauth:` block as for `portal`; `plan` is its REST limits.
source_portal:
  url: env:B24_SOURCE_WEBHOOK_URL
  plan: standard
"""


@dataclass(frozen=True, slots=True)
class FileReport:
    """What `init` did with one mapping: its file, and the fields/columns it left out."""

    entity: str
    files: tuple[str, ...]
    dropped: tuple[str, ...] = ()
    unread: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InitResult:
    """What `init` wrote, and what it found in the export."""

    workspace: Workspace
    mapping_files: tuple[Path, ...]
    sources: Mapping[str, Any]
    uses_sample: bool
    preset: str = ""
    reports: tuple[FileReport, ...] = ()
    unplaced: tuple[tuple[str, str], ...] = ()
    missing: tuple[str, ...] = ()  # entities of the preset no file was found for
    alternative: str | None = None
    exchange: tuple[str, ...] = field(default=())  # 1C files read with their import file


def init_workspace(
    target: Path,
    preset: str | None = None,
    *,
    sources: Sequence[str] = (),
    name: str | None = None,
    language: str = "ru",
    force: bool = False,
) -> InitResult:
    """Write a workspace into ``target`` for the export in ``sources`` (see the module docs).

    Args:
        preset: the export kind (any name the docs use); default: recognised from the files.
        sources: a folder holding the export files and/or ``ENTITY=PATH`` items.
        name: the migration name (default: from the folder name).
        force: overwrite an existing `migration.yaml` and mapping files.
    """
    workspace = Workspace.at(target)
    if workspace.config_path.exists() and not force:
        raise ConfigError(f"`{workspace.config_path}` already exists",
                          next_step="use another folder, or `--force` to overwrite it")  # fmt: skip
    chosen = resolve_preset(preset) if preset else None
    folders = [g for g in sources if "=" not in g]
    explicit = dict(g.split("=", 1) for g in sources if "=" in g)
    _check_given(folders, explicit)
    if chosen == "sample" or (chosen and not folders and not explicit):
        base = Path(folders[0]).expanduser().resolve() if folders else None
        return _from_preset(workspace, load_preset(chosen), name, language, base)
    if not folders and not explicit:
        raise ConfigError(
            "`init` needs the export: give its folder with `--source DIR`",
            next_step="e.g. `b24migrate init acme --source ~/exports/amo` (the kind of export is "
            "recognised), or `--from amocrm` to write the preset's mappings without files",
        )
    named = [p for given in explicit.values() for p in _explicit_paths(given)]
    files = list(dict.fromkeys([*_folder_files(folders, bool(explicit)), *named]))
    found = recognize(files, chosen)
    return _write(workspace, found, explicit, name, language)


def _folder_files(folders: Sequence[str], explicit_given: bool = False) -> list[Path]:
    if len(folders) > 1:
        raise ConfigError(
            "give one source folder (and any number of ENTITY=PATH)",
            next_step="e.g. `--source ~/exports/amo --source deal=~/exports/deals.xlsx`",
        )
    if not folders:
        return []
    files = scan_files(Path(folders[0]).expanduser().resolve())
    if not files and not explicit_given:
        raise ConfigError(
            f"`--source {folders[0]}`: the folder holds no export file (CSV, Excel, XML)",
            next_step="give the folder the export was saved to",
        )
    return files


def _explicit_paths(given: str) -> list[Path]:
    """The file an ``ENTITY=PATH`` item names, or the files its pattern matches."""
    path = Path(given).expanduser()
    if path.is_file() or not any(ch in given for ch in "*?["):
        return [path.resolve()]
    return sorted(p.resolve() for p in path.parent.glob(path.name) if p.is_file())


def _write(
    workspace: Workspace,
    found: Recognition,
    explicit: Mapping[str, str],
    name: str | None,
    language: str,
) -> InitResult:
    preset = found.preset
    placed = _placements(found, explicit)
    if not placed:
        seen = "".join(f"\n  - {p.name}: {why}" for p, why in found.unplaced)
        raise ConfigError(
            f"no file of the export looks like a {preset.title} export:{seen}",
            next_step=(
                f"this looks like `--from {found.alternative}`" if found.alternative
                else "check the folder, or map the files by hand (`b24migrate inspect FILE`)"
            ),
        )  # fmt: skip
    mappings_dir = workspace.root / "mappings"
    _private_dirs(*((workspace.root,) if not workspace.root.exists() else ()), mappings_dir)
    written, reports, sources = [], [], {}
    fitted = {e: (src, pl, _tailored(preset, e, pl)) for e, (src, pl) in placed.items()}
    for entity, (source, placements, tailored) in fitted.items():
        if tailored is None:
            continue
        shared = [t for s, _, t in fitted.values() if s is source and t is not None]
        read = {c for t in shared for c in t.mapping.columns()}
        unread = tuple(c for c in tailored.unread if c not in read)
        tailored = dataclasses.replace(tailored, unread=unread)
        path = mappings_dir / f"{entity}.yaml"
        own = source.name if source.name != entity else None
        if tailored.mapping.source != own:
            fitted_mapping = dataclasses.replace(tailored.mapping, source=own)
            tailored = dataclasses.replace(tailored, mapping=fitted_mapping)
        path.write_text(_mapping_text(tailored), encoding="utf-8")
        written.append(path)
        files = tuple(_relative(p.path, workspace.root) for p in placements)
        sources[source.name] = _source_spec(source, files)
        reports.append(FileReport(entity, files, tailored.dropped, unread, tailored.notes))
    _write_config(workspace, preset, sources, name, language)
    exchange, unplaced = _split_unplaced(found)
    missing = tuple(e for s in preset.sources for e in s.entities if e not in placed)
    return InitResult(workspace, tuple(written), sources, False, preset.name, tuple(reports),
                      unplaced, missing, found.alternative, exchange)  # fmt: skip


def _placements(
    found: Recognition, explicit: Mapping[str, str]
) -> dict[str, tuple[Any, list[Any]]]:
    """Entity → (source, placements): one file per 1C exchange folder, explicit files first."""
    from migrate.sources import exchange_heads

    out: dict[str, tuple[Any, list[Any]]] = {}
    for source in found.preset.sources:
        named = {e: _explicit_paths(v) for e, v in explicit.items() if e in source.entities}
        if named and len(source.entities) > 1:  # a file per entity of a shared source
            for entity, paths in named.items():
                own = dataclasses.replace(source, name=entity, entities=(entity,))
                out[entity] = (own, _placed(own, paths))
            continue
        placements = found.files_of(source.name)
        if named:  # the user named the file: it is placed whatever its headers
            placements = _placed(source, [p for paths in named.values() for p in paths])
        heads = set(exchange_heads([p.path for p in placements]))
        placements = [p for p in placements if p.path in heads]
        for entity in source.entities if placements else ():
            out[entity] = (source, placements)
    unknown = [
        e for e in explicit if e not in {x for s in found.preset.sources for x in s.entities}
    ]
    if unknown:
        raise ConfigError(
            f"`--source {unknown[0]}=…`: a {found.preset.title} export has no `{unknown[0]}`",
            next_step="name one of: "
            + ", ".join(e for s in found.preset.sources for e in s.entities),
        )
    return out


def _placed(source: Any, paths: Sequence[Path]) -> list[Placement]:
    return [Placement(source, p, file_columns(p, source.sheet)) for p in paths]


def _tailored(preset: Preset, entity: str, placements: list[Any]) -> Tailored | None:
    path = preset.folder / f"{entity}.yaml"
    variants = (preset.info.get("variants") or {}).get(entity) or {}
    suffix = placements[0].path.suffix.lower()
    if suffix in variants:
        path = preset.folder / variants[suffix]
    if not path.is_file():
        return None
    return tailor(load_mapping(path), placements[0].columns, preset)


def _mapping_text(tailored: Tailored) -> str:
    lines = []
    if tailored.dropped:
        lines.append("# left out by `init`: the export has none of the columns of")
        lines += [f"#   {d}" for d in tailored.dropped]
    if tailored.unread:
        lines.append("# columns of the export no field reads (add a field to load them):")
        lines.append("#   " + ", ".join(tailored.unread))
    lines += [f"# {n}" for n in tailored.notes]
    return "\n".join(lines) + ("\n" if lines else "") + _compact_yaml(tailored.mapping)


def _compact_yaml(mapping: Any) -> str:
    """The mapping as YAML with one line per field (the way the presets are written)."""
    data = dump_mapping(mapping)
    out = []
    for key, value in data.items():
        if key in ("fields", "lines"):
            out.append(f"{key}:")
            body = value if key == "fields" else value["fields"]
            indent = "  " if key == "fields" else "    "
            if key == "lines":
                out.append("  fields:")
            out += [f"{indent}{name}: {_flow(spec)}" for name, spec in body.items()]
            if key == "lines" and "total" in value:
                out.append(f"  total: {value['total']}")
        else:
            out.append(f"{key}: {_flow(value)}")
    return "\n".join(out) + "\n"


def _source_spec(source: Any, files: tuple[str, ...]) -> dict[str, Any]:
    spec: dict[str, Any] = {"files": list(files)}
    if source.sheet and all(f.lower().endswith(".xml") for f in files):
        spec["sheet"] = source.sheet
    spec.update(source.options)
    return spec


def _split_unplaced(found: Recognition) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """1C offers/prices/rests files beside a placed import file are part of its exchange."""
    folders = {p.path.parent for p in found.placements if p.path.suffix.lower() == ".xml"}
    exchange, unplaced = [], []
    for path, why in found.unplaced:
        part = path.parent in folders and path.name.lower().startswith(
            ("offers", "prices", "rests", "import")
        )
        (exchange.append(path.name) if part else unplaced.append((path.name, why)))
    return tuple(exchange), tuple(unplaced)


def _write_config(
    workspace: Workspace, preset: Preset, sources: Mapping[str, Any], name: str | None,
    language: str,
) -> None:  # fmt: skip
    _private_dirs(workspace.reports_dir, workspace.state_dir)
    dedupe = dict(preset.dedupe)
    text = _TEMPLATE.format(
        source_portal=_SOURCE_PORTAL if preset.info.get("portal") else "",
        preset=preset.name,
        name=name or _name(workspace.root.name),
        language=language,
        sources=_sources_yaml(sources),
        dedupe=_flow(dedupe) if dedupe else "{}",
    )
    workspace.config_path.write_text(text, encoding="utf-8")
    mappings = workspace.root / "mappings"
    for path in (workspace.config_path, *(mappings.glob("*.yaml") if mappings.is_dir() else ())):
        path.chmod(0o600)  # may come to hold a webhook URL; the mappings name the client's data


def _from_preset(
    workspace: Workspace, preset: Preset, name: str | None, language: str,
    folder: Path | None = None,
) -> InitResult:  # fmt: skip
    """The preset's full mappings; sources in the bundled sample (`sample`) or in `data/`."""
    sample = preset.info.get("sample")
    base = _sample_root() / str(sample) if sample else workspace.root / "data"
    base = folder or base
    sources: dict[str, Any] = {}
    for source in preset.sources:
        if preset.info.get("portal"):  # read from `source_portal`, not from files
            sources[source.name] = {"portal": source.name}
            continue
        names = [n for n in source.names if not n.startswith("*")][:1] or list(source.names[:1])
        files = [_relative((base / n).resolve(), workspace.root) for n in names]
        sources[source.name] = _source_spec(source, tuple(files))
    mappings_dir = workspace.root / "mappings"
    _private_dirs(*((workspace.root,) if not workspace.root.exists() else ()), mappings_dir)
    copied = [Path(shutil.copyfile(p, mappings_dir / p.name)) for p in preset.mapping_files()]
    _write_config(workspace, preset, sources, name, language)
    return InitResult(workspace, tuple(copied), sources, bool(sample) and folder is None,
                      preset.name)  # fmt: skip


def _check_given(folders: Sequence[str], explicit: Mapping[str, str]) -> None:
    """Refuse `--source` paths that do not exist."""
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
        if any(ch in given for ch in "*?[") and not any(path.parent.glob(path.name)):
            raise ConfigError(
                f"`--source {entity}={given}`: no file matches",
                next_step="check the folder and the pattern",
            )
        if not any(ch in given for ch in "*?["):
            raise ConfigError(
                f"`--source {entity}={given}`: the file does not exist",
                next_step="check the path and its spelling",
            )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _flow(data: Any) -> str:
    text = yaml.safe_dump(
        data, allow_unicode=True, default_flow_style=True, width=10_000, sort_keys=False
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _sources_yaml(sources: Mapping[str, Any]) -> str:
    lines = ["sources:"]
    for entity, spec in sources.items():
        lines.append(f"  {entity}: {_flow(spec)}")
    return "\n".join(lines) + "\n"


def _name(folder: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "-", folder).strip("-")[:50]
    return cleaned or "migration"


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
