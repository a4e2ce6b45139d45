"""Authors of history and records with no owner go through the owner mapping (issue 12).

* a note's author becomes the comment's ``AUTHOR_ID`` (crm-timeline-comment-add.md lists it);
  the name stays in the text only when the portal cannot show that person (defaulted, unknown);
* an activity's author cannot be set (crm-activity-fields.md: ``AUTHOR_ID`` read-only): the
  name goes in the text, the author is still counted in owners.xlsx;
* a task's creator is ``CREATED_BY`` (set on the add), an unknown one never refuses the task;
* a record with no owner gets the client's «(не указан)» choice or the default owner, else
  the webhook's user — counted, never refused.
"""

from __future__ import annotations

import pandas as pd

from migrate.plan import OwnerChoice, OwnerResolver, plan_table
from tests.migrate.plan.test_records import INDEX, META


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"_source": "notes.csv", "_sheet": ""}
    return pd.DataFrame([{**base, "_row": i + 2, **row} for i, row in enumerate(rows)])


def planned(entity, rows, owners):
    result = plan_table(entity, frame(rows), meta=META, owners=owners, index=INDEX)
    return {r.source_key: r.fields for r in result.records}, result.issues


NOTE = {"ENTITY_TYPE": "deal", "ENTITY_ID": "d1", "COMMENT": "Перезвонить",
        "CREATED": "2021-03-12T14:05:00+03:00"}  # fmt: skip


def test_a_note_author_found_on_the_portal_writes_the_comment():
    rows = [{"_key": "n1", **NOTE, "AUTHOR_ID": "i.petrov@portal.ru"},
            {"_key": "n2", **NOTE, "AUTHOR_ID": "Петров Иван"}]  # fmt: skip
    records, issues = planned("note", rows, OwnerResolver(META.users))
    for key in ("n1", "n2"):
        assert records[key]["AUTHOR_ID"] == 2
        assert "_AUTHOR" not in records[key]  # the portal shows the person: no name in the text
        assert records[key]["_DATE"] == NOTE["CREATED"]  # the date cannot be set: in the text
    assert issues == ()


def test_an_unknown_note_author_never_refuses_the_note():
    rows = [{"_key": "n1", **NOTE, "AUTHOR_ID": "Уволенный Давно"}]
    records, issues = planned("note", rows, OwnerResolver(META.users))  # no default owner
    assert "AUTHOR_ID" not in records["n1"]  # the webhook's user writes it …
    assert records["n1"]["_AUTHOR"] == "Уволенный Давно"  # … and the text names the author
    assert [(i.rule, i.severity, i.field) for i in issues] == [
        ("owner.no_default", "warning", "AUTHOR_ID")
    ]
    records, _ = planned("note", rows, OwnerResolver(META.users, default_owner=1))
    assert (records["n1"]["AUTHOR_ID"], records["n1"]["_AUTHOR"]) == (1, "Уволенный Давно")


def test_an_activity_author_goes_into_the_text_and_the_responsible_is_mapped():
    row = {"_key": "a1", "ENTITY_TYPE": "deal", "ENTITY_ID": "d1", "TYPE": "call_in",
           "START_TIME": "2021-03-12T14:05:00+03:00", "RESPONSIBLE_ID": "Петров Иван",
           "AUTHOR_ID": "i.petrov@portal.ru"}  # fmt: skip
    records, issues = planned("activity", [row], OwnerResolver(META.users))
    assert records["a1"]["RESPONSIBLE_ID"] == 2
    assert records["a1"]["_AUTHOR"] == "i.petrov@portal.ru"  # AUTHOR_ID is read-only
    assert "AUTHOR_ID" not in records["a1"]
    assert issues == ()


def test_a_task_creator_is_created_by_and_an_unknown_one_is_named_in_the_text():
    base = {"ENTITY_TYPE": "deal", "ENTITY_ID": "d1", "TITLE": "Позвонить",
            "RESPONSIBLE_ID": "Петров Иван"}  # fmt: skip
    rows = [{"_key": "t1", **base, "CREATED_BY": "i.petrov@portal.ru"},
            {"_key": "t2", **base, "CREATED_BY": "Кто-то Другой"}]  # fmt: skip
    records, issues = planned("task", rows, OwnerResolver(META.users))
    assert (records["t1"]["CREATED_BY"], records["t1"].get("_AUTHOR")) == (2, None)
    assert "CREATED_BY" not in records["t2"]  # not refused: the webhook's user creates it
    assert records["t2"]["_AUTHOR"] == "Кто-то Другой"
    assert [(i.source_key, i.rule, i.severity) for i in issues] == [
        ("t2", "owner.no_default", "warning")
    ]


def test_records_without_an_owner_get_the_default_owner_or_the_clients_choice():
    rows = [{"_key": "co1", "TITLE": "Ромашка"}, {"_key": "co2", "TITLE": "Лютик",
            "ASSIGNED_BY_ID": "Петров Иван"}]  # fmt: skip
    records, issues = planned("company", rows, OwnerResolver(META.users, default_owner=1))
    assert (records["co1"]["ASSIGNED_BY_ID"], records["co1"]["_NO_OWNER"]) == (1, True)
    assert (records["co2"]["ASSIGNED_BY_ID"], records["co2"].get("_NO_OWNER")) == (2, None)
    assert issues == ()  # listed in owners.xlsx with a count, not row by row
    chosen = OwnerResolver(META.users, default_owner=1,
                           choices={"": OwnerChoice("", "i.petrov@portal.ru")})  # fmt: skip
    records, _ = planned("company", rows[:1], chosen)
    assert records["co1"]["ASSIGNED_BY_ID"] == 2
    records, issues = planned("company", rows[:1], OwnerResolver(META.users))
    assert "ASSIGNED_BY_ID" not in records["co1"]  # the webhook's user, as the portal does
    assert issues == ()
    assert OwnerResolver(META.users).resolve("").rule == "owner.webhook"


def test_a_note_that_points_nowhere_names_the_record_it_pointed_at():
    rows = [{"_key": "n1", **NOTE, "ENTITY_ID": "d404"},
            {"_key": "n2", **NOTE, "ENTITY_ID": None}]  # fmt: skip
    records, issues = planned("note", rows, OwnerResolver(META.users))
    assert records == {}
    found = {i.source_key: (i.rule, i.message, i.value) for i in issues}
    assert found["n1"] == (
        "note.owner",
        "заметка относится к записи «Сделка d404», которой нет в загрузке",
        "d404",
    )
    assert found["n2"][0] == "note.owner_empty"
    assert "None" not in found["n2"][1]
    assert "«" not in found["n2"][1]
