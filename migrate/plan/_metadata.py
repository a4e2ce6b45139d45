"""What the plan must know about the portal: fields, pipelines and stages, users, presets…"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from loaders.client import Bitrix24Client
from loaders.entities import RequisitePresets, presets_from_rows, unwrap_rows
from mappings.entities import SMART_PROCESS, where
from mappings.model import suggest
from migrate.errors import MappingError
from migrate.portal.read import read_all

__all__ = [
    "FieldInfo",
    "Measure",
    "PortalMetadata",
    "PortalUser",
    "SmartProcess",
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
class SmartProcess:
    """The smart process a workspace loads into (`crm.type.list`), and its pipelines.

    Attributes:
        title: its title on the portal (what the mapping file names).
        entity_type_id: the id every ``crm.item.*`` call names it by (≥ 128 on a cloud portal).
        categories: its pipelines (`crm.category.list?entityTypeId=…`), id → name.
        default_category: the pipeline an item goes to unless the mapping names one.
        uf_entity: the object its user fields belong to, ``CRM_<id>`` (the type's ``id``,
            not its entityTypeId: userfieldconfig-add.md); their names start ``UF_CRM_<id>_``.
    """

    title: str
    entity_type_id: int
    categories: Mapping[int, str]
    default_category: int
    uf_entity: str = ""

    def stage_dictionary(self, category: int) -> str:
        """The dictionary of one pipeline's stages: ``DYNAMIC_<type>_STAGE_<cat>``
        (crm-item-add.md)."""
        return f"DYNAMIC_{self.entity_type_id}_STAGE_{category}"

    def stage_prefix(self, category: int) -> str:
        """What its stage ids start with: ``DT<type>_<cat>:`` (``DT128_3:NEW``)."""
        return f"DT{self.entity_type_id}_{category}:"


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
    smart: SmartProcess | None = None  # the smart process the workspace loads into, if any
    admin: bool | None = None  # the webhook's user is an administrator (`user.admin`)
    preset_names: Mapping[str, int] = field(default_factory=dict)  # casefolded name → preset id

    def field(self, entity: str, name: str) -> FieldInfo | None:
        return self.fields.get(entity, {}).get(name)

    def dictionary(self, name: str) -> dict[str, Status]:
        """The entries of one dictionary by ``STATUS_ID``."""
        return {s.status_id: s for s in self.statuses if s.dictionary == name}

    def deal_stages(self, category_id: int) -> dict[str, Status]:
        """The stages of one deal pipeline (0 = the general one)."""
        return self.dictionary("DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}")

    def categories_of(self, entity: str) -> Mapping[int, str]:
        """The pipelines of ``entity``: a smart process's own, else the deal pipelines."""
        if entity == SMART_PROCESS:
            return self.smart.categories if self.smart is not None else {}
        return self.categories

    def stages(self, entity: str, category_id: int | None) -> dict[str, Status]:
        """The stages of one pipeline of ``entity`` (deals, a smart process: its default
        pipeline when ``category_id`` is ``None``)."""
        if entity != SMART_PROCESS:
            return self.deal_stages(category_id or 0)
        if self.smart is None:
            return {}
        category = self.smart.default_category if category_id is None else category_id
        return self.dictionary(self.smart.stage_dictionary(category))


async def read_portal_metadata(
    client: Bitrix24Client,
    *,
    catalog: bool = False,
    smart_process: str | None = None,
    smart_file: str = "",
) -> PortalMetadata:
    """Read fields, pipelines, dictionaries, users, requisite presets and currencies (and,
    with ``catalog``, the product catalogue and its base price type; with ``smart_process``,
    that smart process: its type, fields, pipelines and stages).

    One batch of read-only calls (and more pages where a list is longer than 50); a smart
    process takes three more rounds (its type, then its fields and pipelines, then stages).
    A smart process the portal does not have stops the plan (:class:`MappingError` naming
    the mapping file ``smart_file`` and the smart processes the portal has).
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
    smart: SmartProcess | None = None
    smart_statuses: tuple[Status, ...] = ()
    if smart_process is not None:
        smart, fields[SMART_PROCESS], smart_statuses = await _read_smart(
            client, smart_process, smart_file
        )
    return PortalMetadata(
        fields=fields,
        categories=_categories(categories),
        statuses=tuple(_status(row) for row in statuses or []) + smart_statuses,
        smart=smart,
        users=tuple(_user(row) for row in users or []),
        presets=presets_from_rows(presets or []),
        preset_names={
            " ".join(str(r.get("NAME") or "").split()).casefold(): int(r["ID"])
            for r in presets or []
            if r.get("ID") is not None
        },
        currencies=tuple(str(row["CURRENCY"]) for row in currencies or []),
        base_currency=next(
            (str(r["CURRENCY"]) for r in currencies or [] if r.get("BASE") == "Y"), None
        ),
        admin=admin is True,
        **extra,
    )


async def _read_smart(
    client: Bitrix24Client, title: str, file: str
) -> tuple[SmartProcess, dict[str, FieldInfo], tuple[Status, ...]]:
    """The smart process ``title``: its type (crm-type-list.md: ``{"types": [...]}``), its
    fields by their upper names (crm-item-fields.md: ``upperName``), pipelines
    (crm-category-list.md) and each pipeline's stages (crm-status-list.md)."""
    (types,) = await read_all(client, [("crm.type.list", {"order": {"id": "ASC"}})])
    found = find_smart_process(unwrap_rows(types or []), title, file)
    type_id = int(found["entityTypeId"])
    described, listed = await read_all(
        client,
        [("crm.item.fields", {"entityTypeId": type_id}),
         ("crm.category.list", {"entityTypeId": type_id})],
    )  # fmt: skip
    rows = [r for r in unwrap_rows(listed or []) if isinstance(r, Mapping)]
    categories = {int(r["id"]): str(r.get("name") or "") for r in rows}
    default = next((int(r["id"]) for r in rows if r.get("isDefault") in ("Y", True)),
                   min(categories, default=0))  # fmt: skip
    uf_entity = f"CRM_{found['id']}" if found.get("id") is not None else ""
    smart = SmartProcess(str(found["title"]), type_id, categories, default, uf_entity)
    calls = [("crm.status.list", {"filter": {"ENTITY_ID": smart.stage_dictionary(c)},
                                  "order": {"SORT": "ASC"}}) for c in categories]  # fmt: skip
    stages = await read_all(client, calls) if calls else []
    statuses = tuple(_status(row) for page in stages for row in page or [])
    return smart, _item_fields(described), statuses


def find_smart_process(types: list[Any], title: str, file: str = "") -> Mapping[str, Any]:
    """The type titled ``title`` among ``crm.type.list`` rows; a title the portal does not
    have is a :class:`MappingError` naming the titles it has (and the nearest one)."""
    rows = [t for t in types if isinstance(t, Mapping) and "entityTypeId" in t]
    found = [t for t in rows if str(t.get("title")) == title]
    if len(found) == 1:
        return found[0]
    titles = [str(t.get("title")) for t in rows]
    has = ", ".join(f"«{t}»" for t in titles) or "none"
    where = f"{file}: " if file else ""
    twice = " twice: rename one on the portal" if found else ""
    raise MappingError(
        f"the portal has no smart process «{title}»" if not found
        else f"the portal has two smart processes «{title}»",
        [f"{where}`smart_process: {title}` — the portal's smart processes: {has}"
         f"{suggest(title, titles)}{twice}"],
        next_step="write the title as the portal shows it (CRM → Smart processes), or create "
        "the smart process on the portal first",
    )  # fmt: skip


def _item_fields(result: Any) -> dict[str, FieldInfo]:
    """`crm.item.fields` (``{"fields": {camelName: {..., "upperName": …}}}``) by upper name,
    the names mapping files and the ledger use."""
    described = result.get("fields") if isinstance(result, Mapping) else None
    if not isinstance(described, Mapping):
        return {}
    by_upper = {str(spec.get("upperName") or name): spec for name, spec in described.items()
                if isinstance(spec, Mapping)}  # fmt: skip
    return parse_fields(by_upper, SMART_PROCESS)


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
_DESCRIBED_ONLY = {
    "contact": frozenset({"NAME", "SECOND_NAME", "LAST_NAME"}),
    # an SPA describes `opened` as required (crm-item-fields.md) and defaults it to Y on add
    # (crm-item-add.md: "Default — Y")
    SMART_PROCESS: frozenset({"OPENED"}),
}


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
