"""1C CommerceML import.xml/offers.xml."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.errors import SourceReadError
from migrate.sources import list_sheets, read_commerceml, read_table

SAMPLE = Path(__file__).parents[3] / "sample_data" / "onec"

IMPORT = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.08">
 <Классификатор><Ид>c1</Ид><Группы>
  <Группа><Ид>g1</Ид><Наименование>Крепёж</Наименование><Группы>
   <Группа><Ид>g2</Ид><Наименование>Анкеры</Наименование></Группа></Группы></Группа>
 </Группы></Классификатор>
 <Каталог><Товары>
  <Товар><Ид>p1</Ид><Артикул>A-1</Артикул><Наименование>Анкер 8x60</Наименование>
   <Группы><Ид>g2</Ид></Группы>
   <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование>
    <Значение>Товар</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>
  <Товар><Ид>p2</Ид><Наименование>Без цены</Наименование></Товар>
 </Товары></Каталог>
</КоммерческаяИнформация>"""

OFFERS = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2"><ПакетПредложений>
 <ТипыЦен><ТипЦены><Ид>t1</Ид><Наименование>Розничная</Наименование><Валюта>RUB</Валюта></ТипЦены>
  <ТипЦены><Ид>t2</Ид><Наименование>Оптовая</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен>
 <Предложения><Предложение><Ид>p1#v1</Ид><Наименование>Анкер 8x60</Наименование>
  <Цены><Цена><ИдТипаЦены>t2</ИдТипаЦены><ЦенаЗаЕдиницу>9.50</ЦенаЗаЕдиницу></Цена>
   <Цена><ИдТипаЦены>t1</ИдТипаЦены><ЦенаЗаЕдиницу>12.00</ЦенаЗаЕдиницу></Цена></Цены>
  <Остатки><Остаток><Склад><Количество>3</Количество></Склад></Остаток>
   <Остаток><Склад><Количество>4</Количество></Склад></Остаток></Остатки>
 </Предложение></Предложения>
</ПакетПредложений></КоммерческаяИнформация>"""


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    (tmp_path / "import0_1.xml").write_text(IMPORT, encoding="utf-8")
    (tmp_path / "offers0_1.xml").write_text(OFFERS, encoding="utf-8")
    return tmp_path


def test_products_with_groups_details_and_prices_from_offers(catalog_dir: Path) -> None:
    catalog = read_commerceml(catalog_dir / "import0_1.xml")
    first = catalog.products.frame.iloc[0]
    assert (first["Ид"], first["Артикул"], first["Группы"], first["Группа"]) == (
        "p1",
        "A-1",
        "g2",
        "Анкеры",
    )
    assert (first["Цена"], first["Валюта"], first["ТипЦены"]) == ("12.00", "RUB", "Розничная")
    assert first["Цена Оптовая"] == "9.50"
    assert first["Количество"] == "7"
    assert first["ВидНоменклатуры"] == "Товар"
    assert catalog.products.frame.iloc[1]["Цена"] == ""
    assert catalog.products.frame["_row"].tolist() == [1, 2]
    assert catalog.products.header_row == 0


def test_sections_carry_their_parent(catalog_dir: Path) -> None:
    sections = read_table(catalog_dir / "import0_1.xml", sheet="Группы").frame
    assert sections[["Ид", "Наименование", "Родитель"]].values.tolist() == [
        ["g1", "Крепёж", ""],
        ["g2", "Анкеры", "g1"],
    ]


def test_offers_file_alone(catalog_dir: Path) -> None:
    offers = read_table(catalog_dir / "offers0_1.xml").frame
    assert offers["Ид"].tolist() == ["p1#v1"]
    assert list_sheets(catalog_dir / "offers0_1.xml") == [""]
    assert list_sheets(catalog_dir / "import0_1.xml") == ["Товары", "Группы"]


def test_unknown_table_name(catalog_dir: Path) -> None:
    with pytest.raises(SourceReadError, match="`Товары`, `Группы`"):
        read_table(catalog_dir / "import0_1.xml", sheet="Цены")


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "import.xml"
    path.write_text(IMPORT[: len(IMPORT) // 2], encoding="utf-8")
    with pytest.raises(SourceReadError) as info:
        read_commerceml(path)
    assert info.value.row is not None
    assert info.value.row > 1
    assert info.value.next_step


def test_committed_sample_catalogue() -> None:
    catalog = read_commerceml(SAMPLE / "import.xml")
    frame = catalog.products.frame
    assert len(frame) == 500
    assert (frame["Цена"] != "").all()
    assert set(frame["Группы"]) <= set(catalog.sections.frame["Ид"])
