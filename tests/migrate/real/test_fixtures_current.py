"""The committed real-format fixtures are exactly what their generator writes."""

from __future__ import annotations

from tests.fixtures.real.make_fixtures import HERE, fixture_files


def test_committed_fixtures_are_what_the_generator_writes():
    expected = fixture_files()
    committed = {
        p.relative_to(HERE).as_posix(): p.read_bytes()
        for p in HERE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".md", ".pyc"} and "__pycache__" not in p.parts
    }
    assert sorted(committed) == sorted(expected), "run python -m tests.fixtures.real.make_fixtures"
    stale = [name for name, data in expected.items() if committed[name] != data]
    assert not stale, f"run python -m tests.fixtures.real.make_fixtures: {stale} differ"
