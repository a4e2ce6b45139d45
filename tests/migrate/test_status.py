"""`ledger_status` and `b24migrate status`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import cli
from migrate.ledger import LEDGER_PATH, Ledger, Op, PlanIssue, PlannedRecord, Ref, Refused, Written
from migrate.ledger.status import ledger_status


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    with Ledger.for_workspace(tmp_path, "amo-2026") as ledger:
        run = ledger.start_run("plan")
        ledger.apply_plan(
            run.id,
            [
                PlannedRecord("company", "1", Op.CREATE, {"TITLE": "ООО Ромашка"}),
                PlannedRecord("company", "2", Op.CREATE, {"TITLE": "ИП Петров"}),
                PlannedRecord("contact", "c", Op.CREATE, {}, (Ref("COMPANY_ID", "company", "2"),)),
                PlannedRecord("product", "p", Op.CREATE, {"NAME": "Болт"}),
                PlannedRecord("widget", "w", Op.CREATE, {}),
            ],
        )
        ledger.replace_issues(run.id, [PlanIssue("deal", "d", "stage.unknown", "нет стадии")])
        ledger.finish_run(run.id)
        load = ledger.start_run("load")
        one, two = ledger.ready("company", 5)
        batch = ledger.mark_sending(load.id, [one.id, two.id])
        ledger.apply_results(batch.id, [Written(one.id, 11), Refused(two.id, "ERROR_CORE: Bad")])
        ledger.mark_sending(load.id, [ledger.ready("product", 1)[0].id])
    return tmp_path


def test_status_counts_per_entity_and_state_in_dependency_order(workspace):
    with Ledger.for_workspace(workspace) as ledger:
        status = ledger_status(ledger)
    rows = {e.entity: (e.planned, e.sending, e.done, e.failed, e.blocked) for e in status.entities}
    assert [e.entity for e in status.entities] == ["product", "company", "contact", "widget"]
    assert rows == {
        "product": (0, 1, 0, 0, 0),
        "company": (0, 0, 1, 1, 0),
        "contact": (1, 0, 0, 0, 1),
        "widget": (1, 0, 0, 0, 0),
    }
    assert status.remaining == 3
    assert [r.last_error for r in status.failed] == ["ERROR_CORE: Bad"]
    assert status.blocking_issues == 1
    assert status.migration == "amo-2026"


def test_status_estimates_time_left_during_a_load(workspace):
    with Ledger.for_workspace(workspace) as ledger:
        started = ledger.runs()[-1].started_at
        status = ledger_status(ledger, clock=lambda: started + timedelta(seconds=4))
    assert status.running_rate == pytest.approx(0.5)
    assert status.eta_seconds == pytest.approx(4.0)  # 2 sendable records left at 0.5/s


def test_status_without_a_running_load_has_no_eta(tmp_path):
    with Ledger.for_workspace(tmp_path, "m") as ledger:
        status = ledger_status(ledger, clock=lambda: datetime.now(UTC))
    assert (status.entities, status.last_run, status.eta_seconds) == ((), None, None)


def test_status_command_renders_a_table(workspace):
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "company" in result.output
    assert "ERROR_CORE: Bad" in result.output
    assert "1 rows have problems that block the load" in result.output
    assert "b24migrate plan" in result.output


def test_status_command_json(workspace):
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace), "--json", "--failed", "0"])
    data = json.loads(result.output)
    assert data["migration"] == "amo-2026"
    assert data["failed"] == []
    assert data["last_run"]["kind"] == "load"
    assert {e["entity"]: e["total"] for e in data["entities"]}["company"] == 2


def test_status_command_while_loading_shows_the_rate(workspace):
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert "records/s" in result.output


def test_status_without_ledger_says_to_plan_first(tmp_path):
    result = CliRunner().invoke(cli, ["status", "-w", str(tmp_path)])
    assert result.exit_code != 0
    assert "b24migrate plan" in str(result.exception) + result.output
    assert not (tmp_path / LEDGER_PATH).exists()


def test_status_help_has_an_example():
    result = CliRunner().invoke(cli, ["status", "--help"])
    assert "Example:\n    b24migrate status" in result.output


@pytest.mark.parametrize(("seconds", "text"), [(30, "30 s"), (600, "10 min"), (3 * 3600, "3.0 h")])
def test_durations_read_naturally(seconds, text):
    from migrate.cli.status import _duration

    assert _duration(seconds) == text
