"""`LoadWatch`: a hiccup stays quiet, an outage is said (and its end), the load gives up
after `max_outage`, a spent budget is said once; every state reaches the ledger's heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from loaders.errors import AmbiguousWrite, PortalOperationLimited, PortalUnreachable
from migrate.ledger.heartbeat import read_activity, read_heartbeat
from migrate.load import LoadWatch


class Time:
    def __init__(self) -> None:
        self.seconds = 0.0

    def monotonic(self) -> float:
        return self.seconds

    def clock(self) -> datetime:
        return datetime(2026, 11, 27, 9, 0, tzinfo=UTC) + timedelta(seconds=self.seconds)


def watch(ledger, max_outage=60.0):
    time, notes = Time(), []
    run = ledger.start_run("load")
    w = LoadWatch(ledger, run.id, note=notes.append, max_outage=max_outage, clock=time.clock,
                  monotonic=time.monotonic)  # fmt: skip
    return w, time, notes


DOWN = PortalUnreachable("could not connect: ConnectError", method="batch")


def test_a_single_failure_followed_by_an_answer_is_a_hiccup(ledger):
    w, time, notes = watch(ledger)
    w.unreachable(AmbiguousWrite("no reply", method="batch"))
    time.seconds = 1
    w.answered()
    assert notes == []
    assert read_heartbeat(ledger).state == "working"


def test_an_outage_is_said_while_it_lasts_and_when_it_ends(ledger):
    w, time, notes = watch(ledger)
    w.retrying(DOWN, 1, 0.5)
    time.seconds = 3.5
    w.retrying(DOWN, 3, 4.0)
    assert len(notes) == 1
    assert "The portal does not answer since" in notes[0]
    assert "(could not connect: ConnectError); retrying in 4 s" in notes[0]
    assert "waiting up to 1 min 00 s" in notes[0]
    beat = read_heartbeat(ledger)
    assert (beat.state, beat.since) == ("waiting", time.clock() - timedelta(seconds=3.5))
    assert read_activity(ledger, clock=time.clock).state == "waiting"
    time.seconds = 10
    w.beat()  # the load's second tick: nothing new to say yet
    time.seconds = 19
    w.retrying(DOWN, 5, 8.0)
    assert "Still waiting for the portal (down since" in notes[-1]
    assert "19 s); retrying in 8 s." in notes[-1]
    time.seconds = 25
    w.answered()
    assert notes[-1].endswith("The portal answers again after 25 s; the load goes on.")
    assert read_heartbeat(ledger).state == "working"
    assert w.outages == 1


def test_the_load_gives_up_after_max_outage(ledger):
    w, time, _ = watch(ledger, max_outage=30)
    w.unreachable(DOWN)
    time.seconds = 29
    assert not w.gave_up()
    time.seconds = 31
    assert w.gave_up()
    assert w.outage_text().startswith("the portal has not answered since ")
    assert "(31 s: could not connect: ConnectError)" in w.outage_text()


def test_a_spent_budget_is_said_once_per_wait(ledger):
    w, _time, notes = watch(ledger)
    limited = PortalOperationLimited("blocked", method="crm.deal.add")
    w.retrying(limited, 1, 42.0)
    w.retrying(limited, 2, 41.0)
    assert notes == [notes[0]]
    assert "`crm.deal.add` has used up its operating-time budget" in notes[0]
    assert "waiting 42 s for it to reset" in notes[0]


def test_reconciliation_is_said_with_the_time_it_waits_until(ledger):
    w, _time, notes = watch(ledger)
    w.reconciling(100, 75)
    assert "Checking 100 records whose reply was lost" in notes[0]
    assert "(1 min 15 s)" in notes[0]
    assert read_heartbeat(ledger).state == "reconciling"
    w.reconciled(60, 40)
    assert notes[-1].endswith("Looked up 100 records: 60 were written, 40 go again.")
