"""Attachments named by http(s) links: downloaded at plan time into the workspace's files
cache (streamed, size-limited, content type checked, SHA-256), loaded like local files and
read back from the sandbox portal by size and hash; links that fail are warnings naming the
source file, row, field and link. The links point at a local HTTP server (no internet)."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pandas as pd
import pytest

from migrate.ledger import Ledger, State
from migrate.load import LoadOptions, load, rollback
from migrate.plan import OwnerResolver, ReferenceIndex, plan_table, read_portal_metadata
from migrate.plan._downloads import UrlFetcher
from migrate.plan._files import Attachment, FileProblem, scan_attachments
from migrate.run import Migration
from tests.migrate.load.conftest import make_client, make_portal
from tests.migrate.plan.workspace import COMPANIES, Portal, make_workspace, write_csv
from tests.portal_comments import every_comment

PDF = b"%PDF-1.4 contract\n" * 200
ACT = "Акт сверки.xlsx".encode()  # the name the server gives in Content-Disposition
LIMIT = 10_000


class _Files(BaseHTTPRequestHandler):
    def do_GET(self):
        route = self.path.split("?")[0]
        if route == "/files/contract.pdf":
            self._send(200, PDF, "application/pdf")
        elif route == "/download":
            self._send(
                200,
                b"PK act",
                "application/octet-stream",
                {
                    "Content-Disposition": "attachment; filename*=UTF-8''"
                    "%D0%90%D0%BA%D1%82%20%D1%81%D0%B2%D0%B5%D1%80%D0%BA%D0%B8.xlsx"
                },
            )
        elif route == "/share/abc":
            self._send(200, b"<html>sign in</html>", "text/html; charset=utf-8")
        elif route == "/big.zip":
            self._send(200, b"z" * (LIMIT + 1), "application/zip")
        elif route == "/stream.bin":  # no Content-Length: the limit is kept while reading
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.close_connection = True
            try:
                for _ in range(4):
                    self.wfile.write(b"s" * (LIMIT // 2))
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif route == "/slow.pdf":
            time.sleep(1.5)
            self._send(200, b"late", "application/pdf")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status, body, kind, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, limit)
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_links_are_downloaded_into_the_cache_or_reported(tmp_path, server):
    cache = tmp_path / ".b24migrate" / "files"
    fetcher = UrlFetcher(cache, LIMIT, timeout=httpx.Timeout(0.5))
    with fetcher:
        got = {name: fetcher.fetch(f"{server}/{name}") for name in
               ("files/contract.pdf", "download", "share/abc", "big.zip", "stream.bin",
                "slow.pdf", "gone.pdf")}  # fmt: skip
        ftp = fetcher.fetch("ftp://files.example/a.pdf")
    pdf = got["files/contract.pdf"]
    assert isinstance(pdf, Attachment)
    assert (pdf.name, pdf.size, pdf.sha256) == ("contract.pdf", len(PDF), _sha(PDF))
    assert Path(pdf.path) == cache / _sha(PDF) / "contract.pdf"
    assert Path(pdf.path).read_bytes() == PDF
    act = got["download"]
    assert isinstance(act, Attachment)
    assert act.name == ACT.decode()  # the server's name, not "download"
    problems = {k: (v.rule, v.detail) for k, v in got.items() if isinstance(v, FileProblem)}
    assert problems == {
        "share/abc": ("file.url_page", "text/html"),
        "big.zip": ("file.too_large", ""),
        "stream.bin": ("file.too_large", ""),
        "slow.pdf": ("file.url_failed", "timeout"),
        "gone.pdf": ("file.url_failed", "HTTP 404"),
    }
    assert isinstance(ftp, FileProblem)
    assert ftp.rule == "file.url"
    assert "не скачан (HTTP 404)" in got["gone.pdf"].message("ru")  # type: ignore[union-attr]
    assert "web page" in got["share/abc"].message("en")  # type: ignore[union-attr]
    # nothing half-written stays in the cache
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == sorted(
        [ACT.decode(), "contract.pdf"]
    )


def _tables(server: str) -> dict[str, list[dict[str, object]]]:
    return {
        "deal": [{"_key": "d1", "TITLE": "Поставка", "STAGE_ID": "NEW", "CURRENCY_ID": "RUB"}],
        "note": [
            {"_key": "n1", "_source": "notes.csv", "_row": 2, "ENTITY_TYPE": "deal",
             "ENTITY_ID": "d1", "COMMENT": "Договор и акт",
             "FILES": f"{server}/files/contract.pdf; {server}/download; {server}/gone.pdf"},
        ],
    }  # fmt: skip


def test_downloaded_files_load_once_and_read_back_by_size_and_hash(tmp_path, server):
    app = make_portal({}, seed=3)
    tables = _tables(server)

    async def scenario():
        async with make_client(app) as client:
            with Ledger.open(tmp_path / "ledger.sqlite", "amo") as ledger:
                meta = await read_portal_metadata(client)
                index = ReferenceIndex({e: [str(r["_key"]) for r in t] for e, t in tables.items()})
                cells = [("notes.csv", r.get("FILES")) for r in tables["note"]]
                with UrlFetcher(tmp_path / "files", LIMIT) as fetcher:
                    found = scan_attachments(cells, {}, 4 * LIMIT, fetcher.fetch)
                records, issues = [], []
                for entity, rows in tables.items():
                    planned = plan_table(entity, pd.DataFrame(rows), meta=meta,
                                         owners=OwnerResolver(meta.users, default_owner=1),
                                         index=index, attachments=found)  # fmt: skip
                    records += planned.records
                    issues += planned.issues
                run = ledger.start_run("plan")
                ledger.apply_plan(run.id, records)
                ledger.finish_run(run.id)
                await load(ledger, client, LoadOptions(settle_seconds=0))
                await load(ledger, client, LoadOptions(settle_seconds=0))  # again: no re-upload
                states = {r.state for r in ledger.records()}
                comments = await every_comment(client, ["*"])  # per owner, as a portal takes it
                files = []
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
                    for row in comments:
                        for f in row["FILES"].values():
                            url = f["urlDownload"]  # absolute, as a portal's comment links are
                            data = (await http.get(url if url.startswith("http")
                                                   else f"http://portal{url}")).content  # fmt: skip
                            files.append((f["name"], len(data), _sha(data)))
                uploads = app.store.count("file")
                await rollback(ledger, client, None)
                return issues, states, files, uploads, app.store.count("file")

    issues, states, files, uploads, after = asyncio.run(scenario())
    app.close()
    assert states == {State.DONE}
    assert sorted(files) == sorted([("contract.pdf", len(PDF), _sha(PDF)),
                                    (ACT.decode(), 6, _sha(b"PK act"))])  # fmt: skip
    assert uploads == 2  # each file once, though the load ran twice
    assert after == 0
    (failed,) = issues
    assert (failed.rule, failed.severity, failed.source, failed.row, failed.field) == (
        "file.url_failed", "warning", "notes.csv", 2, "FILES")  # fmt: skip
    assert failed.value == f"{server}/gone.pdf"


def test_a_workspace_plan_downloads_links_into_its_files_cache_and_loads_them(tmp_path, server):
    """Through the orchestrator: a file user field holding a link; the file lands in
    `.b24migrate/files/<sha256>/`, the load puts it in the field (read back by hash), and a
    link that fails is a warning of the plan naming the file, row and field."""
    workspace = make_workspace(tmp_path)
    mapping = workspace.root / "mappings" / "company.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "  UF_CRM_DOCS: {from: Документы}\n",
                       encoding="utf-8")  # fmt: skip
    cells = {"co1": f"{server}/files/contract.pdf", "co2": f"{server}/share/abc"}
    write_csv(workspace.root / "data" / "companies.csv",
              [[*COMPANIES[0], "Документы"]]
              + [[*r, cells.get(r[0], "")] for r in COMPANIES[1:]])  # fmt: skip
    portal = Portal(workspace)
    try:
        portal.call("crm.company.userfield.add", {"fields": {
            "FIELD_NAME": "DOCS", "USER_TYPE_ID": "file", "MULTIPLE": "Y"}})  # fmt: skip
        planned = Migration(workspace, transport=portal.transport).plan().result
        cached = workspace.state_dir / "files" / _sha(PDF) / "contract.pdf"
        assert cached.read_bytes() == PDF
        (page,) = [i for i in planned.issues if i.rule.startswith("file.")]
        assert (page.rule, page.source, page.row, page.field, page.value) == (
            "file.url_page", "companies.csv", 3, "UF_CRM_DOCS", f"{server}/share/abc")  # fmt: skip
        portal.load()
        rows = {r["ORIGIN_ID"]: r for r in portal.list("company", ["ID", "ORIGIN_ID"])}
        item = portal.call("crm.item.get", {"entityTypeId": 4, "id": int(rows["co1"]["ID"])})

        async def download(url: str) -> bytes:
            async with httpx.AsyncClient(transport=portal.transport) as http:
                return (await http.get(f"http://portal{url}")).content

        held = [asyncio.run(download(f["url"])) for f in item["item"]["ufCrmDocs"]]
        assert [(len(d), _sha(d)) for d in held] == [(len(PDF), _sha(PDF))]
    finally:
        portal.close()
