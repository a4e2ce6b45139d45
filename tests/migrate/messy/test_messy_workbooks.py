"""Workbooks, HTML-as-xls and XML as people and exporters leave them."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from cleaners.money import clean_decimal
from migrate.errors import SourceReadError
from migrate.sources import list_sheets, read_table

NAMES = ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Сидоров Пётр"]
INNS = ["0105017360", "7707083893", "0274062111"]


def _error(path, **kwargs) -> SourceReadError:
    with pytest.raises(SourceReadError) as info:
        read_table(path, **kwargs)
    assert str(path) in str(info.value)
    assert info.value.next_step
    return info.value


@pytest.mark.parametrize(
    ("name", "sheet"),
    [
        ("data_on_second_sheet.xlsx", "Контакты"),  # was: the one-column note sheet
        ("macro.xlsm", "Контакты"),
        ("hidden_first_sheet.xlsx", "Контакты"),  # was: the hidden lookup sheet
        ("formatting_only_first_sheet.xlsx", "Контакты"),
        ("libreoffice.ods", "Контакты"),
        ("bitrix24_html.xls", ""),  # Bitrix24 "Export to Excel": HTML named .xls
        ("bom_csv_named.xls", ""),  # a CSV with a BOM named .xls
        ("bom_csv_named.xlsx", ""),
    ],
)
def test_the_table_is_found_and_read_exactly(fixture, name, sheet) -> None:
    table = read_table(fixture(name))
    assert table.sheet == sheet
    assert table.columns == ["ID", "ФИО", "Телефон", "Email", "ИНН"]
    assert table.frame["ФИО"].tolist() == NAMES
    assert table.frame["ИНН"].tolist() == INNS
    assert table.frame["_row"].tolist() == [2, 3, 4]


def test_hidden_sheet_is_still_readable_by_name(fixture) -> None:
    table = read_table(fixture("hidden_first_sheet.xlsx"), sheet="Справочник")
    assert table.frame["Значение"].tolist() == ["Москва", "Казань"]


def test_chart_sheet_is_passed_over(fixture) -> None:
    table = read_table(fixture("chart_and_image.xlsx"))
    assert (table.sheet, table.frame["Сумма"].tolist()) == ("Данные", ["1000", "2000", "3000"])


def test_two_row_header_with_merged_groups(fixture) -> None:
    table = read_table(fixture("two_row_header.xlsx"))
    assert table.columns == [
        "ID",
        "Контакт / Имя",
        "Контакт / Фамилия",
        "Телефоны / Рабочий",
        "Телефоны / Мобильный",
        "Email",
    ]
    assert table.frame["ID"].tolist() == ["1", "2"]  # row 2 is not data
    assert table.frame["_row"].tolist() == [3, 4]
    assert table.frame["Телефоны / Мобильный"].iloc[1] == "8 912 000-11-22"


def test_two_row_header_without_merges_in_csv(make_text) -> None:
    text = "ID;Контакт;;Email\n;Имя;Фамилия;\n1;Иван;Иванов;a@example.ru\n"
    table = read_table(make_text(text))
    assert table.columns == ["ID", "Контакт / Имя", "Контакт / Фамилия", "Email"]
    assert table.frame["Контакт / Фамилия"].tolist() == ["Иванов"]


def test_an_unnamed_column_is_not_a_second_header_row(make_text) -> None:
    text = "ID;Имя;;Email\nА1;Иван;заметка;a@example.ru\nА2;Олег;;b@example.ru\n"
    table = read_table(make_text(text))
    assert table.columns == ["ID", "Имя", "Column C", "Email"]
    assert len(table) == 2


def test_explicit_header_row_is_taken_as_is(fixture) -> None:
    table = read_table(fixture("two_row_header.xlsx"), header_row=2)
    assert table.columns[:3] == ["Column A", "Имя", "Фамилия"]


def test_encrypted_workbook_says_so(fixture) -> None:
    error = _error(fixture("encrypted.xlsx"))
    assert "password" in error.message
    assert "password" in error.next_step.lower()


def test_old_binary_xls(fixture) -> None:
    frame = read_table(fixture("old_binary.xls")).frame
    assert frame["Код"].tolist() == ["000000001", "000000002"]
    assert frame["ИНН"].tolist() == ["0105017360", "7707083893"]
    assert frame["Дата"].tolist() == ["2023-01-10", "2023-02-10"]


def test_dates_1904_and_serials_and_text(fixture) -> None:
    assert read_table(fixture("dates_1904.xlsx")).frame["Дата создания"].tolist() == [
        "2023-02-01",
        "2024-12-31",
    ]
    frame = read_table(fixture("dates_mixed.xlsx")).frame
    assert frame["Дата текстом"].tolist() == ["01.02.2023", "15.03.2023"]
    assert frame["Дата"].tolist() == ["2023-02-01", "2023-03-15 10:30:00"]
    assert frame["Серийная"].tolist() == ["44958", "44999"]  # the date cleaner reads serials


def test_formulas_cached_values(fixture) -> None:
    assert read_table(fixture("formulas_cached.xlsx")).frame["Итого"].tolist() == ["1200"]


def test_inn_keeps_its_leading_zero_as_text_and_as_a_zero_padded_number(fixture) -> None:
    frame = read_table(fixture("inn_percent_currency.xlsx")).frame
    assert frame["ИНН"].tolist() == ["0105017360", "0274062111", "7707083893"]
    # a number cell shown through the format 0000000000: was 105017360
    assert frame["ИНН число"].tolist() == ["0105017360", "0274062111", "7707083893"]


def test_percent_cells_read_as_shown_and_currency_as_the_number(fixture) -> None:
    frame = read_table(fixture("inn_percent_currency.xlsx")).frame
    assert frame["Скидка"].tolist() == ["15%", "5%", "100%"]  # was 0.15: a 100× smaller rate
    assert frame["Бюджет"].tolist() == ["1234.5", "99.99", "1000000"]
    assert clean_decimal("15%") == "15"
    assert clean_decimal("5,5 %") == "5.5"


def test_1904_dates_with_the_excel_2013_extension_block(fixture, tmp_path) -> None:
    path = tmp_path / "mac.xlsx"
    ext = (
        b'<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" xmlns:x15="http://schemas.'
        b'microsoft.com/office/spreadsheetml/2010/11/main"><x15:workbookPr chartTrackingRefBase='
        b'"1"/></ext></extLst></workbook>'
    )
    with zipfile.ZipFile(fixture("dates_1904.xlsx")) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"</workbook>", ext)
            zout.writestr(item, data)
    assert read_table(path).frame["Дата создания"].tolist() == ["2023-02-01", "2024-12-31"]


def test_missing_sheet_and_sheet_on_csv(fixture) -> None:
    assert "`Контакты`" in _error(fixture("two_row_header.xlsx"), sheet="Лиды").message
    assert "does not apply" in _error(fixture("crlf_bom.csv"), sheet="Лист1").message


def test_header_row_bounds(fixture) -> None:
    assert "1 or more" in _error(fixture("crlf_bom.csv"), header_row=0).message
    error = _error(fixture("dates_mixed.xlsx"), header_row=99)
    assert "past the end" in error.message
    assert error.sheet == "Сделки"


def test_commerceml_in_windows_1251_with_namespace(fixture) -> None:
    offers = read_table(fixture("cml1251/offers.xml"))
    assert offers.frame["Цена"].tolist() == ["4990.00", "5 190,00", "7990"]
    assert offers.frame["Цена Оптовая"].iloc[0] == "4500"
    products = read_table(fixture("cml1251/import.xml")).frame
    assert products["Группа"].tolist() == ["Дрели", "Дрели", "Дрели"]
    assert products["Описание"].iloc[0] == "Дрель & набор свёрл"
    assert list_sheets(fixture("cml1251/import.xml")) == ["Товары", "Группы"]
    groups = read_table(fixture("cml1251/import.xml"), sheet="Группы").frame
    assert groups["Родитель"].tolist() == ["", "g1"]


def test_xml_that_is_not_commerceml(fixture) -> None:
    assert "`contacts`" in _error(fixture("not_commerceml.xml")).message


def test_excel_2003_xml_spreadsheet(tmp_path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>\n',
        encoding="utf-8",
    )
    assert ".xlsx" in _error(path).next_step


def test_formulas_never_calculated_are_refused(fixture) -> None:
    error = _error(fixture("formulas_uncached.xlsx"))
    assert "D2" in error.message
    assert "=B2+C2" in error.message
    assert error.sheet == "Сделки"


def test_formula_with_an_empty_text_result_is_fine(fixture, tmp_path) -> None:
    source = fixture("formulas_uncached.xlsx")
    path = tmp_path / "empty_result.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b'<c r="D2">', b'<c r="D2" t="str">')
                data = data.replace(b'<c r="D3">', b'<c r="D3" t="str">')
            zout.writestr(item, data)
    assert read_table(path).frame["Итого"].tolist() == ["", ""]


def test_commerceml_variants_are_rows_and_properties_columns(fixture) -> None:
    products = read_table(fixture("cml1251/import.xml")).frame
    assert products["Ид"].tolist() == ["a1b2c3#v-red", "a1b2c3#v-blue", "d4e5f6"]
    assert products["ИдТовара"].tolist() == ["a1b2c3", "a1b2c3", ""]
    assert products["Цена"].tolist() == ["4990.00", "5 190,00", "7990"]  # was: blue dropped
    assert products["Наименование"].iloc[1] == "Дрель ударная «Мастер» (Синий)"
    assert products["Характеристики"].iloc[0] == "Цвет: Красный"
    assert products["Цвет"].iloc[0] == "Красный"  # a list property: its value, not `v1`
    assert products["Мощность, Вт"].iloc[0] == "750"
    assert products["Количество"].tolist() == ["5", "2", "3"]


def test_error_cells_read_as_their_error_text(tmp_path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Сумма", "Телефон"])
    sheet.append([1, "#DIV/0!", "8916"])
    sheet.append([2, "#N/A", "8917"])
    for row in (2, 3):
        sheet.cell(row, 2).data_type = "e"
    path = tmp_path / "errors.xlsx"
    book.save(path)
    assert read_table(path).frame["Сумма"].tolist() == ["#DIV/0!", "#N/A"]  # was "", ""


@pytest.mark.parametrize("size", [1155, 2660, 2952])
def test_a_cut_ole_file_that_makes_calamine_panic_is_a_clear_error(fixture, tmp_path, size):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(fixture("encrypted.xlsx").read_bytes()[:size])
    error = _error(path)  # was a pyo3 PanicException (a BaseException) and a traceback
    assert "damaged" in error.message or "password" in error.message


def test_merges_over_data_rows_fill_down_and_merges_across_stay(make_xlsx) -> None:
    rows = [
        ["Компания", "Контакт", "Телефон"],
        ["ООО Ромашка", "Иван", "8916"],
        [None, "Ольга", "8917"],
        [None, "Пётр", "8918"],
        ["Москва", None, None],
        ["АО Вектор", "Анна", "8919"],
    ]
    path = make_xlsx({"Контакты": rows}, merges=["A2:A4", "A5:C5"])
    frame = read_table(path).frame  # was "ООО Ромашка", "", ""
    assert frame["Компания"].tolist() == ["ООО Ромашка"] * 3 + ["Москва", "АО Вектор"]
    assert frame["Контакт"].tolist() == ["Иван", "Ольга", "Пётр", "", "Анна"]


def test_totals_rows_at_the_end_are_not_records(make_xlsx, make_text) -> None:
    rows = [
        ["Название", "Бюджет", "Этап"],
        ["Поставка", 1000, "Новая"],
        ["Итоговая встреча", 500, "Новая"],
        ["Итого:", 1500, None],
        ["Всего сделок", "2 шт.", None],
    ]
    frame = read_table(make_xlsx({"Сделки": rows})).frame
    assert frame["Название"].tolist() == ["Поставка", "Итоговая встреча"]
    text = "ID;Название;Сумма\n1;Всего хорошего;10\n2;Итого;20\n"  # a full row is data
    assert len(read_table(make_text(text))) == 2


def test_a_1c_mxl_document_is_named(tmp_path) -> None:
    path = tmp_path / "Номенклатура.mxl"
    path.write_bytes(b"MOXCEL\x00\x01\x02" + bytes(range(256)))
    assert "1C spreadsheet" in _error(path).message


def test_commerceml_part_with_groups_only(tmp_path) -> None:
    path = tmp_path / "import0_1.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.10">'
        "<Классификатор><Ид>c</Ид><Группы><Группа><Ид>g1</Ид><Наименование>Дрели</Наименование>"
        "</Группа></Группы></Классификатор></КоммерческаяИнформация>",
        encoding="utf-8",
    )
    assert "--sheet Группы" in _error(path).next_step
    assert read_table(path, sheet="Группы").frame["Наименование"].tolist() == ["Дрели"]


def test_sheet_on_offers_xml_is_refused(fixture) -> None:
    assert "does not apply" in _error(fixture("cml1251/offers.xml"), sheet="Группы").message


def test_header_naming_only_some_columns_is_found_under_a_title(make_xlsx) -> None:
    rows = [["Отчёт по контактам"], [], ["ID", "ФИО", "Телефон", "Email"]]
    rows += [[i, "Иван", f"8916{i}", "a@example.ru", 1, 2, 3, 4, 5, 6] for i in range(8)]
    table = read_table(make_xlsx({"Отчёт": rows}))  # was: the title row as the header
    assert table.header_row == 3
    assert table.columns[:4] == ["ID", "ФИО", "Телефон", "Email"]
    assert len(table) == 8


def test_commerceml_deleted_goods_are_not_products(tmp_path) -> None:
    path = tmp_path / "import.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация><Каталог><Товары>'
        "<Товар><Ид>a</Ид><Наименование>Дрель</Наименование></Товар>"
        '<Товар Статус="Удален"><Ид>b</Ид><Наименование>Старая дрель</Наименование></Товар>'
        "<Товар><Ид>c</Ид><Наименование>Пила</Наименование><Статус>Удалён</Статус></Товар>"
        "</Товары></Каталог></КоммерческаяИнформация>",
        encoding="utf-8",
    )
    assert read_table(path).frame["Ид"].tolist() == ["a"]  # was: a, b, c


def test_html_table_with_rowspan_colspan_entities_and_breaks(tmp_path) -> None:
    path = tmp_path / "export.html"
    path.write_text(
        "<html><body><table>\n<tr><th>Компания</th><th>Контакт</th><th>Телефон</th></tr>\n"
        '<tr><td rowspan="2">ООО &laquo;Ромашка&raquo;</td><td>Иван</td><td>8916</td></tr>\n'
        "<tr><td>Ольга</td><td>8917</td></tr>\n"
        '<tr><td>АО Вектор</td><td colspan="2">нет контактов</td></tr>\n'
        "<tr><td>ИП Петров</td><td>Пётр<br>Петрович</td><td>&nbsp;8918</td></tr>\n"
        "</table></body></html>\n",
        encoding="utf-8",
    )
    frame = read_table(path).frame
    assert frame["Компания"].tolist() == ["ООО «Ромашка»"] * 2 + ["АО Вектор", "ИП Петров"]
    assert frame["Контакт"].tolist() == ["Иван", "Ольга", "нет контактов", "Пётр\nПетрович"]
    assert frame["Телефон"].tolist() == ["8916", "8917", "", "8918"]  # rowspan: no shift left
