"""`bench.limits`: the bounds are the portal's, refused requests never move them, 3 decimals."""

from __future__ import annotations

import pytest

from bench.limits import Bound, bucket_bound, operating_bound, ratio_text
from loaders.sandbox import SandboxConfig, create_app
from tests.loaders.sandbox.conftest import FakeClock, Portal


@pytest.fixture
def portal_at():
    apps = []

    def make(clock: FakeClock, **settings) -> Portal:
        apps.append(create_app(SandboxConfig(clock=clock, **settings)))
        return Portal(apps[-1])

    yield make
    for app in apps:
        app.close()


def test_requests_the_bucket_refused_neither_shrink_nor_grow_the_bound(portal_at):
    clock = FakeClock()
    portal = portal_at(clock, plan="standard")
    codes = [portal.call("user.current").status_code for _ in range(60)]
    assert (codes.count(200), codes.count(503)) == (50, 10)
    clock.advance(5.0)  # drains 10
    assert {portal.call("user.current").status_code for _ in range(10)} == {200}
    bound = bucket_bound(portal.app.stats())
    # 60 admitted: (60 - 50) / 2 s. Built from the 70 requests sent, it would be 10 s.
    assert (bound.seconds, bound.refused_503, bound.refused_429) == (5.0, 10, 0)
    assert bound.basis == "60 admitted requests, bucket 50 draining 2/s (standard)"


def test_requests_admitted_before_the_timed_work_are_left_out(portal_at):
    portal = portal_at(FakeClock(), plan="enterprise")
    for _ in range(260):
        portal.call("user.current")
    assert bucket_bound(portal.app.stats()).seconds == (250 - 250) / 5
    assert bucket_bound(portal.app.stats(), admitted_before=-10).seconds == 10 / 5


def test_the_operating_bound_counts_the_commands_the_portal_ran(portal_at):
    """A window lets 5 commands of 0.2 s through a 1 s budget (the crossing one runs)."""
    clock = FakeClock()
    portal = portal_at(clock, operating_limit_s=1.0, operating_window_s=60.0, plan="unlimited",
                       item_cost_by_method={"crm.item.batchimport": 100.0})  # fmt: skip
    data = [{"title": "a"}, {"title": "b"}]
    command = f"crm.item.batchImport?entityTypeId=2&data[0][title]={data[0]['title']}" \
        f"&data[1][title]={data[1]['title']}"  # fmt: skip
    first = portal.batch({f"c{i}": command for i in range(7)})
    assert (len(first["result"]), len(first["result_error"])) == (5, 2)
    bound = operating_bound(portal.app.stats(), "crm.item.batchImport", items_per_command=2)
    assert (bound.seconds, bound.refused_429) == (0.0, 2)
    clock.advance(60.0)
    assert len(portal.batch({f"c{i}": command for i in range(2)})["result"]) == 2
    bound = operating_bound(portal.app.stats(), "crm.item.batchImport", items_per_command=2)
    assert (bound.seconds, bound.refused_429) == (60.0, 2)  # 7 commands: 2 windows


def test_the_ratio_is_achieved_over_bound_with_three_decimals():
    bound = Bound(25.0, "100 admitted requests", refused_503=3, refused_429=0)
    assert ratio_text(26.35, bound) == (
        "ratio=1.054 achieved=26.350s bound=25.000s 503=3 429=0 (100 admitted requests)"
    )
    assert Bound(0.0, "", 0, 0).ratio(3.0) is None
