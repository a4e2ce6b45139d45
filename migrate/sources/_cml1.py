"""CommerceML 1.x, as 1C:Предприятие 7.7 writes it: data in attributes, not elements.

A `Каталог` holds `Группа` (`Идентификатор`, `Родитель`, `Наименование`) and `Товар`
(`Идентификатор`, `Родитель` = its group, `Наименование`, `Единица`, `ИдентификаторВКаталоге`);
each `ПакетПредложений` is one price type (named by its `ЗначениеСвойства ТипЦены` or its
`Наименование`) with a `Предложение` per good (`ИдентификаторТовара`, `Цена`, `Валюта`,
`Количество`, `Единица`). The tables come out in the shape of CommerceML 2 (`Ид`,
`Наименование`, `БазоваяЕдиница`, `Группы`, `Цена` …), so one mapping reads both.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from migrate.sources._cml_xml import attr, iterparse, tag
from migrate.sources._table import RawTable, table_from_grid

__all__ = ["is_commerceml1", "read_commerceml1"]

_PRODUCTS = ["Ид", "Код", "Наименование", "БазоваяЕдиница", "Группы", "Группа", "Цена",
             "Валюта", "ТипЦены", "Количество"]  # fmt: skip
_SECTIONS = ["Ид", "Наименование", "Родитель"]


def is_commerceml1(head: str) -> bool:
    """Whether the start of an XML text is CommerceML 1.x (goods as attributes)."""
    return "Идентификатор=" in head and "ВерсияСхемы" not in head.split(">", 2)[1]


def read_commerceml1(path: Path) -> tuple[RawTable, RawTable]:
    """(products, sections) of a CommerceML 1.x file."""
    groups: list[dict[str, str]] = []
    goods: list[dict[str, str]] = []
    packets: list[tuple[str, dict[str, dict[str, str]]]] = []
    for event, el in iterparse(path):
        if event != "end":
            continue
        name = tag(el)
        if name == "Группа":
            groups.append({
                "Ид": attr(el, "Идентификатор"), "Наименование": attr(el, "Наименование"),
                "Родитель": attr(el, "Родитель"),
            })  # fmt: skip
        elif name == "Товар":
            goods.append(_good(el))
        elif name == "ПакетПредложений":
            packets.append(_packet(el))
    names = {g["Ид"]: g["Наименование"] for g in groups}
    for good in goods:
        good["Группа"] = names.get(good["Группы"], "")
        _prices(good, packets)
    return _table(goods, _PRODUCTS, path), _table(groups, _SECTIONS, path)


def _good(el: ET.Element) -> dict[str, str]:
    return {
        "Ид": attr(el, "Идентификатор"), "Код": attr(el, "ИдентификаторВКаталоге"),
        "Наименование": attr(el, "Наименование"), "БазоваяЕдиница": attr(el, "Единица"),
        "Группы": attr(el, "Родитель"),
    }  # fmt: skip


def _packet(el: ET.Element) -> tuple[str, dict[str, dict[str, str]]]:
    kind = next(
        (attr(v, "Значение") for v in el if tag(v) == "ЗначениеСвойства"
         and attr(v, "ИдентификаторСвойства").casefold().replace(" ", "") == "типцены"),
        attr(el, "Наименование"),
    )  # fmt: skip
    offers = {
        attr(o, "ИдентификаторТовара"): {
            "Цена": attr(o, "Цена"), "Валюта": attr(o, "Валюта"),
            "Количество": attr(o, "Количество"), "Единица": attr(o, "Единица"),
        }
        for o in el
        if tag(o) == "Предложение"
    }  # fmt: skip
    return kind, offers


def _prices(good: dict[str, str], packets: list[tuple[str, dict[str, dict[str, str]]]]) -> None:
    """The first packet's price as `Цена`, other packets' as `Цена <type>`."""
    for number, (kind, offers) in enumerate(packets):
        offer = offers.get(good["Ид"])
        if offer is None:
            continue
        if number == 0:
            good.update(Цена=offer["Цена"], Валюта=offer["Валюта"], ТипЦены=kind,
                        Количество=offer["Количество"])  # fmt: skip
            good["БазоваяЕдиница"] = good["БазоваяЕдиница"] or offer["Единица"]
        else:
            good[f"Цена {kind}"] = offer["Цена"]


def _table(rows: list[dict[str, str]], columns: list[str], path: Path) -> RawTable:
    extra = sorted({k for r in rows for k in r} - set(columns))
    header = [*columns, *extra]
    body = pd.DataFrame([[r.get(c, "") for c in header] for r in rows], columns=range(len(header)))
    return table_from_grid(header, body, 1, source=path, sheet="", header_row=0)
