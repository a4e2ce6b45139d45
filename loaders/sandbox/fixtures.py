"""Preload existing CRM records into a sandbox portal (a portal that already has data).

A fixture is YAML or JSON: a mapping of entity (``companies``, ``contacts``, ``deals``,
``leads``, or the singular names) to a list of legacy field maps, the same ``fields`` a
``crm.<entity>.add`` call takes (``PHONE``/``EMAIL`` lists included, ``DATE_CREATE`` allowed).
Entities are created in the order companies, contacts, deals, leads, so a contact can point
at ``COMPANY_ID`` of a company created before it (ids are assigned in order). Creation dates
may come in any order here: existing data is loaded as it is, unlike an IMPORT=Y call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from loaders.sandbox._context import Ctx
from loaders.sandbox._errors import RestError
from loaders.sandbox._legacy import create_record
from loaders.sandbox._schema import ENTITIES
from loaders.sandbox.app import create_app
from loaders.sandbox.config import SandboxConfig

__all__ = ["FixtureError", "load_fixture", "read_fixture"]

_ORDER = ("company", "contact", "deal", "lead")
_PLURAL = {"companies": "company", "contacts": "contact", "deals": "deal", "leads": "lead"}


class FixtureError(ValueError):
    """The fixture file cannot be read or one of its records is refused."""


def read_fixture(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Records per entity from a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise FixtureError(f"`{path}`: cannot read the fixture ({exc})") from None
    if not isinstance(data, dict):
        raise FixtureError(f"`{path}`: expected a mapping of entity → list of records")
    out: dict[str, list[dict[str, Any]]] = {}
    for key, rows in data.items():
        entity = _PLURAL.get(str(key), str(key))
        if entity not in ENTITIES or not isinstance(rows, list):
            raise FixtureError(f"`{path}`: `{key}` is not one of {', '.join(_PLURAL)} (a list)")
        out[entity] = [dict(r) for r in rows if isinstance(r, dict)]
    return out


def load_fixture(config: SandboxConfig, path: Path) -> dict[str, int]:
    """Create the fixture's records in the portal at ``config.data_dir``; counts per entity."""
    records = read_fixture(path)
    app = create_app(config)
    counts: dict[str, int] = {}
    try:
        with app.store.transaction():
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
