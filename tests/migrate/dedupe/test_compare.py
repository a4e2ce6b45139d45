"""Each comparison kind: the level two values reach (0 = the first level, -1 = no evidence)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migrate.dedupe.compare import levels, prepare
from migrate.dedupe.rules import parse_rules


def _level(kind: str, left, right, levels_spec=None, **extra) -> tuple[str, bool]:
    columns = extra.pop("columns", ["v"])
    spec = {"name": "c", "kind": kind, "columns": columns, **extra}
    if levels_spec is not None:
        spec["levels"] = levels_spec
    rules = parse_rules({"comparisons": [spec], "blocking": ["c"]}, entity="t")
    comparison = rules.comparisons[0]
    rows = [left, right]
    if len(columns) == 1:
        frame = pd.DataFrame({columns[0]: rows})
    else:
        frame = pd.DataFrame(rows, columns=columns)
    compared = levels(prepare(frame, comparison), np.array([0]), np.array([1]))
    index = int(compared.level[0])
    names = [lv.name for lv in comparison.levels] + ["differs"]
    return ("null" if index < 0 else names[index]), bool(compared.conflict[0])


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("ACME", "acme", "exact"), ("ACME", "ACME Ltd", "differs"), ("", "ACME", "null"),
])  # fmt: skip
def test_exact(left, right, expected):
    assert _level("exact", left, right)[0] == expected


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("8 (916) 123-45-67", "+7 916 1234567", "exact"),
    ("79161234567.0", "+79161234567", "exact"),
    ("+7 495 123-45-67 доб. 12", "84951234567", "exact"),
    ((("+79161234567", "WORK"), ("+79031112233", "MOBILE")), (("+79031112233", "WORK"),), "exact"),
    ("+79161234567", "+79161234568", "differs"),
    ("нет", "+79161234567", "null"),
])  # fmt: skip
def test_phone(left, right, expected):
    assert _level("phone", left, right)[0] == expected


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("Ivan.Petrov@Mail.RU", "mailto:ivan.petrov@mail.ru", "exact"),
    ("a@x.ru; ivan@firm.ru", "ivan@firm.ru", "exact"),
    ("ivan.petrov@mail.ru", "ivan.petrof@mail.ru", "fuzzy"),
    ("ivan@mail.ru", "olga@yandex.ru", "differs"),
    # namesakes' mailboxes: the same letters, another number (a year, a counter)
    ("i.ivanov1234@mail.ru", "i.ivanov1284@mail.ru", "differs"),
    ("i.ivanov@mail.ru", "i.ivanov1@mail.ru", "differs"),
    ("i.ivanov1234@mail.ru", "i.ivanvo1234@mail.ru", "fuzzy"),  # a typo in the letters
    ("robert255@smith.net", "roberta25@smith.net", "fuzzy"),  # letters differ too: compared
])  # fmt: skip
def test_email(left, right, expected):
    assert _level("email", left, right)[0] == expected


def test_inn_conflict_between_two_valid_values_forbids_a_match():
    assert _level("identifier", "7707083893", "7728168971", validate="inn") == ("differs", True)
    assert _level("identifier", "ИНН 7707 083893", "7707083893", validate="inn") == ("exact", False)
    # a typo makes one invalid: no conflict, close enough to count as near
    assert _level("identifier", "7707083894", "7707083893", validate="inn") == ("fuzzy", False)
    assert _level("identifier", "710405435", "0710405435", validate="inn")[0] == "exact"


@pytest.mark.parametrize(("left", "right", "expected"), [
    (("Иванов", "Иван", "Иванович"), ("Иванов", "Иван", "Иванович"), "exact"),
    (("", "Иван Иванович Иванов", ""), ("Иванов", "Иван", "Иванович"), "exact"),
    (("Ivanov", "Ivan", ""), ("Иванов", "Иван", ""), "translit"),
    (("Shchukin", "Evgeny", ""), ("Щукин", "Евгений", ""), "translit"),
    (("Иванов", "И.", "И."), ("Иванов", "Иван", "Ильич"), "initials"),
    (("Иванов", "Саша", ""), ("Иванов", "Александр", ""), "exact"),
    (("Ивонов", "Иван", "Иванович"), ("Иванов", "Иван", "Иванович"), "fuzzy"),
    (("Иван", "Иванов", ""), ("Иванов", "Иван", "Петрович"), "fuzzy"),
    (("Иванов", "", ""), ("Иванов", "Иван", "Петрович"), "subset"),
    (("Иванов", "Иван", "Иванович"), ("Иванов", "Иван", "Петрович"), "differs"),
    (("Петров", "Иван", ""), ("Иванов", "Пётр", ""), "differs"),
])  # fmt: skip
def test_person_name(left, right, expected):
    columns = ["LAST_NAME", "NAME", "SECOND_NAME"]
    assert _level("person_name", left, right, columns=columns)[0] == expected


def test_person_name_swapped_columns_with_a_typo():
    got = _level("person_name", ("dunn", "isabel"), ("isabel", "duann"),
                 columns=["given_name", "surname"])  # fmt: skip
    assert got[0] == "fuzzy"


@pytest.mark.parametrize(("left", "right", "expected"), [
    ('ООО "Ромашка"', "Ромашка, ООО", "exact"),
    ("Общество с ограниченной ответственностью «Ромашка»", "ромашка", "exact"),
    ("Romashka LLC", "ООО Ромашка", "translit"),
    ("ООО МагистральКонсалтинг", "Магистраль Консалтинг", "translit"),
    ("ООО Ромашко", "Ромашка", "fuzzy"),
    ("Ромашка", "Василёк", "differs"),
])  # fmt: skip
def test_company_name(left, right, expected):
    assert _level("company_name", left, right)[0] == expected


def test_text_levels_follow_the_scorer():
    spec = ["exact", {"fuzzy": 0.9}, {"fuzzy": 0.6}]
    assert _level("text", "12 Baker Street", "12 baker street", spec)[0] == "exact"
    assert _level("text", "12 Baker Street", "12 Bakr Street", spec)[0] == "fuzzy"
    assert (
        _level("text", "12 Baker Street", "Baker Street 12", spec, scorer="token_sort_ratio")[0]
        == "fuzzy"
    )
    assert _level("text", "12 Baker Street", "77 Oak Lane", spec)[0] == "differs"


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("1985-03-19", "19.03.1985", "exact"),
    ("19850319", "1985-03-19T10:00:00+03:00", "exact"),
    ("1985-03-12", "1985-12-03", "typo"),
    ("1985-03-19", "1985-03-18", "typo"),
    ("1985-03-19", "1985-07-01", "within"),
    ("1985-03-19", "1999-01-01", "differs"),
    ("not a date", "1985-03-19", "null"),
])  # fmt: skip
def test_date(left, right, expected):
    assert _level("date", left, right)[0] == expected


@pytest.mark.parametrize(("left", "right", "expected"), [
    ("1 234,50", "1234.5", "exact"), ("100", "103", "within"), ("100", "200", "differs"),
])  # fmt: skip
def test_number(left, right, expected):
    assert _level("number", left, right)[0] == expected
