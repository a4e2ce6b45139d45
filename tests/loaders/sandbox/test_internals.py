"""The limit counters and the store on their own (no HTTP)."""

from __future__ import annotations

import pytest

from loaders.sandbox._limits import LeakyBucket, OperatingBudget
from loaders.sandbox._store import Store


def test_leaky_bucket_drains_at_its_rate():
    bucket = LeakyBucket(size=3, rate=2.0)
    assert [bucket.admit(100.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.admit(100.5)  # 0.5 s drained one request
    assert not bucket.admit(100.5)


def test_operating_budget_buckets_expire_one_by_one():
    budget = OperatingBudget(limit=10.0, window=600.0)
    key = ("hook", "crm.contact.add")
    budget.charge(key, 0.0, 4.0)
    budget.charge(key, 30.0, 4.0)  # same one-minute bucket
    budget.charge(key, 120.0, 4.0)  # a new bucket
    assert budget.state(key, 130.0) == (12.0, 600)
    assert not budget.allowed(key, 130.0)
    assert budget.allowed(key, 600.0)  # the first bucket (8 s) expired
    assert budget.state(key, 600.0) == (4.0, 720)
    assert budget.state(("hook", "other"), 600.0) == (0.0, 1200)


def test_store_transaction_rolls_back_memory_and_disk(tmp_path):
    store = Store(tmp_path)
    with store.transaction():
        store.insert("contact", {"NAME": "kept"})

    def failing_request() -> None:
        with store.transaction():
            store.insert("contact", {"NAME": "lost"})
            store.delete("contact", 1)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_request()
    assert store.table("contact") == {1: {"NAME": "kept", "ID": 1}}
    with store.transaction():
        assert store.insert("contact", {"NAME": "next"}) == 2  # the sequence rolled back too
    store.close()
    reopened = Store(tmp_path)
    assert [r["NAME"] for r in reopened.table("contact").values()] == ["kept", "next"]
    reopened.close()


def test_injected_refusals_are_counted_as_faults_not_errors(make_portal):
    from loaders.sandbox import parse_faults

    portal = make_portal(faults=parse_faults("503=1"))
    portal.call("user.current")
    stats = portal.app.stats()
    assert stats["faults"] == {"503": 1}
    assert stats["refusals"]["QUERY_LIMIT_EXCEEDED"] == 0


def test_item_list_offset_and_user_sort(portal):
    for i in range(55):
        portal.result("crm.item.add", {"entityTypeId": 3, "fields": {"name": str(i)}})
    page = portal.call("crm.item.list", {"entityTypeId": 3, "select": ["id"], "start": 7}).json()
    assert page["result"]["items"][0]["id"] == 8
    assert page["total"] == 55
    users = portal.result("user.get", {"sort": "ID", "order": "DESC"})
    assert [u["ID"] for u in users] == [str(i) for i in range(15, 0, -1)]


def test_v3_and_unknown_routes(portal):
    assert portal.request("POST", "/rest/api/1/sandbox/crm.contact.list").status_code == 404
    assert portal.request("GET", "/elsewhere").status_code == 404
    assert portal.call("crm.status.entity.items").status_code == 400
