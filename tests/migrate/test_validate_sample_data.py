"""End to end on the committed sample data: init --from sample, then validate."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from migrate.prepare import prepare
from migrate.run import Migration
from migrate.workspace.config import Workspace
from migrate.workspace.scaffold import init_workspace
from sample_data.account import SAMPLE_PIPELINE, map_sample_pipelines


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """`init --from sample`, the sample account's own pipeline mapped (what the specialist
    adds to the preset), then validate."""
    root = tmp_path_factory.mktemp("amo")
    init_workspace(root, "sample")
    map_sample_pipelines(root / "mappings" / "deal.yaml")
    validated = Migration(Workspace.at(root)).validate()
    return validated.prepared, validated.report


def test_the_preset_alone_refuses_the_deals_of_a_pipeline_it_does_not_know(tmp_path):
    """The sample preset carries only the default pipeline, not the sample account's own."""
    init_workspace(tmp_path, "sample")
    data = prepare(Workspace.at(tmp_path), entities=["deal"])
    unknown = data.issues[data.issues["rule"] == "map.unknown"]
    tenders = unknown[unknown["value"].str.startswith(f"{SAMPLE_PIPELINE} / ")]
    assert len(tenders) > 1000
    assert not set(tenders["key"]) & set(data.tables["deal"]["_key"])


def test_every_entity_is_read_and_mostly_loadable(prepared):
    data, _ = prepared
    stats = {s.entity: s for s in data.stats}
    assert set(stats) == {"company", "contact", "deal", "note", "product", "activity", "task"}
    assert stats["contact"].rows_read == 5000
    assert stats["deal"].rows_read == 8000
    for s in stats.values():
        assert s.rows_clean >= 0.9 * s.rows_read


def test_clean_tables_follow_the_contract(prepared):
    data, _ = prepared
    contacts = data.tables["contact"]
    assert list(contacts.columns[:4]) == ["_key", "_source", "_sheet", "_row"]
    assert contacts["_key"].is_unique
    phones = [v for pairs in contacts["PHONE"] for v, _ in pairs]
    assert phones
    assert all(re.fullmatch(r"\+\d{10,15}(;ext=\d+)?", p) for p in phones)
    emails = [v for pairs in contacts["EMAIL"] for v, _ in pairs]
    assert all(e == e.lower() and "@" in e for e in emails)
    companies = set(data.tables["company"]["_key"])
    linked = contacts["COMPANY_ID"].dropna()
    assert len(linked) > 1000
    assert set(linked) <= companies
    deals = data.tables["deal"]
    assert all(isinstance(v, tuple) for v in deals["CONTACT_IDS"])
    assert set(deals["CATEGORY_ID"]) <= {"0", "1"}


def test_unknown_stages_are_errors_with_suggestions(prepared):
    data, _ = prepared
    unknown = data.issues[data.issues["rule"] == "map.unknown"]
    assert len(unknown) > 100
    assert set(unknown["entity"]) == {"deal"}
    typo = unknown[unknown["value"].isin(["Основная воронка / Переговры", "Переговры"])]
    assert len(typo) > 5
    assert (typo["suggestion"].str.contains("Переговоры")).all()
    assert not set(unknown["key"]) & set(data.tables["deal"]["_key"])


def test_the_report_has_a_sheet_per_entity_with_problems(prepared):
    _, report = prepared
    book = load_workbook(report, read_only=True)
    assert book.sheetnames[:2] == ["Сводка", "Итоги"]
    assert "Сделки" in book.sheetnames
