"""Workspace mode: rules from migration.yaml, decisions stored, references re-pointed.

The orchestrator is given prepared tables directly (its `prepared` step is replaced), so these
tests exercise the dedupe stage, the decision store and the review workbook round trip.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from migrate.cli import cli
from migrate.dedupe.decisions import DECISIONS_FILE
from migrate.dedupe.stage import rules_from_config
from migrate.run import Migration

from .conftest import contact_frame

COMPANIES = pd.DataFrame({
    "_key": ["c1", "c2", "c3"],
    "TITLE": ['ООО "Ромашка"', "Ромашка, ООО", "Василёк"],
    "RQ_INN": ["7707083893", "7707083893", ""],
    "PHONE": [(("+74951112233", "WORK"),), (), ()],
})  # fmt: skip
DEALS = pd.DataFrame({"_key": ["d1", "d2"], "COMPANY_ID": ["c2", "c3"],
                      "CONTACT_IDS": [("2", "3"), ("8",)]})  # fmt: skip


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    state = {"contacts": contact_frame(), "dedupe": {"company": {"thresholds": {"match": 0.9}}}}

    config = SimpleNamespace(dedupe=state["dedupe"], language="ru")

    def prepared(self):
        tables = {"company": COMPANIES, "contact": state["contacts"], "deal": DEALS}
        return SimpleNamespace(config=config, tables=tables)

    monkeypatch.setattr(Migration, "prepared", prepared)
    monkeypatch.setattr(Migration, "config", property(lambda self: config))
    return tmp_path, state


def dedupe_workspace(root):
    return Migration(root).dedupe()


def test_config_blocks_refine_or_switch_off_the_shipped_rules():
    assert (
        rules_from_config({"company": {"thresholds": {"match": 0.9}}}, "company", "en").match == 0.9
    )
    assert rules_from_config({"contact": False}, "contact", "ru") is None
    assert rules_from_config({"lead": {"enabled": False}}, "lead", "ru") is None
    assert rules_from_config({}, "deal", "ru") is None  # nothing shipped for deals


def test_a_run_merges_writes_the_report_and_repoints_references(workspace):
    root, _ = workspace
    done = dedupe_workspace(root)
    assert done.report == root / "reports" / "duplicates.xlsx"
    assert set(load_workbook(done.report).sheetnames) == {"Компании", "Контакты"}
    company = done.results["company"]
    assert company.key_map["c2"] == company.key_map["c1"]
    survivor = company.key_map["c1"]
    deals = done.deduped.tables["deal"].set_index("_key")
    assert deals.loc["d1", "COMPANY_ID"] == survivor
    contact_master = done.results["contact"].key_map["2"]
    assert deals.loc["d1", "CONTACT_IDS"] == (contact_master,)
    assert len(done.deduped.tables["company"]) == 2


def test_decisions_from_the_workbook_are_stored_and_bind_later_runs(workspace):
    root, state = workspace
    report = dedupe_workspace(root).report
    book = load_workbook(report)
    sheet = book["Контакты"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Ключ")].value == "8":
            row[header.index("Решение")].value = "не объединять"
    book.save(report)
    result = CliRunner().invoke(cli, ["dedupe", "-w", str(root), "--decisions", str(report)])
    assert result.exit_code == 0, result.output
    assert (root / DECISIONS_FILE).exists()
    state["contacts"] = contact_frame()[::-1].reset_index(drop=True)  # the source changed
    again = dedupe_workspace(root)  # no --decisions: the stored ones still bind
    assert again.results["contact"].key_map["8"] == "8"
    assert again.results["contact"].key_map["7"] == "7"
