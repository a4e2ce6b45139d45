"""The sandbox's Disk methods and task files (``UF_TASK_WEBDAV_FILES``), checked against the
documented replies: disk-folder-upload-file.md, disk-attached-object-get.md,
disk-storage-get-for-app.md and tutorials/tasks/how-to-create-task-with-file.md
(bitrix24/b24restdocs; see loaders/sandbox/_disk.py)."""

from __future__ import annotations

import base64
import hashlib

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 5


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _root(portal) -> int:
    (storage,) = portal.result("disk.storage.getlist", {"filter": {"ENTITY_TYPE": "user"}})
    assert set(storage) == {"ID", "NAME", "CODE", "MODULE_ID", "ENTITY_TYPE", "ENTITY_ID",
                            "ROOT_OBJECT_ID"}  # fmt: skip
    assert storage["ENTITY_ID"] == str(portal.app.config.user_id)
    return int(storage["ROOT_OBJECT_ID"])


def _upload(portal, folder: int, name: str, data: bytes, **more) -> dict:
    return portal.result(
        "disk.folder.uploadfile",
        {"id": folder, "data": {"NAME": name}, "fileContent": [name, _b64(data)], **more},
    )


def test_upload_answers_the_file_as_documented_and_its_link_serves_the_bytes(portal):
    root = _root(portal)
    got = _upload(portal, root, "Счёт.pdf", PDF)
    assert list(got)[:8] == ["ID", "NAME", "CODE", "STORAGE_ID", "TYPE", "PARENT_ID",
                             "DELETED_TYPE", "GLOBAL_CONTENT_VERSION"]  # fmt: skip
    assert isinstance(got["ID"], int)
    assert isinstance(got["FILE_ID"], int)
    assert (got["NAME"], got["TYPE"], got["PARENT_ID"], got["SIZE"]) == (
        "Счёт.pdf",
        "file",
        str(root),
        str(len(PDF)),
    )
    assert portal.result("disk.file.get", {"id": got["ID"]})["SIZE"] == str(len(PDF))
    data = portal.request("GET", got["DOWNLOAD_URL"]).content
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(PDF).hexdigest()
    (child,) = portal.result(
        "disk.folder.getchildren", {"id": root, "filter": {"NAME": "Счёт.pdf"}}
    )
    assert child["ID"] == got["ID"]
    assert portal.result("disk.folder.getchildren", {"id": root, "filter": {"NAME": "x"}}) == []


def test_upload_refuses_as_the_docs_list(portal):
    root = _root(portal)
    _upload(portal, root, "a.txt", b"one")
    same = portal.call(
        "disk.folder.uploadfile",
        {"id": root, "data": {"NAME": "a.txt"}, "fileContent": ["a.txt", _b64(b"two")]},
    )
    assert same.status_code == 400
    assert same.json()["error"] == "DISK_OBJ_22000"
    renamed = _upload(portal, root, "a.txt", b"two", generateUniqueName=True)
    assert renamed["NAME"] == "a (1).txt"
    nameless = portal.call(
        "disk.folder.uploadfile", {"id": root, "data": {}, "fileContent": ["a.txt", _b64(b"x")]}
    )
    assert nameless.json()["error"] == "DISK_BASE_SERVICE_22001"
    missing = portal.call(
        "disk.folder.uploadfile",
        {"id": 9999, "data": {"NAME": "b.txt"}, "fileContent": ["b.txt", _b64(b"x")]},
    )
    assert missing.status_code == 400
    assert missing.json() == {
        "error": "ERROR_NOT_FOUND",
        "error_description": "Could not find entity with id `9999`",
    }
    hook = portal.call("disk.storage.getforapp", {})
    assert hook.json()["error_description"] == "Access denied! Application context required"


def test_task_takes_n_prefixed_objects_and_reads_back_attachments(portal):
    root = _root(portal)
    obj = _upload(portal, root, "Договор.pdf", PDF)
    fields = {"TITLE": "Подписать", "RESPONSIBLE_ID": 1,
              "UF_TASK_WEBDAV_FILES": [f"n{obj['ID']}", "n99999"]}  # fmt: skip
    tid = int(portal.result("tasks.task.add", {"fields": fields})["task"]["id"])
    task = portal.result(
        "tasks.task.get", {"taskId": tid, "select": ["ID", "UF_TASK_WEBDAV_FILES"]}
    )["task"]
    (aid,) = task["ufTaskWebdavFiles"]  # the unknown object is not attached
    att = portal.result("disk.attachedObject.get", {"id": aid})
    assert list(att) == [
        "ID",
        "OBJECT_ID",
        "MODULE_ID",
        "ENTITY_TYPE",
        "ENTITY_ID",
        "CREATE_TIME",
        "CREATED_BY",
        "DOWNLOAD_URL",
        "NAME",
        "SIZE",
    ]
    assert (att["OBJECT_ID"], att["ENTITY_TYPE"], att["ENTITY_ID"], att["NAME"], att["SIZE"]) == (
        str(obj["ID"]),
        "tasks_task",
        str(tid),
        "Договор.pdf",
        str(len(PDF)),
    )
    assert "/bitrix/tools/disk/uf.php?attachedId=" in att["DOWNLOAD_URL"]
    served = portal.request("GET", att["DOWNLOAD_URL"])
    assert served.content == PDF
    assert "filename*=UTF-8''" in served.headers["content-disposition"]
    listed = portal.result(
        "tasks.task.list", {"filter": {"ID": tid}, "select": ["ID", "UF_TASK_WEBDAV_FILES"]}
    )
    assert listed["tasks"][0]["ufTaskWebdavFiles"] == [aid]
    portal.result("disk.file.delete", {"id": obj["ID"]})
    gone = portal.call("disk.attachedObject.get", {"id": aid})
    assert gone.status_code == 400
    assert gone.json()["error"] == "ERROR_NOT_FOUND"
    again = portal.result("tasks.task.get", {"taskId": tid, "select": ["UF_TASK_WEBDAV_FILES"]})
    assert again["task"]["ufTaskWebdavFiles"] == []


def test_deleting_a_task_drops_its_attachments_not_the_drive_file(portal):
    obj = _upload(portal, _root(portal), "x.txt", b"x")
    fields = {"TITLE": "t", "RESPONSIBLE_ID": 1, "UF_TASK_WEBDAV_FILES": [f"n{obj['ID']}"]}
    tid = int(portal.result("tasks.task.add", {"fields": fields})["task"]["id"])
    (aid,) = portal.result("tasks.task.get", {"taskId": tid, "select": ["UF_TASK_WEBDAV_FILES"]}
                           )["task"]["ufTaskWebdavFiles"]  # fmt: skip
    portal.result("tasks.task.delete", {"taskId": tid})
    assert portal.call("disk.attachedObject.get", {"id": aid}).status_code == 400
    assert portal.result("disk.file.get", {"id": obj["ID"]})["NAME"] == "x.txt"
