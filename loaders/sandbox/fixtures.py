"""Preload a sandbox portal: its settings, user fields and existing CRM records.

A fixture is YAML or JSON with any of these keys:

* ``companies``, ``contacts``, ``deals``, ``leads`` (or the singular names): lists of legacy
  field maps, the same ``fields`` a ``crm.<entity>.add`` call takes (``PHONE``/``EMAIL``
  lists included, ``DATE_CREATE`` allowed). Entities are created in the order companies,
  contacts, deals, leads, so a contact can point at ``COMPANY_ID`` of a company created before
  it (ids are assigned in order). Creation dates may come in any order here: existing data is
  loaded as it is, unlike an IMPORT=Y call.
* ``userfields``: entity → list of ``crm.<entity>.userfield.add`` fields (``MANDATORY: Y``
  makes one required, as an admin can).
* ``required``: entity → standard or user fields the portal's admin made required
  (``{contact: [PHONE, UF_CRM_SEGMENT]}``): an add without them is refused with the portal's
  text, and ``crm.<entity>.fields`` describes them ``isRequired``.

Settings and user fields are applied before the records (which must then satisfy them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from loaders.sandbox._context import METHODS, Ctx
from loaders.sandbox._errors import RestError
from loaders.sandbox._legacy import create_record
from loaders.sandbox._schema import ENTITIES
from loaders.sandbox._seed import set_required_fields
from loaders.sandbox._smart import seed_smart_process
from loaders.sandbox.app import create_app
from loaders.sandbox.config import SandboxConfig

__all__ = [
    "FixtureError",
    "add_smart_processes",
    "load_fixture",
    "parse_required",
    "read_fixture",
    "require_fields",
]

_ORDER = ("company", "contact", "deal", "lead")
_PLURAL = {"companies": "company", "contacts": "contact", "deals": "deal", "leads": "lead"}


class FixtureError(ValueError):
    """The fixture file cannot be read or one of its records is refused."""


_SETTINGS = ("required", "userfields")


def read_fixture(path: Path) -> dict[str, Any]:
    """Records per entity (and the ``required``/``userfields`` settings) from a YAML or JSON
    file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise FixtureError(f"`{path}`: cannot read the fixture ({exc})") from None
    if not isinstance(data, dict):
        raise FixtureError(f"`{path}`: expected a mapping of entity → list of records")
    out: dict[str, Any] = {}
    for key, rows in data.items():
        if key in _SETTINGS:
            out[key] = _per_entity(path, str(key), rows)
            continue
        entity = _PLURAL.get(str(key), str(key))
        if entity not in ENTITIES or not isinstance(rows, list):
            names = ", ".join((*_PLURAL, *_SETTINGS))
            raise FixtureError(f"`{path}`: `{key}` is not one of {names} (a list)")
        out[entity] = [dict(r) for r in rows if isinstance(r, dict)]
    return out


def _per_entity(path: Path, key: str, value: Any) -> dict[str, list[Any]]:
    """``{contact: [...], deal: [...]}`` (plural entity names accepted)."""
    if not isinstance(value, dict):
        raise FixtureError(f"`{path}`: `{key}` must map an entity to a list")
    out: dict[str, list[Any]] = {}
    for name, items in value.items():
        entity = _PLURAL.get(str(name), str(name))
        if entity not in ENTITIES or not isinstance(items, list):
            raise FixtureError(f"`{path}`: `{key}.{name}` is not an entity with a list")
        out[entity] = items
    return out


def load_fixture(config: SandboxConfig, path: Path) -> dict[str, int]:
    """Create the fixture's records in the portal at ``config.data_dir``; counts per entity."""
    records = read_fixture(path)
    app = create_app(config)
    counts: dict[str, int] = {}
    try:
        with app.store.transaction():
            _settings(app, config, path, records)
            for entity in _ORDER:
                for number, fields in enumerate(records.get(entity, []), start=1):
                    ctx = Ctx(app.store, config, config.clock(), config.user_id, "fixture")
                    try:
                        create_record(
                            ctx, ENTITIES[entity], fields, historical=True, check_dates=False
                        )
                    except RestError as exc:
                        raise FixtureError(
                            f"`{path}`: {entity} #{number}: {exc.description}"
                        ) from None
                    counts[entity] = counts.get(entity, 0) + 1
    finally:
        app.close()
    return counts


def _settings(app: Any, config: SandboxConfig, path: Path, records: dict[str, Any]) -> None:
    """User fields (through ``crm.<entity>.userfield.add``) and required fields."""
    for entity, fields_list in records.get("userfields", {}).items():
        add = METHODS[f"crm.{entity}.userfield.add"]
        for fields in fields_list:
            ctx = Ctx(app.store, config, config.clock(), config.user_id, "fixture")
            try:
                add(ctx, {"fields": dict(fields) if isinstance(fields, dict) else {}})
            except RestError as exc:
                raise FixtureError(f"`{path}`: userfields.{entity}: {exc.description}") from None
    if records.get("required"):
        required = {e: [str(n).upper() for n in names] for e, names in records["required"].items()}
        set_required_fields(app.store, required)


def parse_required(values: list[str] | tuple[str, ...]) -> dict[str, list[str]]:
    """``["contact.PHONE", "deal.UF_CRM_KIND"]`` → ``{"contact": ["PHONE"], …}``."""
    out: dict[str, list[str]] = {}
    for value in values:
        entity, dot, name = value.partition(".")
        entity = _PLURAL.get(entity.strip().lower(), entity.strip().lower())
        if not dot or entity not in ENTITIES or not name.strip():
            raise FixtureError(
                f"`{value}`: expected ENTITY.FIELD with ENTITY one of {', '.join(ENTITIES)}"
            )
        out.setdefault(entity, []).append(name.strip().upper())
    return out


def require_fields(config: SandboxConfig, required: dict[str, list[str]]) -> None:
    """Make fields required in the portal at ``config.data_dir`` (as its admin would)."""
    app = create_app(config)
    try:
        with app.store.transaction():
            set_required_fields(app.store, required)
    finally:
        app.close()


def add_smart_processes(config: SandboxConfig, titles: Sequence[str]) -> dict[str, int]:
    """Create these smart processes in the portal at ``config.data_dir`` (as its admin would
    in CRM → Smart processes; a title it has is kept): title → entityTypeId."""
    app = create_app(config)
    try:
        return {title: seed_smart_process(app.store, title, config.clock()) for title in titles}
    finally:
        app.close()
