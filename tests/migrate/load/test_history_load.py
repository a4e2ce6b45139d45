"""History with original dates, tasks and attachments: planned, loaded into a faulty sandbox
portal exactly once, read back from the portal (times, deadlines, bindings, file sizes and
hashes through the portal's download link), and rolled back to nothing."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import httpx
import pandas as pd
import pytest

from loaders.client import Bitrix24Client
from migrate.ledger import Ledger, State
from migrate.load import LoadOptions, load, rollback
from migrate.plan import OwnerResolver, ReferenceIndex, plan_table, read_portal_metadata
from migrate.plan._files import scan_attachments
from tests.portal_comments import every_comment

from .conftest import make_client, make_portal

ORIGINATOR = "amo-2026"
FILES = {"kp.txt": b"commercial offer\n" * 40, "scan.pdf": b"%PDF-1.4 tiny\n" * 90}


def _tables() -> dict[str, list[dict[str, object]]]:
    return {
        "company": [{"_key": "co1", "TITLE": "ООО «Ромашка»", "_source": "companies.csv",
                     "_row": 2, "UF_CRM_DOCS": "files/kp.txt; files/gone.txt"}],
        "contact": [{"_key": "c1", "NAME": "Иван", "COMPANY_ID": "co1"}],
        "deal": [{"_key": "d1", "TITLE": "Поставка", "STAGE_ID": "NEW", "COMPANY_ID": "co1",
                  "CURRENCY_ID": "RUB"}],
        "activity": [
            {"_key": "a1", "_source": "activities.csv", "_row": 2, "ENTITY_TYPE": "contact",
             "ENTITY_ID": "c1", "TYPE": "call_in", "START_TIME": "2021-03-12T14:05:00+03:00",
             "DURATION": "7", "RESPONSIBLE_ID": "Волков Сергей", "COMMUNICATION": "+79001234567",
             "DESCRIPTION": "договорились", "CREATED": "2021-03-12T14:00:00+03:00",
             "AUTHOR_ID": "Иванов Иван", "FILES": "files/kp.txt; files/scan.pdf"},
            {"_key": "a2", "_source": "activities.csv", "_row": 3, "ENTITY_TYPE": "deal",
             "ENTITY_ID": "d1", "TYPE": "meeting", "SUBJECT": "Встреча в офисе",
             "START_TIME": "2020-01-20T10:00:00+03:00", "END_TIME": "2020-01-20T11:30:00+03:00",
             "COMPLETED": "N", "FILES": "files/lost.pdf"},
        ],
        "task": [
            {"_key": "t1", "ENTITY_TYPE": "deal", "ENTITY_ID": "d1", "TITLE": "Выставить счёт",
             "STATUS": "completed", "DEADLINE": "2021-04-01T18:00:00+03:00",
             "RESPONSIBLE_ID": "Волков Сергей", "CREATED": "2021-03-20T09:00:00+03:00",
             "CREATED_BY": "Анна Петрова", "_source": "tasks.csv", "_row": 2,
             "FILES": "files/kp.txt"},
            {"_key": "t2", "ENTITY_TYPE": "company", "ENTITY_ID": "co1", "TITLE": "Сверка",
             "STATUS": "pending", "CREATED_BY": "m.kuznetsova@sandbox.example"},
        ],
        "note": [
            {"_key": "n1", "_source": "notes.csv", "_row": 2, "ENTITY_TYPE": "deal",
             "ENTITY_ID": "d1", "COMMENT": "Скан договора", "FILES": "files/scan.pdf",
             "AUTHOR_ID": "Петров Иван"},
        ],
    }  # fmt: skip


def _export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    (folder / "files").mkdir(parents=True)
    for name, data in FILES.items():
        (folder / "files" / name).write_bytes(data)
    return folder


async def _plan(client: Bitrix24Client, ledger: Ledger, folder: Path) -> list:
    tables = _tables()
    await client.call("crm.company.userfield.add", {"fields": {
        "FIELD_NAME": "DOCS", "USER_TYPE_ID": "file", "MULTIPLE": "Y"}})  # fmt: skip
    meta = await read_portal_metadata(client)
    index = ReferenceIndex({e: [str(r["_key"]) for r in rows] for e, rows in tables.items()})
    owners = OwnerResolver(meta.users, default_owner=4)  # not the webhook's user (1)
    cells = [(str(r.get("_source", "")), r.get(column)) for rows in tables.values()
             for r in rows for column in ("FILES", "UF_CRM_DOCS")]  # fmt: skip
    folders = {name: folder for name in ("activities.csv", "notes.csv", "companies.csv",
                                         "tasks.csv")}  # fmt: skip
    attachments = scan_attachments(cells, folders, max_bytes=10_000_000)
    records, issues = [], []
    for entity, rows in tables.items():
        planned = plan_table(entity, pd.DataFrame(rows), meta=meta, owners=owners, index=index,
                             attachments=attachments)  # fmt: skip
        records += planned.records
        issues += planned.issues
    run = ledger.start_run("plan")
    ledger.apply_plan(run.id, records)
    ledger.replace_issues(run.id, issues)
    ledger.finish_run(run.id)
    return issues


async def _download(app, url: str) -> bytes:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        reply = await http.get(url if url.startswith("http") else f"http://portal{url}")
        reply.raise_for_status()
        return reply.content


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("faults", "route"),
    [({}, "add"), ({}, "import"), ({"drop": 0.3, "timeout": 0.1, "503": 0.1}, "add")],
)
def test_history_loads_once_with_original_times_and_files_and_rolls_back(tmp_path, faults, route):
    folder = _export(tmp_path)
    app = make_portal(faults, seed=5)

    async def scenario():
        async with make_client(app) as client:
            with Ledger.open(tmp_path / "ledger.sqlite", ORIGINATOR) as ledger:
                issues = await _plan(client, ledger, folder)
                for _ in range(5):  # a load ended by faults is simply run again
                    await load(ledger, client, LoadOptions(route=route, settle_seconds=0))
                    if {r.state for r in ledger.records()} == {State.DONE}:
                        break
                ids = {(r.entity, r.source_key): r.b24_id for r in ledger.records()}
                portal = await _read_back(client, app)
                await rollback(ledger, client, None)
                after = await _read_back(client, app)
                return issues, ids, portal, after

    issues, ids, portal, after = asyncio.run(scenario())
    app.close()
    # the missing attachment is a warning naming the source file, row, field and path
    missing = [i for i in issues if i.rule == "file.missing"]
    assert sorted((i.entity, i.source, i.row, i.field, i.value) for i in missing) == [
        ("activity", "activities.csv", 3, "FILES", "files/lost.pdf"),
        ("company", "companies.csv", 2, "UF_CRM_DOCS", "files/gone.txt"),
    ]
    # a file user field: the found file in the field, as the portal shows it
    assert portal["company_files"] == [(len(FILES["kp.txt"]), _sha(FILES["kp.txt"]))]
    call, meeting = (portal["activities"][ids[("activity", k)]] for k in ("a1", "a2"))
    assert (call["TYPE_ID"], call["DIRECTION"], call["COMPLETED"]) == ("2", "1", "Y")
    assert (call["START_TIME"], call["END_TIME"]) == (
        "2021-03-12T14:05:00+03:00", "2021-03-12T14:12:00+03:00")  # fmt: skip
    assert (call["OWNER_ID"], call["OWNER_TYPE_ID"]) == (str(ids[("contact", "c1")]), "3")
    assert "12.03.2021 14:00 · Иванов Иван" in call["DESCRIPTION"]  # CREATED is read-only
    assert call["COMMUNICATIONS"][0]["VALUE"] == "+79001234567"
    assert (meeting["TYPE_ID"], meeting["COMPLETED"], meeting["SUBJECT"]) == (
        "1",
        "N",
        "Встреча в офисе",
    )
    assert (meeting["START_TIME"], meeting["END_TIME"]) == (
        "2020-01-20T10:00:00+03:00", "2020-01-20T11:30:00+03:00")  # fmt: skip
    assert sorted(portal["files"][ids[("activity", "a1")]]) == sorted(
        (len(d), _sha(d)) for d in FILES.values())  # fmt: skip
    assert portal["files"][ids[("activity", "a2")]] == []
    invoice = portal["tasks"][ids[("task", "t1")]]
    assert (invoice["status"], invoice["deadline"]) == ("5", "2021-04-01T18:00:00+03:00")
    assert invoice["ufCrmTask"] == [f"D_{ids[('deal', 'd1')]}"]
    assert invoice["xmlId"] == f"{ORIGINATOR}/t1"
    assert "20.03.2021 09:00 · Анна Петрова" in invoice["description"]
    assert portal["tasks"][ids[("task", "t2")]]["ufCrmTask"] == [f"CO_{ids[('company', 'co1')]}"]
    comment = portal["comments"][ids[("comment", "n1")]]
    assert [(f["size"], f["sha"]) for f in comment] == [
        (len(FILES["scan.pdf"]), _sha(FILES["scan.pdf"]))]  # fmt: skip
    # owners and authors as the portal shows them: the company named no owner (the default,
    # 4); the note's author is Петров Иван (2), so the text does not name him; the tasks'
    # creators: Кузнецова Мария (3), and «Анна Петрова», not on the portal (the default, named
    # in the text)
    assert portal["company_owners"] == ["4"]
    note = portal["comment_rows"][ids[("comment", "n1")]]
    assert int(note["AUTHOR_ID"]) == 2
    assert "Петров" not in note["COMMENT"]
    assert portal["tasks"][ids[("task", "t2")]]["createdBy"] == "3"
    assert portal["tasks"][ids[("task", "t1")]]["createdBy"] == "4"
    # a task's files: a comment on the deal the task is bound to (tasks take Disk ids only)
    task_files = portal["comments"][ids[("comment", "task:t1")]]
    assert [(f["size"], f["sha"]) for f in task_files] == [
        (len(FILES["kp.txt"]), _sha(FILES["kp.txt"]))]  # fmt: skip
    shown = portal["comment_rows"][ids[("comment", "task:t1")]]
    assert (shown["ENTITY_TYPE"], int(shown["ENTITY_ID"])) == ("deal", ids[("deal", "d1")])
    assert "Файлы задачи «Выставить счёт»" in shown["COMMENT"]
    assert "Анна Петрова" in shown["COMMENT"]  # the creator is not on the portal
    told = [i for i in issues if i.rule == "task.files"]
    assert [(i.source_key, i.source, i.row, i.severity) for i in told] == [
        ("t1", "tasks.csv", 2, "warning")]  # fmt: skip
    # exactly once: every record once, every file once (5 uploads: 2 on the call, 1 on each
    # comment, 1 in the company's field)
    assert (len(portal["activities"]), len(portal["tasks"]), len(portal["comments"])) == (2, 2, 2)
    assert portal["uploads"] == 5
    assert after["activities"] == after["tasks"] == after["comments"] == {}
    assert after["uploads"] == 0  # the files went with their activities, comment and company


async def _read_back(client: Bitrix24Client, app) -> dict:
    activities = await client.list_all("crm.activity.list", {}, ["*", "COMMUNICATIONS", "FILES"])
    tasks = (await client.call("tasks.task.list", {"select": ["*", "UF_CRM_TASK"]})).result
    comments = await every_comment(client, ["*"])
    files = {}
    for row in activities:
        files[int(row["ID"])] = sorted(
            [(len(data := await _download(app, f["url"])), _sha(data)) for f in row["FILES"]]
        )
    shown = {}
    for row in comments:
        shown[int(row["ID"])] = [
            {"size": f["size"], "sha": _sha(await _download(app, f["urlDownload"]))}
            for f in row["FILES"].values()]  # fmt: skip
    companies = await client.list_all(
        "crm.company.list", {}, ["ID", "UF_CRM_DOCS", "ASSIGNED_BY_ID"]
    )
    company_files = [(len(data := await _download(app, f["downloadUrl"])), _sha(data))
                     for row in companies for f in row.get("UF_CRM_DOCS") or []]  # fmt: skip
    return {
        "company_owners": [row["ASSIGNED_BY_ID"] for row in companies],
        "company_files": company_files,
        "activities": {int(r["ID"]): r for r in activities},
        "tasks": {int(t["id"]): t for t in tasks["tasks"]},
        "comments": shown,
        "comment_rows": {int(r["ID"]): r for r in comments},
        "files": files,
        "uploads": app.store.count("file"),
    }


def test_a_file_changed_after_the_plan_refuses_its_record_instead_of_sending_it(tmp_path):
    folder = _export(tmp_path)
    app = make_portal()

    async def scenario():
        async with make_client(app) as client:
            with Ledger.open(tmp_path / "ledger.sqlite", ORIGINATOR) as ledger:
                await _plan(client, ledger, folder)
                (folder / "files" / "kp.txt").write_bytes(b"another offer")
                await load(ledger, client, LoadOptions(settle_seconds=0))
                return {r.source_key: r for r in ledger.records()}

    records = asyncio.run(scenario())
    uploads = app.store.count("file")
    app.close()
    # the company's file field holds kp.txt: the company is refused, with the reason ...
    assert records["co1"].state is State.FAILED
    assert "changed since the plan" in (records["co1"].last_error or "")
    # ... and what belongs to it waits; nothing was uploaded
    assert {records[k].state for k in ("a1", "t2", "n1")} == {State.PLANNED}
    assert uploads == 0
