"""1C-style product list: a cp1251 CSV and a CommerceML 2.05 ``import.xml``/``offers.xml`` pair."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

__all__ = ["PRODUCT_COLUMNS", "Product", "build_products", "write_commerceml"]

PRODUCT_COLUMNS = [
    "Код",
    "Артикул",
    "Наименование",
    "Группа",
    "Ед. изм.",
    "Цена",
    "Валюта",
    "Ставка НДС",
    "Штрихкод",
    "Описание",
]
_GROUPS = {
    "Крепёж": {
        "Саморезы": ["Саморез по дереву {a}x{b}", "Саморез по металлу {a}x{b}"],
        "Анкеры": ["Анкер клиновой {a}x{b}", "Анкер-болт {a}x{b}"],
    },
    "Электрика": {
        "Кабель": ["Кабель ВВГнг {a}x{c} кв.мм", "Провод ПВС {a}x{c}"],
        "Автоматы": ["Автоматический выключатель {a}P {b}А", "УЗО {a}P {b}А 30мА"],
    },
    "Инструмент": {
        "Электроинструмент": ["Дрель ударная {b}0 Вт", "Перфоратор SDS-plus {b}0 Вт"],
        "Ручной инструмент": ["Молоток слесарный {b}00 г", "Набор отвёрток {a} шт."],
    },
    "Сантехника": {"Трубы": ["Труба ПП {b} мм PN{a}0", "Труба металлопластиковая {b} мм"]},
}
_UNITS = [
    ("шт", "796", "Штука", "PCE"),
    ("м", "006", "Метр", "MTR"),
    ("упак", "778", "Упаковка", "NMP"),
]


@dataclass(frozen=True, slots=True)
class Product:
    """One catalogue item with its 1C identifiers."""

    guid: str
    code: str
    sku: str
    name: str
    group: str
    subgroup: str
    unit: tuple[str, str, str, str]
    price: float
    vat: str
    barcode: str


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ean13(rng: random.Random) -> str:
    body = "46" + f"{rng.randrange(10**10):010d}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


def build_products(rng: random.Random, n: int) -> list[Product]:
    """``n`` distinct products spread over two-level groups."""
    seen: set[str] = set()
    products: list[Product] = []
    while len(products) < n:
        group = rng.choice(list(_GROUPS))
        subgroup = rng.choice(list(_GROUPS[group]))
        template = rng.choice(_GROUPS[group][subgroup])
        name = template.format(
            a=rng.randint(1, 9), b=rng.randint(10, 99), c=rng.choice(["1,5", "2,5", "4"])
        )
        if name in seen:
            continue
        seen.add(name)
        unit = (
            _UNITS[1]
            if group in {"Электрика", "Сантехника"} and "Кабель" in subgroup
            else _UNITS[0]
        )
        products.append(
            Product(
                guid=_guid(rng),
                code=f"00-{len(products) + 1:08d}",
                sku=f"{group[:2].upper()}-{rng.randrange(10**5):05d}",
                name=name,
                group=group,
                subgroup=subgroup,
                unit=rng.choice(_UNITS) if rng.random() < 0.1 else unit,
                price=round(rng.lognormvariate(6, 1.2), 2),
                vat=rng.choice(["20", "20", "20", "10", "Без НДС"]),
                barcode=_ean13(rng) if rng.random() < 0.7 else "",
            )
        )
    return products


def product_rows(rng: random.Random, products: list[Product]) -> list[dict[str, str]]:
    """CSV rows as a 1C "Номенклатура" list export holds them, with a little dirt."""
    rows = []
    for p in products:
        whole, cents = int(p.price), round(p.price * 100) % 100
        price = rng.choice(
            [
                f"{whole:,}".replace(",", " ") + f",{cents:02d}",
                f"{p.price:.2f}",
                f"{whole},{cents:02d}",
            ]
        )
        rows.append(
            {
                "Код": p.code,
                "Артикул": p.sku if rng.random() < 0.95 else "",
                "Наименование": p.name if rng.random() > 0.05 else p.name.upper() + "  ",
                "Группа": f"{p.group}/{p.subgroup}",
                "Ед. изм.": p.unit[0],
                "Цена": price if rng.random() < 0.97 else "",
                "Валюта": rng.choice(["руб.", "RUB", "руб", ""]),
                "Ставка НДС": p.vat if p.vat == "Без НДС" else f"{p.vat}%",
                "Штрихкод": p.barcode,
                "Описание": "",
            }
        )
    return rows


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _group_ids(rng: random.Random) -> dict[str, str]:
    ids = {}
    for group, subs in _GROUPS.items():
        ids[group] = _guid(rng)
        for sub in subs:
            ids[f"{group}/{sub}"] = _guid(rng)
    return ids


def write_commerceml(rng: random.Random, products: list[Product], out: Path) -> None:
    """Write ``import.xml`` (classifier + catalogue) and ``offers.xml`` (prices) into ``out``."""
    gids, cls_id, cat_id, price_type = _group_ids(rng), _guid(rng), _guid(rng), _guid(rng)
    stamp = {"ВерсияСхемы": "2.05", "ДатаФормирования": "2024-03-01T10:15:00"}
    root = ET.Element("КоммерческаяИнформация", stamp)
    cls = _sub(root, "Классификатор")
    _sub(cls, "Ид", cls_id)
    _sub(cls, "Наименование", "Классификатор (Основной каталог товаров)")
    groups = _sub(cls, "Группы")
    for group, subs in _GROUPS.items():
        g = _sub(groups, "Группа")
        _sub(g, "Ид", gids[group])
        _sub(g, "Наименование", group)
        inner = _sub(g, "Группы")
        for sub in subs:
            s = _sub(inner, "Группа")
            _sub(s, "Ид", gids[f"{group}/{sub}"])
            _sub(s, "Наименование", sub)
    cat = _sub(root, "Каталог", СодержитТолькоИзменения="false")
    _sub(cat, "Ид", cat_id)
    _sub(cat, "ИдКлассификатора", cls_id)
    _sub(cat, "Наименование", "Основной каталог товаров")
    goods = _sub(cat, "Товары")
    for p in products:
        t = _sub(goods, "Товар")
        _sub(t, "Ид", p.guid)
        _sub(t, "Артикул", p.sku)
        _sub(t, "Наименование", p.name)
        name, code, full, intl = p.unit
        _sub(
            t,
            "БазоваяЕдиница",
            name,
            Код=code,
            НаименованиеПолное=full,
            МеждународноеСокращение=intl,
        )
        _sub(_sub(t, "Группы"), "Ид", gids[f"{p.group}/{p.subgroup}"])
        if p.barcode:
            _sub(t, "Штрихкод", p.barcode)
        _sub(t, "Описание", f"{p.name}. Код 1С {p.code}.")
        rate = _sub(_sub(t, "СтавкиНалогов"), "СтавкаНалога")
        _sub(rate, "Наименование", "НДС")
        _sub(rate, "Ставка", p.vat)
    _write(root, out / "import.xml")
    root = ET.Element("КоммерческаяИнформация", stamp)
    pack = _sub(root, "ПакетПредложений", СодержитТолькоИзменения="false")
    _sub(pack, "Ид", f"{cat_id}#")
    _sub(pack, "Наименование", "Пакет предложений (Основной каталог товаров)")
    _sub(pack, "ИдКаталога", cat_id)
    _sub(pack, "ИдКлассификатора", cls_id)
    kind = _sub(_sub(pack, "ТипыЦен"), "ТипЦены")
    _sub(kind, "Ид", price_type)
    _sub(kind, "Наименование", "Розничная")
    _sub(kind, "Валюта", "RUB")
    offers = _sub(pack, "Предложения")
    for p in products:
        o = _sub(offers, "Предложение")
        _sub(o, "Ид", p.guid)
        _sub(o, "Артикул", p.sku)
        _sub(o, "Наименование", p.name)
        _sub(o, "БазоваяЕдиница", p.unit[0], Код=p.unit[1])
        price = _sub(_sub(o, "Цены"), "Цена")
        _sub(price, "Представление", f"{p.price:.2f} RUB за {p.unit[0]}".replace(".", ","))
        _sub(price, "ИдТипаЦены", price_type)
        _sub(price, "ЦенаЗаЕдиницу", f"{p.price:.2f}")
        _sub(price, "Валюта", "RUB")
        _sub(price, "Единица", p.unit[0])
        _sub(price, "Коэффициент", "1")
        _sub(o, "Количество", str(rng.randrange(0, 500)))
    _write(root, out / "offers.xml")


def _write(root: ET.Element, path: Path) -> None:
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)
