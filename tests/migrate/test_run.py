"""The orchestrator: stages in order, each stage's result handed on, unchanged results reused.

A :class:`Migration` per command, as the command line creates them: what one command computed
is kept in the workspace's stage store and reused by the next when its inputs are unchanged;
what changed is computed again, and only that.
"""

from __future__ import annotations

import pytest

from migrate.dedupe.decisions import Decisions, DecisionStore
from migrate.run import Migration
from migrate.workspace.stages import STAGES_DIR
from tests.migrate.plan.workspace import CONTACTS, Portal, make_workspace, write_csv


@pytest.fixture
def workspace(tmp_path):
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def portal(workspace):
    opened = Portal(workspace)
    yield opened
    opened.close()


def test_plan_after_validate_and_dedupe_reuses_both(workspace, portal):
    validated = Migration(workspace).validate()
    assert validated.prepared.reused == ()
    deduped = Migration(workspace).dedupe()
    assert deduped.deduped.reused == ()  # first dedupe; its prepare input came from the store
    migration = Migration(workspace, transport=portal.transport)
    planned = migration.plan()
    assert set(migration.prepared().reused) == {"company", "contact", "deal"}
    assert set(migration.deduplicated().reused) == {"company", "contact"}
    assert planned.result.count("company", "create") == 3
    assert planned.report.is_file()


def test_the_tables_read_back_are_the_tables_computed(workspace):
    first = Migration(workspace).prepared()
    again = Migration(workspace).prepared()
    assert set(again.reused) == set(first.tables)
    for entity, table in first.tables.items():
        stored = again.tables[entity]
        assert list(stored.columns) == list(table.columns)
        assert stored.to_dict("records") == table.to_dict("records"), entity
    phones = again.tables["contact"]["PHONE"].tolist()
    assert phones[0] == (("+79161112233", "WORK"),)  # a multi-field comes back as pairs
    assert again.issues.to_dict("records") == first.issues.to_dict("records")


def test_only_what_changed_is_computed_again(workspace):
    Migration(workspace).dedupe()
    rows = [row[:] for row in CONTACTS]
    rows[1][1] = "Сидорова"  # one contact's surname changes in the source
    write_csv(workspace.root / "data" / "contacts.csv", rows)
    migration = Migration(workspace)
    assert set(migration.prepared().reused) == {"company", "deal"}
    assert migration.deduplicated().reused == ("company",)
    assert migration.prepared().tables["contact"]["LAST_NAME"].iloc[0] == "Сидорова"


def test_a_mapping_edit_or_a_new_decision_recomputes_its_entity(workspace):
    Migration(workspace).dedupe()
    mapping = workspace.root / "mappings" / "deal.yaml"
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("clean: [money]", "clean: [decimal]"),
        encoding="utf-8",
    )
    DecisionStore.for_workspace(workspace.root).record(
        {"company": Decisions.build(separate=[("co1", "co2")])}
    )
    migration = Migration(workspace)
    assert set(migration.prepared().reused) == {"company", "contact"}
    assert migration.deduplicated().reused == ("contact",)


def test_a_damaged_store_is_ignored_and_rewritten(workspace):
    Migration(workspace).prepared()
    for path in (workspace.root / STAGES_DIR).rglob("*.parquet"):
        path.write_bytes(b"not parquet")
    again = Migration(workspace).prepared()
    assert again.reused == ()
    assert set(Migration(workspace).prepared().reused) == {"company", "contact", "deal"}


def test_without_the_store_nothing_is_kept(workspace):
    Migration(workspace, keep_results=False).prepared()
    assert not (workspace.root / STAGES_DIR).exists()


def test_a_multi_field_is_one_named_type_from_the_mapping_to_the_wire(workspace):
    """Phones are MultiValue items in the clean table, after the stage store, and the builder
    writes the ledger's JSON pairs of them as the portal's legacy entries."""
    from loaders.entities import MultiValue, WriteRequest, build_write
    from migrate.plan._records import _value

    computed = Migration(workspace).prepared().tables["contact"]["PHONE"].iloc[0]
    stored = Migration(workspace).prepared().tables["contact"]["PHONE"].iloc[0]
    for phones in (computed, stored):
        assert all(type(item) is MultiValue for item in phones), phones
    as_json = _value(stored)  # what the plan writes into the ledger
    assert as_json == [["+79161112233", "WORK"]]
    command = build_write(WriteRequest("contact", "create", "ct1", {"PHONE": as_json}), "acme")
    assert command.params["fields"]["PHONE"] == [{"VALUE": "+79161112233", "VALUE_TYPE": "WORK"}]
