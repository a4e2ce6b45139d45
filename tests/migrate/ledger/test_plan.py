"""`apply_plan`: first plans, re-plans as deltas, skips, and refusals."""

from __future__ import annotations

import pytest

from migrate.errors import CheckpointError
from migrate.ledger import Op, PlannedRecord, Ref, Refused, State, Written


def company(key: str, title: str = "ООО Ромашка", **kwargs) -> PlannedRecord:
    return PlannedRecord("company", key, Op.CREATE, {"TITLE": title}, **kwargs)


def load_all(ledger, run_id: int, entity: str = "company") -> None:
    """Pretend the portal wrote every ready record of ``entity`` with id 100 + record id."""
    ready = ledger.ready(entity, 1000)
    batch = ledger.mark_sending(run_id, [r.id for r in ready])
    ledger.apply_results(batch.id, [Written(r.id, r.b24_id or 100 + r.id) for r in ready])


def test_first_plan_inserts_planned_records(ledger):
    run = ledger.start_run("plan")
    summary = ledger.apply_plan(run.id, [company("1"), company("2")])
    assert summary.get("company", "new") == 2
    record = ledger.get("company", "1")
    assert record is not None
    assert (record.op, record.state, record.b24_id, record.attempts) == (
        Op.CREATE,
        State.PLANNED,
        None,
        0,
    )
    assert record.fields == {"TITLE": "ООО Ромашка"}


def test_replan_of_unchanged_done_record_sends_nothing(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [company("1")])
    load_all(ledger, run.id)
    summary = ledger.apply_plan(ledger.start_run("plan").id, [company("1")])
    assert summary.get("company", "unchanged") == 1
    assert ledger.get("company", "1").state is State.DONE
    assert ledger.ready("company", 10) == []


def test_replan_of_changed_done_record_becomes_an_update_with_its_id(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [company("1"), company("2")])
    load_all(ledger, run.id)
    before = ledger.get("company", "1")
    summary = ledger.apply_plan(
        ledger.start_run("plan").id, [company("1", "ООО Ромашка-2"), company("2")]
    )
    assert summary.get("company", "changed") == 1
    assert summary.get("company", "unchanged") == 1
    after = ledger.get("company", "1")
    assert (after.op, after.state, after.b24_id) == (Op.UPDATE, State.PLANNED, before.b24_id)
    assert after.created_run_id == before.created_run_id
    assert [r.source_key for r in ledger.ready("company", 10)] == ["1"]


def test_replan_of_a_done_set_record_stays_a_set(ledger):
    run = ledger.start_run("plan")
    rows = PlannedRecord("deal_products", "D1", Op.SET, {"rows": [{"PRICE": "1"}]})
    ledger.apply_plan(run.id, [rows])
    ready = ledger.ready("deal_products", 5)
    batch = ledger.mark_sending(run.id, [ready[0].id])
    ledger.apply_results(batch.id, [Written(ready[0].id)])
    assert ledger.get("deal_products", "D1").state is State.DONE
    changed = PlannedRecord("deal_products", "D1", Op.SET, {"rows": [{"PRICE": "2"}]})
    ledger.apply_plan(run.id, [changed])
    record = ledger.get("deal_products", "D1")
    assert (record.op, record.state, record.b24_id) == (Op.SET, State.PLANNED, None)


def test_replan_leaves_sending_records_for_reconciliation(ledger):
    run = ledger.start_run("load")
    ledger.apply_plan(run.id, [company("1")])
    record = ledger.get("company", "1")
    ledger.mark_sending(run.id, [record.id])
    summary = ledger.apply_plan(run.id, [company("1", "другое")])
    assert summary.get("company", "in_flight") == 1
    after = ledger.get("company", "1")
    assert after.state is State.SENDING
    assert after.fields == {"TITLE": "ООО Ромашка"}


def test_failed_record_is_requeued_only_when_its_content_changed(ledger):
    run = ledger.start_run("load")
    ledger.apply_plan(run.id, [company("1")])
    record = ledger.get("company", "1")
    batch = ledger.mark_sending(run.id, [record.id])
    from migrate.ledger import Refused

    ledger.apply_results(batch.id, [Refused(record.id, "ERROR_CORE: bad")])
    same = ledger.apply_plan(run.id, [company("1")])
    assert same.get("company", "still_failed") == 1
    assert ledger.get("company", "1").state is State.FAILED
    changed = ledger.apply_plan(run.id, [company("1", "ООО Исправлено")])
    assert changed.get("company", "replanned") == 1
    after = ledger.get("company", "1")
    assert (after.state, after.batch_id) == (State.PLANNED, None)
    assert after.last_error == "ERROR_CORE: bad"  # why it failed, for `retry` to show
    assert [r.source_key for r in ledger.requeued_failures()] == ["1"]
    assert after.attempts == 1


def test_planned_record_takes_new_content_and_refs(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [company("P"), company("1", refs=(Ref("PARENT", "company", "P"),))])
    ledger.apply_plan(run.id, [company("1", "Новое")])
    record = ledger.get("company", "1")
    assert record.fields == {"TITLE": "Новое"}
    assert record.ref_ids == ()


def test_existing_portal_record_with_create_op_is_planned_as_update(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [company("1", b24_id=501)])
    record = ledger.get("company", "1")
    assert (record.op, record.b24_id, record.state) == (Op.UPDATE, 501, State.PLANNED)


def test_skip_is_done_at_plan_time_and_its_id_resolves_references(ledger):
    run = ledger.start_run("plan")
    skip = PlannedRecord("company", "1", Op.SKIP, {"TITLE": "Т"}, b24_id=501)
    contact = PlannedRecord(
        "contact", "c1", Op.CREATE, {"NAME": "Иван"}, (Ref("COMPANY_ID", "company", "1"),)
    )
    ledger.apply_plan(run.id, [skip, contact])
    assert ledger.get("company", "1").state is State.DONE
    ready = ledger.ready("contact", 5)
    assert ready[0].resolved_fields() == {"NAME": "Иван", "COMPANY_ID": 501}
    again = ledger.apply_plan(run.id, [skip])
    assert again.get("company", "unchanged") == 1


def test_skip_switched_to_update_is_planned_even_with_same_content(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [PlannedRecord("company", "1", Op.SKIP, {"T": 1}, b24_id=5)])
    summary = ledger.apply_plan(
        run.id, [PlannedRecord("company", "1", Op.UPDATE, {"T": 1}, b24_id=5)]
    )
    assert summary.get("company", "changed") == 1
    record = ledger.get("company", "1")
    assert (record.op, record.state) == (Op.UPDATE, State.PLANNED)


def test_planned_record_switched_to_skip_is_done(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [company("1")])
    ledger.apply_plan(run.id, [PlannedRecord("company", "1", Op.SKIP, {"TITLE": "x"}, b24_id=9)])
    record = ledger.get("company", "1")
    assert (record.op, record.state, record.b24_id) == (Op.SKIP, State.DONE, 9)


@pytest.mark.parametrize("op", [Op.UPDATE, Op.SKIP])
def test_update_or_skip_without_portal_id_is_refused(ledger, op):
    run = ledger.start_run("plan")
    with pytest.raises(CheckpointError, match="needs the portal id"):
        ledger.apply_plan(run.id, [PlannedRecord("company", "1", op, {})])
    assert ledger.records() == []


def test_duplicate_key_in_one_plan_is_refused_and_nothing_is_written(ledger):
    run = ledger.start_run("plan")
    with pytest.raises(CheckpointError, match="twice"):
        ledger.apply_plan(run.id, [company("1"), company("2"), company("1")])
    assert ledger.records() == []


def test_withdraw_absent_drops_planned_and_failed_records_only(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [company("1"), company("2"), company("3"), company("4")])
    ready = {r.source_key: r for r in ledger.ready("company", 10)}
    batch = ledger.mark_sending(run.id, [ready["1"].id, ready["2"].id, ready["3"].id])
    ledger.apply_results(batch.id, [Written(ready["1"].id, 101), Refused(ready["2"].id, "bad")])
    # 1 done, 2 failed, 3 sending, 4 planned; the new plan holds none of them
    assert ledger.withdraw_absent([]) == 2
    assert {r.source_key: r.state for r in ledger.records("company")} == {
        "1": State.DONE,
        "3": State.SENDING,
    }
    assert ledger.withdraw_absent([("company", "1"), ("company", "3")]) == 0


def test_meta_settings_are_stored_and_removed(ledger):
    assert ledger.meta("plan.skip_refused_run") is None
    ledger.set_meta("plan.skip_refused_run", "7")
    assert ledger.meta("plan.skip_refused_run") == "7"
    ledger.set_meta("plan.skip_refused_run", None)
    assert ledger.meta("plan.skip_refused_run") is None
    assert ledger.meta("originator") == "amo-2026"
