"""The sandbox's tasks (tasks.task.*) and files attached as base64 to comments and activities,
checked against the documented replies (sources in the modules' docstrings)."""

from __future__ import annotations

import base64
import hashlib

import pytest

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 3


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _owner(deal: int) -> dict:
    return {"ENTITY_ID": deal, "ENTITY_TYPE": "deal"}


def _deal(portal) -> int:
    return portal.result("crm.deal.add", {"fields": {"TITLE": "Поставка"}})


def test_task_add_answers_the_task_in_lower_camel_strings(portal):
    deal = _deal(portal)
    fields = {"TITLE": "Выставить счёт", "RESPONSIBLE_ID": 1, "STATUS": 5,
              "DEADLINE": "2021-04-01T18:00:00+03:00", "UF_CRM_TASK": [f"D_{deal}"],
              "XML_ID": "amo/t1"}  # fmt: skip
    task = portal.result("tasks.task.add", {"fields": fields})["task"]
    assert (task["id"], task["title"], task["status"], task["responsibleId"]) == (
        "1", "Выставить счёт", "5", "1")  # fmt: skip
    assert (task["deadline"], task["xmlId"]) == ("2021-04-01T18:00:00+03:00", "amo/t1")
    assert "ufCrmTask" not in task  # only when selected (fields.md)
    got = portal.result("tasks.task.get", {"taskId": 1, "select": ["ID", "UF_CRM_TASK"]})
    assert got["task"]["ufCrmTask"] == [f"D_{deal}"]


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"RESPONSIBLE_ID": 1}, "Task title not specified<br>"),
        ({"TITLE": "x"}, "Assignee not specified<br>"),
        ({"TITLE": "x", "RESPONSIBLE_ID": 999}, 'User specified in the "Assignee" field not '
         "found<br>"),
        ({"TITLE": "x", "RESPONSIBLE_ID": 1, "STATUS": 9}, "Invalid status<br>"),
    ],
)  # fmt: skip
def test_task_add_refuses_as_the_docs_list(portal, fields, text):
    reply = portal.call("tasks.task.add", {"fields": fields})
    assert (reply.status_code, reply.json()) == (
        400, {"error": "ERROR_CORE", "error_description": text})  # fmt: skip


def test_task_list_filters_by_crm_binding_and_delete_answers_task_true(portal):
    deal, other = _deal(portal), _deal(portal)
    for owner in (deal, other, deal):
        portal.result("tasks.task.add", {"fields": {"TITLE": "t", "RESPONSIBLE_ID": 1,
                                                    "UF_CRM_TASK": [f"D_{owner}"]}})  # fmt: skip
    listed = portal.call("tasks.task.list", {"filter": {"UF_CRM_TASK": f"D_{deal}"},
                                             "select": ["ID", "XML_ID"]}).json()  # fmt: skip
    assert [t["id"] for t in listed["result"]["tasks"]] == ["1", "3"]
    assert listed["total"] == 2
    assert portal.result("tasks.task.delete", {"taskId": 1}) == {"task": True}
    gone = portal.call("tasks.task.delete", {"taskId": 1}).json()
    assert gone["error"] == "ERROR_CORE"
    assert "not found" in gone["error_description"].lower()


def test_task_binding_to_a_missing_record_is_refused(portal):
    reply = portal.call("tasks.task.add", {"fields": {"TITLE": "t", "RESPONSIBLE_ID": 1,
                                                      "UF_CRM_TASK": ["D_404"]}})  # fmt: skip
    assert reply.status_code == 400


def test_comment_files_read_back_by_size_and_download(portal):
    deal = _deal(portal)
    cid = portal.result("crm.timeline.comment.add", {"fields": {
        "ENTITY_TYPE": "deal", "ENTITY_ID": deal, "COMMENT": "Скан",
        "FILES": [["scan.pdf", _b64(PDF)], ["note.txt", _b64(b"hello")]]}})  # fmt: skip
    (row,) = portal.result("crm.timeline.comment.list", {"filter": _owner(deal)})
    assert row["ID"] == str(cid)
    files = sorted(row["FILES"].values(), key=lambda f: f["name"])
    assert [(f["name"], f["size"]) for f in files] == [("note.txt", 5), ("scan.pdf", len(PDF))]
    assert set(row["FILES"]) == {str(f["id"]) for f in files}  # keyed by file id (get.md)
    data = portal.request("GET", files[1]["urlDownload"]).content
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert portal.result("crm.timeline.comment.get", {"id": cid})["FILES"] == row["FILES"]
    bare = portal.result("crm.timeline.comment.add", {"fields": {
        "ENTITY_TYPE": "deal", "ENTITY_ID": deal, "COMMENT": "без файлов"}})  # fmt: skip
    assert portal.result("crm.timeline.comment.get", {"id": bare})["FILES"] == {}


def test_activity_files_are_listed_as_id_and_url(portal):
    deal = _deal(portal)
    aid = portal.result("crm.activity.add", {"fields": {
        "OWNER_TYPE_ID": 2, "OWNER_ID": deal, "TYPE_ID": 1, "SUBJECT": "Встреча",
        "COMMUNICATIONS": [{"VALUE": "", "ENTITY_ID": deal, "ENTITY_TYPE_ID": 2}],
        "FILES": [{"fileData": ["scan.pdf", _b64(PDF)]}]}})  # fmt: skip
    (file,) = portal.result("crm.activity.get", {"id": aid})["FILES"]
    assert set(file) == {"id", "url"}
    assert portal.request("GET", file["url"]).content == PDF


@pytest.mark.parametrize(
    "files", [[["scan.pdf", "not base64!"]], [["", _b64(b"x")]], [["only-a-name"]]]
)
def test_malformed_file_data_refuses_the_comment(portal, files):
    deal = _deal(portal)
    reply = portal.call("crm.timeline.comment.add", {"fields": {
        "ENTITY_TYPE": "deal", "ENTITY_ID": deal, "COMMENT": "x", "FILES": files}})  # fmt: skip
    assert reply.status_code == 400
    assert portal.result("crm.timeline.comment.list", {"filter": _owner(deal)}) == []


def test_activity_without_subject_is_refused_as_documented(portal):
    deal = _deal(portal)
    reply = portal.call("crm.activity.add", {"fields": {
        "OWNER_TYPE_ID": 2, "OWNER_ID": deal, "TYPE_ID": 2,
        "COMMUNICATIONS": [{"VALUE": "+79001234567"}]}})  # fmt: skip
    assert reply.json()["error_description"] == "The field SUBJECT is not defined or empty"
