"""Every mapping `inspect` proposes for a messy file is one that `validate` accepts."""

from __future__ import annotations

import pytest

from mappings.schema import check_columns, parse_mapping, to_yaml
from migrate.errors import SourceReadError
from migrate.inspect.profile import profile_table
from migrate.inspect.propose import propose_mapping
from migrate.sources import read_table
from tests.migrate.messy.conftest import FIXTURES

READABLE = []
for _path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
    try:
        READABLE.append((_path.relative_to(FIXTURES).as_posix(), read_table(_path)))
    except SourceReadError:
        continue


@pytest.mark.parametrize(("name", "table"), READABLE, ids=[n for n, _ in READABLE])
def test_proposals_parse_and_name_only_existing_columns(name, table) -> None:
    profile = profile_table(table)
    for entity in (None, "contact", "company", "deal", "product"):
        mapping = propose_mapping(profile, entity).mapping
        if not mapping.fields:
            continue  # inspect refuses to write it (tested in test_messy_cli)
        parsed = parse_mapping(to_yaml(mapping), f"{name}.yaml")  # was: _fio on a company
        assert check_columns(parsed, table.columns, name) == []
