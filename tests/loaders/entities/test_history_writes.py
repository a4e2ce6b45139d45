"""Builders for history: activities with a communication and files, tasks bound through
UF_CRM_TASK and found again by XML_ID or the tag in their description."""

from __future__ import annotations

import pytest

from loaders.entities import (
    FILE_DATA,
    WriteRequest,
    build_task_lookup,
    build_write,
    parse_lookup,
    parse_write_result,
)

ORIG = "amo-2026"
FILES = [["scan.pdf", "JVBERi0="], ["kp.txt", "a3A="]]


def _activity(op: str = "create", **extra) -> WriteRequest:
    fields = {"OWNER_TYPE_ID": 3, "OWNER_ID": 31, "TYPE_ID": 2, "SUBJECT": "Звонок",
              "_COMM": "+79001234567", FILE_DATA: FILES, **extra}  # fmt: skip
    return WriteRequest("activity", op, "a1", fields, None if op == "create" else 77)  # type: ignore[arg-type]


def test_activity_create_carries_communication_origin_and_files():
    command = build_write(_activity(), ORIG)
    fields = command.params["fields"]
    assert command.method == "crm.activity.add"
    assert fields["COMMUNICATIONS"] == [{"VALUE": "+79001234567", "ENTITY_ID": 31,
                                         "ENTITY_TYPE_ID": 3}]  # fmt: skip
    assert fields["FILES"] == [{"fileData": pair} for pair in FILES]
    assert (fields["ORIGINATOR_ID"], fields["ORIGIN_ID"]) == (ORIG, "a1")
    assert not any(name.startswith("_") for name in fields)


def test_activity_update_never_sends_files_again():
    command = build_write(_activity("update"), ORIG)
    assert command.method == "crm.activity.update"
    assert "FILES" not in command.params["fields"]
    assert "COMMUNICATIONS" not in command.params["fields"]


def test_comment_create_sends_files_as_name_base64_pairs_and_update_does_not():
    fields = {"ENTITY_TYPE": "deal", "ENTITY_ID": 5, "COMMENT": "Скан", FILE_DATA: FILES}
    create = build_write(WriteRequest("comment", "create", "n1", fields), ORIG)
    update = build_write(WriteRequest("comment", "update", "n1", fields, 9), ORIG)
    assert create.params["fields"]["FILES"] == FILES
    assert "FILES" not in update.params["fields"]


def test_task_create_binds_the_owner_and_marks_the_task():
    fields = {"TITLE": "Счёт", "RESPONSIBLE_ID": 1, "STATUS": 5, "OWNER_TYPE": "company",
              "OWNER_ID": 12, "DEADLINE": "2021-04-01T18:00:00+03:00",
              "_DATE": "2021-03-20T09:00:00+03:00", "_AUTHOR": "Анна"}  # fmt: skip
    command = build_write(WriteRequest("task", "create", "t1", fields), ORIG)
    sent = command.params["fields"]
    assert command.method == "tasks.task.add"
    assert (sent["UF_CRM_TASK"], sent["XML_ID"]) == (["CO_12"], f"{ORIG}/t1")
    assert sent["DESCRIPTION"].splitlines() == ["[i]20.03.2021 09:00 · Анна[/i]",
                                                f"b24migrate: {ORIG}/t1"]  # fmt: skip
    assert not {"OWNER_TYPE", "OWNER_ID"} & set(sent)
    update = build_write(WriteRequest("task", "update", "t1", fields, 40), ORIG)
    assert (update.method, update.params["taskId"]) == ("tasks.task.update", 40)
    assert "UF_CRM_TASK" not in update.params["fields"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ({"task": {"id": "3711", "title": "t"}}, 3711),
        ({"task": {"id": 12}}, 12),
    ],
)
def test_task_add_result_is_the_wrapped_id(reply, expected):
    assert parse_write_result("tasks.task.add", "create", reply) == expected


def test_task_update_result_is_no_new_id():
    assert parse_write_result("tasks.task.update", "update", {"task": {"id": "5"}}) is None


def test_task_lookup_lists_the_owner_binding_and_matches_xml_id_or_tag():
    command = build_task_lookup("deal", 5)
    assert command.params["filter"] == {"UF_CRM_TASK": "D_5"}
    rows = {"tasks": [
        {"id": "1", "xmlId": f"{ORIG}/t1", "description": ""},
        {"id": "2", "xmlId": None, "description": f"text\nb24migrate: {ORIG}/t2"},
        {"id": "3", "xmlId": "other-migration/t1", "description": "b24migrate: other/t1"},
        {"id": "4", "xmlId": f"{ORIG}/t1", "description": ""},
    ]}  # fmt: skip
    assert parse_lookup("task", ORIG, rows) == {"t1": [1, 4], "t2": [2]}
