"""Map + clean: vectors of source rows → CleanTable columns and Issues."""

from __future__ import annotations

import pytest

from mappings.schema import parse_mapping
from migrate.errors import MappingError
from migrate.prepare.transform import apply_mapping
from tests.migrate.conftest import make_raw


def mapping(fields: str, entity: str = "contact", key: str = "ID"):
    return parse_mapping(f"entity: {entity}\nkey: {key}\nfields:\n{fields}", f"{entity}.yaml")


def run(fields, columns, entity="contact", language="ru", key="ID"):
    return apply_mapping(make_raw(columns), mapping(fields, entity, key), language=language)


def test_provenance_and_key_columns():
    table = run("  NAME: {from: Имя}\n", {"ID": [" 7 ", "8"], "Имя": ["Анна", ""]})
    frame = table.frame
    assert list(frame.columns[:4]) == ["_key", "_source", "_sheet", "_row"]
    assert frame["_key"].tolist() == ["7", "8"]
    assert frame["_row"].tolist() == [2, 3]
    assert frame["_source"].tolist() == ["t.csv", "t.csv"]
    assert frame["NAME"].tolist() == ["Анна", None]


def test_row_key_uses_file_and_row():
    table = run("  NAME: {from: Имя}\n", {"Имя": ["a"]}, key="_row")
    assert table.frame["_key"].tolist() == ["t.csv:2"]


@pytest.mark.parametrize(
    ("value", "expected", "rule", "severity"),
    [
        ("анна", "АННА", None, None),
        ("", None, None, None),
        ("ан!на", None, "t.bang", "error"),
        ("ан?на", "АННА", "t.question", "warning"),
    ],
)
def test_cleaner_outcomes(value, expected, rule, severity):
    table = run("  NAME: {from: Имя, clean: [t_upper]}\n", {"ID": ["1"], "Имя": [value]})
    assert table.frame["NAME"].tolist() == [expected]
    assert table.issues["rule"].tolist() == ([rule] if rule else [])
    assert table.issues["severity"].tolist() == ([severity] if severity else [])


def test_issue_rows_carry_location_and_the_original_value():
    columns = {"ID": ["1", "2", "3"], "Имя": ["ok", "bad!", "bad!"]}
    table = run("  NAME: {from: Имя, clean: [t_upper]}\n", columns, language="en")
    issues = table.issues
    assert issues["row"].tolist() == [3, 4]
    assert issues["key"].tolist() == ["2", "3"]
    assert issues["value"].tolist() == ["bad!", "bad!"]
    assert issues["column"].tolist() == ["Имя", "Имя"]
    assert issues["field"].tolist() == ["NAME", "NAME"]
    assert issues["message"].iloc[0] == "bad value “bad!”"
    assert issues["suggestion"].iloc[0] == "bad"


def test_severity_override_turns_an_error_into_a_warning():
    table = run(
        "  NAME: {from: Имя, clean: [t_upper], severity: warning}\n", {"ID": ["1"], "Имя": ["x!"]}
    )
    assert table.issues["severity"].tolist() == ["warning"]
    assert table.frame["NAME"].tolist() == [None]


def test_every_distinct_value_is_cleaned_once():
    calls = []
    from cleaners.registry import register

    @register("t_count")
    def t_count(value, *, on_error="raise"):
        calls.append(value)
        return value

    run("  NAME: {from: Имя, clean: [t_count]}\n", {"ID": list("123456"), "Имя": list("ababab")})
    assert sorted(calls) == ["a", "b"]


def test_value_map_default_and_fuzzy_suggestion():
    fields = "  SOURCE_ID: {from: Источник, map: {Сайт: WEB, Звонок: CALL}}\n"
    table = run(fields, {"ID": ["1", "2", "3"], "Источник": [" сайт ", "Звонки", ""]})
    assert table.frame["SOURCE_ID"].tolist() == ["WEB", None, None]
    assert table.issues["rule"].tolist() == ["map.unknown"]
    assert table.issues["suggestion"].tolist() == ["Звонок"]
    fields = "  SOURCE_ID: {from: Источник, map: {Сайт: WEB}, default: OTHER}\n"
    table = run(fields, {"ID": ["1", "2"], "Источник": ["Выставка", ""]})
    assert table.frame["SOURCE_ID"].tolist() == ["OTHER", "OTHER"]
    assert table.issues["rule"].tolist() == ["map.default"]
    assert table.issues["severity"].tolist() == ["warning"]


def test_joined_columns_feed_a_value_map():
    fields = (
        "  STAGE_ID: {from: [Воронка, Этап], join: ' / ',"
        " map: {'A / Новая': NEW, 'Новая': NEW, 'B / Новая': 'C1:NEW'}}\n"
    )
    table = run(
        fields,
        {"ID": ["1", "2", "3"], "Воронка": ["A", "", "b"], "Этап": ["новая", "Новая", "Новая "]},
        entity="deal",
    )
    assert table.frame["STAGE_ID"].tolist() == ["NEW", "NEW", "C1:NEW"]


def test_first_non_empty_column_wins_for_a_scalar():
    table = run(
        "  COMPANY_ID: {from: [ID компании, Компания], ref: company}\n",
        {"ID": ["1", "2"], "ID компании": ["", "77"], "Компания": ["Ромашка", "Лютик"]},
    )
    assert table.frame["COMPANY_ID"].tolist() == ["Ромашка", "77"]


def test_multi_field_pairs_with_value_types_and_no_repeats():
    fields = "  PHONE: {from: [Раб, Моб], clean: [t_list], value_type: {Раб: WORK, Моб: MOBILE}}\n"
    table = run(fields, {"ID": ["1", "2"], "Раб": ["1, 2", ""], "Моб": ["2, 3", ""]})
    assert table.frame["PHONE"].tolist() == [(("1", "WORK"), ("2", "WORK"), ("3", "MOBILE")), ()]


def test_single_values_in_two_columns_merge_like_lists():
    fields = "  PHONE: {from: [Раб, Моб], clean: [t_list], value_type: {Раб: WORK, Моб: MOBILE}}\n"
    columns = {"ID": list("1234"), "Раб": ["1", "1", "", "1, 2"], "Моб": ["1", "2", "3", "2"]}
    assert run(fields, columns).frame["PHONE"].tolist() == [
        (("1", "WORK"),),
        (("1", "WORK"), ("2", "MOBILE")),
        (("3", "MOBILE"),),
        (("1", "WORK"), ("2", "WORK")),
    ]


def test_text_that_is_not_utf8_is_cleaned_one_by_one():
    table = run(
        "  NAME: {from: Имя, clean: [t_upper]}\n", {"ID": ["1", "2"], "Имя": ["a\ud800", "b"]}
    )
    assert table.frame["NAME"].tolist() == ["A\ud800", "B"]


def test_multiple_references_become_tuples_key_column_first():
    fields = "  CONTACT_IDS: {from: [ID контакта, Контакт], ref: contact, separator: ','}\n"
    columns = {
        "ID": ["1", "2", "3"],
        "ID контакта": ["5, 6", "", ""],
        "Контакт": ["Анна", "Анна", ""],
    }
    table = run(fields, columns, entity="deal")
    assert table.frame["CONTACT_IDS"].tolist() == [("5", "6"), ("Анна",), ()]


def test_a_separator_splits_a_multiple_field_and_maps_each_value():
    fields = (
        '  UF_CRM_CHANNELS: {from: Каналы, separator: "\\n"}\n'
        '  UF_CRM_KIND: {from: Вид, separator: "\\n", map: {опт: WHOLESALE, розница: RETAIL}}\n'
    )
    columns = {
        "ID": ["1", "2", "3"],
        "Каналы": ["Сайт\nЗвонок", "Сайт", ""],
        "Вид": ["Опт\nРозница", "опт\nопт", "бартер"],
    }
    table = run(fields, columns, entity="company")
    assert table.frame["UF_CRM_CHANNELS"].tolist() == [("Сайт", "Звонок"), ("Сайт",), ()]
    assert table.frame["UF_CRM_KIND"].tolist()[:2] == [("WHOLESALE", "RETAIL"), ("WHOLESALE",)]
    assert table.issues["value"].tolist() == ["бартер"]  # a value the map lacks: refused


def test_escaped_values_keep_their_line_breaks_and_a_stray_escape_is_flagged():
    fields = '  UF_CRM_LANGS: {from: Языки, separator: "\\n", escaped: true}\n'
    columns = {
        "ID": ["1", "2", "3"],
        # as the source portal writes a multiple text field (mappings.escape.escape_value)
        "Языки": ["русский\nстрока 1\\nстрока 2", "C:\\\\путь\\\\n", "плохо\\x"],
    }
    table = run(fields, columns, entity="contact")
    assert table.frame["UF_CRM_LANGS"].tolist()[:2] == [
        ("русский", "строка 1\nстрока 2"), ("C:\\путь\\n",)]  # fmt: skip
    (issue,) = table.issues.itertuples()
    assert (issue.rule, issue.severity, issue.value) == ("value.escape", "error", "плохо\\x")
    assert "\\x" in issue.message


def test_split_fio_fills_the_parts_explicit_names_leave_empty():
    fields = "  _fio: {from: ФИО, split_fio: [LAST_NAME, NAME, SECOND_NAME]}\n  NAME: {from: Имя}\n"
    columns = {
        "ID": ["1", "2", "3"],
        "ФИО": ["Иван Иванович Иванов", "Пётр Сидоров", "ПЕТРОВА анна"],
        "Имя": ["", "Пётр", ""],
    }
    frame = run(fields, columns).frame
    parts = ["LAST_NAME", "NAME", "SECOND_NAME"]
    assert frame.loc[0, parts].tolist() == ["Иванов", "Иван", "Иванович"]
    # the explicit first name stays; the surname only the full name has is not lost
    assert frame.loc[1, parts].tolist() == ["Сидоров", "Пётр", None]
    assert frame.loc[2, parts].tolist() == ["Петрова", "Анна", None]


def test_const_owner_and_options():
    fields = (
        "  OPENED: {const: 'Y'}\n"
        "  ASSIGNED_BY_ID: {owner: Ответственный}\n"
        "  UF_CRM_CODE: {from: Код, clean: [{t_pad: {width: 4}}]}\n"
    )
    frame = run(fields, {"ID": ["1"], "Ответственный": ["Анна Смирнова"], "Код": ["7"]}).frame
    assert frame.loc[0, ["OPENED", "ASSIGNED_BY_ID", "UF_CRM_CODE"]].tolist() == [
        "Y",
        "Анна Смирнова",
        "0007",
    ]


def test_a_column_missing_from_the_source_is_a_mapping_error():
    with pytest.raises(MappingError, match="Имя"):
        run("  NAME: {from: Имя}\n", {"ID": ["1"]})


def test_forked_workers_give_the_same_result(monkeypatch):
    import migrate.prepare.transform as transform

    fields = (
        "  _fio: {from: ФИО, clean: [t_upper], split_fio: [LAST_NAME, NAME]}\n"
        "  PHONE: {from: Тел, clean: [t_list]}\n"
        "  POST: {from: Должность, clean: [t_upper]}\n"
    )
    n = 3000
    columns = {
        "ID": [str(i) for i in range(n)],
        "ФИО": [f"Иванов{i % 700} Иван" for i in range(n)],
        "Тел": [f"{i}, {i + 1}" for i in range(n)],
        "Должность": [f"пост{i % 5}{'!' if i % 50 == 0 else ''}" for i in range(n)],
    }
    serial = apply_mapping(make_raw(columns), mapping(fields), workers=1)
    monkeypatch.setattr(transform, "_PARALLEL_MIN", 10)
    parallel = apply_mapping(make_raw(columns), mapping(fields), workers=2)
    assert parallel.frame.equals(serial.frame)
    assert parallel.issues.equals(serial.issues)
    assert len(parallel.issues) == n // 50


def test_the_workspace_time_zone_reaches_cleaners_that_take_one():
    from cleaners.registry import register

    @register("t_tz")
    def t_tz(value, *, on_error="raise", tz="UTC"):
        return f"{value}@{tz}"

    fields = (
        "  DATE_CREATE: {from: Дата, clean: [t_tz]}\n"
        "  UF_CRM_X: {from: Дата, clean: [{t_tz: {tz: Asia/Omsk}}]}\n"
    )
    raw = make_raw({"ID": ["1"], "Дата": ["01.02.2024"]})
    frame = apply_mapping(raw, mapping(fields), timezone="Europe/Samara").frame
    assert frame.loc[0, ["DATE_CREATE", "UF_CRM_X"]].tolist() == [
        "01.02.2024@Europe/Samara",
        "01.02.2024@Asia/Omsk",
    ]
