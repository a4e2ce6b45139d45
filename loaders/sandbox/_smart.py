"""Smart processes (SPA): ``crm.type.list`` and the item definition ``crm.item.*`` writes.

A smart process is a CRM type the portal's admin creates: its ``entityTypeId`` (≥ 128 on a
cloud portal), its own pipelines (``crm.category.list?entityTypeId=…``) and stages
(dictionary ``DYNAMIC_<entityTypeId>_STAGE_<categoryId>``, ids ``DT<entityTypeId>_<cat>:NEW``).
Sources (b24restdocs): ``api-reference/crm/universal/user-defined-object-types/crm-type-list.md``
(the type object and its ``is*Enabled`` flags, the ``{"types": [...]}`` reply),
``api-reference/crm/universal/crm-item-fields.md`` (an SPA's fields: ``xmlId``, ``begindate``,
``contactIds``, ``parentId2`` … and no ``originatorId``/``originId``),
``api-reference/crm/universal/crm-item-add.md`` (the SPA fields table: "Default — the first
available stage relative to the pipeline"), ``tutorials/crm/how-to-add-crm-objects/
how-to-add-category-to-spa.md`` (the five stages a new pipeline gets: NEW, PREPARATION, CLIENT,
SUCCESS ``S``, FAIL ``F``).
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError
from loaders.sandbox._lists import page_of, parse_filter, parse_order
from loaders.sandbox._schema import EntityDef, FieldDef
from loaders.sandbox._store import Store

__all__ = [
    "FIRST_TYPE_ID",
    "SMART_PREFIX",
    "SMART_STAGES",
    "UPPER_NAMES",
    "add_smart_stages",
    "seed_smart_process",
    "smart_entity",
    "smart_stage_defaults",
]

#: The first smart process of a cloud portal gets entityTypeId 128 (abbreviation ``T80``);
#: later ones go up in steps of two, as crm-type-list.md's ids show (1226, 1236 … for ids 5
#: apart).
FIRST_TYPE_ID = 128
#: The store kind (and EntityDef name) of a smart process's items: ``dynamic_<entityTypeId>``,
#: as crm.enum.ownertype names the type (``DYNAMIC_156``, user-defined-object-types/index.md).
SMART_PREFIX = "dynamic_"
#: A new pipeline's stages (how-to-add-category-to-spa.md), with a Russian portal's names.
SMART_STAGES = (("NEW", "Начало", None), ("PREPARATION", "Подготовка", None),
                ("CLIENT", "Согласование", None), ("SUCCESS", "Успех", "S"),
                ("FAIL", "Провал", "F"))  # fmt: skip
_COLORS = ("#22B9FF", "#88B9FF", "#10e5fc", "#00ff00", "#ff0000")

_TYPE_FLAGS = (
    "isCategoriesEnabled", "isStagesEnabled", "isBeginCloseDatesEnabled", "isClientEnabled",
    "isUseInUserfieldEnabled", "isLinkWithProductsEnabled", "isMycompanyEnabled",
    "isDocumentsEnabled", "isSourceEnabled", "isObserversEnabled", "isRecyclebinEnabled",
    "isAutomationEnabled", "isBizProcEnabled", "isSetOpenPermissions", "isPaymentsEnabled",
    "isCountersEnabled",
)  # fmt: skip
_ENABLED = frozenset({"isCategoriesEnabled", "isStagesEnabled", "isBeginCloseDatesEnabled",
                      "isClientEnabled", "isUseInUserfieldEnabled", "isLinkWithProductsEnabled",
                      "isAutomationEnabled", "isRecyclebinEnabled"})  # fmt: skip

#: An SPA's fields as crm-item-fields.md lists them (entityTypeId 1268 there), stored under
#: the sandbox's legacy names (DATE_CREATE …) that ``_CAMEL`` renames as crm.item does.
_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("ID", "integer", "ID", "O"),
    ("TITLE", "string", "Name", ""),
    ("XML_ID", "string", "External code", ""),
    ("DATE_CREATE", "datetime", "Created at", "O"),
    ("DATE_MODIFY", "datetime", "Updated at", "O"),
    ("CREATED_BY_ID", "user", "Created by", "O"),
    ("MODIFY_BY_ID", "user", "Updated by", "O"),
    ("ASSIGNED_BY_ID", "user", "Assigned to", ""),
    ("OPENED", "boolean", "Publicly available", "R"),
    ("WEBFORM_ID", "integer", "Created by CRM form", ""),
    ("BEGINDATE", "date", "Start date", ""),
    ("CLOSEDATE", "date", "End date", ""),
    ("COMPANY_ID", "crm_company", "Company", ""),
    ("CONTACT_ID", "crm_contact", "Contact", ""),
    ("CONTACT_IDS", "crm_contact", "CONTACT_IDS", "M"),
    ("OBSERVERS", "user", "Observers", "M"),
    ("CATEGORY_ID", "crm_category", "Pipeline", ""),
    ("MOVED_TIME", "datetime", "Moved at", "O"),
    ("MOVED_BY_ID", "user", "Moved by", "O"),
    ("STAGE_ID", "crm_status", "Stage", ""),
    ("PREVIOUS_STAGE_ID", "crm_status", "Previous stage", "O"),
    ("SOURCE_ID", "crm_status", "Source", ""),
    ("SOURCE_DESCRIPTION", "text", "Additional source info", ""),
    ("CURRENCY_ID", "crm_currency", "Currency", ""),
    ("IS_MANUAL_OPPORTUNITY", "boolean", "Amount calculation mode", ""),
    ("OPPORTUNITY", "double", "Amount", ""),
    ("TAX_VALUE", "double", "Tax amount", ""),
    ("MYCOMPANY_ID", "crm_company", "Your company details", ""),
    ("LAST_ACTIVITY_BY", "user", "Last activity in timeline by", "O"),
    ("LAST_ACTIVITY_TIME", "datetime", "Last activity", "O"),
)
#: The crm.item names and the upper names crm.item.fields gives where they differ from ours.
_CAMEL = {"DATE_CREATE": "createdTime", "DATE_MODIFY": "updatedTime", "CREATED_BY_ID": "createdBy",
          "MODIFY_BY_ID": "updatedBy", "MOVED_TIME": "movedTime", "MOVED_BY_ID": "movedBy",
          "BEGINDATE": "begindate", "CLOSEDATE": "closedate",
          "MYCOMPANY_ID": "mycompanyId"}  # fmt: skip
UPPER_NAMES = {"DATE_CREATE": "CREATED_TIME", "DATE_MODIFY": "UPDATED_TIME",
               "CREATED_BY_ID": "CREATED_BY", "MODIFY_BY_ID": "UPDATED_BY",
               "MOVED_BY_ID": "MOVED_BY"}  # fmt: skip
_PARENT_TITLES = {1: "Лид", 2: "Сделка", 3: "Контакт", 4: "Компания"}


def smart_entity(ctx: Ctx, entity_type_id: int | None) -> EntityDef | None:
    """The item definition of the smart process ``entity_type_id`` (``None``: no such type)."""
    row = _type_row(ctx.store, entity_type_id)
    return None if row is None else _definition(ctx.store, row)


def _type_row(store: Store, entity_type_id: int | None) -> dict[str, Any] | None:
    return next((t for t in store.table("smart_type").values()
                 if t["entityTypeId"] == entity_type_id), None)  # fmt: skip


def _definition(store: Store, row: dict[str, Any]) -> EntityDef:
    type_id = int(row["entityTypeId"])
    fields = {name: FieldDef(ftype, title, flags) for name, ftype, title, flags in _FIELDS}
    status = f"DYNAMIC_{type_id}_STAGE_{_default_category(store, type_id)}"
    for name in ("STAGE_ID", "PREVIOUS_STAGE_ID"):
        fields[name] = FieldDef("crm_status", fields[name].title, fields[name].flags,
                                (("statusType", status),))  # fmt: skip
    fields["SOURCE_ID"] = FieldDef("crm_status", "Source", "", (("statusType", "SOURCE"),))
    fields["COMPANY_ID"] = FieldDef("crm_company", "Company", "",
                                    (("settings", {"parentEntityTypeId": 4}),))  # fmt: skip
    for parent in row.get("_PARENTS") or ():
        fields[f"PARENT_ID_{parent}"] = FieldDef(
            "crm_entity", _PARENT_TITLES.get(parent, str(parent)), "",
            (("settings", {"parentEntityTypeId": parent}),),
        )  # fmt: skip
    return EntityDef(f"{SMART_PREFIX}{type_id}", type_id, f"CRM_{row['id']}", fields, dict(_CAMEL))


def _default_category(store: Store, type_id: int) -> int:
    found = [c for c in store.table("category").values()
             if c["ENTITY_TYPE_ID"] == type_id and c["IS_DEFAULT"] == "Y"]  # fmt: skip
    return int(found[0]["ID"]) if found else 0


def smart_stage_defaults(ctx: Ctx, edef: EntityDef, record: dict[str, Any], *,
                         creating: bool) -> None:  # fmt: skip
    """The item's pipeline and stage: the default pipeline and its first stage unless given;
    a pipeline of another type or a stage of another pipeline is refused."""
    categories = {c["ID"]: c for c in ctx.store.table("category").values()
                  if c["ENTITY_TYPE_ID"] == edef.type_id}  # fmt: skip
    if creating and record.get("CATEGORY_ID") in (None, ""):
        record["CATEGORY_ID"] = _default_category(ctx.store, edef.type_id)
    category = record.get("CATEGORY_ID")
    if not isinstance(category, int) or category not in categories:
        raise RestError(400, "CRM_FIELD_ERROR_VALUE_NOT_VALID",
                        'Invalid value for field "categoryId"')  # fmt: skip
    stages = _stages(ctx.store, edef.type_id, category)
    if creating and not record.get("STAGE_ID"):
        record["STAGE_ID"] = stages[0]["STATUS_ID"]
    if record.get("STAGE_ID") not in {s["STATUS_ID"] for s in stages}:
        raise RestError(400, "CRM_FIELD_ERROR_VALUE_NOT_VALID",
                        'Invalid value for field "stageId"')  # fmt: skip
    ids = record.get("CONTACT_IDS") or []
    record["CONTACT_ID"] = ids[0] if ids else record.get("CONTACT_ID")
    if creating:
        today = ctx.now
        record["BEGINDATE"] = record.get("BEGINDATE") or format_dt(today)[:10]
        record["CLOSEDATE"] = record.get("CLOSEDATE") or format_dt(today + 7 * 86400)[:10]
        record.setdefault("CURRENCY_ID", "RUB")
        record.setdefault("IS_MANUAL_OPPORTUNITY", "N")
        record.setdefault("OPPORTUNITY", 0.0)


def _stages(store: Store, type_id: int, category: int) -> list[dict[str, Any]]:
    entity = f"DYNAMIC_{type_id}_STAGE_{category}"
    rows = [s for s in store.table("status").values() if s["ENTITY_ID"] == entity]
    return sorted(rows, key=lambda s: s["SORT"])


def seed_smart_process(store: Store, title: str, now: float, *,
                       parents: tuple[int, ...] = (2,)) -> int:  # fmt: skip
    """Create the smart process ``title`` (once: an existing title is kept) with its default
    pipeline and five stages, linked to the ``parents`` types (deals: field ``PARENT_ID_2``).
    Returns its entityTypeId."""
    existing = next((t for t in store.table("smart_type").values() if t["title"] == title), None)
    if existing is not None:
        return int(existing["entityTypeId"])
    with store.transaction():
        rid = store.next_id("smart_type")
        type_id = FIRST_TYPE_ID + 2 * (rid - 1)
        stamp = format_dt(now)
        row: dict[str, Any] = {"id": rid, "title": title, "code": "", "createdBy": 1,
                               "entityTypeId": type_id, "customSectionId": None}  # fmt: skip
        row.update({flag: "Y" if flag in _ENABLED else "N" for flag in _TYPE_FLAGS})
        row.update(createdTime=stamp, updatedTime=stamp, updatedBy=1, _PARENTS=list(parents))
        store.put("smart_type", rid, row)
        category = store.next_id("category")
        pipeline = {"ID": category, "ENTITY_TYPE_ID": type_id, "NAME": "Общая", "SORT": 500,
                    "IS_DEFAULT": "Y"}  # fmt: skip
        store.put("category", category, pipeline)
        add_smart_stages(store, type_id, category)
    return type_id


def add_smart_stages(store: Store, type_id: int, category: int) -> None:
    """The five stages a smart process's pipeline starts with (``DT<type>_<category>:NEW`` …)."""
    entity = f"DYNAMIC_{type_id}_STAGE_{category}"
    for index, (sid, name, semantics) in enumerate(SMART_STAGES):
        system = sid in ("NEW", "SUCCESS", "FAIL")
        store.insert("status", {
            "ENTITY_ID": entity, "STATUS_ID": f"DT{type_id}_{category}:{sid}",
            "NAME": name, "NAME_INIT": name if system else "", "SORT": (index + 1) * 10,
            "SYSTEM": "Y" if system else "N", "CATEGORY_ID": category,
            "COLOR": _COLORS[index], "SEMANTICS": semantics,
        })  # fmt: skip


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _type_field(key: str) -> str | None:
    return key if key in _KNOWN else None


_KNOWN = frozenset({"id", "title", "code", "createdBy", "entityTypeId", "customSectionId",
                    "createdTime", "updatedTime", "updatedBy", *_TYPE_FLAGS})  # fmt: skip


@method("crm.type.list")
def type_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """``{"types": [...]}`` and ``total``; an unknown filter field is refused
    (crm-type-list.md: ``INVALID_ARG_VALUE`` "Invalid filter: field '…' is not allowed")."""

    def known(key: str) -> str:
        found = _type_field(key)
        if found is None:
            raise RestError(400, "INVALID_ARG_VALUE",
                            f"Invalid filter: field '{key}' is not allowed in filter")  # fmt: skip
        return found

    conds = parse_filter(params.get("filter"), known, nested=True)
    order = parse_order(params.get("order"), _type_field)
    rows, total, nxt = page_of(
        ctx.store.table("smart_type"), conds, order, params.get("start"), round_start=False
    )
    ctx.touch(max(len(rows), 1))
    return Reply({"types": [_public(r) for r in rows]}, total, nxt)
