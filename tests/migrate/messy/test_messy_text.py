"""Text exports as old tools and hand edits leave them: each reads right or fails clearly."""

from __future__ import annotations

import pytest

from migrate.errors import SourceReadError
from migrate.sources import detect_encoding, read_table

NAMES = ["Иванов Иван Иванович", "Петрова Анна Сергеевна", "Сидоров Пётр"]
INNS = ["0105017360", "7707083893", "0274062111"]


def _check(table, names=NAMES) -> None:
    assert table.columns == ["ID", "ФИО", "Телефон", "Email", "ИНН"]
    assert table.frame["ФИО"].tolist() == names
    assert table.frame["ИНН"].tolist()[:3] == INNS


@pytest.mark.parametrize(
    "name",
    [
        "crlf_bom.csv",
        "cr_only.csv",  # classic Mac line ends: was a csv.Error traceback
        "trailing_delimiter.csv",
        "utf16_bom_tab.txt",
        "utf16le_nobom.csv",
        "tab_cp1251.txt",
        "mac_cyrillic.csv",  # was read as cp1251: capitals turned into „”Ћ
        "nul_bytes.csv",  # a few NUL bytes: was refused as binary
        "ctrl_z_eof.csv",  # Ctrl-Z at the end: was an extra row holding \x1a
    ],
)
def test_text_shapes_read_exactly(fixture, name) -> None:
    table = read_table(fixture(name))
    _check(table)
    assert len(table) == 3
    assert "\x00" not in "".join(table.frame["ИНН"])


def test_sep_hint_line_names_the_delimiter_and_is_skipped(fixture) -> None:
    table = read_table(fixture("sep_hint.csv"))
    _check(table)
    assert table.header_row == 2
    assert table.frame["_row"].tolist() == [3, 4, 5]


def test_sep_hint_beats_the_sniffer(make_text) -> None:
    table = read_table(make_text("sep=|\nID|Имя, отчество\n1|Иван, Ильич\n"))
    assert table.frame["Имя, отчество"].tolist() == ["Иван, Ильич"]


def test_cp1251_file_with_one_utf8_line(fixture) -> None:
    table = read_table(fixture("mixed_cp1251_utf8.csv"))
    _check(table, [*NAMES, "Ёлкина Мария"])


def test_utf8_file_with_a_cp1251_line_after_the_sample(tmp_path) -> None:
    rows = "".join(f"{i},Иван\n" for i in range(40_000))
    path = tmp_path / "late.csv"
    path.write_bytes(("ID,Имя\n" + rows).encode() + "1,Ольга\n".encode("cp1251"))
    assert read_table(path).frame["Имя"].iloc[-1] == "Ольга"


def test_quoted_newlines_and_delimiters_stay_in_their_cell(fixture) -> None:
    frame = read_table(fixture("quoted_multiline.csv")).frame
    assert frame["Примечание"].iloc[0] == "первая строка\nвторая; с точкой с запятой"
    assert frame["Название"].tolist() == ['ООО "Ромашка"', "ИП Петров", "АО «Вектор»"]
    assert frame["Сумма"].tolist() == ["1 000,50", "200", "3,5"]


def test_unbalanced_quote_names_the_row(fixture) -> None:
    with pytest.raises(SourceReadError) as info:
        read_table(fixture("unbalanced_quote.csv"))
    assert info.value.row == 3
    assert "never closed" in info.value.message
    assert info.value.next_step


def test_header_with_blank_and_repeated_names(fixture) -> None:
    table = read_table(fixture("header_empty_dup.csv"))
    assert table.columns == ["ID", "Column B", "Телефон", "Телефон (2)", "Column E", "Email"]
    assert table.frame["Телефон (2)"].tolist() == ["8917", ""]


def test_all_numeric_header_is_still_the_header(fixture) -> None:
    table = read_table(fixture("numeric_header.csv"))
    assert table.columns == ["2021", "2022", "2023"]
    assert table.frame["2022"].tolist() == ["200", "210"]


@pytest.mark.parametrize("bad", [";;", "", '"'])
def test_bad_delimiter_is_one_clear_error(make_text, bad) -> None:
    with pytest.raises(SourceReadError) as info:
        read_table(make_text("a;b\n1;2\n"), delimiter=bad)
    assert "one character" in info.value.message


def test_tab_delimiter_by_name(make_text) -> None:
    table = read_table(make_text("a\tb\n1\t2\n"), delimiter="\\t")
    assert table.frame["b"].tolist() == ["2"]


def test_wide_file_and_long_lines(tmp_path) -> None:
    header = ";".join(f"Поле {i}" for i in range(500))
    long = "x" * 200_000
    rows = "".join(";".join([str(r), long, *["1"] * 498]) + "\n" for r in range(20))
    path = tmp_path / "wide.csv"
    path.write_text(header + "\n" + rows, encoding="utf-8")
    table = read_table(path)
    assert len(table.columns) == 500
    assert table.frame["Поле 1"].str.len().tolist() == [200_000] * 20


def test_mac_cyrillic_is_told_from_cp1251() -> None:
    text = "Иванов Иван;Петрова Анна;Сидоров Пётр;ООО «Ромашка»\n"
    assert detect_encoding(text.encode("mac_cyrillic"), complete=True) == "mac_cyrillic"
    assert detect_encoding(text.encode("cp1251"), complete=True) == "cp1251"


def test_excel_text_formulas_are_unwrapped(make_text) -> None:
    text = 'ID;ИНН;Телефон\n1;="0105017360";="89161234567"\n2;"=""0274062111""";8916\n'
    frame = read_table(make_text(text)).frame
    assert frame["ИНН"].tolist() == ["0105017360", "0274062111"]  # was ="0105017360"
    assert frame["Телефон"].tolist() == ["89161234567", "8916"]


def test_repeated_header_rows_are_not_data(make_text, make_xlsx) -> None:
    text = "ID;ФИО;Телефон\n1;Иван;8916\n\ufeffID;ФИО;Телефон\n2;Олег;8917\nID;ФИО;\n3;Анна;8918\n"
    table = read_table(make_text(text))  # two files joined, a page header without one cell
    assert table.frame["ФИО"].tolist() == ["Иван", "Олег", "Анна"]
    assert table.frame["_row"].tolist() == [2, 4, 6]
    rows = [["ID", "ФИО"], [1, "Иван"], ["ID", "ФИО"], [2, "Олег"]]
    assert read_table(make_xlsx({"s": rows})).frame["ID"].tolist() == ["1", "2"]


def test_a_value_equal_to_its_header_alone_is_data(make_text) -> None:
    table = read_table(make_text("ID;Статус;Город\n1;Статус;Москва\n2;Новый;Казань\n"))
    assert table.frame["Статус"].tolist() == ["Статус", "Новый"]


def test_apostrophe_marked_numbers_are_unwrapped(make_text) -> None:
    text = "ID,Телефон,ИНН,Имя\n1,'+7 916 123-45-67,'0105017360,O'Brien\n"
    row = read_table(make_text(text)).frame.iloc[0]
    assert (row["Телефон"], row["ИНН"], row["Имя"]) == ("+7 916 123-45-67", "0105017360", "O'Brien")


def test_fixed_width_report_is_refused_clearly(make_text) -> None:
    text = (
        "Код     Наименование       Цена\n"
        "00001   Дрель ударная      4990\n"
        "00002   Перфоратор         7990\n"
    )
    with pytest.raises(SourceReadError) as info:
        read_table(make_text(text, name="report.txt"))
    assert "fixed-width" in info.value.message


def test_one_column_of_names_is_still_read(make_text) -> None:
    table = read_table(make_text("ФИО\nИванов Иван Иванович\nПетрова  Анна\n"))
    assert table.frame["ФИО"].tolist() == ["Иванов Иван Иванович", "Петрова  Анна"]


def test_mac_roman_file_is_not_read_as_cyrillic(fixture) -> None:
    frame = read_table(fixture("mac_roman.csv")).frame  # was "CafЋ Mџller"
    assert frame["Name"].tolist() == ["Café Müller", "José Peña"]
    assert frame["City"].tolist() == ["Zürich", "São Paulo"]


@pytest.mark.parametrize("encoding", ["cp1252", "latin_1"])
def test_western_code_pages_are_not_read_as_cyrillic(make_text, encoding) -> None:
    text = "ID;Name;Note\n1;Café Müller;naïve façade\n2;José Peña;crème brûlée\n"
    frame = read_table(make_text(text, encoding=encoding)).frame  # was "Cafй Mьller"
    assert frame["Name"].tolist() == ["Café Müller", "José Peña"]


def test_bom_quoted_header_and_a_cp1251_line(tmp_path) -> None:
    path = tmp_path / "bq.csv"
    path.write_bytes(
        '\ufeff"ID";"Имя"\r\n"1";"Иван"\r\n'.encode() + '"2";"Олег"\r\n'.encode("cp1251")
    )
    table = read_table(path)
    assert table.columns == ["ID", "Имя"]
    assert table.frame["Имя"].tolist() == ["Иван", "Олег"]


def test_a_multiline_note_with_commas_is_not_a_runaway_quote(make_text) -> None:
    text = (
        'ID,Текст,Автор\n1,"Позвонить, обсудить цену\nВторая строка, ещё, и ещё",Иван\n2,ок,Олег\n'
    )
    frame = read_table(make_text(text)).frame
    assert frame["Текст"].iloc[0] == "Позвонить, обсудить цену\nВторая строка, ещё, и ещё"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8"])
def test_a_wrong_encoding_given_is_one_clear_error(fixture, encoding) -> None:
    name = "utf16_bom_tab.txt" if encoding == "utf-8" else "crlf_bom.csv"
    with pytest.raises(SourceReadError) as info:  # utf-16: was UnicodeError from pyarrow
        read_table(fixture(name), encoding=encoding)
    assert "--encoding" in info.value.next_step
