"""The leaky bucket and the per-method operating time, on an injected clock."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("plan", "size", "rate"), [("standard", 50, 2), ("enterprise", 250, 5)])
def test_leaky_bucket(make_portal, clock, plan, size, rate):
    portal = make_portal(plan=plan)
    codes = [portal.call("user.current").status_code for _ in range(size + 1)]
    assert codes[:size] == [200] * size
    refused = portal.call("user.current")
    assert refused.status_code == 503
    assert refused.json() == {
        "error": "QUERY_LIMIT_EXCEEDED",
        "error_description": "Too many requests",
    }
    clock.advance(1.0)
    assert [portal.call("user.current").status_code for _ in range(rate)] == [200] * rate
    assert portal.call("user.current").status_code == 503
    assert portal.app.stats()["refusals"]["QUERY_LIMIT_EXCEEDED"] >= 2


def test_batch_counts_once_and_unlimited_has_no_bucket(make_portal):
    portal = make_portal(plan="standard")
    for _ in range(50):
        out = portal.batch({f"c{i}": "user.current" for i in range(50)})
        assert len(out["result"]) == 50
    assert portal.call("user.current").status_code == 503
    free = make_portal(plan="unlimited")
    assert {free.call("user.current").status_code for _ in range(300)} == {200}


def test_operating_time_blocks_the_method_after_the_crossing_call(make_portal, clock):
    portal = make_portal(item_cost_ms=100.0, operating_limit_s=1.0, operating_window_s=60.0)
    for i in range(10):
        reply = portal.call("crm.contact.add", {"fields": {"NAME": str(i)}})
        assert reply.status_code == 200
        clock.advance(1)
    assert reply.json()["time"]["operating"] == pytest.approx(1.0)
    blocked = portal.call("crm.contact.add", {"fields": {"NAME": "x"}})
    assert blocked.status_code == 429
    assert blocked.json() == {
        "error": "OPERATION_TIME_LIMIT",
        "error_description": "Method is blocked due to operation time limit.",
    }
    assert portal.call("crm.contact.list").status_code == 200  # other methods keep working
    reset_at = reply.json()["time"]["operating_reset_at"]
    assert reset_at == (1_790_000_000 + 60)
    clock.advance(reset_at - clock.now)  # the oldest bucket expires
    assert portal.call("crm.contact.add", {"fields": {"NAME": "y"}}).status_code == 200


def test_crossing_call_finishes_and_batch_is_charged_per_nested_method(make_portal):
    portal = make_portal(item_cost_by_method={"crm.contact.add": 300.0}, operating_limit_s=1.0)
    out = portal.batch({f"c{i}": "crm.contact.add?fields[NAME]=n" for i in range(6)})
    # four calls bring the sum to 1.2 s (the 4th crosses and finishes); the rest are refused
    assert len(out["result"]) == 4
    assert {e["error"] for e in out["result_error"].values()} == {"OPERATION_TIME_LIMIT"}
    assert out["result_time"]["c3"]["operating"] == pytest.approx(1.2)
    outer = portal.call("batch", {"cmd": {"u": "user.current"}}).json()
    assert outer["time"]["operating"] == 0  # the outer batch call is not charged
    assert portal.app.stats()["operating"]["crm.contact.add"] == pytest.approx(1.2)


def test_item_cost_counts_rows_read(make_portal):
    portal = make_portal(item_cost_ms=10.0)
    for i in range(30):
        portal.result("crm.contact.add", {"fields": {"NAME": str(i)}})
    reply = portal.call("crm.contact.list").json()
    assert reply["time"]["operating"] == pytest.approx(0.3)
