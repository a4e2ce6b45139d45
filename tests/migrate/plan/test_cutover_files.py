"""Files a source added to a record after its load (cut-over), on the sandbox: planned as a
``record_files`` set, sent once (never the files the record's create sent), kept exactly once
through a lost reply, and not sent again by the next plan."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import httpx
import pytest
from openpyxl import load_workbook

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


def _loaded_with(tmp_path, field: str, multiple: bool):
    """co1 loaded with ``files/kp.txt`` in its file field ``UF_CRM_<field>``: the workspace,
    the portal and the first plan's result."""
    workspace = make_workspace(tmp_path)
    folder = workspace.root / "data" / "files"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    mapping = workspace.root / "mappings" / "company.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8")
                       + f"  UF_CRM_{field}: {{from: Документы}}\n", encoding="utf-8")  # fmt: skip
    write_csv(workspace.root / "data" / "companies.csv", _companies({"co1": "files/kp.txt"}))
    portal = Portal(workspace)
    spec = {"FIELD_NAME": field, "USER_TYPE_ID": "file", "MULTIPLE": "Y" if multiple else "N"}
    portal.call("crm.company.userfield.add", {"fields": spec})
    first = Migration(workspace, transport=portal.transport).plan().result
    portal.load()
    return workspace, portal, first


@pytest.fixture
def loaded(tmp_path):
    """co1 loaded with one file in its multiple file field ``UF_CRM_DOCS``."""
    workspace, portal, first = _loaded_with(tmp_path, "DOCS", multiple=True)
    assert first.count("company", "create") == 3
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
    portal.app.close()  # the same portal data, dying after the load's read of the field
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited",
                                          faults=FaultSpec(crash_after=2)))  # fmt: skip
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
    assert portal.app.stats()["methods"].get("crm.item.update", 0) == 0, (
        "the copy the lost attempt left (same name and size) counts as sent: not sent again"
    )
    assert portal.app.store.count("file") == 2
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        (files,) = ledger.records("record_files")
    assert files.state is State.DONE


def _upload(portal: Portal, field: str, keep: list[int] | None, name: str, data: bytes) -> None:
    """A portal user puts a file into co1's field: a multiple one keeps the files ``keep``
    names by id, as the UI does; a single one (``keep`` None) takes the file alone."""
    (row,) = [r for r in portal.list("company", ["ID", "ORIGIN_ID"]) if r["ORIGIN_ID"] == "co1"]
    pair = [name, base64.b64encode(data).decode()]
    value = pair if keep is None else [{"id": i} for i in keep] + [pair]
    portal.call("crm.item.update", {"entityTypeId": 4, "id": int(row["ID"]),
                                    "fields": {field: value}})  # fmt: skip


def _ids(portal: Portal, field: str) -> list[int]:
    (row,) = [r for r in portal.list("company", ["ID", "ORIGIN_ID"]) if r["ORIGIN_ID"] == "co1"]
    item = portal.call("crm.item.get", {"entityTypeId": 4, "id": int(row["ID"])})["item"]
    value = item[field] or []
    return sorted(int(f["id"]) for f in (value if isinstance(value, list) else [value]))


def test_a_file_added_in_the_portal_after_the_plan_is_kept(loaded):
    workspace, portal = loaded
    _add_files(workspace, "files/kp.txt; files/scan.pdf")
    assert todo(Migration(workspace, transport=portal.transport).plan().result) == {
        ("record_files", "set"): 1
    }
    _upload(portal, "ufCrmDocs", _ids(portal, "ufCrmDocs"), "user.txt", b"added by a user\n")
    before = portal.writes()
    portal.load()
    assert writes_since(portal, before) == {"crm.item.update": 1}
    user = hashlib.sha256(b"added by a user\n").hexdigest()
    assert _held(portal) == sorted([_sha("kp.txt"), _sha("scan.pdf"), user])


@pytest.fixture
def single(tmp_path):
    """co1 loaded with a contract in its single file field ``UF_CRM_CONTRACT``."""
    workspace, portal, _ = _loaded_with(tmp_path, "CONTRACT", multiple=False)
    yield workspace, portal
    portal.close()


def test_a_single_file_field_changed_in_the_portal_is_held_not_overwritten(single):
    workspace, portal = single
    _add_files(workspace, "files/scan.pdf")
    assert todo(Migration(workspace, transport=portal.transport).plan().result) == {
        ("record_files", "set"): 1
    }
    _upload(portal, "ufCrmContract", None, "signed.pdf", b"%PDF signed by the client\n")
    user_file = _ids(portal, "ufCrmContract")
    before = portal.writes()
    with pytest.raises(MigrationError, match="failed"):  # exit 3: listed in load.xlsx
        Migration(workspace, transport=portal.transport).load(skip_blocked=True, settle_seconds=0)
    assert writes_since(portal, before) == {}, "the client's file is not overwritten"
    assert _ids(portal, "ufCrmContract") == user_file
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        (files,) = ledger.records("record_files")
    assert files.state is State.FAILED
    said = "поле с одним файлом UF_CRM_CONTRACT изменили на портале после плана"
    assert said in str(files.last_error)
    book = load_workbook(workspace.root / "reports" / "load.xlsx")
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert any(said in c for c in cells)


@pytest.mark.parametrize(
    ("language", "said"),
    [("ru", "записи {} больше нет на портале: файлы не отправлены"),
     ("en", "record {} is no longer in the portal: files not sent")],
    ids=["ru", "en"],
)  # fmt: skip
def test_a_set_of_a_record_deleted_in_the_portal_is_held_in_the_workspace_language(
    single, language, said
):
    workspace, portal = single
    config = workspace.root / "migration.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: ru", f"language: "
                      f"{language}"), encoding="utf-8")  # fmt: skip
    _add_files(workspace, "files/scan.pdf")
    Migration(workspace, transport=portal.transport).plan()
    (row,) = [r for r in portal.list("company", ["ID", "ORIGIN_ID"]) if r["ORIGIN_ID"] == "co1"]
    portal.call("crm.company.delete", {"id": int(row["ID"])})
    with pytest.raises(MigrationError):
        Migration(workspace, transport=portal.transport).load(skip_blocked=True, settle_seconds=0)
    book = load_workbook(workspace.root / "reports" / "load.xlsx")
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert any(said.format(row["ID"]) in c for c in cells)


def test_a_lost_reply_into_a_single_file_field_is_not_a_conflict(single):
    workspace, portal = single
    _add_files(workspace, "files/scan.pdf")
    Migration(workspace, transport=portal.transport).plan()
    data_dir = workspace.state_dir / "sandbox"
    created = _ids(portal, "ufCrmContract")
    portal.app.close()  # dies after the load's read of the field: the set's reply is lost
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited",
                                          faults=FaultSpec(crash_after=2)))  # fmt: skip
    with pytest.raises(MigrationError):
        load_giving_up(portal, workspace)
    portal.app.close()
    portal.app = create_app(SandboxConfig(data_dir=data_dir, plan="unlimited"))
    ours = _ids(portal, "ufCrmContract")
    assert ours != created, "the portal wrote the set: its reply was lost"
    portal.load()
    assert portal.app.stats()["methods"].get("crm.item.update", 0) == 0
    assert _ids(portal, "ufCrmContract") == ours, "the file the lost attempt left is ours"
    with Ledger.for_workspace(workspace.root, NAME) as ledger:
        (files,) = ledger.records("record_files")
    assert files.state is State.DONE
