"""The scheduler and the reply → outcome mapping, as pure logic over a ledger."""

from __future__ import annotations

import pytest

from loaders.batch import Command as ClientCommand
from loaders.batch import CommandResult
from loaders.errors import (
    AmbiguousWrite,
    PortalAuthError,
    PortalError,
    PortalFieldError,
    PortalOperationLimited,
    PortalUnavailable,
)
from mappings.entities import LOAD_ORDER
from migrate.ledger import UNDATED, NotSent, Op, PlannedRecord, Ref, Refused, Unknown, Written
from migrate.load import (
    Scheduler,
    error_text,
    outcomes_for_error,
    outcomes_for_result,
)

from .conftest import sample_plan


def everything(method: str, count: int) -> int:
    return count


def plan(ledger, records):
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, records)


def test_batch_deals_round_robin_across_ready_entities(ledger):
    plan(ledger, sample_plan(companies=40))
    pick = Scheduler(ledger).next_batch(everything)
    entities = [w.entity for w in pick.works]
    assert len(entities) == 41  # one section and 40 companies are ready
    assert entities[:2] == ["product_section", "company"]
    assert pick.waiting == frozenset()
    assert [w.key for w in pick.works][:2] == [
        "product_section.1",
        f"company.{pick.works[1].records[0].id}",
    ]


def test_each_method_is_capped_by_its_budget_and_the_rest_fill_the_batch(ledger):
    records = [PlannedRecord("company", f"c{i}", Op.CREATE, {"TITLE": "ООО"}) for i in range(30)]
    fields = {"NAME": "Болт", "CATALOG_ID": 25}
    records += [PlannedRecord("product", f"p{i}", Op.CREATE, fields) for i in range(30)]
    plan(ledger, records)
    budget = {"crm.company.add": 5}
    pick = Scheduler(ledger).next_batch(lambda m, n: min(n, budget.get(m, n)))
    methods = [w.command.method for w in pick.works]
    assert methods.count("crm.company.add") == 5
    assert methods.count("catalog.product.add") == 30
    assert pick.waiting == frozenset({"crm.company.add"})


def test_a_method_with_no_budget_at_all_is_reported_waiting(ledger):
    plan(ledger, [PlannedRecord("company", "c", Op.CREATE, {})])
    pick = Scheduler(ledger).next_batch(lambda m, n: 0)
    assert pick.works == ()
    assert pick.waiting == frozenset({"crm.company.add"})


def test_batch_size_limits_the_batch(ledger):
    plan(ledger, [PlannedRecord("company", f"c{i}", Op.CREATE, {}) for i in range(80)])
    assert len(Scheduler(ledger, batch_size=50).next_batch(everything).works) == 50


def test_busy_entities_are_left_out(ledger):
    plan(ledger, sample_plan(companies=2))
    pick = Scheduler(ledger).next_batch(everything, busy={"company"})
    assert {w.entity for w in pick.works} == {"product_section"}


def test_import_route_packs_creates_20_per_command_and_updates_alone(ledger):
    records = [
        PlannedRecord(
            "contact", f"c{i:02d}", Op.CREATE, {"NAME": "Иван"}, sort_key=f"2020-01-{i + 1:02d}"
        )
        for i in range(25)
    ]
    records.append(PlannedRecord("contact", "old", Op.UPDATE, {"NAME": "Пётр"}, b24_id=7))
    plan(ledger, records)
    pick = Scheduler(ledger, route="import").next_batch(everything)
    assert [(w.command.method, len(w.records)) for w in pick.works] == [
        ("crm.item.batchImport", 20),
        ("crm.item.batchImport", 5),
        ("crm.contact.update", 1),
    ]
    assert not pick.works[0].idempotent
    assert pick.works[2].idempotent


def test_import_route_refuses_only_the_record_whose_item_cannot_be_built(ledger):
    plan(
        ledger,
        [
            PlannedRecord(
                "contact", "good", Op.CREATE, {"NAME": "Иван", "DATE_CREATE": "2020-01-01"}
            ),
            PlannedRecord("contact", "bad", Op.CREATE, {"NAME": "Пётр", "DATE_CREATE": "вчера"}),
        ],
    )
    pick = Scheduler(ledger, route="import").next_batch(everything)
    assert [r.source_key for w in pick.works for r in w.records] == ["good"]
    (error,) = pick.unsendable.values()
    assert error.startswith("cannot build the command")


def test_unknown_entities_come_last_and_cannot_be_built(ledger):
    plan(
        ledger,
        [PlannedRecord("widget", "w", Op.CREATE, {}), PlannedRecord("company", "c", Op.CREATE, {})],
    )
    pick = Scheduler(ledger, route="import").next_batch(everything)
    assert [w.entity for w in pick.works] == ["company"]
    assert "unknown entity 'widget'" in next(iter(pick.unsendable.values()))
    assert "widget" not in LOAD_ORDER


def test_records_wait_for_their_references(ledger):
    plan(
        ledger,
        [
            PlannedRecord("company", "c", Op.CREATE, {}),
            PlannedRecord("contact", "p", Op.CREATE, {}, (Ref("COMPANY_ID", "company", "c"),)),
        ],
    )
    assert [w.entity for w in Scheduler(ledger).next_batch(everything).works] == ["company"]


def work_for(ledger, records, route="add"):
    plan(ledger, records)
    return Scheduler(ledger, route=route).next_batch(everything).works[0]


def result(work, status="ok", value=None, error=None):
    command = ClientCommand(work.key, work.command.method, work.command.params)
    return CommandResult(command, status, result=value, error=error)


def test_created_id_and_import_items_become_outcomes(ledger):
    work = work_for(ledger, [PlannedRecord("company", "c", Op.CREATE, {})])
    (record,) = work.records
    assert outcomes_for_result(work, result(work, value=15)) == [Written(record.id, 15)]
    assert outcomes_for_result(work, result(work, value={"x": 1})) == [
        Unknown(record.id, "crm.company.add: unexpected result {'x': 1} for create")
    ]
    assert outcomes_for_result(work, result(work, "skipped")) == [
        NotSent(record.id, "not run: the batch stopped before it")
    ]


def test_batch_import_items_are_written_or_refused_one_by_one(ledger):
    work = work_for(ledger, [PlannedRecord("deal", k, Op.CREATE, {}) for k in "ab"], "import")
    a, b = work.records
    reply = {
        "items": [
            {"item": {"id": 3}},
            {"error": "CRM_FIELD_ERROR_REQUIRED", "error_description": "Нет названия"},
        ]
    }
    assert outcomes_for_result(work, result(work, value=reply)) == [
        Written(a.id, 3),
        Refused(b.id, "CRM_FIELD_ERROR_REQUIRED: Нет названия"),
    ]
    assert outcomes_for_result(work, result(work, value={"items": []}))[0] == Unknown(
        a.id, "crm.item.batchImport: expected 2 items, got {'items': []}"
    )


def test_update_result_keeps_the_known_id(ledger):
    work = work_for(ledger, [PlannedRecord("company", "c", Op.UPDATE, {}, b24_id=4)])
    assert outcomes_for_result(work, result(work, value=True)) == [Written(work.records[0].id)]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            PortalOperationLimited(
                "Method is blocked due to operation time limit.", code="OPERATION_TIME_LIMIT"
            ),
            NotSent,
        ),
        (PortalAuthError("Invalid request credentials", code="INVALID_CREDENTIALS"), NotSent),
        (
            PortalFieldError("Max batch length exceeded", code="ERROR_BATCH_LENGTH_EXCEEDED"),
            NotSent,
        ),
        (AmbiguousWrite("HTTP 502"), Unknown),
        (PortalUnavailable("connection reset"), Unknown),
        (
            PortalFieldError(
                'The field "E-mail" contains an invalid address<br>', code="ERROR_CORE"
            ),
            Refused,
        ),
    ],
)
def test_errors_become_not_sent_unknown_or_refused(ledger, error, kind):
    work = work_for(ledger, [PlannedRecord("company", "c", Op.CREATE, {})])
    (outcome,) = outcomes_for_result(work, result(work, "error", error=error))
    assert isinstance(outcome, kind)
    assert outcomes_for_error([work], error) == [outcome]


def test_error_text_is_code_and_description_without_trailing_br():
    assert error_text(PortalFieldError("Bad<br>", code="ERROR_CORE")) == "ERROR_CORE: Bad"
    assert error_text(PortalFieldError("Not found", code="")) == "Not found"
    assert error_text(PortalError("", code="")) == "PortalError"


def test_an_update_that_appends_multi_field_values_is_not_idempotent(ledger):
    plan(
        ledger,
        [
            PlannedRecord(
                "company", "a", Op.UPDATE, {"PHONE": [["+74950000000", "WORK"]]}, b24_id=1
            ),
            PlannedRecord(
                "company",
                "b",
                Op.UPDATE,
                {"PHONE": [{"ID": 5, "VALUE": "+74950000001", "VALUE_TYPE": "WORK"}]},
                b24_id=2,
            ),
        ],
    )
    works = {w.records[0].source_key: w for w in Scheduler(ledger).next_batch(everything).works}
    assert not works["a"].idempotent
    assert works["b"].idempotent


def test_attachments_are_spread_over_batches_by_size(ledger, tmp_path, monkeypatch):
    """A batch carries a bounded amount of attachment bytes: records with files beyond it wait
    for the next batch, one larger than the bound goes alone, records without files fill in."""
    import hashlib

    import migrate.load._schedule as schedule

    monkeypatch.setattr(schedule, "BATCH_FILE_BYTES", 2000)

    def note(key: str, size: int) -> PlannedRecord:
        path = tmp_path / f"{key}.bin"
        path.write_bytes(b"x" * size)
        files = [{"path": str(path), "name": path.name, "size": size,
                  "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]  # fmt: skip
        return PlannedRecord("company", key, Op.CREATE, {"TITLE": key, "_UF_FILES": {
            "UF_CRM_DOCS": {"multiple": False, "files": files}}})  # fmt: skip

    plan(ledger, [note("a", 900), note("b", 900), note("c", 3000),
                  PlannedRecord("company", "plain", Op.CREATE, {"TITLE": "plain"})])  # fmt: skip
    picked: list[set[str]] = []
    for _ in range(3):
        works = Scheduler(ledger).next_batch(everything).works
        keys = {w.records[0].source_key for w in works}
        picked.append(keys)
        ledger.mark_sending(ledger.start_run("load").id, [r.id for w in works for r in w.records])
    # 900 bytes are 1,200 in base64: one per batch with the bound at 2,000; 3,000 goes alone
    assert picked == [{"a", "plain"}, {"b"}, {"c"}]
    assert Scheduler(ledger).next_batch(everything).works == ()


def _company(key: str, date: str | None = None) -> PlannedRecord:
    """A company create keeping ``date`` (sent with `IMPORT=Y`), or dated "now" by the portal."""
    fields: dict[str, object] = {"TITLE": f"ООО «{key}»"}
    if date is None:
        return PlannedRecord("company", key, Op.CREATE, fields, sort_key=UNDATED)
    fields["DATE_CREATE"] = f"{date}T10:00:00+03:00"
    return PlannedRecord("company", key, Op.CREATE, fields, sort_key=f"{date}T07:00:00+00:00")


def picked(ledger, batch_size: int = 50) -> list[str]:
    pick = Scheduler(ledger, batch_size=batch_size).next_batch(everything)
    return [r.source_key for w in pick.works for r in w.records]


def test_creates_dated_now_wait_until_every_kept_date_is_written(ledger):
    """A kept date older than a record of ours is refused by the portal: the undated create
    neither shares a batch with kept ones nor goes while one is in flight or comes back unsent
    (a kill or a command not run), whatever the batches' timing."""
    plan(ledger, [_company("k1", "2020-01-01"), _company("k2", "2020-01-02"), _company("now")])
    assert picked(ledger) == ["k1", "k2"]
    run = ledger.start_run("load")
    k1, k2 = ledger.get("company", "k1").id, ledger.get("company", "k2").id
    batch = ledger.mark_sending(run.id, [k1, k2])
    assert picked(ledger) == []  # in flight, or its reply lost to a kill -9
    ledger.apply_results(batch.id, [Written(k1, 11), NotSent(k2, "OPERATION_TIME_LIMIT")])
    assert picked(ledger) == ["k2"]
    batch = ledger.mark_sending(run.id, [k2])
    ledger.apply_results(batch.id, [Written(k2, 12)])
    assert picked(ledger) == ["now"]


def test_a_kept_date_that_can_never_be_sent_does_not_hold_back_the_rest(ledger):
    blocked = _company("k1", "2020-01-01")
    blocked = PlannedRecord(
        blocked.entity, blocked.source_key, blocked.op, blocked.fields,
        (Ref("LEAD_ID", "lead", "missing"),), sort_key=blocked.sort_key,
    )  # fmt: skip
    plan(ledger, [blocked, _company("now")])
    assert picked(ledger) == ["now"]


def test_a_sort_key_without_a_date_sent_is_no_kept_date(ledger):
    """The load's start check counts only the creates that send `DATE_CREATE`: a record the
    portal dates "now" cannot be refused for its date, whatever its ``sort_key``."""
    undated = PlannedRecord("company", "s", Op.CREATE, {"TITLE": "ООО"}, sort_key="2020-01-01")
    plan(ledger, [undated, _company("k", "2020-01-05"), _company("now")])
    assert ledger.earliest_kept_date("company") == "2020-01-05T07:00:00+00:00"
    assert ledger.earliest_kept_date("contact") is None
