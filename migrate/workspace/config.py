"""The workspace and its `migration.yaml`, loaded into frozen dataclasses.

```yaml
name: acme-2026            # becomes ORIGINATOR_ID of every record we create
language: ru               # report language: ru | en
timezone: Europe/Moscow    # for dates without an offset
portal:
  url: sandbox             # sandbox | env:B24_WEBHOOK_URL | https://x.bitrix24.ru/rest/1/<code>/
  plan: standard           # the portal's REST limits: standard | enterprise | unlimited
source_portal:             # another Bitrix24 read over REST (only read), same keys as `portal`
  url: env:B24_SOURCE_WEBHOOK_URL
sources:
  contact: {files: [exports/contacts*.csv], encoding: cp1251, header_row: 1, sheet: Лист1}
  deal: {portal: deal}     # a table read from `source_portal` (migrate.portal.source)
mappings: mappings
dedupe: {...}              # passed through to the dedupe stage as written
owners: {map: {Иванов Иван: 7, anna@old.ru: anna@new.ru}, default_owner: 1}
load: {route: auto, on_existing: update, batch_size: 50, backdate: comment, structure: ask}
```

Every problem is reported at once with `file:line` as a :class:`~migrate.errors.ConfigError`.
The webhook URL (and OAuth secrets) hold credentials: :class:`Secret` never shows them in
``repr``/``str``; call :meth:`Secret.reveal` only where the value is sent.
"""

from __future__ import annotations

import dataclasses
import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import yaml

from mappings._yaml import Located, NotUtf8, load_located, read_utf8
from mappings.fields import ENTITIES
from mappings.schema import suggest
from migrate.errors import ConfigError

__all__ = [
    "CONFIG_FILE",
    "DECISIONS_FILE",
    "OWNER_CHOICES_FILE",
    "LoadConfig",
    "MigrationConfig",
    "OAuthConfig",
    "OwnersConfig",
    "PortalConfig",
    "Secret",
    "SourceSpec",
    "Workspace",
    "load_config",
    "parse_config",
    "redact_url",
    "redact_webhooks",
    "webhook_secrets",
]

CONFIG_FILE = "migration.yaml"
DECISIONS_FILE = Path(".b24migrate") / "dedupe_decisions.json"  # the client's dedupe decisions
OWNER_CHOICES_FILE = Path(".b24migrate") / "owner_choices.json"  # owners.xlsx, as read back
_INIT_HINT = "`b24migrate init DIR --from amocrm` writes a commented `migration.yaml` to start from"
_TOP = ("name", "language", "timezone", "portal", "source_portal", "sources", "mappings", "dedupe",
        "owners", "load")  # fmt: skip
_SOURCE_KEYS = ("files", "sheet", "header_row", "encoding", "preset", "delimiter", "portal")
_NAME_RE = re.compile(r"[A-Za-z0-9_.\-]{1,50}")
_UF_RE = re.compile(r"UF_CRM_[A-Z0-9_]{1,43}")
_USERINFO_RE = re.compile(r"^(\s*[a-z][a-z0-9+.-]*:/+)[^/@]*@", re.IGNORECASE)
# `/rest/` however written (`/REST/`, `//rest//`, spaces), then an optional user id.
# These run on every log line (runlog.redact_text), which may quote a cell: each starts only
# where a run of its first characters starts (a leftmost match always does), instead of again
# at each character of the run — 40,000 letters or slashes took 13 s a line. Same matches.
_REST_RE = re.compile(r"(?<!/)/+\s*rest\s*(?:/+|$)(\s*\d+\s*/+)?", re.IGNORECASE)
_REST_IN_TEXT = re.compile(r"((?<!/)/+\s*rest\s*/+(?:\s*\d+\s*/+)?)([^/?#\s\"'<>]+)", re.IGNORECASE)
# the digits and `+.-` before a scheme's first letter are matched (and put back) to start there
_USERINFO_IN_TEXT = re.compile(
    r"(?<![a-z0-9+.-])([0-9+.-]*)([a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE
)
_ORIGIN_RE = re.compile(r"^\s*([a-z][a-z0-9+.-]*:/+[^/?#]*)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*")
_METHODS_WITHOUT_DOT = frozenset({"batch", "profile", "methods", "scope", "events"})


def redact_url(url: str) -> str:
    """``url`` safe to show: user info, query and everything after `/rest/[user id/]` masked.

    Whatever the shape — `/REST/`, a doubled slash, a missing user id, spaces — what follows
    `/rest/` could be a webhook code, so none of it is shown; a URL without `/rest/` keeps only
    its scheme and host. ``sandbox`` (not a URL) is returned as it is.
    """
    bare = _USERINFO_RE.sub(r"\1", url.split("?", 1)[0].split("#", 1)[0])
    found = _REST_RE.search(bare)
    if found is not None:
        head, tail = bare[: found.end()], bare[found.end() :].rstrip()
        if not tail.strip(" /"):
            return head
        return head + ("***/" if tail.endswith("/") else "***")
    origin = _ORIGIN_RE.match(bare)
    if origin is None:
        return bare if bare == "sandbox" else "***"
    rest = bare[origin.end() :]
    return origin.group(1) + ("/***" if rest.strip(" /") else rest.strip())


def redact_webhooks(text: str) -> str:
    """Free ``text`` (a log line, an error) with the segment after every `/rest/[user/]` masked.

    A REST method name there (`crm.contact.add`, `batch`) is kept: it has a dot or is one
    of the few dot-less methods; so is a placeholder in capitals (`/rest/USER_ID/CODE/` in an
    example); anything else could be a webhook code.
    """

    def mask(match: re.Match[str]) -> str:
        word = match.group(2)
        placeholder = bool(_PLACEHOLDER.fullmatch(word))  # USER_ID, CODE in an example URL
        shown = "." in word or word.lower() in _METHODS_WITHOUT_DOT or placeholder
        return match.group(0) if shown else match.group(1) + "***"

    return _REST_IN_TEXT.sub(mask, _USERINFO_IN_TEXT.sub(r"\1\2***@", text))


def webhook_secrets(url: str) -> tuple[str, ...]:
    """The texts of a webhook URL that must never be shown: the URL and what follows `/rest/`.

    Includes each word of that tail (a code pasted with a space or a slash in it) and their
    URL-encoded forms, so that redacting a message by these finds them in any spelling.
    """
    found = _REST_RE.search(url)
    tail = url[found.end() :] if found else url
    words = [w for w in re.split(r"[/\s?#&=]+", tail) if len(w) >= 4]
    out = [url, url.strip(), tail.strip(" /"), *words]
    out += [quote(w, safe="") for w in out]
    return tuple(dict.fromkeys(w for w in out if w))


@dataclass(frozen=True, slots=True)
class Secret:
    """A credential: shown as `***` everywhere except :meth:`reveal`."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """The real value, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class OAuthConfig:
    """An OAuth application: endpoint, client id/secret, the refresh token, the token server."""

    endpoint: str
    client_id: str
    client_secret: Secret
    refresh_token: Secret
    token_url: str = "https://oauth.bitrix.info/oauth/token/"


@dataclass(frozen=True, slots=True)
class PortalConfig:
    """Where to load: the embedded sandbox, a webhook (literal or from the environment) or OAuth.

    Attributes:
        kind: ``sandbox`` | ``webhook`` | ``oauth``.
        webhook: the webhook URL (a :class:`Secret`) for ``kind == "webhook"``.
        env: the environment variable it was read from, if any.
        oauth: the OAuth block for ``kind == "oauth"``.
        plan: the portal's REST limits (``standard``, ``enterprise``, ``unlimited``).
    """

    kind: str = "sandbox"
    webhook: Secret | None = None
    env: str | None = None
    oauth: OAuthConfig | None = None
    plan: str = "standard"

    @property
    def display(self) -> str:
        """A safe description for logs and reports."""
        if self.kind == "webhook" and self.webhook is not None:
            origin = f" from ${self.env}" if self.env else ""
            return f"webhook {redact_url(self.webhook.reveal())}{origin}"
        if self.kind == "oauth" and self.oauth is not None:
            return f"oauth {redact_url(self.oauth.endpoint)}"
        return "sandbox"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """Where one source table comes from: files (globs, relative to the workspace) and hints."""

    name: str
    files: tuple[str, ...]
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    preset: str | None = None
    portal: str | None = None  # a table read from `source_portal` instead of files


@dataclass(frozen=True, slots=True)
class OwnersConfig:
    """Legacy owner (name or e-mail as written in the source) → portal user id or e-mail."""

    map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default_owner: str | None = None


@dataclass(frozen=True, slots=True)
class LoadConfig:
    """How the load writes: `route` auto|add|import (``auto``: the plan asks `user.admin` and
    takes ``import`` for an administrator's webhook, ``add`` otherwise), `on_existing`
    update|skip|create, batch size, and `backdate`: what happens to a creation date the portal
    cannot take (older than its newest record of that type): ``comment`` | ``ask`` | a
    ``UF_CRM_…`` field; and `structure`: whether the user fields, pipelines and stages the plan
    proposes (the mapping targets them, the portal lacks them) are accepted — ``create`` — or
    wait for `plan --accept-structure` — ``ask``; `max_file_mb`: the largest attachment sent
    (its base64 must fit in one REST request: 2 GB in the cloud, how-to-upload-files.md; a
    self-hosted portal sets its own)."""

    route: str = "auto"
    on_existing: str = "update"
    batch_size: int = 50
    backdate: str = "comment"
    structure: str = "ask"
    max_file_mb: float = 1536.0


@dataclass(frozen=True, slots=True)
class MigrationConfig:
    """The whole `migration.yaml`."""

    name: str
    language: str = "ru"
    timezone: str = "Europe/Moscow"
    portal: PortalConfig = field(default_factory=PortalConfig)
    source_portal: PortalConfig | None = None  # the Bitrix24 portal read as a source
    sources: Mapping[str, SourceSpec] = field(default_factory=lambda: MappingProxyType({}))
    mappings: str = "mappings"
    dedupe: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    owners: OwnersConfig = field(default_factory=OwnersConfig)
    load: LoadConfig = field(default_factory=LoadConfig)
    file: str = field(default=CONFIG_FILE, compare=False)


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> MigrationConfig:
    """Read `migration.yaml` at ``path``; ``environ`` (default ``os.environ``) resolves `env:`."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"`{path}` not found", next_step=_INIT_HINT)
    try:
        text = read_utf8(path)
    except NotUtf8 as exc:
        raise ConfigError(
            f"`{path}`, line {exc.line}: not UTF-8 text",
            next_step="save the file as UTF-8 (Notepad: File → Save as → Encoding: UTF-8)",
        ) from None
    return parse_config(text, str(path), environ)


def parse_config(
    text: str, file: str = CONFIG_FILE, environ: Mapping[str, str] | None = None
) -> MigrationConfig:
    """Parse `migration.yaml` text; every problem is listed in one :class:`ConfigError`."""
    try:
        doc = load_located(text, file)
    except yaml.YAMLError as exc:
        raise ConfigError(f"`{file}` is not valid YAML: {exc}", next_step=_INIT_HINT) from None
    parser = _ConfigParser(doc, os.environ if environ is None else environ)
    config = parser.parse()
    if parser.problems:
        body = "\n".join(f"  - {p}" for p in parser.problems)
        raise ConfigError(
            f"`{file}` has {len(parser.problems)} problem(s):\n{body}",
            next_step=f"fix the lines above; {_INIT_HINT}",
        )
    return config


class _ConfigParser:
    def __init__(self, doc: Located, environ: Mapping[str, str]) -> None:
        self.doc, self.environ = doc, environ
        self.problems: list[str] = []

    def problem(self, path: tuple[Any, ...], text: str) -> None:
        self.problems.append(f"{self.doc.where(path)}: {text}")

    def section(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem((key,), f"`{key}` must be a mapping")
            return {}
        return value

    def choice(self, data: Mapping[str, Any], path: tuple[Any, ...], options: tuple[str, ...],
               default: str) -> str:  # fmt: skip
        value = data.get(path[-1], default)
        if value not in options:
            self.problem(path, f"`{path[-1]}` must be one of {', '.join(options)}, not {value!r}")
            return default
        return str(value)

    def parse(self) -> MigrationConfig:
        data = self.doc.data
        if not isinstance(data, dict):
            self.problem((), "`migration.yaml` must be a mapping with `name`, `portal`, `sources`")
            return MigrationConfig(name="migration", file=self.doc.file)
        for key in data:
            if key not in _TOP:
                self.problem((key,), f"unknown key `{key}`{suggest(str(key), _TOP)}")
        name = str(data.get("name") or "")
        if not _NAME_RE.fullmatch(name):
            self.problem(
                ("name",),
                "`name` (1–50 of A-Z a-z 0-9 _ . -) is missing or wrong; "
                "it becomes ORIGINATOR_ID of every record",
            )
        timezone = str(data.get("timezone", "Europe/Moscow"))
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.problem(("timezone",), f"unknown time zone `{timezone}` (e.g. Europe/Moscow)")
        mappings_dir = data.get("mappings", "mappings")
        if not isinstance(mappings_dir, str):
            self.problem(
                ("mappings",), "`mappings` is the folder of mapping files, e.g. `mappings`"
            )
            mappings_dir = "mappings"
        return MigrationConfig(
            name=name,
            language=self.choice(data, ("language",), ("ru", "en"), "ru"),
            timezone=timezone,
            portal=self.portal(self.section(data, "portal")),
            source_portal=self.source_portal(data),
            sources=MappingProxyType(self.sources(self.section(data, "sources"), data)),
            mappings=mappings_dir,
            dedupe=MappingProxyType(dict(self.section(data, "dedupe"))),
            owners=self.owners(self.section(data, "owners")),
            load=self.load(self.section(data, "load")),
            file=self.doc.file,
        )

    def portal(self, data: Mapping[str, Any], block: str = "portal") -> PortalConfig:
        plan = self.choice(data, (block, "plan"), ("standard", "enterprise", "unlimited"),
                           "standard")  # fmt: skip
        return dataclasses.replace(self.portal_kind(data, block), plan=plan)

    def source_portal(self, data: Mapping[str, Any]) -> PortalConfig | None:
        """The `source_portal` block: a webhook or OAuth, never the embedded sandbox."""
        if data.get("source_portal") is None:
            return None
        found = self.portal(self.section(data, "source_portal"), "source_portal")
        if found.kind == "sandbox":
            self.problem(
                ("source_portal",),
                "`source_portal` needs `url: env:VARIABLE` (a webhook) or an `oauth` block",
            )
            return None
        return found

    def portal_kind(self, data: Mapping[str, Any], block: str = "portal") -> PortalConfig:
        if "oauth" in data:
            return self.oauth(data["oauth"], block)
        url = data.get("url", "sandbox")
        if url == "sandbox":
            return PortalConfig()
        if isinstance(url, str) and url.startswith("env:"):
            variable = url[4:]
            value = self.environ.get(variable, "")
            if not value and block == "portal":  # the source's is needed only to read it
                self.problem((block, "url"), f"environment variable `{variable}` is not set")
            return PortalConfig("webhook", Secret(value), env=variable)
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return PortalConfig("webhook", Secret(url))
        self.problem(
            (block, "url"),
            f"`{block}.url` must be `sandbox`, `env:VARIABLE` or a "
            "webhook URL https://…/rest/<user>/<code>/",
        )
        return PortalConfig()

    def oauth(self, data: Any, block: str = "portal") -> PortalConfig:
        path = (block, "oauth")
        if not isinstance(data, dict):
            self.problem(path, f"`{block}.oauth` must be a mapping")
            return PortalConfig()
        values = {}
        for key in ("endpoint", "client_id", "client_secret", "refresh_token"):
            raw = data.get(key)
            if isinstance(raw, str) and raw.startswith("env:"):
                raw = self.environ.get(raw[4:])
            if not raw:
                self.problem(
                    (*path, key), f"`{block}.oauth.{key}` is missing (or its env is unset)"
                )
            values[key] = str(raw or "")
        secret, token = Secret(values["client_secret"]), Secret(values["refresh_token"])
        auth = OAuthConfig(values["endpoint"], values["client_id"], secret, token)
        if data.get("token_url"):
            auth = dataclasses.replace(auth, token_url=str(data["token_url"]))
        return PortalConfig("oauth", oauth=auth)

    def sources(self, data: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, SourceSpec]:
        out = {}
        for name, spec in data.items():
            path = ("sources", name)
            if name not in ENTITIES and not isinstance(spec, dict):
                self.problem(path, f"unknown source `{name}`{suggest(str(name), ENTITIES)}")
                continue
            if isinstance(spec, str | list):
                spec = {"files": spec}
            if not isinstance(spec, dict):
                self.problem(path, "a source is a mapping with `files`")
                continue
            for key in spec:
                if key not in _SOURCE_KEYS:
                    self.problem(
                        (*path, key), f"unknown key `{key}`{suggest(str(key), _SOURCE_KEYS)}"
                    )
            if "portal" in spec:
                out[str(name)] = self.portal_source(path, spec, top)
                continue
            files = spec.get("files")
            files = [files] if isinstance(files, str) else files
            if not files or not all(isinstance(f, str) for f in files):
                self.problem((*path, "files"), "`files` must be a path or a list of paths/globs")
                files = []
            header_row = spec.get("header_row")
            if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
                self.problem((*path, "header_row"), "`header_row` is a row number from 1")
                header_row = None
            sheet = spec.get("sheet")
            out[str(name)] = SourceSpec(
                str(name),
                tuple(files),
                None if sheet is None else str(sheet),
                header_row,
                spec.get("encoding"),
                spec.get("delimiter"),
                spec.get("preset"),
            )
        return out

    def portal_source(
        self, path: tuple[Any, ...], spec: Mapping[str, Any], top: Mapping[str, Any]
    ) -> SourceSpec:
        """A source read from `source_portal`: ``{portal: deal}`` names the table."""
        table = str(spec.get("portal"))
        if table not in ENTITIES:
            self.problem((*path, "portal"),
                         f"`portal` names a table read from the source portal, one of "
                         f"{', '.join(ENTITIES)}{suggest(table, ENTITIES)}")  # fmt: skip
        if top.get("source_portal") is None:
            needs = "a `portal` source needs the `source_portal:` block (its webhook)"
            self.problem((*path, "portal"), needs)
        if "files" in spec:
            self.problem((*path, "files"), "a source has `files` or `portal`, not both")
        return SourceSpec(str(path[-1]), (), portal=table)

    def owners(self, data: Mapping[str, Any]) -> OwnersConfig:
        raw_map = data.get("map") or {}
        if not isinstance(raw_map, dict):
            self.problem(("owners", "map"), "`owners.map` maps legacy owners to portal users")
            raw_map = {}
        default = data.get("default_owner")
        return OwnersConfig(
            MappingProxyType({str(k).strip(): str(v) for k, v in raw_map.items()}),
            None if default is None else str(default),
        )

    def load(self, data: Mapping[str, Any]) -> LoadConfig:
        size = data.get("batch_size", 50)
        if not isinstance(size, int) or not 1 <= size <= 50:
            self.problem(("load", "batch_size"), "`batch_size` is 1..50 (a Bitrix24 batch limit)")
            size = 50
        backdate = str(data.get("backdate", "comment"))
        if backdate not in ("comment", "ask") and not _UF_RE.fullmatch(backdate):
            self.problem(
                ("load", "backdate"),
                "`backdate` is `comment`, `ask` or a user field `UF_CRM_…` that takes the date",
            )
            backdate = "comment"
        return LoadConfig(
            self.choice(data, ("load", "route"), ("auto", "add", "import"), "auto"),
            self.choice(data, ("load", "on_existing"), ("update", "skip", "create"), "update"),
            size,
            backdate,
            self.choice(data, ("load", "structure"), ("ask", "create"), "ask"),
            self.max_file_mb(data),
        )

    def max_file_mb(self, data: Mapping[str, Any]) -> float:
        value = data.get("max_file_mb", 1536)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            self.problem(("load", "max_file_mb"), "`max_file_mb` is a size in MB above 0")
            return 1536.0
        return float(value)


@dataclass(frozen=True, slots=True)
class Workspace:
    """A migration workspace folder and the paths every stage uses."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> Workspace:
        """The workspace at ``root`` (resolved to an absolute path)."""
        return cls(Path(root).expanduser().resolve())

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def state_dir(self) -> Path:
        return self.root / ".b24migrate"

    @property
    def ledger_path(self) -> Path:
        return self.state_dir / "ledger.sqlite"

    def load_config(self, environ: Mapping[str, str] | None = None) -> MigrationConfig:
        """Read this workspace's `migration.yaml`."""
        if not self.config_path.is_file():
            raise ConfigError(f"no `{CONFIG_FILE}` in `{self.root}`", next_step=_INIT_HINT)
        return load_config(self.config_path, environ)

    @property
    def source_portal_dir(self) -> Path:
        """Where the tables read from the source portal are kept (Parquet snapshots)."""
        return self.state_dir / "source_portal"

    def mappings_dir(self, config: MigrationConfig) -> Path:
        """The folder of mapping files named by ``config``."""
        return self.root / config.mappings

    def source_files(self, spec: SourceSpec) -> list[Path]:
        """The files of ``spec``, globs expanded (relative to the workspace), sorted.

        A glob skips Excel's lock files (``~$contacts.xlsx``, there while the file is open).
        A table read from the source portal is its snapshot (written by the read).
        """
        if spec.portal is not None:
            return [self._snapshot(spec)]
        found: list[Path] = []
        for pattern in spec.files:
            path = Path(pattern).expanduser()
            path = path if path.is_absolute() else self.root / path
            if path.exists():  # a real name may hold glob characters: `contacts[1].csv`
                found.append(path)
            elif any(ch in pattern for ch in "*?["):
                matches = sorted(path.parent.glob(path.name))
                found.extend(m for m in matches if not m.name.startswith("~$"))  # Excel locks
            else:
                raise ConfigError(
                    f"source `{spec.name}`: file `{pattern}` not found (looked in `{path.parent}`)",
                    next_step=f"fix `sources.{spec.name}.files` in `{self.config_path}`",
                )
        return found

    def _snapshot(self, spec: SourceSpec) -> Path:
        path = self.source_portal_dir / f"{spec.portal}.parquet"
        if not path.is_file():
            raise ConfigError(
                f"source `{spec.name}`: the table `{spec.portal}` has not been read from the "
                "source portal yet",
                next_step="run `b24migrate validate`: it reads the source portal first",
            )
        return path
