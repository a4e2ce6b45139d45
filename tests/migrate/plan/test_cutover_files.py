"""Files a source added to a record after its load (cut-over), on the sandbox: planned as a
``record_files`` set, sent once (never the files the record's create sent), kept exactly once
through a lost reply, and not sent again by the next plan."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import pytest

from loaders.sandbox import FaultSpec, SandboxConfig, create_app
from migrate.errors import MigrationError
from migrate.ledger import Ledger, State
from migrate.run import Migration
from tests.migrate.plan.test_cutover import load_giving_up, todo, writes_since
from tests.migrate.plan.workspace import COMPANIES, NAME, Portal, make_workspace, write_csv

FILES = {"kp.txt": b"commercial offer\n" * 40, "scan.pdf": b"%PDF-1.4 tiny\n" * 90,
         "price.xlsx": b"PK\x03\x04 price list" * 30}  # fmt: skip


def _companies(docs: dict[str, str]) -> list[list[str]]:
    return [[*COMPANIES[0], "Документы"]] + [[*r, docs.get(r[0], "")] for r in COMPANIES[1:]]


@pytest.fixture
def loaded(tmp_path):
    """co1 loaded with one file in its multiple file field ``UF_CRM_DOCS``."""
    workspace = make_workspace(tmp_path)
    folder = workspace.root / "data" / "files"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    mapping = workspace.root / "mappings" / "company.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "  UF_CRM_DOCS: {from: Документы}\n",
                       encoding="utf-8")  # fmt: skip
    write_csv(workspace.root / "data" / "companies.csv", _companies({"co1": "files/kp.txt"}))
    portal = Portal(workspace)
    portal.call("crm.company.userfield.add", {"fields": {
        "FIELD_NAME": "DOCS", "USER_TYPE_ID": "file", "MULTIPLE": "Y"}})  # fmt: skip
    first = Migration(workspace, transport=portal.transport).plan().result
    assert first.count("company", "create") == 3
    portal.load()
    assert _held(portal) == [_sha("kp.txt")]
    yield workspace, portal
    portal.close()


def _sha(name: str) -> str:
    return hashlib.sha256(FILES[name]).hexdigest()


def _held(portal: Portal) -> list[str]:
    """The SHA-256 of each file co1's field holds, downloaded through the portal's links."""
    (row,) = [r for r in portal.list("company", ["ID", "ORIGIN_ID"]) if r["ORIGIN_ID"] == "co1"]
    item = portal.call("crm.item.get", {"entityTypeId": 4, "id": int(row["ID"])})["item"]

    async def download(url: str) -> bytes:
        async with httpx.AsyncClient(transport=portal.transport) as http:
            reply = await http.get(f"http://portal{url}")
            reply.raise_for_status()
            return reply.content

    return sorted(hashlib.sha256(asyncio.run(download(f["url"]))).hexdigest()
                  for f in item["ufCrmDocs"] or [])  # fmt: skip


def _add_files(workspace, cell: str) -> None:
    write_csv(workspace.root / "data" / "companies.csv", _companies({"co1": cell}))


def test_files_added_in_the_source_are_sent_once_and_listed(loaded):
    workspace, portal = loaded
    _add_files(workspace, "files/kp.txt; files/scan.pdf")
    before = portal.writes()
    planned = Migration(workspace, transport=portal.transport).plan().result
    assert todo(planned) == {("record_files", "set"): 1}, "no update of the company itself"
    assert writes_since(portal, before) == {}
    portal.load()
    assert writes_since(portal, before) == {"crm.item.update": 1}
    assert _held(portal) == sorted([_sha("kp.txt"), _sha("scan.pdf")])

    before = portal.writes()
    again = Migration(workspace, transport=portal.transport).plan().result
    assert todo(again) == {}, "the files sent are not planned again"
    portal.load()
    assert writes_since(portal, before) == {}

    _add_files(workspace, "files/kp.txt; files/scan.pdf; files/price.xlsx")
    third = Migration(workspace, transport=portal.transport).plan().result
    assert todo(third) == {("record_files", "set"): 1}
    portal.load()
    assert _held(portal) == sorted(_sha(n) for n in FILES)
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        (files,) = ledger.records("record_files")
    sent = files.fields["_FILE_FIELDS"]["UF_CRM_DOCS"]["files"]
    assert [f["name"] for f in sent] == ["price.xlsx"], "only the file no set had sent"


def test_a_lost_reply_leaves_each_added_file_once(loaded):
    workspace, portal = loaded
    _add_files(workspace, "files/kp.txt; files/scan.pdf")
    Migration(workspace, transport=portal.transport).plan()
    data_dir = workspace.state_dir / "sandbox"
    assert portal.app.store.count("file") == 1
    portal.app.close()  # the same portal data, now dying after its first request of the load
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited",
                                          faults=FaultSpec(crash_after=1)))  # fmt: skip
    with pytest.raises(MigrationError):
        load_giving_up(portal, workspace)
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        (files,) = ledger.records("record_files")
    assert files.state is State.SENDING, "the write's outcome is unknown"
    assert portal.app.store.count("file") == 2, "the portal wrote it: its reply was lost"
    portal.app.close()  # restarted, healthy
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited"))
    portal.load()
    assert _held(portal) == sorted([_sha("kp.txt"), _sha("scan.pdf")])
    uploads = portal.app.stats()["methods"].get("crm.item.update", 0)
    assert uploads == 1, "re-sent once on the restarted portal"
    assert portal.app.store.count("file") == 2, "the first attempt's copy went with the re-send"
