"""Source-key references → ledger refs, through dedupe survivors; missing targets reported."""

from __future__ import annotations

import pytest

from migrate.ledger import Ref
from migrate.plan import ReferenceIndex

INDEX = ReferenceIndex(
    {"company": ["1", "2"], "contact": ["a", "b", "c"]},
    survivors={"contact": {"a2": "a", "a3": "a"}, "company": {"9": "1"}},
)


@pytest.mark.parametrize(
    ("path", "entity", "keys", "refs", "missing"),
    [
        ("COMPANY_ID", "company", "2", [Ref("COMPANY_ID", "company", "2")], []),
        ("COMPANY_ID", "company", " 9 ", [Ref("COMPANY_ID", "company", "1")], []),
        ("COMPANY_ID", "company", "404", [], ["404"]),
        ("COMPANY_ID", "company", None, [], []),
        ("COMPANY_ID", "company", "", [], []),
        (
            "CONTACT_IDS",
            "contact",
            ("a2", "b", "a3", "zz"),
            [Ref("CONTACT_IDS.0", "contact", "a"), Ref("CONTACT_IDS.1", "contact", "b")],
            ["zz"],
        ),
        ("CONTACT_IDS", "contact", (), [], []),
        ("ENTITY_ID", "deal", "d1", [], ["d1"]),
    ],
)
def test_resolve(path, entity, keys, refs, missing):
    resolved = INDEX.resolve(path, entity, keys)
    assert list(resolved.refs) == refs
    assert list(resolved.missing) == missing


def test_survivor_of_an_unabsorbed_key_is_itself():
    assert INDEX.survivor("contact", "b") == "b"
    assert INDEX.survivor("deal", "x") == "x"
