"""1C CommerceML 2.x exchange files: ``import.xml`` (groups, goods) and ``offers.xml`` (prices).

Produces two RawTables: products (one row per ``Товар``, prices and stock joined from the
offers file by ``Ид``) and sections (one row per ``Группа``, with its parent's ``Ид``). XML
has no header row: ``header_row`` is 0 and ``_row`` is the element's 1-based ordinal.

Hostile XML is refused before it costs anything: a document type declaration (`<!DOCTYPE`,
where entities are declared; 1C never writes one) and elements nested deeper than
:data:`MAX_DEPTH` (groups thousands deep) stop the read with one clear line. External entities
are never fetched by ElementTree, and expat (2.4+) caps entity amplification on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from migrate.errors import SourceReadError
from migrate.sources._table import RawTable, table_from_grid

__all__ = ["MAX_DEPTH", "CommerceMLCatalog", "find_offers", "read_commerceml", "read_offers"]

MAX_DEPTH = 200
"""Deepest element nesting read (a real catalogue: groups ten levels deep, about 25)."""
_HEAD = 1 << 16
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

PRODUCT_COLUMNS = [
    "Ид",
    "Артикул",
    "Наименование",
    "Штрихкод",
    "БазоваяЕдиница",
    "Группы",
    "Группа",
    "Описание",
    "СтавкаНДС",
]
OFFER_COLUMNS = ["Ид", "Артикул", "Наименование", "Цена", "Валюта", "ТипЦены", "Количество"]
SECTION_COLUMNS = ["Ид", "Наименование", "Родитель"]


@dataclass(frozen=True, slots=True)
class CommerceMLCatalog:
    """The two tables of a 1C catalogue exchange."""

    products: RawTable
    sections: RawTable


def _tag(el: ET.Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if _tag(c) == name), None)


def _text(el: ET.Element | None, name: str | None = None) -> str:
    node = el if name is None or el is None else _child(el, name)
    return "" if node is None or node.text is None else node.text.strip()


def _iterparse(path: Path) -> Iterator[tuple[str, ET.Element]]:
    _refuse_doctype(path)
    depth = 0
    try:
        for event, el in ET.iterparse(path, events=("start", "end")):
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:
                raise SourceReadError(
                    f"elements are nested more than {MAX_DEPTH} levels deep (at `{_tag(el)}`); "
                    "no 1C catalogue is",
                    source=str(path),
                    next_step="export the catalogue from 1C again; check the group tree",
                )
            yield event, el
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceReadError(
            f"the XML is broken ({exc.msg if hasattr(exc, 'msg') else exc})",
            source=str(path),
            row=line,
            next_step="export the catalogue from 1C again (the file may be cut short)",
        ) from None
    except OSError as exc:
        raise SourceReadError(f"cannot open the file ({exc.strerror})", source=str(path)) from None


def _refuse_doctype(path: Path) -> None:
    """A DOCTYPE can only come before the root element, so the head of the file tells."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return  # _iterparse says why the file cannot be opened
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise SourceReadError(
            "the XML declares a document type (`<!DOCTYPE`/`<!ENTITY`), which 1C never writes; "
            "it is not read, so that no entity is expanded",
            source=str(path),
            next_step="export the catalogue from 1C again, or remove the declaration",
        )


def _deleted(item: ET.Element) -> bool:
    """``<Товар Статус="Удален">`` (or a ``Статус`` child): a deletion, not a product."""
    status = item.get("Статус") or _text(item, "Статус")
    return status.strip().casefold().replace("ё", "е") == "удален"


def _sections(groups: ET.Element, parent: str, out: list[list[str]]) -> None:
    """Every group of the tree, a parent before its children (iteratively: any depth)."""
    stack = [(groups, parent)]
    while stack:
        level, above = stack.pop()
        inner = []
        for group in level:
            if _tag(group) != "Группа":
                continue
            gid = _text(group, "Ид")
            out.append([gid, _text(group, "Наименование"), above])
            below = _child(group, "Группы")
            if below is not None:
                inner.append((below, gid))
        stack.extend(reversed(inner))


@dataclass(slots=True)
class _Properties:
    """``Классификатор/Свойства``: property names and the values of list properties."""

    names: dict[str, str]
    values: dict[str, str]

    @classmethod
    def read(cls, classifier: ET.Element) -> _Properties:
        names, values = {}, {}
        props = _child(classifier, "Свойства")
        for prop in props if props is not None else []:
            names[_text(prop, "Ид")] = _text(prop, "Наименование")
            variants = _child(prop, "ВариантыЗначений")
            for variant in variants if variants is not None else []:
                values[_text(variant, "ИдЗначения")] = _text(variant, "Значение")
        return cls(names, values)

    def columns(self, item: ET.Element) -> dict[str, str]:
        """``ЗначенияСвойств`` of a product: a column per property, list values resolved."""
        out: dict[str, str] = {}
        block = _child(item, "ЗначенияСвойств")
        for prop in block if block is not None else []:
            pid = _text(prop, "Ид")
            name = self.names.get(pid) or f"Свойство {pid}"
            texts = [_text(v) for v in prop if _tag(v) == "Значение" and _text(v)]
            value = "; ".join(self.values.get(t, t) for t in texts)
            if value:
                out[name] = value
        return out


def _product(
    item: ET.Element, group_names: dict[str, str], properties: _Properties | None = None
) -> dict[str, str]:
    groups = _child(item, "Группы")
    ids = [_text(g) for g in groups if _tag(g) == "Ид"] if groups is not None else []
    vat = ""
    rates = _child(item, "СтавкиНалогов")
    for rate in rates if rates is not None else []:
        if _text(rate, "Наименование").upper() == "НДС":
            vat = _text(rate, "Ставка")
    row = {
        "Ид": _text(item, "Ид"),
        "Артикул": _text(item, "Артикул"),
        "Наименование": _text(item, "Наименование"),
        "Штрихкод": _text(item, "Штрихкод"),
        "БазоваяЕдиница": _text(item, "БазоваяЕдиница"),
        "Группы": "; ".join(ids),
        "Группа": group_names.get(ids[0], "") if ids else "",
        "Описание": _text(item, "Описание"),
        "СтавкаНДС": vat,
    }
    details = _child(item, "ЗначенияРеквизитов")
    for detail in details if details is not None else []:
        name = _text(detail, "Наименование")
        if name and name not in row:
            row[name] = _text(detail, "Значение")
    for name, value in (properties.columns(item) if properties else {}).items():
        row.setdefault(name, value)
    return row


def _table(rows: list[dict[str, str]], columns: list[str], path: Path) -> RawTable:
    extra = sorted({k for r in rows for k in r} - set(columns))
    header = [*columns, *extra]
    body = pd.DataFrame([[r.get(c, "") for c in header] for r in rows], columns=range(len(header)))
    return table_from_grid(header, body, 1, source=path, sheet="", header_row=0)


def read_offers(path: Path) -> RawTable:
    """``offers.xml``: one row per ``Предложение`` with the first price type's price.

    Other price types get their own ``Цена <name>`` columns; stock is ``Количество`` (or
    the sum of ``Остатки``).
    """
    types: dict[str, tuple[str, str]] = {}
    rows: list[dict[str, str]] = []
    for event, el in _iterparse(path):
        if event != "end":
            continue
        tag = _tag(el)
        if tag == "ТипЦены":
            types[_text(el, "Ид")] = (_text(el, "Наименование"), _text(el, "Валюта"))
        elif tag == "Предложение":
            rows.append(_offer(el, types))
            el.clear()
    return _table(rows, OFFER_COLUMNS, path)


def _offer(el: ET.Element, types: dict[str, tuple[str, str]]) -> dict[str, str]:
    row = {c: "" for c in OFFER_COLUMNS}
    row.update(
        Ид=_text(el, "Ид"), Артикул=_text(el, "Артикул"), Наименование=_text(el, "Наименование")
    )
    price_list = _child(el, "Цены")
    prices = list(price_list) if price_list is not None else []
    first_type = next(iter(types), None)
    for price in prices:
        type_id = _text(price, "ИдТипаЦены")
        name, currency = types.get(type_id, (type_id, ""))
        value, currency = _text(price, "ЦенаЗаЕдиницу"), _text(price, "Валюта") or currency
        if not row["Цена"] and (type_id == first_type or first_type is None or len(prices) == 1):
            row.update(Цена=value, Валюта=currency, ТипЦены=name)
        else:
            row[f"Цена {name}"] = value
    quantity = _text(el, "Количество")
    stocks = _child(el, "Остатки")
    if not quantity and stocks is not None:
        amounts = [_text(s) for s in stocks.iter() if _tag(s) == "Количество"]
        quantity = _total([a for a in amounts if a])
    row["Количество"] = quantity
    traits = _child(el, "ХарактеристикиТовара")
    pairs = [
        f"{_text(t, 'Наименование')}: {_text(t, 'Значение')}"
        for t in (traits if traits is not None else [])
    ]
    if pairs:
        row["Характеристики"] = "; ".join(pairs)
    return row


def _total(amounts: list[str]) -> str:
    """The sum of stock amounts (`1 000`, `2,5` read as numbers); when one is not a number,
    the amounts as written, so that validation flags the row instead of the read failing."""
    texts = ["".join(a.split()).replace(",", ".") for a in amounts]  # `1 000`, `1\xa0000`
    if not all(_NUMBER.fullmatch(t) for t in texts):
        return "; ".join(amounts)
    return f"{sum(float(t) for t in texts):g}" if texts else ""


def read_commerceml(import_path: Path, offers_path: Path | None = None) -> CommerceMLCatalog:
    """Read ``import.xml`` (and its ``offers.xml``, found beside it when not given)."""
    sections: list[list[str]] = []
    products: list[dict[str, str]] = []
    names: dict[str, str] = {}
    properties = _Properties({}, {})
    for event, el in _iterparse(import_path):
        if event != "end":
            continue
        tag = _tag(el)
        if tag == "Классификатор":
            groups = _child(el, "Группы")
            if groups is not None:
                _sections(groups, "", sections)
                names = {gid: name for gid, name, _ in sections}
            properties = _Properties.read(el)
        elif tag == "Товар":
            if not _deleted(el):
                products.append(_product(el, names, properties))
            el.clear()
    offers_path = offers_path or find_offers(import_path)
    columns = PRODUCT_COLUMNS
    if offers_path is not None:
        products = _join_offers(products, read_offers(offers_path))
        columns = [*PRODUCT_COLUMNS, *OFFER_COLUMNS[3:]]
    section_rows = [dict(zip(SECTION_COLUMNS, s, strict=True)) for s in sections]
    return CommerceMLCatalog(
        products=_table(products, columns, import_path),
        sections=_table(section_rows, SECTION_COLUMNS, import_path),
    )


def _join_offers(products: list[dict[str, str]], offers: RawTable) -> list[dict[str, str]]:
    """Prices and stock joined to products by ``Ид``.

    Offers ``<product>#<variant>`` are variants (size, colour) with their own prices: a
    product with two or more becomes one row per variant, ``Ид`` the variant's, ``ИдТовара``
    the product's, ``Наименование`` the variant's name when it has one.
    """
    by_id: dict[str, list[dict[str, str]]] = {}
    for record in offers.frame.drop(columns="_row").to_dict("records"):
        row = {str(k): str(v) for k, v in record.items()}
        by_id.setdefault(row["Ид"].split("#", 1)[0], []).append(row)
    out: list[dict[str, str]] = []
    for product in products:
        found = by_id.get(product["Ид"], [])
        variants = [o for o in found if o["Ид"].split("#", 1)[1:] != [""]]
        if len(variants) < 2:
            for key, value in (found[0] if found else {}).items():
                if key not in ("Ид", "Артикул", "Наименование"):
                    product[key] = value
            out.append(product)
            continue
        for offer in variants:
            row = dict(product)
            row.update({k: v for k, v in offer.items() if k not in ("Артикул", "Наименование")})
            row["ИдТовара"] = product["Ид"]
            row["Наименование"] = offer["Наименование"] or product["Наименование"]
            row["Артикул"] = offer["Артикул"] or product["Артикул"]
            out.append(row)
    return out


def find_offers(import_path: Path) -> Path | None:
    """The ``offers*.xml`` beside an ``import*.xml``: same suffix first, then the only one."""
    twin = import_path.with_name(import_path.name.replace("import", "offers"))
    if twin != import_path and twin.exists():
        return twin
    candidates = sorted(import_path.parent.glob("offers*.xml"))
    return candidates[0] if len(candidates) == 1 else None
