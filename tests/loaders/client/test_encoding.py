"""PHP-bracket encoding of parameters (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

from loaders._encoding import encode_query, encode_value


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"id": 5}, "id=5"),
        (
            {"fields": {"TITLE": "ООО Ромашка"}},
            "fields[TITLE]=%D0%9E%D0%9E%D0%9E%20%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0",
        ),
        (
            {"fields": {"PHONE": [{"VALUE": "+7 999", "VALUE_TYPE": "WORK"}]}},
            "fields[PHONE][0][VALUE]=%2B7%20999&fields[PHONE][0][VALUE_TYPE]=WORK",
        ),
        ({"select": ["ID", "NAME"]}, "select[0]=ID&select[1]=NAME"),
        ({"filter": {">ID": 100}}, "filter[%3EID]=100"),
        ({"filter": {"@ID": [1, 2]}}, "filter[%40ID][0]=1&filter[%40ID][1]=2"),
        ({"q": "a&b=c"}, "q=a%26b%3Dc"),
        ({"id": "$result[c1][ID]"}, "id=%24result%5Bc1%5D%5BID%5D"),
        ({"fields": {"OPENED": True, "EXPORT": False}}, "fields[OPENED]=Y&fields[EXPORT]=N"),
        ({"fields": {"COMMENTS": None}}, "fields[COMMENTS]="),
        ({"select": [], "filter": {}, "id": 1}, "id=1"),
        ({"start": -1}, "start=-1"),
    ],
)
def test_encode_query(params, expected):
    assert encode_query(params) == expected


def test_round_trip_of_values_through_a_query_parser():
    text = "Имя & фамилия = 100% «ёлка» +7 (999) 123-45-67 #1"
    pairs = parse_qsl(encode_query({"fields": {"NAME": text}}))
    assert pairs == [("fields[NAME]", text)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2024, 2, 29), "2024-02-29"),
        (
            dt.datetime(2024, 2, 29, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=3))),
            "2024-02-29T10:05:00+03:00",
        ),
        (Decimal("1234.50"), "1234.50"),
        (0.1, "0.1"),
        (1e-7, "0.0000001"),
        (12, "12"),
    ],
)
def test_encode_value(value, expected):
    assert encode_value(value) == expected


def test_unencodable_values_are_refused():
    with pytest.raises(TypeError, match="set"):
        encode_query({"x": {1, 2}})
    with pytest.raises(TypeError, match="mapping"):
        encode_query(["a"])  # type: ignore[arg-type]
