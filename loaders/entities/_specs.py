"""The entities the loader writes: their methods and how each is found again after a crash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["SPECS", "EntitySpec", "spec_for"]

# How a created record is found again: by ORIGINATOR_ID + ORIGIN_ID, by ORIGINATOR_ID +
# XML_ID (requisites), by XML_ID alone (products, sections: they have no ORIGINATOR_ID), by an
# ``xmlId`` scoped by the migration, ``<originator>/<key>`` (a smart process's items: no
# ORIGINATOR_ID either, and two migrations into one portal must not claim each other's), by the
# tag in a timeline comment's text, by a task's XML_ID (or the tag in its description) among
# the tasks bound to its CRM record, by its natural key (an address has no id: its type and its
# requisite name it), or not at all (relation sets are simply re-sent).
Origin = Literal[
    "natural_key",
    "origin_id",
    "originator_xml_id",
    "xml_id",
    "scoped_xml_id",
    "comment_tag",
    "task_marker",
    "none",
]


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One entity the loader writes."""

    name: str
    add: str
    update: str
    list: str
    origin: Origin
    entity_type_id: int | None = None  # CRM object type (crm.item.*), None if not a CRM item
    history_import: bool = False  # legacy add honours params[IMPORT]=Y (DATE_CREATE …)

    @property
    def get(self) -> str:
        """The method that reads one record by id (``crm.company.get``…)."""
        return self.list.removesuffix(".list") + ".get"

    @property
    def item(self) -> bool:
        """Written by the universal ``crm.item.*`` methods (a smart process): camelCase, the
        ``entityTypeId`` the plan found for the type, found again by ``xmlId``."""
        return self.add.startswith("crm.item.")

    @property
    def catalog(self) -> bool:
        """Written through the trade catalogue (``catalog.*``: camelCase, an iblock id)."""
        return self.add.startswith("catalog.")


SPECS: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "company",
            "crm.company.add",
            "crm.company.update",
            "crm.company.list",
            "origin_id",
            4,
            history_import=True,
        ),
        EntitySpec(
            "contact",
            "crm.contact.add",
            "crm.contact.update",
            "crm.contact.list",
            "origin_id",
            3,
            history_import=True,
        ),
        EntitySpec("deal", "crm.deal.add", "crm.deal.update", "crm.deal.list", "origin_id", 2),
        EntitySpec("lead", "crm.lead.add", "crm.lead.update", "crm.lead.list", "origin_id", 1),
        # products and sections through the trade catalogue (crm.product.* is deprecated:
        # crm-product-add.md); a product's price is a set of its own, made idempotent by
        # catalog.price.modify, so an unknown outcome of either call is simply re-sent
        EntitySpec(
            "product",
            "catalog.product.add",
            "catalog.product.update",
            "catalog.product.list",
            "xml_id",
        ),
        EntitySpec(
            "product_section",
            "catalog.section.add",
            "catalog.section.update",
            "catalog.section.list",
            "xml_id",
        ),
        EntitySpec(
            "product_prices",
            "catalog.price.modify",
            "catalog.price.modify",
            "catalog.price.list",
            "none",
        ),
        # a smart process has no ORIGINATOR_ID / ORIGIN_ID (crm-item-fields.md lists an SPA's
        # fields: xmlId is its external code), so its items are written and found by xmlId,
        # scoped by the migration's name (an older workspace's plain key is still found)
        EntitySpec(
            "smart_process", "crm.item.add", "crm.item.update", "crm.item.list", "scoped_xml_id"
        ),
        EntitySpec(
            "requisite",
            "crm.requisite.add",
            "crm.requisite.update",
            "crm.requisite.list",
            "originator_xml_id",
        ),
        # a requisite's bank details carry XML_ID and ORIGINATOR_ID like it
        # (crm-requisite-bank-detail-fields.md)
        EntitySpec(
            "bank_detail",
            "crm.requisite.bankdetail.add",
            "crm.requisite.bankdetail.update",
            "crm.requisite.bankdetail.list",
            "originator_xml_id",
        ),
        # an address has no id and no origin fields (crm-address-fields.md): (TYPE_ID,
        # ENTITY_TYPE_ID, ENTITY_ID) names it, one of a type per requisite; its ledger b24_id
        # is its requisite's id
        EntitySpec(
            "address", "crm.address.add", "crm.address.update", "crm.address.list", "natural_key"
        ),
        EntitySpec(
            "activity", "crm.activity.add", "crm.activity.update", "crm.activity.list", "origin_id"
        ),
        EntitySpec(
            "comment",
            "crm.timeline.comment.add",
            "crm.timeline.comment.update",
            "crm.timeline.comment.list",
            "comment_tag",
        ),
        # tasks have no ORIGIN_ID; tasks.task.list filters by UF_CRM_TASK (tasks-task-list.md)
        EntitySpec("task", "tasks.task.add", "tasks.task.update", "tasks.task.list", "task_marker"),
        EntitySpec(
            "deal_products",
            "crm.deal.productrows.set",
            "crm.deal.productrows.set",
            "crm.deal.productrows.get",
            "none",
        ),
        # files a source added to a record after its load: crm.item.update of its file fields
        # (how-to-update-files.md: the legacy updates are not recommended for file fields)
        EntitySpec("record_files", "crm.item.update", "crm.item.update", "crm.item.list", "none"),
        EntitySpec(
            "deal_contacts",
            "crm.deal.contact.items.set",
            "crm.deal.contact.items.set",
            "crm.deal.contact.items.get",
            "none",
        ),
        EntitySpec(
            "contact_companies",
            "crm.contact.company.items.set",
            "crm.contact.company.items.set",
            "crm.contact.company.items.get",
            "none",
        ),
    )
}


def spec_for(entity: str) -> EntitySpec:
    """The spec of ``entity``; ``KeyError`` names the known ones."""
    try:
        return SPECS[entity]
    except KeyError:
        raise KeyError(f"unknown entity {entity!r}; known: {', '.join(sorted(SPECS))}") from None
