"""Opening, binding, runs, issues, the writer lock and crash safety of the ledger file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrate.errors import CheckpointError
from migrate.ledger import LEDGER_PATH, Ledger, Op, PlanIssue, PlannedRecord, State


def test_open_creates_the_file_in_wal_mode_and_binds_the_migration_name(ledger_path, clock):
    with Ledger.open(ledger_path, "amo-2026", clock=clock) as ledger:
        assert ledger.originator == "amo-2026"
        assert ledger.path == ledger_path
    mode = sqlite3.connect(ledger_path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    with Ledger.open(ledger_path) as again:
        assert again.originator == "amo-2026"


def test_for_workspace_uses_the_dot_directory(tmp_path):
    with Ledger.for_workspace(tmp_path, "m") as ledger:
        assert ledger.path == tmp_path / LEDGER_PATH


def test_open_refuses_another_migration_name(ledger_path):
    Ledger.open(ledger_path, "first").close()
    with pytest.raises(CheckpointError, match="belongs to migration `first`"):
        Ledger.open(ledger_path, "second")


def test_open_without_name_needs_an_existing_ledger(ledger_path):
    with pytest.raises(CheckpointError, match="no ledger"):
        Ledger.open(ledger_path)


def test_open_without_name_refuses_a_file_without_one(ledger_path):
    ledger_path.parent.mkdir(parents=True)
    sqlite3.connect(ledger_path).close()
    with pytest.raises(CheckpointError, match="has no migration name"):
        Ledger.open(ledger_path)


def test_open_refuses_a_newer_schema(ledger_path):
    Ledger.open(ledger_path, "m").close()
    conn = sqlite3.connect(ledger_path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(CheckpointError, match="newer b24migrate"):
        Ledger.open(ledger_path, "m")


def test_open_reports_a_file_that_is_not_a_database(ledger_path):
    ledger_path.parent.mkdir(parents=True)
    ledger_path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CheckpointError, match="cannot be opened") as info:
        Ledger.open(ledger_path, "m")
    assert "b24migrate plan" in str(info.value)


def test_runs_are_started_finished_and_stale_ones_closed(ledger, clock):
    plan = ledger.start_run("plan")
    clock.advance(5)
    ledger.finish_run(plan.id)
    load = ledger.start_run("load")
    assert ledger.close_stale_runs() == 1
    runs = ledger.runs()
    assert [(r.kind, r.status) for r in runs] == [("plan", "finished"), ("load", "interrupted")]
    assert (runs[0].finished_at - runs[0].started_at).total_seconds() == 5
    assert ledger.run(load.id).finished_at is not None
    assert ledger.run(999) is None
    assert ledger.batch(999) is None


def test_issues_are_replaced_by_each_plan(ledger):
    first = ledger.start_run("plan")
    ledger.replace_issues(
        first.id,
        [
            PlanIssue(
                "deal",
                "d1",
                "stage.unknown",
                "Стадия «Переговоры» не найдена",
                field="STAGE_ID",
                value="Переговоры",
                source="deals.xlsx",
                sheet="Сделки",
                row=5,
            ),
            PlanIssue("deal", "d2", "owner.default", "Ответственный заменён", severity="warning"),
        ],
    )
    assert [i.rule for i in ledger.issues()] == ["stage.unknown", "owner.default"]
    assert [i.source_key for i in ledger.issues("error")] == ["d1"]
    assert ledger.issues("error")[0].row == 5
    ledger.replace_issues(ledger.start_run("plan").id, [])
    assert ledger.issues() == []


def test_exclusive_lock_refuses_a_second_writer_in_another_process(ledger):
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from migrate.errors import CheckpointError
        from migrate.ledger import Ledger
        with Ledger.open(Path({str(ledger.path)!r})) as other:
            try:
                with other.exclusive("load"):
                    print("acquired")
            except CheckpointError as exc:
                print("refused", exc.message)
        """
    )
    with ledger.exclusive("load"):
        held = _run_python(script)
    assert held.startswith("refused `b24migrate load`")
    assert _run_python(script).strip() == "acquired"


def test_exclusive_lock_is_released_when_the_holder_is_killed(ledger):
    hold = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from migrate.ledger import Ledger
        ledger = Ledger.open(Path({str(ledger.path)!r}))
        with ledger.exclusive("load"):
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", hold], cwd=_repo(), check=False)
    assert proc.returncode == -9
    with ledger.exclusive("load"):
        pass


def test_kill_inside_mark_sending_leaves_every_record_planned(ledger):
    """SIGKILL between the UPDATE to `sending` and the COMMIT: nothing of it survives."""
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [PlannedRecord("company", str(i), Op.CREATE, {}) for i in range(5)])
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from migrate.ledger import Ledger
        ledger = Ledger.open(Path({str(ledger.path)!r}))
        seen = []
        def trace(statement):
            seen.append(statement)
            if statement == "COMMIT" and any("SET state = 'sending'" in s for s in seen):
                os.kill(os.getpid(), signal.SIGKILL)
        ledger._store.conn.set_trace_callback(trace)
        ready = ledger.ready("company", 10)
        ledger.mark_sending({run.id}, [r.id for r in ready])
        print("not killed")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=_repo(), capture_output=True, text=True, check=False
    )
    assert proc.returncode == -9, proc.stderr
    with Ledger.open(ledger.path) as reopened:
        states = {r.state for r in reopened.records()}
        assert states == {State.PLANNED}
        assert reopened.batch(1) is None
        assert reopened.sending() == []


def test_kill_inside_apply_results_leaves_the_batch_sending(ledger):
    run = ledger.start_run("load")
    ledger.apply_plan(run.id, [PlannedRecord("company", str(i), Op.CREATE, {}) for i in range(3)])
    ids = [r.id for r in ledger.ready("company", 10)]
    batch = ledger.mark_sending(run.id, ids)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from migrate.ledger import Ledger, Written
        ledger = Ledger.open(Path({str(ledger.path)!r}))
        def trace(statement):
            if statement == "COMMIT":
                os.kill(os.getpid(), signal.SIGKILL)
        ledger._store.conn.set_trace_callback(trace)
        ledger.apply_results({batch.id}, [Written(i, 100 + i) for i in {ids!r}])
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=_repo(), check=False)
    assert proc.returncode == -9
    sending = ledger.sending()
    assert [r.id for r in sending] == ids
    assert all(r.b24_id is None for r in sending)


def test_a_reader_in_another_process_sees_committed_state_during_a_write(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [PlannedRecord("company", "1", Op.CREATE, {})])
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from migrate.ledger import Ledger
        with Ledger.open(Path({str(ledger.path)!r})) as reader:
            print([(c.entity, c.state.value, c.count) for c in reader.counts()])
        """
    )
    with ledger._store.write() as conn:  # a write transaction is open while the reader reads
        conn.execute("UPDATE records SET attempts = 5")
        out = _run_python(script)
    assert out.strip() == "[('company', 'planned', 1)]"


def _repo() -> Path:
    return Path(__file__).resolve().parents[3]


def _run_python(script: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=_repo(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return proc.stdout


def test_exclusive_lock_refuses_a_second_writer_in_the_same_process(ledger):
    with (
        Ledger.open(ledger.path) as other,
        ledger.exclusive("load"),
        pytest.raises(CheckpointError, match="another command") as info,
        other.exclusive("retry"),
    ):
        pass  # pragma: no cover - never reached
    assert "b24migrate status" in info.value.next_step


def test_default_clock_stamps_runs_in_utc(tmp_path):
    with Ledger.open(tmp_path / "l.sqlite", "m") as ledger:
        run = ledger.start_run("plan")
    assert run.started_at.utcoffset().total_seconds() == 0
