"""Mapping features real exports need: routed rows, folded product lines, name parts, entities."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import yaml

from mappings.schema import MappingProblems, dump_mapping, fold_text, parse_mapping
from migrate.prepare.fold import fold_lines
from migrate.prepare.routing import siblings, unplaced_rows
from migrate.prepare.transform import apply_mapping
from tests.migrate.conftest import make_raw


def mapping(text: str):
    return parse_mapping(text, "m.yaml")


DEAL_LINES = """entity: deal
key: ID
fields:
  TITLE: {from: Название сделки}
  OPPORTUNITY: {from: Сумма, clean: [money]}
lines:
  fields:
    PRODUCT_NAME: {from: Товар}
    PRICE: {from: Цена, clean: [money]}
    QUANTITY: {from: Количество, clean: [decimal]}
  total: OPPORTUNITY
"""


def fold(columns: dict[str, list[str]], text: str = DEAL_LINES):
    m = mapping(text)
    return fold_lines(apply_mapping(make_raw(columns), m), m)


def test_lines_fold_into_one_deal_whose_amount_is_the_sum_of_its_lines():
    # Bitrix24's deal export: one row per product line, «Сумма» = that line's price × quantity
    table = fold(
        {
            "ID": ["7", "7", "7", "8"],
            "Название сделки": ["Поставка", "Поставка", "Поставка", "Без товаров"],
            "Сумма": ["25000", "24000", "24000", "5000"],
            "Товар": ["Стол", "Стул", "Шкаф", ""],
            "Цена": ["25000", "12000", "8000", ""],
            "Количество": ["1", "2", "3", ""],
        }
    )
    frame = table.frame
    assert frame["_key"].tolist() == ["7", "8"]
    assert frame["OPPORTUNITY"].tolist() == ["73000.00", "5000.00"]
    lines = frame.loc[0, "PRODUCT_ROWS"]
    assert [(x["PRODUCT_NAME"], x["PRICE"], x["QUANTITY"]) for x in lines] == [
        ("Стол", "25000.00", "1"),
        ("Стул", "12000.00", "2"),
        ("Шкаф", "8000.00", "3"),
    ]
    assert frame.loc[1, "PRODUCT_ROWS"] == ()
    assert table.issues.empty
    assert len(table.raw) == len(frame)  # the original rows stay aligned for reports


def test_a_stated_total_that_disagrees_with_the_lines_is_a_warning_not_silence():
    table = fold(
        {
            "ID": ["9", "9"],
            "Название сделки": ["A", "A"],
            "Сумма": ["50000", "50000"],  # an export that repeats the deal's total per line
            "Товар": ["Стол", "Стул"],
            "Цена": ["25000", "12000"],
            "Количество": ["1", "2"],
        }
    )
    assert table.frame["OPPORTUNITY"].tolist() == ["49000.00"]
    issue = table.issues.iloc[0]
    assert (issue["rule"], issue["severity"], issue["key"]) == (
        "lines.total_mismatch",
        "warning",
        "9",
    )
    assert "50000.00" in issue["message"]
    assert "49000.00" in issue["message"]


def test_lines_that_disagree_on_a_deal_field_are_reported():
    table = fold(
        {
            "ID": ["9", "9"],
            "Название сделки": ["A", "B"],
            "Сумма": ["1", "1"],
            "Товар": ["x", "y"],
            "Цена": ["1", "1"],
            "Количество": ["1", "1"],
        }
    )
    rules = table.issues.set_index("rule")
    assert rules.loc["lines.differ", "field"] == "TITLE"
    assert table.frame["TITLE"].tolist() == ["A"]


def test_repeated_keys_without_line_data_stay_duplicates_for_validation():
    table = fold(
        {
            "ID": ["1", "1"],
            "Название сделки": ["A", "A2"],
            "Сумма": ["1", "2"],
            "Товар": ["", ""],
            "Цена": ["", ""],
            "Количество": ["", ""],
        }
    )
    assert table.frame["_key"].tolist() == ["1", "1"]


CONTACTS = """entity: contact
key: ID
rows: {column: Тип, values: [контакт]}
decode_html: true
fields:
  _fio: {from: Полное имя контакта, split_fio: [LAST_NAME, NAME, SECOND_NAME]}
  NAME: {from: Имя, clean: [person_name]}
  LAST_NAME: {from: Фамилия, clean: [person_name]}
  COMPANY_ID: {from: Название компании, ref: company}
"""
COMPANIES = """entity: company
key: ID
rows: {column: Тип, values: [компания]}
decode_html: true
fields:
  TITLE: {from: Название компании}
"""
AMO = {
    "ID": ["1", "2", "3", "4"],
    "Тип": ["контакт", "компания", "Контакт ", "сделка"],
    "Полное имя контакта": [
        "Иванов Иван Иванович",
        "ООО &quot;Ромашка&quot;",
        "Анна Кузнецова",
        "",
    ],
    "Имя": ["Иван", "", "Анна", ""],
    "Фамилия": ["Иванов", "", "Кузнецова", ""],
    "Название компании": ["ООО &quot;Ромашка&quot;", "ООО &quot;Ромашка&quot;", "", ""],
}


def test_rows_are_routed_to_entities_by_a_column_and_html_entities_decoded():
    raw = make_raw(AMO, "amocrm_export_contacts_2024-05-14.csv")
    contacts = apply_mapping(raw, mapping(CONTACTS)).frame
    companies = apply_mapping(raw, mapping(COMPANIES)).frame
    assert contacts["_key"].tolist() == ["1", "3"]  # case and spaces of «Контакт » folded
    assert contacts["COMPANY_ID"].tolist() == ['ООО "Ромашка"', None]
    assert companies["_key"].tolist() == ["2"]
    assert companies["TITLE"].tolist() == ['ООО "Ромашка"']  # not `&quot;`, not a contact


def test_patronymic_of_the_full_name_is_kept_beside_first_and_last_name_columns():
    contacts = apply_mapping(make_raw(AMO), mapping(CONTACTS)).frame
    assert contacts.loc[0, ["LAST_NAME", "NAME", "SECOND_NAME"]].tolist() == [
        "Иванов",
        "Иван",
        "Иванович",
    ]


def test_full_name_words_that_fit_no_part_are_reported():
    # the part columns were edited after the full name: its words are not dropped silently
    raw = make_raw(
        {
            "ID": ["1"],
            "Тип": ["контакт"],
            "Полное имя контакта": ["Сидоров Пётр Ильич"],
            "Имя": ["Иван"],
            "Фамилия": ["Иванов"],
            "Название компании": [""],
        }
    )
    issues = apply_mapping(raw, mapping(CONTACTS)).issues
    assert issues["rule"].tolist() == ["name.words_left"]
    assert "Сидоров Пётр" in issues["message"].iloc[0]


def test_rows_no_mapping_takes_are_errors_naming_the_value():
    raw = make_raw(AMO, "amocrm_export_contacts_2024-05-14.csv")
    m = {"contact": mapping(CONTACTS), "company": mapping(COMPANIES)}
    m = {k: dataclasses.replace(v, source="amo") for k, v in m.items()}
    issues = unplaced_rows([raw], siblings(m["contact"], m), "ru")
    assert issues["rule"].tolist() == ["route.unplaced"]
    assert issues["entity"].tolist() == ["contact"]
    # the company row too is lost when no company mapping reads the file
    assert unplaced_rows([raw], [m["contact"]], "ru")["row"].tolist() == [3, 5]
    assert issues["row"].tolist() == [5]
    assert issues["severity"].tolist() == ["error"]
    assert "сделка" in issues["message"].iloc[0]


def test_new_mapping_keys_round_trip():
    for text in (DEAL_LINES, CONTACTS):
        assert dump_mapping(mapping(text)) == yaml.safe_load(text)


def test_bad_rows_and_lines_blocks_are_reported_with_lines():
    text = (
        "entity: deal\nkey: ID\nrows: [Тип]\nfields:\n  TITLE: {from: A}\n"
        "lines:\n  fields:\n    PRISE: {from: B}\n"
    )
    with pytest.raises(MappingProblems) as caught:
        mapping(text)
    problems = " ".join(caught.value.problems)
    assert "m.yaml:3" in problems
    assert "`rows` is" in problems
    assert "`PRISE` is not a product line field (did you mean `PRICE`?)" in problems


def test_fold_text_folds_latin_look_alikes_case_and_yo():
    assert fold_text("Cделка  успешна") == fold_text("сделка успешна")  # Latin «C»
    assert fold_text("Пётр") == fold_text("ПЕТР")
    assert fold_text("Closed Won") == "closed won"


def test_frame_helper_is_pandas():
    assert isinstance(
        fold(
            {
                "ID": ["1"],
                "Название сделки": ["a"],
                "Сумма": ["1"],
                "Товар": [""],
                "Цена": [""],
                "Количество": [""],
            }
        ).frame,
        pd.DataFrame,
    )
