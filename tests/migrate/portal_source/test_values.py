"""Values of a source record written by meaning: table-driven cases and properties."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappings.escape import unescape_value
from migrate.portal.source import SourceUserField
from migrate.portal.source._meta import SourceMeta
from migrate.portal.source._values import (
    MULTI_TYPES,
    MULTIPLE_SEPARATOR,
    category_text,
    field_text,
    is_system_id,
    multi_columns,
    stage_text,
)

META = SourceMeta(
    users={"1": "admin@old.example", "7": "Петров Иван"},
    categories={"0": "Общая", "3": "Тендеры"},
    default_category="0",
    statuses={("SOURCE", "CALL"): "Звонок", ("SOURCE", "4"): "Выставка",
              ("DEAL_STAGE", "NEW"): "Новая", ("DEAL_STAGE", "UC_X1"): "Переговоры",
              ("DEAL_STAGE_3", "C3:NEW"): "Заявка", ("DEAL_STAGE_3", "C3:UC_9"): "Торги"},
    status_fields={"deal": {"SOURCE_ID": "SOURCE", "STAGE_ID": "DEAL_STAGE"}},
    list_items={"deal": {"UF_CRM_KIND": {"41": "Опт", "42": "Розница"}}},
    employee_fields={"deal": frozenset({"UF_CRM_MGR"})},
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "written"),
    [
        ("SOURCE_ID", "CALL", "CALL"),                # a system id means the same everywhere
        ("SOURCE_ID", "4", "Выставка"),               # a custom id is the portal's own number
        ("SOURCE_ID", "99", "99"),                    # unknown: as it is, the plan refuses it
        ("SOURCE_ID", None, ""),
        ("UF_CRM_KIND", "42", "Розница"),             # list items by label
        ("UF_CRM_KIND", ["41", "42"], "Опт, Розница"),  # a multiple list field
        ("UF_CRM_KIND", "40", "40"),
        ("ASSIGNED_BY_ID", "1", "admin@old.example"),  # owners by e-mail
        ("ASSIGNED_BY_ID", "7", "Петров Иван"),        # else by name
        ("UF_CRM_MGR", ["1", "7"], "admin@old.example, Петров Иван"),  # employee user fields
        ("MODIFY_BY_ID", "9", "9"),                    # not an employee the portal lists
        ("TITLE", "Поставка", "Поставка"),
        ("OPPORTUNITY", 1500.5, "1500.5"),
        ("COMMENTS", False, ""),
    ],
)  # fmt: skip
def test_fields_are_written_by_meaning(name, value, written):
    assert field_text(META, "deal", name, value) == written


@pytest.mark.parametrize(
    ("category", "stage", "pipeline", "written"),
    [
        ("0", "NEW", "0", "NEW"),            # the general pipeline: system ids stay
        ("0", "UC_X1", "0", "Переговоры"),   # its custom stage: by name
        (None, "NEW", "0", "NEW"),
        ("3", "C3:NEW", "Тендеры", "Заявка"),  # another pipeline: by name (ids differ by C<n>)
        ("3", "C3:UC_9", "Тендеры", "Торги"),
        ("3", "C3:LOST", "Тендеры", "LOST"),  # unknown in the metadata: without the prefix
        ("5", "C5:NEW", "5", "NEW"),          # an unknown pipeline stays its id: refused by plan
    ],
)  # fmt: skip
def test_pipelines_and_stages(category, stage, pipeline, written):
    assert category_text(META, category) == pipeline
    assert stage_text(META, category, stage) == written


@pytest.mark.parametrize(
    ("status_id", "system"),
    [("CALL", True), ("IN_PROCESS", True), ("UC_4Z1F", False), ("4", False), ("C1:NEW", False),
     ("", False)],
)  # fmt: skip
def test_system_ids(status_id, system):
    assert is_system_id(status_id) is system


def test_multi_fields_go_to_one_column_per_type():
    record = {"PHONE": [{"VALUE": "+7 495 1", "VALUE_TYPE": "WORK"},
                        {"VALUE": "+7 916 2", "VALUE_TYPE": "WORK"},
                        {"VALUE": "+7 903 3", "VALUE_TYPE": "ODD"}],
              "EMAIL": [{"VALUE": "a@b.ru", "VALUE_TYPE": "HOME"}, {"VALUE": ""}]}  # fmt: skip
    columns = multi_columns(record)
    assert columns["PHONE WORK"] == "+7 495 1; +7 916 2"
    assert columns["PHONE OTHER"] == "+7 903 3"  # an unknown type is kept, as OTHER
    assert columns["EMAIL HOME"] == "a@b.ru"
    assert columns["EMAIL OTHER"] == ""


_ITEM = st.fixed_dictionaries({
    "VALUE": st.text(alphabet="abc+7 @.", min_size=1, max_size=8).filter(lambda t: t.strip()),
    "VALUE_TYPE": st.sampled_from(["WORK", "HOME", "MOBILE", "OTHER", "FAX", "X", "work"]),
})  # fmt: skip


@given(st.lists(_ITEM, max_size=6), st.sampled_from(sorted(MULTI_TYPES)))
def test_no_multi_field_value_is_lost(items, name):
    columns = multi_columns({name: items})
    kept = [v for k, cell in columns.items() if k.startswith(f"{name} ") and cell
            for v in cell.split("; ")]  # fmt: skip
    assert sorted(kept) == sorted(i["VALUE"] for i in items)


@given(st.one_of(st.none(), st.text(max_size=12), st.integers(), st.lists(st.text(max_size=4))))
def test_any_value_is_text_and_ids_not_in_the_metadata_pass_unchanged(value):
    for name in ("SOURCE_ID", "UF_CRM_KIND", "ASSIGNED_BY_ID", "UF_CRM_MGR", "TITLE"):
        written = field_text(META, "deal", name, value)
        assert isinstance(written, str)
    if isinstance(value, str) and value and value not in ("4", "CALL") and "," not in value:
        assert field_text(META, "deal", "SOURCE_ID", value) == value


def test_a_multiple_user_field_is_written_one_value_per_line():
    defined = {
        "UF_CRM_KIND": SourceUserField("deal", "UF_CRM_KIND", "enumeration", multiple=True),
        "UF_CRM_TAGS": SourceUserField("deal", "UF_CRM_TAGS", "string", multiple=True),
        "UF_CRM_FILES": SourceUserField("deal", "UF_CRM_FILES", "file", multiple=True),
    }
    meta = dataclasses.replace(META, user_fields={"deal": defined})
    assert field_text(meta, "deal", "UF_CRM_KIND", ["41", "42"]) == "Опт\nРозница"
    assert field_text(meta, "deal", "UF_CRM_KIND", []) == ""
    # a multi-line text value stays one value: its own line breaks (and backslashes) escaped
    values = ["опт, крупный", "строка 1\nстрока 2", "C:\\путь\\n", "\r\n"]
    tags = field_text(meta, "deal", "UF_CRM_TAGS", [*values, ""])
    assert tags.split(MULTIPLE_SEPARATOR) == ["опт, крупный", "строка 1\\nстрока 2",
                                              "C:\\\\путь\\\\n", "\\r\\n"]  # fmt: skip
    assert [unescape_value(v) for v in tags.split(MULTIPLE_SEPARATOR)] == values
    assert field_text(meta, "deal", "UF_CRM_FILES", ["5", "6"]) == "5, 6"  # ids: not split
