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


def test_stats_count_the_admitted_requests_and_show_the_limits(make_portal):
    """What a benchmark's bound is built from: refused requests are not admitted ones."""
    costs = {"crm.contact.add": 600.0}
    portal = make_portal(plan="standard", item_cost_ms=0.0, item_cost_by_method=costs,
                         operating_limit_s=1.0)  # fmt: skip
    assert portal.call("crm.contact.add", {"fields": {"NAME": "a"}}).status_code == 200
    assert portal.call("crm.contact.add", {"fields": {"NAME": "b"}}).status_code == 200
    assert portal.call("crm.contact.add", {"fields": {"NAME": "c"}}).status_code == 429
    assert portal.call("crm.contact.update", {"id": 999, "fields": {}}).status_code == 400
    assert portal.batch({"n": "crm.contact.add?fields[NAME]=d"})["result_error"]
    codes = [portal.call("user.current").status_code for _ in range(50)]
    assert codes.count(200) == 45  # the bucket holds 50: the 5 requests above took 5
    stats = portal.app.stats()
    # admitted: 2 adds, the field error (executed), the batch, 45 × user.current;
    # refused: the 429 and five 503s
    assert stats["admitted"] == 2 + 1 + 1 + 45
    assert stats["requests"] == stats["admitted"] + 1 + 5
    assert stats["refusals"]["OPERATION_TIME_LIMIT"] == 2  # the call's and the batch command's
    assert stats["limits"] == {
        "plan": "standard", "bucket_size": 50, "drain_per_s": 2.0, "operating_limit_s": 1.0,
        "operating_window_s": 600.0, "item_cost_ms": 0.0, "item_cost_by_method": costs,
    }  # fmt: skip
