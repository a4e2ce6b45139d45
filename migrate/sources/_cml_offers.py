"""CommerceML offers: `offers*.xml`, and the split exchange's `prices*.xml` and `rests*.xml`.

An offer is keyed by its `Ид` (`<good>` or `<good>#<characteristic>`). One package writes
prices and stock inside `offers.xml`; 1C's split exchange (UT 11 and later) writes the offers
(names, characteristics) to `offers___<id>.xml`, their prices to `prices___<id>.xml` and stock
to `rests___<id>.xml`. They are merged here by `Ид`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree as ET

from migrate.sources._cml_xml import child, iterparse, tag, text

__all__ = ["OFFER_COLUMNS", "PriceTypes", "merge_offers", "offer_rows", "price_types"]

OFFER_COLUMNS = ["Ид", "Артикул", "Наименование", "Цена", "Валюта", "ТипЦены", "Количество"]
PriceTypes = dict[str, tuple[str, str]]
"""Price type `Ид` → (name, currency), in the order the exchange lists them."""
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def price_types(element: ET.Element, into: PriceTypes) -> None:
    """Add the `ТипЦены` entries under ``element`` (a classifier or an offers package)."""
    block = child(element, "ТипыЦен")
    for item in block if block is not None else []:
        into.setdefault(text(item, "Ид"), (text(item, "Наименование"), text(item, "Валюта")))


def offer_rows(path: Path, types: PriceTypes) -> list[dict[str, str]]:
    """One row per `Предложение` of ``path`` (price types found on the way are added)."""
    rows: list[dict[str, str]] = []
    for event, el in iterparse(path):
        if event != "end":
            continue
        if tag(el) == "ТипЦены":
            types.setdefault(text(el, "Ид"), (text(el, "Наименование"), text(el, "Валюта")))
        elif tag(el) == "Предложение":
            rows.append(_offer(el, types))
            el.clear()
    return rows


def merge_offers(batches: Iterable[list[dict[str, str]]]) -> dict[str, dict[str, str]]:
    """Offer rows of several files merged by `Ид` (later files fill what earlier ones lack)."""
    merged: dict[str, dict[str, str]] = {}
    for rows in batches:
        for row in rows:
            target = merged.setdefault(row["Ид"], {c: "" for c in OFFER_COLUMNS})
            for key, value in row.items():
                if value and not target.get(key):
                    target[key] = value
    return merged


def _offer(el: ET.Element, types: PriceTypes) -> dict[str, str]:
    row = {"Ид": text(el, "Ид"), "Артикул": text(el, "Артикул"),
           "Наименование": text(el, "Наименование")}  # fmt: skip
    row.update(_prices(el, types))
    quantity = text(el, "Количество") or _stock(el)
    if quantity:
        row["Количество"] = quantity
    traits = child(el, "ХарактеристикиТовара")
    pairs = [
        f"{text(t, 'Наименование')}: {text(t, 'Значение')}"
        for t in (traits if traits is not None else [])
    ]
    if pairs:
        row["Характеристики"] = "; ".join(pairs)
    return row


def _prices(el: ET.Element, types: PriceTypes) -> dict[str, str]:
    """The first price type's price as `Цена` (by the exchange's order), others by name."""
    block = child(el, "Цены")
    prices = list(block) if block is not None else []
    found = {text(p, "ИдТипаЦены"): p for p in prices}
    order = [t for t in types if t in found] + [t for t in found if t not in types]
    out: dict[str, str] = {}
    for number, type_id in enumerate(order):
        price = found[type_id]
        name, currency = types.get(type_id, (type_id, ""))
        value, currency = text(price, "ЦенаЗаЕдиницу"), text(price, "Валюта") or currency
        if number == 0:
            out.update(Цена=value, Валюта=currency, ТипЦены=name)
        else:
            out[f"Цена {name}"] = value
    return out


def _stock(el: ET.Element) -> str:
    stocks = child(el, "Остатки")
    if stocks is None:
        return ""
    amounts = [text(s) for s in stocks.iter() if tag(s) == "Количество"]
    return _total([a for a in amounts if a])


def _total(amounts: list[str]) -> str:
    """The sum of stock amounts (`1 000`, `2,5` read as numbers); when one is not a number,
    the amounts as written, so that validation flags the row instead of the read failing."""
    texts = ["".join(a.split()).replace(",", ".") for a in amounts]  # `1 000`, `1\xa0000`
    if not all(_NUMBER.fullmatch(t) for t in texts):
        return "; ".join(amounts)
    return f"{sum(float(t) for t in texts):g}" if texts else ""
