"""Products, sections and prices through the trade catalogue (``catalog.*``).

``crm.product.*`` is deprecated (crm-product-add.md: "use catalog.product.add"); the catalogue
methods take camelCase fields and the iblock id of the CRM product catalogue, which the plan
reads from the portal and keeps in the record as ``CATALOG_ID``. A product's price is not a
product field there: it is written by ``catalog.price.modify`` (the ``product_prices`` set),
which replaces the product's prices and so can be re-sent after an unknown outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.entities._command import Command, WriteRequest

__all__ = ["catalog_fields", "catalog_names", "product_prices"]

_PRODUCT = {"NAME": "name", "SECTION_ID": "iblockSectionId", "ACTIVE": "active", "SORT": "sort",
            "VAT_ID": "vatId", "VAT_INCLUDED": "vatIncluded", "MEASURE": "measure",
            "DESCRIPTION": "detailText", "DESCRIPTION_TYPE": "detailTextType", "CODE": "code",
            "CATALOG_ID": "iblockId"}  # fmt: skip
_SECTION = {"NAME": "name", "SECTION_ID": "iblockSectionId", "ACTIVE": "active", "SORT": "sort",
            "CODE": "code", "DESCRIPTION": "description", "CATALOG_ID": "iblockId"}  # fmt: skip
#: ids in the catalogue: a text such as a unit name ("шт") is not one and is not sent
_IDS = frozenset({"iblockId", "iblockSectionId", "measure", "vatId", "sort"})


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def catalog_names(entity: str) -> dict[str, str]:
    """Our (legacy) field name → the catalogue's camelCase name, for ``product`` or
    ``product_section`` (what a ``catalog.*.list`` select asks for)."""
    return dict(_SECTION if entity == "product_section" else _PRODUCT)


def catalog_fields(request: WriteRequest, creating: bool) -> dict[str, Any]:
    """The camelCase fields of a ``catalog.product``/``catalog.section`` add or update."""
    names = _SECTION if request.entity == "product_section" else _PRODUCT
    out: dict[str, Any] = {}
    for legacy, camel in names.items():
        value = request.fields.get(legacy)
        if value in (None, "") or (camel == "iblockId" and not creating):
            continue
        out[camel] = _as_id(value) if camel in _IDS else value
    if creating:
        out["xmlId"] = request.source_key
    return {k: v for k, v in out.items() if v is not None}


def product_prices(fields: Mapping[str, Any]) -> Command:
    """``catalog.price.modify``: the product's prices are exactly these."""
    prices = [
        {"catalogGroupId": price["CATALOG_GROUP_ID"], "price": price["PRICE"],
         "currency": price["CURRENCY_ID"]}
        for price in fields.get("PRICES") or ()
    ]  # fmt: skip
    product = {"id": fields["OWNER_ID"], "prices": prices}
    return Command("catalog.price.modify", {"fields": {"product": product}})
