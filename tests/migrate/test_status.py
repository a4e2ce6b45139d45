"""`ledger_status` and `b24migrate status`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import cli
from migrate.ledger import LEDGER_PATH, Ledger, Op, PlanIssue, PlannedRecord, Ref, Refused, Written
from migrate.ledger.heartbeat import HEARTBEAT_META, HeartbeatWriter, record_outcome
from migrate.ledger.next_step import NEXT, NEXT_RU
from migrate.ledger.status import ledger_status


def english(root: Path) -> None:
    """A workspace that speaks English (the default is Russian)."""
    (root / "migration.yaml").write_text("name: m\nlanguage: en\nsources: {}\n", "utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    english(tmp_path)
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
        "contact": (0, 0, 0, 0, 1),  # blocked is its own state, not a part of planned
        "widget": (1, 0, 0, 0, 0),
    }
    assert {e.entity: e.total for e in status.entities}["contact"] == 1
    assert status.remaining == 2
    assert [r.last_error for r in status.failed] == ["ERROR_CORE: Bad"]
    assert status.blocking_issues == 1
    assert status.migration == "amo-2026"


def beat(root, state="working", pid=None, **changes):
    """Write a load's heartbeat as a load in process ``pid`` would."""
    with Ledger.for_workspace(root) as ledger:
        run = ledger.runs()[-1]
        writer = HeartbeatWriter(ledger, "load", run.id, clock=lambda: run.started_at)
        current = dataclasses.replace(writer.current, state=state, **changes)
        if pid is not None:
            current = dataclasses.replace(current, pid=pid)
        ledger.set_meta(HEARTBEAT_META, current.to_json())


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_live_load_has_a_rate_and_an_eta(workspace):
    beat(workspace)  # this process: alive
    with Ledger.for_workspace(workspace) as ledger:
        started = ledger.runs()[-1].started_at
        status = ledger_status(ledger, clock=lambda: started + timedelta(seconds=4))
    assert status.activity.state == "running"
    assert status.running_rate == pytest.approx(0.5)
    assert status.eta_seconds == pytest.approx(4.0)  # 2 sendable records left at 0.5/s
    assert status.next_step == NEXT["running"]


def test_a_killed_load_is_interrupted_without_a_rate(workspace):
    beat(workspace, pid=dead_pid())
    with Ledger.for_workspace(workspace) as ledger:
        started = ledger.runs()[-1].started_at
        status = ledger_status(ledger, clock=lambda: started + timedelta(seconds=4))
    assert status.activity.state == "interrupted"
    assert (status.running_rate, status.eta_seconds) == (None, None)
    assert status.next_step == NEXT["resume"]
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert "Load interrupted" in result.output
    assert "is gone (killed or crashed)" in result.output
    assert "records/s" not in result.output
    assert f"Next: {NEXT['resume']}" in result.output


def test_a_load_waiting_for_the_portal_says_since_when(workspace):
    since = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    beat(workspace, state="waiting", since=since, detail="could not connect")
    with Ledger.for_workspace(workspace) as ledger:
        status = ledger_status(ledger)
    assert status.activity.state == "waiting"
    assert status.running_rate is None
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert (
        "Load waiting for the portal since " + since.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        in result.output
    )
    assert "could not connect" in result.output
    assert f"Next: {NEXT['waiting']}" in result.output


def test_a_silent_live_process_is_stuck(workspace):
    beat(workspace)
    with Ledger.for_workspace(workspace) as ledger:
        started = ledger.runs()[-1].started_at
        status = ledger_status(ledger, clock=lambda: started + timedelta(minutes=10))
    assert status.activity.state == "stuck"
    assert status.next_step == NEXT["stuck"]


def test_failures_are_grouped_by_reason_with_examples(tmp_path):
    english(tmp_path)
    records = [PlannedRecord("deal", f"d{i}", Op.CREATE, {"TITLE": "x"}) for i in range(5)]
    with Ledger.for_workspace(tmp_path, "m") as ledger:
        run = ledger.start_run("plan")
        ledger.apply_plan(run.id, records)
        ledger.finish_run(run.id)
        load = ledger.start_run("load")
        ready = ledger.ready("deal", 5)
        batch = ledger.mark_sending(load.id, [r.id for r in ready])
        texts = [f'ERROR_CORE: The field "Теги" has an invalid value "v{i}"' for i in range(4)]
        outcomes = [Refused(r.id, t) for r, t in zip(ready, texts, strict=False)]
        ledger.apply_results(batch.id, [*outcomes, Refused(ready[4].id, "Deal 77 not found")])
        status = ledger_status(ledger)
    (tags, other) = status.failures
    assert (tags.entity, tags.count) == ("deal", 4)
    assert tags.reason == 'ERROR_CORE: The field "Теги" has an invalid value "…"'
    assert [key for key, _ in tags.examples] == ["d0", "d1", "d2"]
    assert (other.reason, other.count) == ("Deal N not found", 1)
    result = CliRunner().invoke(cli, ["status", "-w", str(tmp_path)])
    assert '4 × deal: ERROR_CORE: The field "Теги" has an invalid value "…"' in result.output
    assert f"Next: {NEXT['retry']}" in result.output


def test_status_without_a_running_load_has_no_eta(tmp_path):
    with Ledger.for_workspace(tmp_path, "m") as ledger:
        status = ledger_status(ledger, clock=lambda: datetime.now(UTC))
    assert (status.entities, status.last_run, status.eta_seconds) == ((), None, None)
    assert status.next_step == NEXT["plan"]


def test_status_command_renders_a_table(workspace):
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "company" in result.output
    assert "1 × company: ERROR_CORE: Bad" in result.output
    assert "1 rows have problems that block the load" in result.output
    assert "1 records are blocked" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("Next: ")


def test_status_command_json(workspace):
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace), "--json", "--failed", "0"])
    data = json.loads(result.output)
    assert data["migration"] == "amo-2026"
    assert data["failed"] == []
    assert data["last_run"]["kind"] == "load"
    assert {e["entity"]: e["total"] for e in data["entities"]}["company"] == 2
    assert {e["entity"]: e["blocked"] for e in data["entities"]}["contact"] == 1
    assert data["failure_reasons"] == [
        {"entity": "company", "reason": "ERROR_CORE: Bad", "count": 1, "examples": ["2"]}
    ]
    assert data["load"]["state"] == "idle"
    assert data["next"] == NEXT["resume"]


def test_a_retry_the_plan_stopped_is_shown_as_such(workspace):
    with Ledger.for_workspace(workspace) as ledger:
        record_outcome(ledger, "retry", 1, "the plan has 1 blocking problem(s) in 1 rows")
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert "Last command: `retry` at" in result.output
    assert "stopped with exit 1: the plan has 1 blocking problem(s)" in result.output


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


def test_a_russian_workspace_hears_status_in_russian(workspace):
    (workspace / "migration.yaml").write_text("name: m\nsources: {}\n", "utf-8")  # ru default
    beat(workspace, pid=dead_pid())
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace)])
    assert "Загрузка прервана: процесса `load`" in result.output
    assert "1 × company: ERROR_CORE: Bad" in result.output
    assert "1 записей заблокировано" in result.output
    assert result.output.rstrip().splitlines()[-1] == f"Next: {NEXT_RU['resume']}"
    assert set(NEXT_RU) == set(NEXT)  # every situation said in both languages
