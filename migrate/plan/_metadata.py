"""What the plan must know about the portal: fields, pipelines and stages, users, presets…"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import RequisitePresets, presets_from_rows, unwrap_rows
from mappings.entities import where
from migrate.portal.read import read_all

__all__ = [
    "FieldInfo",
    "Measure",
    "PortalMetadata",
    "PortalUser",
    "Status",
    "parse_fields",
    "read_portal_metadata",
]

CRM_ENTITIES = where(crm=True)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field as `crm.<entity>.fields` describes it."""

    name: str
    type: str
    title: str = ""
    required: bool = False
    read_only: bool = False
    immutable: bool = False
    multiple: bool = False
    user_field: bool = False
    status_type: str | None = None  # crm_status dictionary (e.g. DEAL_STAGE, SOURCE)
    items: Mapping[str, str] = field(default_factory=dict)  # enumeration: ID → text


@dataclass(frozen=True, slots=True)
class Status:
    """One entry of a CRM dictionary (`crm.status.list`): a stage, a source, a type…"""

    dictionary: str  # ENTITY_ID: DEAL_STAGE, DEAL_STAGE_1, STATUS, SOURCE, …
    status_id: str
    name: str
    category_id: int | None = None
    semantics: str | None = None  # S (won), F (lost), None (in progress)
    sort: int = 0


@dataclass(frozen=True, slots=True)
class PortalUser:
    """An employee (`user.get`)."""

    id: int
    name: str
    last_name: str
    second_name: str = ""
    email: str = ""
    active: bool = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.name, self.second_name) if p)


@dataclass(frozen=True, slots=True)
class Measure:
    """A unit of the product catalogue (`catalog.measure.list`): its id, OKEI code, names."""

    id: int
    code: int | None
    names: tuple[str, ...]  # measureTitle, symbol, symbolIntl, symbolLetterIntl


@dataclass(frozen=True, slots=True)
class PortalMetadata:
    """Everything `plan` checks records against."""

    fields: Mapping[str, Mapping[str, FieldInfo]]
    categories: Mapping[int, str]
    statuses: tuple[Status, ...]
    users: tuple[PortalUser, ...]
    presets: RequisitePresets
    currencies: tuple[str, ...]
    base_currency: str | None = None
    catalog_iblock: int | None = None  # the CRM product catalogue (products are loaded into it)
    base_price_type: int = 1  # the catalogue's base price type (catalogGroupId)
    measures: tuple[Measure, ...] = ()  # the catalogue's units (a product's MEASURE is an id)
    vats: Mapping[int, float | None] = field(default_factory=dict)  # VAT id → rate (None: none)
    admin: bool | None = None  # the webhook's user is an administrator (`user.admin`)

    def field(self, entity: str, name: str) -> FieldInfo | None:
        return self.fields.get(entity, {}).get(name)

    def dictionary(self, name: str) -> dict[str, Status]:
        """The entries of one dictionary by ``STATUS_ID``."""
        return {s.status_id: s for s in self.statuses if s.dictionary == name}

    def deal_stages(self, category_id: int) -> dict[str, Status]:
        """The stages of one deal pipeline (0 = the general one)."""
        return self.dictionary("DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}")


async def read_portal_metadata(client: Bitrix24Client, *, catalog: bool = False) -> PortalMetadata:
    """Read fields, pipelines, dictionaries, users, requisite presets and currencies (and,
    with ``catalog``, the product catalogue and its base price type).

    One batch of read-only calls (and more pages where a list is longer than 50).
    """
    calls: list[tuple[str, Mapping[str, Any]]] = [(f"crm.{e}.fields", {}) for e in CRM_ENTITIES]
    calls += [
        ("crm.category.list", {"entityTypeId": 2}),
        ("crm.status.list", {"order": {"SORT": "ASC"}}),
        ("user.get", {"sort": "ID", "order": "ASC"}),
        ("crm.requisite.preset.list", {}),
        ("crm.currency.list", {}),
        ("user.admin", {}),  # user-admin.md: `true` for an administrator, else `false`
    ]
    if catalog:
        calls += [
            ("catalog.catalog.list", {"select": ["id", "iblockId", "productIblockId"]}),
            ("catalog.priceType.list", {"select": ["id", "base"], "filter": {"base": "Y"}}),
            ("catalog.measure.list", {}),
            ("catalog.vat.list", {}),
        ]
    results = await read_all(client, calls)
    extra = _catalog(results[len(calls) - 4 :]) if catalog else {}
    fields = {e: parse_fields(r, e) for e, r in zip(CRM_ENTITIES, results, strict=False)}
    categories, statuses, users, presets, currencies, admin = results[len(CRM_ENTITIES) :][:6]
    return PortalMetadata(
        fields=fields,
        categories=_categories(categories),
        statuses=tuple(_status(row) for row in statuses or []),
        users=tuple(_user(row) for row in users or []),
        presets=presets_from_rows(presets or []),
        currencies=tuple(str(row["CURRENCY"]) for row in currencies or []),
        base_currency=next(
            (str(r["CURRENCY"]) for r in currencies or [] if r.get("BASE") == "Y"), None
        ),
        admin=admin is True,
        **extra,
    )


def _catalog(results: list[Any]) -> dict[str, Any]:
    """The CRM product catalogue (the one that is not another's variations), the id of the
    base price type and the units (catalog-catalog-list.md, catalog-price-type-list.md,
    catalog-measure-list.md, catalog-vat-list.md)."""
    catalogs, price_types, units, vats = (unwrap_rows(r or []) for r in results)
    iblock = next((int(c["iblockId"]) for c in catalogs if not c.get("productIblockId")), None)
    base = next((int(p["id"]) for p in price_types if p.get("base") in ("Y", True)), 1)
    rates = {int(v["id"]): None if v.get("rate") in (None, "") else float(v["rate"])
             for v in vats if isinstance(v, Mapping)}  # fmt: skip
    return {"catalog_iblock": iblock, "base_price_type": base, "vats": rates,
            "measures": tuple(_measure(u) for u in units if isinstance(u, Mapping))}  # fmt: skip


def _measure(row: Mapping[str, Any]) -> Measure:
    code = str(row.get("code") or "").strip()
    names = ("measureTitle", "symbol", "symbolIntl", "symbolLetterIntl")
    return Measure(int(row["id"]), int(code) if code.isdigit() else None,
                   tuple(str(row[n]) for n in names if row.get(n)))  # fmt: skip


#: Real portals describe a contact's three name parts as required (crm-contact-fields.md) yet
#: add a contact with only a first name (the PHP SDK's live test ContactTest::testAdd sends
#: {"NAME": "test contact"}): the description is not a rule for each part, so the plan does
#: not refuse a contact without a middle name.
_DESCRIBED_ONLY = {"contact": frozenset({"NAME", "SECOND_NAME", "LAST_NAME"})}


def parse_fields(result: Any, entity: str = "") -> dict[str, FieldInfo]:
    """`crm.<entity>.fields` → field name → :class:`FieldInfo`."""
    if not isinstance(result, Mapping):
        return {}
    described_only = _DESCRIBED_ONLY.get(entity, frozenset())
    return {
        name: _field(name, spec, name not in described_only)
        for name, spec in result.items()
        if isinstance(spec, Mapping)
    }


def _field(name: str, spec: Mapping[str, Any], binding: bool = True) -> FieldInfo:
    items = {
        str(item.get("ID")): str(item.get("VALUE", ""))
        for item in spec.get("items") or []
        if isinstance(item, Mapping)
    }
    return FieldInfo(
        name=name,
        type=str(spec.get("type", "")),
        title=str(spec.get("formLabel") or spec.get("title") or name),
        required=binding and bool(spec.get("isRequired")),
        read_only=bool(spec.get("isReadOnly")),
        immutable=bool(spec.get("isImmutable")),
        multiple=bool(spec.get("isMultiple")),
        user_field=bool(spec.get("isDynamic")),
        status_type=spec.get("statusType"),
        items=items,
    )


def _categories(result: Any) -> dict[int, str]:
    rows = result.get("categories", []) if isinstance(result, Mapping) else []
    categories = {int(row["id"]): str(row.get("name", "")) for row in rows}
    categories.setdefault(0, "")
    return categories


def _status(row: Mapping[str, Any]) -> Status:
    extra = row.get("EXTRA") if isinstance(row.get("EXTRA"), Mapping) else {}
    semantics = row.get("SEMANTICS") or None
    category = row.get("CATEGORY_ID")
    return Status(
        dictionary=str(row["ENTITY_ID"]),
        status_id=str(row["STATUS_ID"]),
        name=str(row.get("NAME", "")),
        category_id=None if category in (None, "") else int(category),
        semantics=semantics if semantics in ("S", "F") else _semantics(extra),
        sort=int(row.get("SORT") or 0) if str(row.get("SORT") or "0").isdigit() else 0,
    )


def _semantics(extra: Any) -> str | None:
    value = extra.get("SEMANTICS") if isinstance(extra, Mapping) else None
    return {"success": "S", "failure": "F", "apology": "F"}.get(str(value))


def _user(row: Mapping[str, Any]) -> PortalUser:
    active = row.get("ACTIVE")
    return PortalUser(
        id=int(row["ID"]),
        name=str(row.get("NAME") or ""),
        last_name=str(row.get("LAST_NAME") or ""),
        second_name=str(row.get("SECOND_NAME") or ""),
        email=str(row.get("EMAIL") or ""),
        active=active is True or active in ("Y", "true", "1"),
    )
