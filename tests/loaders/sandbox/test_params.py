"""PHP-bracket query strings decode the way the portal reads them."""

from __future__ import annotations

import pytest

from loaders.sandbox._params import parse_php_query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fields[TITLE]=Acme", {"fields": {"TITLE": "Acme"}}),
        (
            "fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK",
            {"fields": {"PHONE": [{"VALUE": "112233", "VALUE_TYPE": "WORK"}]}},
        ),
        ("select[]=ID&select[]=NAME", {"select": ["ID", "NAME"]}),
        ("filter[%3EID]=100", {"filter": {">ID": "100"}}),
        ("filter[%3E%3DID]=5", {"filter": {">=ID": "5"}}),
        # as in PHP's parse_str, a raw "=" inside a key ends the key: clients must encode it
        ("filter[>=ID]=5", {"filter[>": "ID]=5"}),
        ("a=%26b+c", {"a": "&b c"}),
        ("fm[n0][value]=x&fm[17][value]=", {"fm": {"n0": {"value": "x"}, "17": {"value": ""}}}),
        ("id=5&", {"id": "5"}),
        ("empty[]=", {"empty": [""]}),
    ],
)
def test_brackets(query, expected):
    assert parse_php_query(query) == expected


def test_top_level_stays_a_map_and_bad_escapes_survive():
    assert parse_php_query("0=a&1=b") == {"0": "a", "1": "b"}
    assert parse_php_query("a=%zz%D0%98") == {"a": "%zzИ"}
