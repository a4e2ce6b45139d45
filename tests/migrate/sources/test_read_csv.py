"""Delimited text: encodings, delimiters, header rows, odd shapes."""

from __future__ import annotations

from typing import Any

import pytest

from migrate.sources import read_table

CONTACTS = "ID;Имя;Телефон\n1;Иван Петров;8 (916) 123-45-67\n2;Ольга Сидорова;+7 916 765 43 21\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-le", "utf-16-be", "koi8-r"]
)
def test_encodings_are_detected(make_text, encoding) -> None:
    path = make_text(CONTACTS, encoding=encoding)
    table = read_table(path)
    assert table.columns == ["ID", "Имя", "Телефон"]
    assert table.frame["Имя"].tolist() == ["Иван Петров", "Ольга Сидорова"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(make_text, delimiter) -> None:
    text = CONTACTS.replace(";", delimiter).replace("Иван Петров", '"Петров, Иван"')
    table = read_table(make_text(text))
    assert table.frame["Имя"].iloc[0] == "Петров, Иван"
    assert table.frame["Телефон"].iloc[1] == "+7 916 765 43 21"


def test_explicit_encoding_and_delimiter_win(make_text) -> None:
    path = make_text("a|b\n1|2\n", encoding="cp1251")
    table = read_table(path, encoding="cp1251", delimiter="|")
    assert table.frame["b"].tolist() == ["2"]


def test_title_rows_above_header_are_skipped_and_rows_numbered(make_text) -> None:
    text = "Выгрузка контактов\nДата: 01.03.2024\n\n" + CONTACTS.replace(";", ",")
    table = read_table(make_text(text))
    assert table.header_row == 4
    assert table.frame["_row"].tolist() == [5, 6]
    assert table.frame["ID"].tolist() == ["1", "2"]


def test_blank_lines_are_dropped_but_row_numbers_keep_the_gap(make_text) -> None:
    table = read_table(make_text("ID,Имя\n1,А\n\n,\n2,Б\n"))
    assert table.frame["_row"].tolist() == [2, 5]


def test_quoted_newlines_stay_in_one_cell(make_text) -> None:
    table = read_table(make_text('ID,Примечание\n1,"строка 1\nстрока 2"\n2,x\n'))
    assert table.frame["Примечание"].iloc[0] == "строка 1\nстрока 2"
    assert table.frame["_row"].tolist() == [2, 3]


def test_every_cell_is_text_exactly_as_written(make_text) -> None:
    table = read_table(make_text("ИНН,Телефон,Сумма,Пусто\n0123456789,79161234567.0,1e5,\n"))
    row = table.frame.iloc[0]
    assert (row["ИНН"], row["Телефон"], row["Сумма"], row["Пусто"]) == (
        "0123456789",
        "79161234567.0",
        "1e5",
        "",
    )


def test_duplicate_and_blank_headers_get_unique_names(make_text) -> None:
    table = read_table(make_text("Телефон, Телефон ,,Телефон,x,,\n1,2,3,4,5,,\n"))
    assert table.columns == ["Телефон", "Телефон (2)", "Column C", "Телефон (3)", "x"]


def test_rows_longer_than_the_header_keep_their_cells(make_text) -> None:
    table = read_table(make_text("a,b\n1,2\n3,4,5\n"))
    assert table.columns == ["a", "b", "Column C"]
    assert table.frame["Column C"].tolist() == ["", "5"]


def test_a_five_megabyte_cell_is_read_whole(make_text) -> None:
    big = "x" * (5 * 1024 * 1024)
    table = read_table(make_text(f'ID,Текст\n1,"{big}"\n2,short\n'))
    assert len(table.frame["Текст"].iloc[0]) == len(big)
    assert table.frame["_row"].tolist() == [2, 3]


def test_header_row_can_be_given(make_text) -> None:
    table = read_table(make_text("a,b\nc,d\n1,2\n"), header_row=2)
    assert table.columns == ["c", "d"]
    assert table.frame["_row"].tolist() == [3]


def test_tsv_and_txt_extensions(make_text) -> None:
    table = read_table(make_text("a\tb\n1\t2\n", name="export.txt"))
    assert table.frame["b"].tolist() == ["2"]


def test_short_rows_are_padded(make_text) -> None:
    table = read_table(make_text("a,b,c\n1,2,3\n4\n5,6,7\n"))
    assert table.frame[["a", "b", "c"]].values.tolist() == [
        ["1", "2", "3"],
        ["4", "", ""],
        ["5", "6", "7"],
    ]


def _arrow_spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record what each call of the pyarrow reader did: ``read`` or the error it raised."""
    import migrate.sources._csv as reader

    calls: list[str] = []
    real = reader._read_arrow

    def spy(*args: Any) -> Any:
        try:
            frame = real(*args)
        except Exception as exc:
            calls.append(type(exc).__name__)
            raise
        calls.append("read")
        return frame

    monkeypatch.setattr(reader, "_read_arrow", spy)
    return calls


QUOTED = 'ID,Примечание,Сумма\n1,"строка 1\nстрока 2",10\n\n2,"a ""b"", c",\n3,,"1 000,5"\n'


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(CONTACTS, "cp1251"), ("Отчёт\n\n" + CONTACTS, "cp1251"), (QUOTED, "utf-8-sig")],
)
def test_without_pyarrow_the_result_is_the_same(make_text, monkeypatch, text, encoding) -> None:
    import migrate.sources._csv as reader

    path = make_text(text, encoding=encoding)
    calls = _arrow_spy(monkeypatch)
    expected = read_table(path).frame
    assert calls == ["read"]  # the first read went through pyarrow...
    monkeypatch.setattr(reader, "pa_csv", None)
    assert read_table(path).frame.astype(object).equals(expected.astype(object))
    assert calls == ["read"]  # ...the second did not


def test_ragged_rows_pyarrow_refuses_are_read_by_the_fallback(make_text, monkeypatch) -> None:
    calls = _arrow_spy(monkeypatch)
    table = read_table(make_text("a,b\n1,2\n3,4,5\n6\n", encoding="cp1251"))
    assert calls == ["ArrowInvalid"]
    assert table.frame[["a", "b", "Column C"]].values.tolist() == [
        ["1", "2", ""],
        ["3", "4", "5"],
        ["6", "", ""],
    ]
