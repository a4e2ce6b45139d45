# ruff: noqa: E501  (XML fixture literals are easier to read on one line)
"""Build the small messy fixtures in ``fixtures/`` (run by hand; the outputs are committed).

    python tests/migrate/messy/make_fixtures.py

Every file is synthetic: Faker-like Russian names, random phones, INNs with valid checksums.
Binary formats need optional tools that the tests do not: ``xlwt`` (.xls), ``odfpy`` (.ods),
``msoffcrypto-tool`` (an encrypted .xlsx), ``xlsxwriter`` (images, charts, 1904 dates).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

OUT = Path(__file__).with_name("fixtures")

HEADER = ["ID", "ФИО", "Телефон", "Email", "ИНН"]
ROWS = [
    ["1", "Иванов Иван Иванович", "+7 (916) 123-45-67", "ivanov@example.ru", "0105017360"],
    ["2", "Петрова Анна Сергеевна", "8 912 000-11-22", "petrova@example.ru", "7707083893"],
    ["3", "Сидоров Пётр", "89031234567", "sidorov@example.com", "0274062111"],
]


def _csv(rows: list[list[str]], sep: str = ";", eol: str = "\r\n") -> str:
    def quote(v: str) -> str:
        if any(ch in v for ch in (sep, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    return "".join(sep.join(quote(v) for v in r) + eol for r in rows)


def text_fixtures() -> None:
    table = [HEADER, *ROWS]
    (OUT / "crlf_bom.csv").write_bytes(_csv(table, ",").encode("utf-8-sig"))
    (OUT / "cr_only.csv").write_bytes(_csv(table, ";", "\r").encode("cp1251"))
    multiline = [
        ["ID", "Название", "Примечание", "Сумма"],
        ["1", 'ООО "Ромашка"', "первая строка\nвторая; с точкой с запятой", "1 000,50"],
        ["2", "ИП Петров", 'он сказал: ""перезвонить""\r\nпозже', "200"],
        ["3", "АО «Вектор»", "", "3,5"],
    ]
    (OUT / "quoted_multiline.csv").write_bytes(_csv(multiline).encode("utf-8"))
    # a stray quote opens a field that never closes: the rest of the file would be one cell
    unbalanced = _csv([["ID", "Название", "Город"], ["1", "ООО Ромашка", "Москва"]])
    unbalanced += '2;"ООО Лютик;Казань\r\n3;ИП Сидоров;Пермь\r\n4;АО Вектор;Тула\r\n'
    (OUT / "unbalanced_quote.csv").write_bytes(unbalanced.encode("utf-8"))
    (OUT / "sep_hint.csv").write_bytes(("sep=;\r\n" + _csv(table)).encode("cp1251"))
    trailing = "".join(";".join(r) + ";\r\n" for r in table)
    (OUT / "trailing_delimiter.csv").write_bytes(trailing.encode("cp1251"))
    mixed = (
        _csv(table).encode("cp1251")
        + "4;Ёлкина Мария;89161112233;m@example.ru;7707083893\r\n".encode()
    )
    (OUT / "mixed_cp1251_utf8.csv").write_bytes(mixed)
    tab = "".join("\t".join(r) + "\r\n" for r in table)
    (OUT / "utf16_bom_tab.txt").write_bytes(tab.encode("utf-16"))
    (OUT / "utf16le_nobom.csv").write_bytes(_csv(table, ",").encode("utf-16-le"))
    (OUT / "tab_cp1251.txt").write_bytes(tab.encode("cp1251"))
    (OUT / "mac_cyrillic.csv").write_bytes(_csv(table).encode("mac_cyrillic"))
    western = [
        ["ID", "Name", "City"],
        ["1", "Café Müller", "Zürich"],
        ["2", "José Peña", "São Paulo"],
    ]
    (OUT / "mac_roman.csv").write_bytes(_csv(western, ";", "\r").encode("mac_roman"))
    (OUT / "nul_bytes.csv").write_bytes(
        _csv(table, ",").encode("utf-8").replace(b"\r\n2,", b"\x00\r\n2,") + b"\x00" * 3
    )
    dup = [
        ["ID", "", "Телефон", "Телефон", " ", "Email"],
        ["1", "Иванов", "8916", "8917", "x", "a@example.ru"],
        ["2", "Петров", "8918", "", "", "b@example.ru"],
    ]
    (OUT / "header_empty_dup.csv").write_bytes(_csv(dup, ",").encode("utf-8"))
    numeric = [["2021", "2022", "2023"], ["100", "200", "300"], ["110", "210", "310"]]
    (OUT / "numeric_header.csv").write_bytes(_csv(numeric, ",").encode("utf-8"))
    (OUT / "ctrl_z_eof.csv").write_bytes(_csv(table).encode("cp1251") + b"\x1a")
    (OUT / "bom_csv_named.xlsx").write_bytes(_csv(table).encode("utf-8-sig"))
    (OUT / "bom_csv_named.xls").write_bytes(_csv(table).encode("utf-8-sig"))
    # Bitrix24 "Export to Excel" writes an HTML table with a .xls name
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>\n" for r in ROWS)
    html = (
        '<meta http-equiv="Content-type" content="text/html;charset=utf-8" />\n'
        '<table border="1">\n<thead><tr>'
        + "".join(f"<th>{h}</th>" for h in HEADER)
        + "</tr></thead>\n<tbody>\n"
        + cells
        + "</tbody></table>\n"
    )
    (OUT / "bitrix24_html.xls").write_bytes(html.encode("utf-8"))


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    return book


def excel_fixtures() -> None:
    table = [HEADER, *ROWS]
    book = _book(
        OUT / "x",
        {"Инструкция": [["Выгрузка контактов"], ["Данные на листе «Контакты»"]], "Контакты": table},
    )
    book.save(OUT / "data_on_second_sheet.xlsx")

    book = _book(
        OUT / "x",
        {"Справочник": [["Код", "Значение"], ["1", "Москва"], ["2", "Казань"]], "Контакты": table},
    )
    book["Справочник"].sheet_state = "hidden"
    book.save(OUT / "hidden_first_sheet.xlsx")

    book = _book(OUT / "x", {"Оформление": [], "Контакты": table})
    ws = book["Оформление"]
    for r in range(1, 20):
        for c in range(1, 8):
            cell = ws.cell(r, c)
            cell.fill = PatternFill("solid", fgColor="FFFF00")
            cell.font = Font(bold=True)
    book.save(OUT / "formatting_only_first_sheet.xlsx")

    # a formula without a cached value (openpyxl never calculates)
    book = _book(
        OUT / "x",
        {
            "Сделки": [
                ["ID", "Сумма", "НДС", "Итого"],
                [1, 1000, 200, "=B2+C2"],
                [2, 500, 100, "=B3+C3"],
            ]
        },
    )
    book.save(OUT / "formulas_uncached.xlsx")

    # INN as text with leading zero, INN as a number shown with format 0000000000
    book = _book(
        OUT / "x", {"Компании": [["ID", "Название", "ИНН", "ИНН число", "Скидка", "Бюджет"]]}
    )
    ws = book["Компании"]
    for i, (inn, pct, money) in enumerate(
        [("0105017360", 0.15, 1234.5), ("0274062111", 0.05, 99.99), ("7707083893", 1, 1000000)], 2
    ):
        ws.append([i - 1, f"ООО Компания {i}", inn, int(inn), pct, money])
        ws.cell(i, 3).number_format = "@"
        ws.cell(i, 4).number_format = "0000000000"
        ws.cell(i, 5).number_format = "0%"
        ws.cell(i, 6).number_format = '#,##0.00 "₽"'
    book.save(OUT / "inn_percent_currency.xlsx")

    # two-row header with merged group cells
    book = _book(
        OUT / "x",
        {
            "Контакты": [
                ["ID", "Контакт", None, "Телефоны", None, "Email"],
                [None, "Имя", "Фамилия", "Рабочий", "Мобильный", None],
                [1, "Иван", "Иванов", "+7 495 123-45-67", "+7 916 123-45-67", "ivanov@example.ru"],
                [2, "Анна", "Петрова", "", "8 912 000-11-22", "petrova@example.ru"],
            ]
        },
    )
    ws = book["Контакты"]
    for rng in ("A1:A2", "B1:C1", "D1:E1", "F1:F2"):
        ws.merge_cells(rng)
    ws.auto_filter.ref = "A2:F4"
    ws.freeze_panes = "A3"
    book.save(OUT / "two_row_header.xlsx")

    # dates as text, as serials, as real dates
    book = _book(
        OUT / "x",
        {
            "Сделки": [
                ["ID", "Дата текстом", "Дата", "Серийная"],
                [1, "01.02.2023", dt.date(2023, 2, 1), 44958],
                [2, "15.03.2023", dt.datetime(2023, 3, 15, 10, 30), 44999],
            ]
        },
    )
    book.save(OUT / "dates_mixed.xlsx")

    try:
        import xlsxwriter
    except ImportError:
        return
    # 1904 date system (Excel for Mac)
    wb = xlsxwriter.Workbook(str(OUT / "dates_1904.xlsx"), {"date_1904": True})
    ws = wb.add_worksheet("Сделки")
    fmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    ws.write_row(0, 0, ["ID", "Дата создания"])
    ws.write(1, 0, 1)
    ws.write_datetime(1, 1, dt.datetime(2023, 2, 1), fmt)
    ws.write(2, 0, 2)
    ws.write_datetime(2, 1, dt.datetime(2024, 12, 31), fmt)
    wb.close()

    # a chart sheet first, an image and a chart on the data sheet, autofilter and frozen panes
    wb = xlsxwriter.Workbook(str(OUT / "chart_and_image.xlsx"))
    chart_sheet = wb.add_chartsheet("Диаграмма")
    ws = wb.add_worksheet("Данные")
    ws.write_row(0, 0, ["ID", "Название", "Сумма"])
    for i in range(1, 4):
        ws.write_row(i, 0, [i, f"Сделка {i}", i * 1000])
    ws.autofilter(0, 0, 3, 2)
    ws.freeze_panes(1, 0)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Данные!$C$2:$C$4"})
    chart_sheet.set_chart(chart)
    chart2 = wb.add_chart({"type": "line"})
    chart2.add_series({"values": "=Данные!$C$2:$C$4"})
    ws.insert_chart("E2", chart2)
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
        b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    ws.insert_image("E20", "logo.png", {"image_data": io.BytesIO(png)})
    ws.activate()
    wb.close()

    # cached formula values as Excel writes them
    wb = xlsxwriter.Workbook(str(OUT / "formulas_cached.xlsx"))
    ws = wb.add_worksheet("Сделки")
    ws.write_row(0, 0, ["ID", "Сумма", "НДС", "Итого"])
    ws.write_row(1, 0, [1, 1000, 200])
    ws.write_formula(1, 3, "=B2+C2", None, 1200)
    wb.close()


def other_fixtures() -> None:
    table = [HEADER, *ROWS]
    src = OUT / "data_on_second_sheet.xlsx"
    # xlsm: the same package with the macro-enabled content type
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(OUT / "macro.xlsm", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    try:
        import xlwt
    except ImportError:
        pass
    else:
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("Контрагенты")
        datefmt = xlwt.easyxf(num_format_str="DD.MM.YYYY")
        for c, h in enumerate(["Код", "Наименование", "ИНН", "Дата"]):
            ws.write(0, c, h)
        for r, (code, name, inn) in enumerate(
            [
                ("000000001", 'ООО "Ромашка"', "0105017360"),
                ("000000002", "ИП Петров", "7707083893"),
            ],
            1,
        ):
            ws.write(r, 0, code)
            ws.write(r, 1, name)
            ws.write(r, 2, inn)
            ws.write(r, 3, dt.date(2023, r, 10), datefmt)
        wb.save(str(OUT / "old_binary.xls"))
    try:
        from odf.opendocument import OpenDocumentSpreadsheet
        from odf.table import Table, TableCell, TableRow
        from odf.text import P
    except ImportError:
        pass
    else:
        doc = OpenDocumentSpreadsheet()
        sheet = Table(name="Контакты")
        for row in table:
            tr = TableRow()
            for value in row:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
                tr.addElement(cell)
            sheet.addElement(tr)
        doc.spreadsheet.addElement(sheet)
        doc.save(str(OUT / "libreoffice.ods"))
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        pass
    else:
        plain = io.BytesIO(src.read_bytes())
        out = io.BytesIO()
        OOXMLFile(plain).encrypt("secret", out)
        (OUT / "encrypted.xlsx").write_bytes(out.getvalue())


def commerceml_fixtures() -> None:
    folder = OUT / "cml1251"
    folder.mkdir(exist_ok=True)
    ns = 'xmlns="urn:1C.ru:commerceml_2" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    import_xml = f"""<?xml version="1.0" encoding="windows-1251"?>
<КоммерческаяИнформация {ns}ВерсияСхемы="2.08" ДатаФормирования="2023-05-01T10:00:00">
<Классификатор><Ид>cls1</Ид><Наименование>Классификатор (Каталог товаров)</Наименование>
<Группы><Группа><Ид>g1</Ид><Наименование>Инструменты</Наименование>
<Группы><Группа><Ид>g2</Ид><Наименование>Дрели</Наименование></Группа></Группы></Группа></Группы>
<Свойства><Свойство><Ид>p1</Ид><Наименование>Цвет</Наименование><ТипЗначений>Справочник</ТипЗначений>
<ВариантыЗначений><Справочник><ИдЗначения>v1</ИдЗначения><Значение>Красный</Значение></Справочник>
<Справочник><ИдЗначения>v2</ИдЗначения><Значение>Синий</Значение></Справочник></ВариантыЗначений></Свойство>
<Свойство><Ид>p2</Ид><Наименование>Мощность, Вт</Наименование><ТипЗначений>Число</ТипЗначений></Свойство>
</Свойства></Классификатор>
<Каталог СодержитТолькоИзменения="false"><Ид>cat1</Ид><ИдКлассификатора>cls1</ИдКлассификатора>
<Наименование>Каталог товаров</Наименование>
<Товары>
<Товар><Ид>a1b2c3</Ид><Артикул>ДР-001</Артикул><Наименование>Дрель ударная «Мастер»</Наименование>
<БазоваяЕдиница Код="796" НаименованиеПолное="Штука" МеждународноеСокращение="PCE">шт</БазоваяЕдиница>
<Группы><Ид>g2</Ид></Группы><Описание>Дрель &amp; набор свёрл</Описание>
<ЗначенияСвойств><ЗначенияСвойства><Ид>p1</Ид><Значение>v1</Значение></ЗначенияСвойства>
<ЗначенияСвойства><Ид>p2</Ид><Значение>750</Значение></ЗначенияСвойства></ЗначенияСвойств>
<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>20</Ставка></СтавкаНалога></СтавкиНалогов>
<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>ВидНоменклатуры</Наименование><Значение>Товар</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Полное наименование</Наименование><Значение>Дрель ударная Мастер 750 Вт</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>
</Товар>
<Товар><Ид>d4e5f6</Ид><Артикул>ДР-002</Артикул><Наименование>Дрель аккумуляторная</Наименование>
<БазоваяЕдиница Код="796">шт</БазоваяЕдиница><Группы><Ид>g2</Ид></Группы></Товар>
</Товары></Каталог></КоммерческаяИнформация>
"""
    offers_xml = f"""<?xml version="1.0" encoding="windows-1251"?>
<КоммерческаяИнформация {ns}ВерсияСхемы="2.08" ДатаФормирования="2023-05-01T10:00:00">
<ПакетПредложений СодержитТолькоИзменения="false"><Ид>cat1#</Ид><Наименование>Пакет предложений</Наименование>
<ИдКаталога>cat1</ИдКаталога><ИдКлассификатора>cls1</ИдКлассификатора>
<ТипыЦен><ТипЦены><Ид>t1</Ид><Наименование>Розничная</Наименование><Валюта>RUB</Валюта></ТипЦены>
<ТипЦены><Ид>t2</Ид><Наименование>Оптовая</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен>
<Предложения>
<Предложение><Ид>a1b2c3#v-red</Ид><Наименование>Дрель ударная «Мастер» (Красный)</Наименование>
<ХарактеристикиТовара><ХарактеристикаТовара><Наименование>Цвет</Наименование><Значение>Красный</Значение></ХарактеристикаТовара></ХарактеристикиТовара>
<Цены><Цена><Представление>4 990 RUB за шт</Представление><ИдТипаЦены>t1</ИдТипаЦены><ЦенаЗаЕдиницу>4990.00</ЦенаЗаЕдиницу><Валюта>RUB</Валюта></Цена>
<Цена><ИдТипаЦены>t2</ИдТипаЦены><ЦенаЗаЕдиницу>4500</ЦенаЗаЕдиницу></Цена></Цены><Количество>5</Количество></Предложение>
<Предложение><Ид>a1b2c3#v-blue</Ид><Наименование>Дрель ударная «Мастер» (Синий)</Наименование>
<Цены><Цена><ИдТипаЦены>t1</ИдТипаЦены><ЦенаЗаЕдиницу>5 190,00</ЦенаЗаЕдиницу></Цена></Цены><Количество>2</Количество></Предложение>
<Предложение><Ид>d4e5f6</Ид><Наименование>Дрель аккумуляторная</Наименование>
<Цены><Цена><ИдТипаЦены>t1</ИдТипаЦены><ЦенаЗаЕдиницу>7990</ЦенаЗаЕдиницу></Цена></Цены>
<Остатки><Остаток><Склад><Ид>s1</Ид><Количество>3</Количество></Склад></Остаток></Остатки></Предложение>
</Предложения></ПакетПредложений></КоммерческаяИнформация>
"""
    (folder / "import.xml").write_bytes(import_xml.encode("cp1251"))
    (folder / "offers.xml").write_bytes(offers_xml.encode("cp1251"))
    (OUT / "not_commerceml.xml").write_text(
        '<?xml version="1.0"?>\n<contacts><contact id="1"><name>Иван</name></contact></contacts>\n',
        encoding="utf-8",
    )


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    text_fixtures()
    excel_fixtures()
    other_fixtures()
    commerceml_fixtures()
    for p in sorted(OUT.rglob("*")):
        if p.is_file():
            print(f"{p.stat().st_size:8d} {p.relative_to(OUT)}")
