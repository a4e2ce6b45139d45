"""What the integrator sees when a load is killed, interrupted, or the portal goes away.

Each scenario runs `b24migrate load` as a process of its own against a served sandbox (400 ms
per request, so a small plan takes a few seconds), breaks it, and asserts the exit code, what
the tool printed, what `status` says, and that after resuming every record is in the portal
exactly once.
"""

from __future__ import annotations

import re
import signal
import time

import pytest

from migrate.ledger.next_step import NEXT

from .conftest import interrupt

# Taking the served portal down cuts requests in flight; uvicorn leaves those connections to
# the garbage collector (a ResourceWarning in this process, not in the load's).
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


def progress_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if re.match(r"load: [\d,]+ of [\d,]+ records", line)]


def test_a_finished_load_says_where_it_is_without_a_terminal_and_ends_at_100_percent(planned):
    code, out, err = planned.run("load")
    assert code == 0, err
    lines = progress_lines(err)
    assert lines[-1].endswith("(100 %)")
    assert re.match(r"load: 0 of [\d,]+ records \(0 %\)", lines[0])
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['done']}"
    assert "Log:" not in err  # nothing went wrong
    planned.exactly_once()


def test_kill_9_then_status_says_interrupted_and_load_resumes(planned):
    load = planned.start("load")
    planned.wait_for_done()
    load.send_signal(signal.SIGKILL)
    load.communicate(timeout=30)
    assert load.returncode == -signal.SIGKILL
    code, out, _ = planned.run("status")
    assert code == 0
    assert f"`load` (run 2, process {load.pid}) is gone (killed or crashed)" in out
    assert "records/s" not in out  # a dead load has no rate
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['resume']}"
    code, out, err = planned.run("load", "--settle-seconds", "0")
    assert code == 0, err
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['done']}"
    planned.exactly_once()


def test_ctrl_c_exits_4_status_says_so_and_load_resumes(planned):
    load = planned.start("load")
    planned.wait_for_done()
    out, err = interrupt(load)
    assert load.returncode == 4, err
    assert "Error: load run 2 stopped after" in err
    assert f"Next: {NEXT['resume']}" in err
    assert "Log: " in err
    assert "Traceback" not in err
    code, out, _ = planned.run("status")
    assert code == 0
    assert "Load interrupted at " in out
    assert "stopped by Ctrl-C" in out
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['resume']}"
    assert planned.run("load")[0] == 0
    planned.exactly_once()


def test_a_short_outage_is_waited_for_out_loud_and_the_load_goes_on(planned):
    load = planned.start("load", "--settle-seconds", "1", "--wait-for-portal", "120")
    planned.wait_for_done()
    planned.portal.go_down()
    time.sleep(6)
    planned.portal.come_back()
    out, err = load.communicate(timeout=120)
    assert load.returncode == 0, err
    assert re.search(r"\d\d:\d\d:\d\d The portal does not answer since \d\d:\d\d:\d\d", err)
    assert "waiting up to 2 min 00 s" in err
    assert re.search(r"The portal answers again after \d+ s; the load goes on\.", err)
    assert progress_lines(err)[-1].endswith("(100 %)")
    assert re.search(r"Log: \S+\.jsonl \(the portal stopped answering 1 time", err)
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['done']}"
    planned.exactly_once()


def test_a_long_outage_ends_the_load_with_exit_4_and_a_later_load_finishes(planned):
    load = planned.start("load", "--settle-seconds", "1", "--wait-for-portal", "4")
    planned.wait_for_done()
    planned.portal.go_down()
    try:
        out, err = load.communicate(timeout=90)
        assert load.returncode == 4, err
        assert "Error: the portal has not answered since" in err
        assert "the load stopped waiting (--wait-for-portal 4)" in err
        assert f"Next: {NEXT['resume']}" in err
        code, out, _ = planned.run("status")
        assert code == 0
        assert "Load interrupted at " in out
        assert "has not answered since" in out
        assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['resume']}"
    finally:
        planned.portal.come_back()
    code, out, err = planned.run("load", "--settle-seconds", "1")
    assert code == 0, err
    planned.exactly_once()
