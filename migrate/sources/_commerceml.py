"""1C CommerceML exchange files: groups, goods, and the offers, prices and stock of each good.

Produces two RawTables: products (one row per `Товар`, or per offer of a good with two or more
characteristics) and sections (one row per `Группа`, with its parent's `Ид`). An exchange is a
folder: one package writes `import.xml` (classifier and goods) and `offers.xml` (offers with
prices and stock); 1C's split exchange writes the classifier and the goods to separate
`import___<id>.xml` files and the offers, prices and stock to `offers___`, `prices___` and
`rests___` files. Reading any import file of a folder reads the whole exchange.

Units: `БазоваяЕдиница` is the unit's short name (`шт`), or a reference into the classifier's
units directory (`ЕдиницыИзмерения`: an OKEI code such as `796 ` or a GUID), or empty with the
unit only in its attributes (`Код="796" НаименованиеПолное="Штука"`). The table gets the short
name (never a GUID) and `ЕдиницаКод`, the OKEI code. XML has no header row: ``header_row`` is 0
and ``_row`` is the element's 1-based ordinal. CommerceML 1.x (1C 7.7) is read by
:mod:`migrate.sources._cml1`. Hostile XML (a document type declaration, nesting deeper than
:data:`MAX_DEPTH`) is refused by :func:`~migrate.sources._cml_xml.iterparse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from migrate.sources._cml_offers import (
    OFFER_COLUMNS,
    PriceTypes,
    merge_offers,
    offer_rows,
    price_types,
)
from migrate.sources._cml_xml import MAX_DEPTH, child, iterparse, tag, text
from migrate.sources._table import RawTable, table_from_grid

__all__ = [
    "MAX_DEPTH",
    "CommerceMLCatalog",
    "exchange_heads",
    "package_files",
    "read_commerceml",
    "read_offers",
]

PRODUCT_COLUMNS = [
    "Ид", "Артикул", "Наименование", "Штрихкод", "БазоваяЕдиница", "ЕдиницаКод", "Группы",
    "Группа", "Описание", "СтавкаНДС",
]  # fmt: skip
SECTION_COLUMNS = ["Ид", "Наименование", "Родитель"]
OKEI = {
    "796": "шт", "166": "кг", "163": "г", "168": "т", "006": "м", "055": "м2", "113": "м3",
    "112": "л", "111": "мл", "715": "пар", "778": "упак", "704": "набор", "839": "компл",
    "736": "рул", "625": "лист", "018": "пог. м", "356": "ч", "642": "ед",
}  # fmt: skip
"""Common units of the Russian classifier OKEI: code → short name."""
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass(frozen=True, slots=True)
class CommerceMLCatalog:
    """The two tables of a 1C catalogue exchange."""

    products: RawTable
    sections: RawTable


@dataclass(frozen=True, slots=True)
class Package:
    """The files of one exchange folder, by kind."""

    imports: tuple[Path, ...]
    offers: tuple[Path, ...] = ()
    prices: tuple[Path, ...] = ()
    rests: tuple[Path, ...] = ()


def package_files(import_path: Path, offers_path: Path | None = None) -> Package:
    """The exchange ``import_path`` belongs to: every import/offers/prices/rests file beside it.

    ``offers_path`` given: exactly that offers file (and no prices or rests files).
    """
    folder = import_path.parent

    def kind(prefix: str) -> tuple[Path, ...]:
        return tuple(sorted(p for p in folder.glob(f"{prefix}*.xml") if p.is_file()))

    imports = (import_path, *(p for p in kind("import") if p != import_path))
    if offers_path is not None:
        return Package(imports, (offers_path,))
    return Package(imports, kind("offers"), kind("prices"), kind("rests"))


def exchange_heads(paths: list[Path]) -> list[Path]:
    """``paths`` with one file per 1C exchange folder: reading it reads the whole exchange.

    A source listing `import___*.xml` names the classifier and the goods of one exchange; both
    reads would give the same goods twice. Other files pass unchanged.
    """
    seen: set[Path] = set()
    out = []
    for path in paths:
        exchange = path.suffix.lower() == ".xml" and path.name.lower().startswith(
            ("import", "offers", "prices", "rests")
        )
        if exchange and path.parent in seen:
            continue
        if exchange:
            seen.add(path.parent)
        out.append(path)
    return out


@dataclass(slots=True)
class _Classifier:
    """What the classifier holds: groups, properties, the units directory, price types."""

    sections: list[list[str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # Ид → (short name, code)
    types: PriceTypes = field(default_factory=dict)

    def add(self, el: ET.Element) -> None:
        groups = child(el, "Группы")
        if groups is not None:
            _sections(groups, "", self.sections)
        props = child(el, "Свойства")
        for prop in props if props is not None else []:
            self.names[text(prop, "Ид")] = text(prop, "Наименование")
            variants = child(prop, "ВариантыЗначений")
            for variant in variants if variants is not None else []:
                self.values[text(variant, "ИдЗначения")] = text(variant, "Значение")
        units = child(el, "ЕдиницыИзмерения")
        for unit in units if units is not None else []:
            short = text(unit, "НаименованиеКраткое") or text(unit, "НаименованиеПолное")
            self.units[text(unit, "Ид")] = (short, text(unit, "Код"))
        price_types(el, self.types)

    def group_names(self) -> dict[str, str]:
        return {gid: name for gid, name, _ in self.sections}

    def properties(self, item: ET.Element) -> dict[str, str]:
        """``ЗначенияСвойств`` of a product: a column per property, list values resolved."""
        out: dict[str, str] = {}
        block = child(item, "ЗначенияСвойств")
        for prop in block if block is not None else []:
            pid = text(prop, "Ид")
            name = self.names.get(pid) or f"Свойство {pid}"
            texts = [text(v) for v in prop if tag(v) == "Значение" and text(v)]
            value = "; ".join(self.values.get(t, t) for t in texts)
            if value:
                out[name] = value
        return out

    def unit(self, item: ET.Element) -> tuple[str, str]:
        """(short name, OKEI code) of a good's `БазоваяЕдиница` in any of its three forms."""
        node = child(item, "БазоваяЕдиница")
        if node is None:
            return "", ""
        written = text(node)
        code = (node.get("Код") or "").strip()
        if written in self.units:
            short, listed = self.units[written]
            return short, listed or code
        if written.isdigit():
            return OKEI.get(written, written), written
        if written and not _GUID.match(written):
            return written, code
        from_attributes = OKEI.get(code) or (node.get("НаименованиеПолное") or "").strip()
        return from_attributes, code


def _sections(groups: ET.Element, parent: str, out: list[list[str]]) -> None:
    """Every group of the tree, a parent before its children (iteratively: any depth)."""
    stack = [(groups, parent)]
    while stack:
        level, above = stack.pop()
        inner = []
        for group in level:
            if tag(group) != "Группа":
                continue
            gid = text(group, "Ид")
            out.append([gid, text(group, "Наименование"), above])
            below = child(group, "Группы")
            if below is not None:
                inner.append((below, gid))
        stack.extend(reversed(inner))


def _deleted(item: ET.Element) -> bool:
    """``<Товар Статус="Удален">`` (or a ``Статус`` child): a deletion, not a product."""
    status = item.get("Статус") or text(item, "Статус")
    return status.strip().casefold().replace("ё", "е") == "удален"


def _product(item: ET.Element, classifier: _Classifier, groups: dict[str, str]) -> dict[str, str]:
    block = child(item, "Группы")
    ids = [text(g) for g in block if tag(g) == "Ид"] if block is not None else []
    vat = ""
    rates = child(item, "СтавкиНалогов")
    for rate in rates if rates is not None else []:
        if text(rate, "Наименование").upper() == "НДС":
            vat = text(rate, "Ставка")
    unit, code = classifier.unit(item)
    row = {
        "Ид": text(item, "Ид"), "Артикул": text(item, "Артикул"),
        "Наименование": text(item, "Наименование"), "Штрихкод": text(item, "Штрихкод"),
        "БазоваяЕдиница": unit, "ЕдиницаКод": code, "Группы": "; ".join(ids),
        "Группа": groups.get(ids[0], "") if ids else "", "Описание": text(item, "Описание"),
        "СтавкаНДС": vat,
    }  # fmt: skip
    details = child(item, "ЗначенияРеквизитов")
    for detail in details if details is not None else []:
        name = text(detail, "Наименование")
        if name and name not in row:
            row[name] = text(detail, "Значение")
    for name, value in classifier.properties(item).items():
        row.setdefault(name, value)
    return row


def _table(rows: list[dict[str, str]], columns: list[str], path: Path) -> RawTable:
    extra = sorted({k for r in rows for k in r} - set(columns))
    header = [*columns, *extra]
    body = pd.DataFrame([[r.get(c, "") for c in header] for r in rows], columns=range(len(header)))
    return table_from_grid(header, body, 1, source=path, sheet="", header_row=0)


def read_offers(path: Path) -> RawTable:
    """One offers (or prices, or rests) file alone: a row per `Предложение`.

    The first price type's price is `Цена`; other price types get `Цена <name>` columns;
    stock is `Количество` (or the sum of `Остатки`).
    """
    return _table(offer_rows(path, {}), OFFER_COLUMNS, path)


def _read_imports(package: Package) -> tuple[_Classifier, list[ET.Element]]:
    classifier, goods = _Classifier(), []
    for path in package.imports:
        for event, el in iterparse(path):
            if event != "end":
                continue
            if tag(el) == "Классификатор":
                classifier.add(el)
            elif tag(el) == "Товар":
                goods.append(el)
    return classifier, goods


def read_commerceml(import_path: Path, offers_path: Path | None = None) -> CommerceMLCatalog:
    """Read the exchange of ``import_path`` (see the module docs) into products and sections."""
    package = package_files(import_path, offers_path)
    classifier, goods = _read_imports(package)
    groups = classifier.group_names()
    products = [_product(g, classifier, groups) for g in goods if not _deleted(g)]
    offer_files = (*package.offers, *package.prices, *package.rests)
    columns = PRODUCT_COLUMNS
    if offer_files:
        batches = [offer_rows(path, classifier.types) for path in offer_files]
        products = _join_offers(products, merge_offers(batches))
        columns = [*PRODUCT_COLUMNS, *OFFER_COLUMNS[3:]]
    section_rows = [dict(zip(SECTION_COLUMNS, s, strict=True)) for s in classifier.sections]
    return CommerceMLCatalog(
        products=_table(products, columns, import_path),
        sections=_table(section_rows, SECTION_COLUMNS, import_path),
    )


def _join_offers(
    products: list[dict[str, str]], offers: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Prices and stock joined to products by `Ид`.

    Offers `<product>#<characteristic>` are variants (size, colour) with their own prices: a
    product with two or more becomes one row per variant, `Ид` the variant's, `ИдТовара` the
    product's, `Наименование` the variant's name when it has one.
    """
    by_good: dict[str, list[dict[str, str]]] = {}
    for offer in offers.values():
        by_good.setdefault(offer["Ид"].split("#", 1)[0], []).append(offer)
    out: list[dict[str, str]] = []
    for product in products:
        found = by_good.get(product["Ид"], [])
        variants = [o for o in found if o["Ид"].split("#", 1)[1:] not in ([], [""])]
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
