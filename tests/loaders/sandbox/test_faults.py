"""Injected faults: refusals before execution, replies lost after the commit, crash, expiry."""

from __future__ import annotations

import pytest

from loaders.sandbox import FaultSpec, OAuthConfig, parse_faults


def _add(portal):
    return portal.call("crm.contact.add", {"fields": {"NAME": "x"}})


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("503", 503, "QUERY_LIMIT_EXCEEDED"), ("500", 500, "INTERNAL_SERVER_ERROR")],
)
def test_refusals_before_execution_write_nothing(make_portal, kind, status, code):
    portal = make_portal(faults=parse_faults(f"{kind}=1"))
    reply = _add(portal)
    assert (reply.status_code, reply.json()["error"]) == (status, code)
    assert portal.app.store.count("contact") == 0
    assert portal.app.stats()["faults"] == {kind: 1}


def test_drop_commits_then_answers_like_a_proxy(make_portal):
    portal = make_portal(faults=parse_faults("drop=1"))
    reply = _add(portal)
    assert reply.status_code == 502
    assert reply.headers["content-type"].startswith("text/html")
    assert portal.app.store.count("contact") == 1


def test_timeout_commits_and_answers_late(make_portal):
    portal = make_portal(faults=FaultSpec({"timeout": 1.0}, timeout_delay_s=0.05))
    reply = _add(portal)
    assert reply.status_code == 504
    assert "Gateway" in reply.text
    assert portal.app.store.count("contact") == 1


def test_expire_needs_a_refresh(make_portal):
    portal = make_portal(oauth=OAuthConfig(), token="t0", faults=parse_faults("expire=1"))
    reply = portal.request("POST", "/rest/user.current?auth=t0")
    assert (reply.status_code, reply.json()["error"]) == (401, "expired_token")
    assert portal.request("POST", "/rest/user.current?auth=t0").json()["error"] == "expired_token"


def test_crash_after_n_then_down_until_restart(make_portal, tmp_path):
    portal = make_portal(data_dir=tmp_path, faults=FaultSpec(crash_after=3))
    assert [_add(portal).status_code for _ in range(4)] == [200, 200, 502, 502]
    assert (
        portal.app.store.count("contact") == 3
    )  # the crashing call committed, the 4th did not run
    portal.app.close()
    again = make_portal(data_dir=tmp_path)
    assert again.app.store.count("contact") == 3
    assert _add(again).json()["result"] == 4


def test_seeded_faults_are_reproducible(make_portal):
    def run(seed):
        portal = make_portal(faults=parse_faults("503=0.3,500=0.2"), seed=seed)
        return [_add(portal).status_code for _ in range(30)]

    assert run(1) == run(1)
    assert run(1) != run(2)
    assert {500, 503, 200} == set(run(1))


def test_parse_faults_rejects_nonsense():
    with pytest.raises(ValueError, match="unknown fault"):
        parse_faults("boom=0.1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_faults("503=2")
    assert parse_faults("503=0.05, crash_after=10").crash_after == 10
