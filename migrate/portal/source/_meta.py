"""What the source portal's ids mean: users, pipelines, stages, dictionaries, list items.

A record read over REST holds ids (``ASSIGNED_BY_ID`` 7, ``STAGE_ID`` ``C3:UC_4Z1F``,
``UF_CRM_KIND`` 41). Those ids mean nothing on another portal, so the source's own metadata
is read once per run and the reader writes each value by its meaning (:mod:`._values`).

Shapes (bitrix24/b24restdocs): ``crm.<entity>.fields`` (``type`` ``crm_status`` with
``statusType``; ``enumeration`` user fields with ``items`` of ``ID``/``VALUE``:
api-reference/crm/deals/crm-deal-fields.md), ``crm.category.list`` (``{"categories": [...]}``
with ``id``/``name``/``isDefault``: api-reference/crm/universal/category/crm-category-list.md),
``crm.status.list`` (``ENTITY_ID``, ``STATUS_ID``, ``NAME``:
api-reference/crm/status/crm-status-list.md), ``user.get`` (``ID``, ``NAME``, ``LAST_NAME``,
``EMAIL``: api-reference/user/user-get.md), ``catalog.measure.list`` and ``catalog.vat.list``
(``{"measures": [...]}`` / ``{"vats": [...]}``), ``crm.<entity>.userfield.list`` (the user
fields' definitions: :mod:`._fields`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loaders.client import Bitrix24Client
from migrate.portal.read import read_all
from migrate.portal.source._fields import SourceUserField, user_fields_from_rows

__all__ = ["SourceMeta", "read_source_meta"]

CRM_TABLES = ("company", "contact", "deal", "lead")


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """The source portal's dictionaries, as the reader needs them.

    Attributes:
        users: employee id → e-mail (else "Last First"): how an owner is named to the target.
        categories: deal pipeline id → name; ``default_category`` the general one's id.
        statuses: ``(ENTITY_ID, STATUS_ID)`` → name, every dictionary and stage.
        status_fields: entity → field → the dictionary (``ENTITY_ID``) it takes ids from.
        list_items: entity → enumeration field → item id → label.
        field_names: entity → every field `crm.<entity>.fields` lists (so an empty table
            still has its columns).
        employee_fields: entity → the user fields of type ``employee`` (written as e-mails).
        file_fields: entity → the user fields of type ``file`` (their files downloaded).
        measures: unit id → OKEI code (else its name); vats: VAT id → rate text.
        user_fields: entity → user field → its definition (type, multiple, list items…).
    """

    users: Mapping[str, str]
    categories: Mapping[str, str]
    default_category: str
    statuses: Mapping[tuple[str, str], str]
    status_fields: Mapping[str, Mapping[str, str]]
    list_items: Mapping[str, Mapping[str, Mapping[str, str]]]
    field_names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    employee_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    file_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    measures: Mapping[str, str] = field(default_factory=dict)
    vats: Mapping[str, str] = field(default_factory=dict)
    user_fields: Mapping[str, Mapping[str, SourceUserField]] = field(default_factory=dict)


async def read_source_meta(client: Bitrix24Client, *, catalog: bool) -> SourceMeta:
    """Read the metadata in one batch of reads (more pages where a list is longer)."""
    calls: list[tuple[str, Mapping[str, Any]]] = [(f"crm.{e}.fields", {}) for e in CRM_TABLES]
    calls += [
        ("crm.category.list", {"entityTypeId": 2}),
        ("crm.status.list", {"order": {"SORT": "ASC"}}),
        ("user.get", {"sort": "ID", "order": "ASC"}),
        *((f"crm.{e}.userfield.list", {"filter": {"LANG": "ru"}}) for e in CRM_TABLES),
    ]
    if catalog:
        calls += [("catalog.measure.list", {}), ("catalog.vat.list", {})]
    results = await read_all(client, calls)
    fields = dict(zip(CRM_TABLES, results[: len(CRM_TABLES)], strict=True))
    categories, statuses, users = results[len(CRM_TABLES) : len(CRM_TABLES) + 3]
    defined = results[len(CRM_TABLES) + 3 : 2 * len(CRM_TABLES) + 3]
    names, default = _categories(categories)
    extra = _catalog(results[-2], results[-1]) if catalog else {}
    return SourceMeta(
        users={str(u["ID"]): _user_name(u) for u in _rows(users)},
        categories=names,
        default_category=default,
        statuses={
            (str(s["ENTITY_ID"]), str(s["STATUS_ID"])): str(s.get("NAME") or "")
            for s in _rows(statuses)
        },
        status_fields={e: _status_fields(f) for e, f in fields.items()},
        list_items={e: _list_items(f) for e, f in fields.items()},
        field_names={e: tuple(str(k) for k in (f or {})) for e, f in fields.items()},
        employee_fields={e: _typed(f, "employee") for e, f in fields.items()},
        file_fields={e: _typed(f, "file") for e, f in fields.items()},
        user_fields={
            e: user_fields_from_rows(e, rows) for e, rows in zip(CRM_TABLES, defined, strict=True)
        },
        **extra,
    )


def _rows(result: Any, key: str | None = None) -> list[Mapping[str, Any]]:
    if isinstance(result, Mapping):
        result = result.get(key) if key else next(iter(result.values()), [])
    return [r for r in result or [] if isinstance(r, Mapping)]


def _user_name(user: Mapping[str, Any]) -> str:
    email = str(user.get("EMAIL") or "").strip()
    name = " ".join(str(user.get(k) or "").strip() for k in ("LAST_NAME", "NAME"))
    return email or name.strip() or str(user["ID"])


def _categories(result: Any) -> tuple[dict[str, str], str]:
    rows = _rows(result, "categories")
    names = {str(r["id"]): str(r.get("name") or "") for r in rows}
    default = next((str(r["id"]) for r in rows if r.get("isDefault") in ("Y", True)), "0")
    return names, default


def _status_fields(result: Any) -> dict[str, str]:
    out = {}
    for name, spec in (result or {}).items():
        if (
            isinstance(spec, Mapping)
            and spec.get("type") == "crm_status"
            and spec.get("statusType")
        ):
            out[str(name)] = str(spec["statusType"])
    return out


def _typed(result: Any, kind: str) -> frozenset[str]:
    return frozenset(str(n) for n, spec in (result or {}).items()
                     if isinstance(spec, Mapping) and spec.get("type") == kind)  # fmt: skip


def _list_items(result: Any) -> dict[str, dict[str, str]]:
    out = {}
    for name, spec in (result or {}).items():
        if isinstance(spec, Mapping) and spec.get("type") == "enumeration":
            items = spec.get("items") or []
            out[str(name)] = {str(i["ID"]): str(i.get("VALUE") or "") for i in _rows(items)}
    return out


def _catalog(measures: Any, vats: Any) -> dict[str, dict[str, str]]:
    units = {}
    for unit in _rows(measures, "measures"):
        code = str(unit.get("code") or "").strip()
        units[str(unit["id"])] = code or str(unit.get("measureTitle") or "")
    rates = {str(v["id"]): _rate(v.get("rate")) for v in _rows(vats, "vats")}
    return {"measures": units, "vats": rates}


def _rate(value: Any) -> str:
    if value in (None, ""):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)
