"""The load side of the state machine: sending, results, reconciliation, retry, queries."""

from __future__ import annotations

import pytest

from migrate.errors import CheckpointError
from migrate.ledger import (
    Op,
    PlannedRecord,
    Ref,
    Refused,
    State,
    StateCount,
    Unknown,
    Written,
)


@pytest.fixture
def planned(ledger):
    """Two companies, a contact of company 1, a deal of both contacts' company and a contact."""
    run = ledger.start_run("plan")
    ledger.apply_plan(
        run.id,
        [
            PlannedRecord("company", "1", Op.CREATE, {"TITLE": "ООО Ромашка"}, sort_key="2021"),
            PlannedRecord("company", "2", Op.CREATE, {"TITLE": "ИП Петров"}, sort_key="2020"),
            PlannedRecord(
                "contact", "c1", Op.CREATE, {"NAME": "Иван"}, (Ref("COMPANY_ID", "company", "1"),)
            ),
            PlannedRecord(
                "deal",
                "d1",
                Op.CREATE,
                {"TITLE": "Поставка", "CONTACT_IDS": []},
                (Ref("COMPANY_ID", "company", "2"), Ref("CONTACT_IDS.0", "contact", "c1")),
            ),
        ],
    )
    return ledger.start_run("load")


def test_ready_orders_by_sort_key_and_waits_for_references(ledger, planned):
    assert [r.source_key for r in ledger.ready("company", 10)] == ["2", "1"]
    assert ledger.ready("contact", 10) == []
    assert ledger.ready("deal", 10) == []
    assert ledger.ready("company", 1)[0].source_key == "2"
    assert ledger.pending_entities() == ["company", "contact", "deal"]


def test_full_happy_path_resolves_references_in_dependency_order(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [r.id for r in companies])
    assert batch.size == 2
    assert all(r.state is State.SENDING for r in ledger.records("company"))
    ledger.apply_results(batch.id, [Written(companies[0].id, 12), Written(companies[1].id, 11)])
    contact = ledger.ready("contact", 10)[0]
    assert contact.resolved_fields() == {"NAME": "Иван", "COMPANY_ID": 11}
    assert ledger.ready("deal", 10) == []
    batch2 = ledger.mark_sending(planned.id, [contact.id])
    ledger.apply_results(batch2.id, [Written(contact.id, 31)])
    deal = ledger.ready("deal", 10)[0]
    assert deal.resolved_fields() == {"TITLE": "Поставка", "COMPANY_ID": 12, "CONTACT_IDS": [31]}
    assert ledger.b24_ids("company") == {"1": 11, "2": 12}
    finished = ledger.batch(batch.id)
    assert finished is not None
    assert finished.finished_at is not None
    assert {r.created_run_id for r in ledger.records("company")} == {planned.id}


def test_refused_record_is_failed_with_the_portal_text_and_blocks_its_dependents(ledger, planned):
    companies = {r.source_key: r for r in ledger.ready("company", 10)}
    batch = ledger.mark_sending(planned.id, [r.id for r in companies.values()])
    ledger.apply_results(
        batch.id,
        [Written(companies["1"].id, 11), Refused(companies["2"].id, "ERROR_CORE: Нет имени")],
    )
    failed = ledger.failed()
    assert [(r.source_key, r.last_error) for r in failed] == [("2", "ERROR_CORE: Нет имени")]
    assert [r.source_key for r in ledger.blocked()] == ["d1"]
    assert ledger.failed("contact") == []


def test_blocked_lists_references_to_records_missing_from_the_plan(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(
        run.id,
        [PlannedRecord("contact", "c", Op.CREATE, {}, (Ref("COMPANY_ID", "company", "nope"),))],
    )
    blocked = ledger.blocked()
    assert [r.source_key for r in blocked] == ["c"]
    assert blocked[0].ref_ids == (("COMPANY_ID", None),)


def test_unknown_outcome_and_missing_outcome_leave_records_sending(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [r.id for r in companies])
    ledger.apply_results(batch.id, [Unknown(companies[0].id, "timeout after 60 s")])
    sending = {r.id: r for r in ledger.sending()}
    assert set(sending) == {r.id for r in companies}
    assert sending[companies[0].id].last_error == "timeout after 60 s"
    assert {r.batch_id for r in sending.values()} == {batch.id}


def test_reconcile_found_is_done_with_the_sending_run_and_absent_is_planned(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [r.id for r in companies])
    later = ledger.start_run("load")
    ledger.reconcile({companies[0].id: 77, companies[1].id: None})
    found = ledger.records("company", State.DONE)
    assert [(r.id, r.b24_id, r.created_run_id) for r in found] == [
        (companies[0].id, 77, planned.id)
    ]
    again = ledger.ready("company", 10)
    assert [r.id for r in again] == [companies[1].id]
    assert again[0].batch_id is None
    assert again[0].attempts == 1
    batch2 = ledger.mark_sending(later.id, [again[0].id])
    assert ledger.get("company", again[0].source_key).attempts == 2
    assert batch2.id != batch.id


def test_reconcile_refuses_records_that_are_not_sending(ledger, planned):
    record = ledger.ready("company", 1)[0]
    with pytest.raises(CheckpointError, match="not `sending`"):
        ledger.reconcile({record.id: 5})
    with pytest.raises(CheckpointError, match="not `sending`"):
        ledger.reconcile({999: None})


def test_mark_sending_is_all_or_nothing(ledger, planned):
    companies = ledger.ready("company", 10)
    ledger.mark_sending(planned.id, [companies[0].id])
    with pytest.raises(CheckpointError, match="no longer `planned`"):
        ledger.mark_sending(planned.id, [companies[1].id, companies[0].id])
    assert ledger.get("company", companies[1].source_key).state is State.PLANNED
    with pytest.raises(CheckpointError, match="at least one"):
        ledger.mark_sending(planned.id, [])


def test_apply_results_checks_the_batch(ledger, planned):
    companies = ledger.ready("company", 10)
    first = ledger.mark_sending(planned.id, [companies[0].id])
    second = ledger.mark_sending(planned.id, [companies[1].id])
    with pytest.raises(CheckpointError, match="not `sending` in batch"):
        ledger.apply_results(first.id, [Written(companies[1].id, 1)])
    with pytest.raises(CheckpointError, match="not in the ledger"):
        ledger.apply_results(999, [])
    ledger.apply_results(second.id, [Written(companies[1].id, 1)])
    assert ledger.get("company", companies[1].source_key).state is State.DONE
    assert ledger.get("company", companies[0].source_key).state is State.SENDING


def test_written_without_id_keeps_the_known_id_and_not_the_creating_run(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, [PlannedRecord("company", "1", Op.UPDATE, {"T": 1}, b24_id=8)])
    record = ledger.ready("company", 1)[0]
    batch = ledger.mark_sending(run.id, [record.id])
    ledger.apply_results(batch.id, [Written(record.id)])
    done = ledger.get("company", "1")
    assert (done.state, done.b24_id, done.created_run_id) == (State.DONE, 8, None)


def test_retry_failed_requeues_all_or_some_entities(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [r.id for r in companies])
    ledger.apply_results(batch.id, [Refused(r.id, "нет доступа") for r in companies])
    assert ledger.retry_failed(["contact"]) == 0
    assert ledger.retry_failed(["company"]) == 2
    assert len(ledger.ready("company", 10)) == 2
    batch = ledger.mark_sending(planned.id, [companies[0].id])
    ledger.apply_results(batch.id, [Refused(companies[0].id, "снова")])
    assert ledger.retry_failed() == 1


def test_counts_per_entity_op_and_state(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [companies[0].id])
    ledger.apply_results(batch.id, [Written(companies[0].id, 5)])
    assert ledger.counts() == [
        StateCount("company", Op.CREATE, State.DONE, 1),
        StateCount("company", Op.CREATE, State.PLANNED, 1),
        StateCount("contact", Op.CREATE, State.PLANNED, 1),
        StateCount("deal", Op.CREATE, State.PLANNED, 1),
    ]


def test_created_in_run_lists_what_a_run_created_newest_first(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [r.id for r in companies])
    ledger.apply_results(batch.id, [Written(r.id, 10 + r.id) for r in companies])
    contact = ledger.ready("contact", 1)[0]
    other = ledger.start_run("load")
    batch = ledger.mark_sending(other.id, [contact.id])
    ledger.apply_results(batch.id, [Written(contact.id, 99)])
    assert [r.source_key for r in ledger.created_in_run(planned.id)] == ["2", "1"]
    assert [r.b24_id for r in ledger.created_in_run(other.id)] == [99]


def test_ready_handles_more_records_than_one_sql_chunk(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(
        run.id, [PlannedRecord("company", str(i), Op.CREATE, {}) for i in range(1200)]
    )
    ready = ledger.ready("company", 2000)
    assert len(ready) == 1200
    batch = ledger.mark_sending(run.id, [r.id for r in ready])
    assert batch.size == 1200
    assert len(ledger.sending()) == 1200


def test_not_sent_goes_back_to_planned_with_the_reason(ledger, planned):
    companies = ledger.ready("company", 10)
    batch = ledger.mark_sending(planned.id, [r.id for r in companies])
    from migrate.ledger import NotSent

    ledger.apply_results(batch.id, [NotSent(r.id, "OPERATION_TIME_LIMIT") for r in companies])
    again = ledger.ready("company", 10)
    assert [r.id for r in again] == [r.id for r in companies]
    assert {(r.batch_id, r.last_error) for r in again} == {(None, "OPERATION_TIME_LIMIT")}


def test_refuse_planned_fails_records_that_cannot_be_sent(ledger, planned):
    record = ledger.ready("company", 1)[0]
    ledger.refuse_planned({record.id: "OWNER_ID missing"})
    assert ledger.get("company", record.source_key).last_error == "OWNER_ID missing"
    with pytest.raises(CheckpointError, match="not `planned`"):
        ledger.refuse_planned({record.id: "again"})
    assert ledger.get("company", record.source_key).state is State.FAILED


def test_ready_follows_the_unresolved_counts_as_targets_get_ids(ledger):
    run = ledger.start_run("plan")
    ledger.apply_plan(
        run.id,
        [
            PlannedRecord("contact", "a", Op.CREATE, {}),
            PlannedRecord("contact", "b", Op.CREATE, {}),
            PlannedRecord(
                "deal",
                "d",
                Op.CREATE,
                {},
                (Ref("CONTACT_IDS.0", "contact", "a"), Ref("CONTACT_IDS.1", "contact", "b")),
            ),
        ],
    )
    a, b = ledger.ready("contact", 5)
    batch = ledger.mark_sending(run.id, [a.id, b.id])
    ledger.apply_results(batch.id, [Written(a.id, 1)])
    assert ledger.ready("deal", 5) == []
    ledger.reconcile({b.id: 2})
    assert [r.resolved_fields() for r in ledger.ready("deal", 5)] == [{"CONTACT_IDS": [1, 2]}]
    ledger.recount_unresolved()
    assert len(ledger.ready("deal", 5)) == 1


def test_replan_of_an_unchanged_planned_record_writes_nothing(ledger):
    run = ledger.start_run("plan")
    record = PlannedRecord("company", "1", Op.CREATE, {"TITLE": "ООО"})
    ledger.apply_plan(run.id, [record])
    assert ledger.apply_plan(run.id, [record]).get("company", "unchanged") == 1
