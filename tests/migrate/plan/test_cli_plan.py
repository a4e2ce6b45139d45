"""`b24migrate plan` through CliRunner, and the plan of the whole amoCRM sample workspace."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from migrate.cli import cli
from migrate.errors import ConfigError
from migrate.ledger import Ledger
from migrate.ledger.blockers import plan_blockers
from migrate.workspace.config import Workspace
from sample_data.account import map_sample_pipelines
from tests.migrate.plan.test_run_plan import BAD_DEALS
from tests.migrate.plan.workspace import Portal, make_workspace
from tests.migrate.test_cli_load import run


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["plan", "--help"])
    assert result.exit_code == 0
    assert "Example:\n    b24migrate plan --workspace acme --skip-refused" in result.output


def test_exit_1_while_blocked_then_0_with_skip_refused(tmp_path):
    make_workspace(tmp_path, default_owner=None, deals=BAD_DEALS)
    runner = CliRunner()
    blocked = runner.invoke(cli, ["plan", "-w", str(tmp_path), "--json"])
    assert blocked.exit_code == 1, blocked.output
    summary = json.loads(blocked.output)
    assert {(b["rule"], b["rows"]) for b in summary["blockers"]} == {
        ("stage.unknown", 1),
        ("structure.proposed", 2),  # UF_CRM_NOTE: proposed, waits for --accept-structure
        ("owner.no_default", 2),
    }
    assert summary["entities"]["company"]["create"] == 3
    shown = runner.invoke(cli, ["plan", "-w", str(tmp_path)])
    assert shown.exit_code == 1
    # the workspace says `language: ru`: the terminal speaks Russian too
    assert "БЛОКИРУЕТ deal STAGE_ID" in shown.output
    assert "--skip-refused" in shown.output
    assert "Дубликаты не объединялись" in shown.output
    assert "Структура: план предлагает создать 1 польз. полей" in shown.output
    assert "--accept-structure" in shown.output
    structured = runner.invoke(cli, ["plan", "-w", str(tmp_path), "--accept-structure", "--json"])
    rules = {b["rule"] for b in json.loads(structured.output)["blockers"]}
    assert rules == {"stage.unknown", "owner.no_default"}
    accepted = runner.invoke(cli, ["plan", "-w", str(tmp_path), "--skip-refused"])
    assert accepted.exit_code == 0, accepted.output
    assert "намеренно не загружаются" in accepted.output


def test_plan_speaks_english_in_an_english_workspace(tmp_path):
    make_workspace(tmp_path, default_owner=None, deals=BAD_DEALS, language="en")
    shown = CliRunner().invoke(cli, ["plan", "-w", str(tmp_path)])
    assert "BLOCKING deal STAGE_ID" in shown.output
    assert "No duplicates merged" in shown.output


def test_three_hundred_unknown_owners_are_one_line():
    from migrate.cli.plan import blocker_lines
    from migrate.ledger.blockers import Blocker

    blockers = [
        Blocker("deal", "owner.no_default", "ASSIGNED_BY_ID", f"Менеджер {i}",
                f"сотрудник «Менеджер {i}» не найден", (("deals.csv", i, f"d{i}"),) * (1 + i % 3))
        for i in range(300)
    ]  # fmt: skip
    blockers.append(Blocker("contact", "owner.no_default", "ASSIGNED_BY_ID", "Менеджер 0", "…",
                            (("contacts.csv", 2, "c1"),)))  # fmt: skip
    (line,) = blocker_lines(blockers)
    rows = sum(b.count for b in blockers)
    assert line.startswith(
        f"BLOCKING owner.no_default ASSIGNED_BY_ID: 300 values in {rows} rows (contact, deal)"
    )
    assert ", values «Менеджер 2», «Менеджер 5», «Менеджер 8» and 297 more" in line
    assert "set `owners.default_owner` in migration.yaml" in line


def test_a_default_owner_not_on_the_portal_is_a_config_error(tmp_path):
    make_workspace(tmp_path, default_owner="nobody@nowhere.example")
    result = CliRunner().invoke(cli, ["plan", "-w", str(tmp_path)])
    assert isinstance(result.exception, ConfigError)  # `main` turns it into exit code 2
    assert "default_owner" in str(result.exception)


@pytest.mark.slow
def test_sample_amocrm_workspace_plans_clean_but_for_the_planted_dirt(tmp_path):
    """`init` + the set-up a specialist does (default owner, the tag field on the portal,
    the tender stage mapped to the sandbox's pipeline) → a plan without blockers whose only
    refusals are the sample's planted dirt."""
    root = tmp_path / "amo"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(root), "--from", "sample"]).exit_code == 0
    config = root / "migration.yaml"
    config.write_text(config.read_text().replace("default_owner: null", "default_owner: 1"))
    map_sample_pipelines(root / "mappings" / "deal.yaml")
    portal = Portal(Workspace.at(root))
    for entity in ("company", "contact", "deal"):
        portal.call(
            f"crm.{entity}.userfield.add",
            {"fields": {"FIELD_NAME": "TAGS", "USER_TYPE_ID": "string"}},
        )
    portal.close()

    started = time.perf_counter()
    result = runner.invoke(cli, ["plan", "-w", str(root), "--json"])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    print(f"sample amoCRM plan: {seconds:.1f} s; steps {summary['seconds']}")
    assert summary["blockers"] == []
    with Ledger.for_workspace(root, "amo") as ledger:
        assert plan_blockers(ledger) == []
        refused = {(i.entity, i.rule) for i in ledger.issues("error")}
    # planted dirt: deal stages amoCRM never had; notes, activities and tasks on those refused
    # deals (or on records that do not exist)
    assert refused == {("deal", "map.unknown"), ("note", "note.owner"),
                       ("activity", "history.owner"), ("task", "history.owner")}  # fmt: skip
    entities = summary["entities"]
    assert entities["company"]["create"] > 1700  # 2,000 rows less planted duplicates
    assert entities["deal"]["create"] > 7700
    assert "deal_products" not in entities  # the amoCRM sample has no product lines
    assert entities["activity"]["create"] > 2500  # 3,000 calls, e-mails, meetings
    assert entities["task"]["create"] > 1200
    kept = {(d["entity"], d["field"]) for d in summary["history_dates"] if d["kept"]}
    assert kept == {("activity", "START_TIME"), ("activity", "END_TIME"), ("task", "DEADLINE")}
    with Ledger.for_workspace(root, "amo") as ledger:
        missing = [i for i in ledger.issues("warning") if i.rule == "file.missing"]
    # the planted missing attachment: named with its file, row and field
    assert missing
    assert {(i.source, i.field) for i in missing} == {("activities.csv", "FILES")}
    assert all(i.row for i in missing)
    portal = Portal(Workspace.at(root))  # the portal the CLI planned against holds nothing
    held = portal.app.stats()["entities"]
    assert {k: n for k, n in held.items() if n} == {"userfield": 3, "user": 15}
    portal.close()


def test_plan_then_load_from_the_command_line(tmp_path, capsys):
    """`load` refuses a blocked plan; after `plan --skip-refused` it loads the rest."""
    make_workspace(tmp_path, default_owner=None, deals=BAD_DEALS)
    workspace = str(tmp_path)
    assert run(capsys, "plan", "-w", workspace)[0] == 1
    code, _, err = run(capsys, "load", "-w", workspace, "--quiet")
    assert code == 1
    assert "blocking problem(s)" in err
    assert run(capsys, "plan", "-w", workspace, "--skip-refused")[0] == 0
    code, out, err = run(capsys, "load", "-w", workspace, "--quiet")
    assert code == 0, out + err
    portal = Portal(Workspace.at(tmp_path))
    try:
        assert sorted(d["TITLE"] for d in portal.list("deal", ["TITLE"])) == [
            "Монтаж",
            "Поставка болтов",
        ]
        assert len(portal.list("company", ["ID"])) == 3
    finally:
        portal.close()
    code, out, _ = run(capsys, "plan", "-w", workspace, "--skip-refused", "--json")
    assert code == 0
    counts = json.loads(out)["entities"]
    assert {op for ops in counts.values() for op, n in ops.items() if n} == {"unchanged"}
