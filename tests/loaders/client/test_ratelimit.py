"""The leaky-bucket and operating-budget mirrors, on a fake clock (pure)."""

from __future__ import annotations

import pytest

from loaders.ratelimit import PLANS, LeakyBucket, OperatingBudget


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def send(bucket: LeakyBucket, clock: Clock) -> float:
    """Wait (on the fake clock) until the bucket lets a request go; returns the wait."""
    waited = 0.0
    while (delay := bucket.delay()) > 0:
        clock.now += delay
        waited += delay
    bucket.sent()
    return waited


def test_bucket_lets_the_burst_through_then_spaces_requests():
    clock = Clock()
    bucket = LeakyBucket(50, 2.0, clock=clock, margin=0)
    assert [send(bucket, clock) for _ in range(50)] == [0.0] * 50
    assert send(bucket, clock) == pytest.approx(0.5)
    assert send(bucket, clock) == pytest.approx(0.5)
    clock.now += 10  # drained 20
    assert bucket.level() == pytest.approx(30)


def test_bucket_margin_keeps_headroom():
    clock = Clock()
    bucket = LeakyBucket(50, 2.0, clock=clock, margin=1)
    waits = [send(bucket, clock) for _ in range(50)]
    assert waits[:49] == [0.0] * 49
    assert waits[49] == pytest.approx(0.5)


def test_bucket_resync_after_a_refusal_means_full():
    clock = Clock()
    bucket = LeakyBucket(250, 5.0, clock=clock, margin=0)
    send(bucket, clock)
    bucket.resync()
    assert bucket.level() == 250
    assert send(bucket, clock) == pytest.approx(0.2)


def test_requests_in_flight_count_undrained_against_the_portal_mirror():
    """A busy portal may admit a backlog at once: unanswered requests count in full."""
    clock, portal = Clock(), Clock(5000.0)
    bucket = LeakyBucket(4, 1.0, clock=clock, margin=0, server_clock=portal)
    for _ in range(4):
        send(bucket, clock)
    clock.now += 3
    portal.now += 3
    assert bucket.level() == pytest.approx(1)  # by send times 3 have drained...
    assert bucket.delay() == LeakyBucket.POLL  # ...but none was admitted yet: wait for replies
    for _ in range(4):  # the portal admitted all four just now, one second ago
        bucket.answered(portal.now - 1)
    assert bucket.portal_level() == pytest.approx(3)
    assert bucket.delay() == 0.0
    bucket.answered(None, counted=False)  # a refusal the portal did not count changes nothing
    assert bucket.portal_level() == pytest.approx(3)


def test_bucket_rejects_nonsense():
    with pytest.raises(ValueError, match="capacity"):
        LeakyBucket(0, 2.0)


def test_plans():
    assert (PLANS["standard"].capacity, PLANS["standard"].rate) == (50, 2.0)
    assert (PLANS["enterprise"].capacity, PLANS["enterprise"].rate) == (250, 5.0)
    assert PLANS["unlimited"].capacity is None


def observe_batch(budget, method, start_op, charge, count, at, reset_at=None):
    entries = [(method, start_op + charge * (i + 1), at, reset_at) for i in range(count)]
    budget.observe(entries)


def test_budget_learns_the_charge_per_command_from_one_batch():
    clock = Clock()
    budget = OperatingBudget(10.0, 60.0, clock=clock, safety=0, prior=0.25)
    assert budget.fits("m", 50) == 40  # nothing known: the prior, 0.25 s per item
    assert budget.fits("m", 50, items=20) == 2  # 5 s per command of 20 items
    reserved = budget.send("m", 40)
    assert budget.fits("m", 1) == 0  # ...and the next waits for the reply
    observe_batch(budget, "m", 0.0, 0.1, 50, at=clock.now, reset_at=clock.now + 60)
    budget.done("m", reserved)
    assert budget.estimate("m") == pytest.approx(0.1)
    assert budget.used("m") == pytest.approx(5.0)
    # 5 s left: the sum before the last command stays under the limit by half a command
    assert budget.fits("m", 100) == 50


def test_budget_waits_for_the_oldest_sub_bucket_to_expire():
    clock = Clock()
    budget = OperatingBudget(2.0, 6.0, clock=clock, safety=0)
    observe_batch(budget, "m", 0.0, 0.5, 2, at=clock.now)  # 1.0 s in the bucket at t=1000
    clock.now += 3
    observe_batch(budget, "m", 1.0, 0.5, 2, at=clock.now)  # 1.0 s more at t=1003
    assert budget.used("m") == pytest.approx(2.0)
    assert budget.fits("m", 1) == 0
    assert budget.wait_time("m") == pytest.approx(3.0)  # the t=1000 bucket expires at 1006
    clock.now += 3
    assert budget.used("m") == pytest.approx(1.0)
    assert budget.fits("m", 5) == 2
    assert budget.wait_time("m") == 0.0


def test_budget_trusts_the_portal_when_it_reports_more():
    clock = Clock()
    budget = OperatingBudget(10.0, 60.0, clock=clock, safety=0)
    budget.observe([("crm.item.batchimport", 9.9, clock.now, clock.now + 20)])
    assert budget.used("crm.item.batchImport") == pytest.approx(9.9)  # methods: any case
    clock.now += 20
    assert budget.used("crm.item.batchImport") == pytest.approx(9.9)  # our own mirror
    clock.now += 40
    assert budget.used("crm.item.batchImport") == 0.0


def test_budget_block_after_a_refusal():
    clock = Clock()
    budget = OperatingBudget(10.0, 60.0, clock=clock, safety=0)
    budget.block("m", clock.now + 7.5)
    assert budget.fits("m", 1) == 0
    assert budget.wait_time("m") == pytest.approx(7.5)
    budget.block("m", 1007)  # whole seconds are cut down by the portal: one more to be sure
    assert budget.wait_time("m") == pytest.approx(8)
    clock.now += 8
    budget.block("m", None)  # no reset time known: a tenth of the window
    assert budget.wait_time("m") == pytest.approx(6)


def test_methods_have_separate_budgets():
    clock = Clock()
    budget = OperatingBudget(1.0, 60.0, clock=clock, safety=0)
    observe_batch(budget, "a", 0.0, 0.5, 3, at=clock.now)
    assert budget.fits("a", 1) == 0
    assert budget.fits("b", 3) == 3


def test_a_reply_without_figures_does_not_stall_the_method():
    budget = OperatingBudget(1.0, 60.0, clock=Clock())
    reserved = budget.send("m", 10)
    assert budget.fits("m", 1) == 0
    budget.done("m", reserved)
    assert budget.fits("m", 10) == 10
