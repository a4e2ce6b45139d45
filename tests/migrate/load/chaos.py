"""The chaos run: the sample migration into a served, faulty sandbox, the load SIGKILLed.

1. `python -m migrate sandbox serve` (a subprocess, data on disk) without faults; the amoCRM
   sample workspace is planned against it (:mod:`.sample_plan`); the server is restarted
   with faults on (503, 500, replies dropped after the commit, timeouts, and in OAuth mode
   expired tokens).
2. `python -m migrate load` runs as a subprocess and is SIGKILLed at random moments (each
   after it sent at least one more batch), ``kills`` times; then it runs to the end.
3. The server stops; the portal's data is opened in-process and compared with the ledger's
   plan: per entity every planned record exists once (by ORIGIN_ID / XML_ID / comment tag /
   a smart-process item's xmlId), and every reference (deal → company and contacts, contact
   → company, requisite → company, comment → owner, contract → company, contacts and deal)
   points at the portal record of the referenced source key; a
   product's planned price (the ``product_prices`` set) is the portal's, else it is lost.

Used by tests/migrate/load/test_chaos.py (short) and bench/chaos.py (full size).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from loaders.client import Bitrix24Client
from loaders.sandbox import SandboxConfig, create_app
from loaders.sandbox.fixtures import add_smart_processes
from sample_data.account import SAMPLE_SMART_PROCESS
from tests.portal_comments import every_comment

from .sample_plan import SMART_STATUS_FIELD, init_sample, plan_sample

REPO = Path(__file__).resolve().parents[3]
FAULTS = "503=0.05,500=0.02,drop=0.02,timeout=0.01"
OAUTH_FAULTS = FAULTS + ",expire=0.01"


@dataclass
class ChaosResult:
    """Figures of one chaos run."""

    planned: Counter[str]
    found: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    left_sending: int = 0
    blocked: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    duplicated: int = 0
    wrong_refs: int = 0
    wrong_files: int = 0  # a loaded activity with other than its planned attachments
    failed: int = 0
    final_code: int | None = None
    final_error: str = ""
    faults: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        return f"lost={self.lost} duplicated={self.duplicated} wrong_files={self.wrong_files}"


def run_chaos(
    root: Path,
    *,
    kills: int,
    rows: int | None,
    seed: int = 1,
    oauth: bool = False,
    batch_size: int = 50,
    structure: bool = False,
) -> ChaosResult:
    """Run the whole scenario in ``root`` (a fresh folder); see the module docstring.

    With ``structure`` the user fields, the «Тендеры» pipeline and its stages are not set up
    by hand: the plan proposes them, `--accept-structure` accepts, the (killed) load creates
    them, and each must exist exactly once.
    """
    started = time.monotonic()
    port = free_port()
    data = root / "portal"
    server = SandboxServer(port, data, oauth)
    add_smart_processes(SandboxConfig(data_dir=data), (SAMPLE_SMART_PROCESS,))
    server.start("")
    try:
        workspace = init_sample(
            root / "ws", _portal_block(port, oauth), "unlimited", batch_size, rows,
            keep_pipelines=structure,
        )  # fmt: skip
        planned = plan_sample(workspace, server.webhook, accept_structure=structure)
        server.stop()
        server.start(OAUTH_FAULTS if oauth else FAULTS, seed)
        result = ChaosResult(planned)
        _kill_loads(workspace.root, kills, random.Random(seed), result)
        errors = root / "final-load.stderr"
        with errors.open("wb") as sink:
            final = _load(workspace.root, stderr=sink)
            result.final_code = final.wait(timeout=1800)
        result.final_error = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
        result.failed = _failed(workspace.root)
    finally:
        server.stop()
    result.faults = server.stats
    asyncio.run(_verify(data, workspace.root, result))
    result.seconds = time.monotonic() - started
    return result


class SandboxServer:
    """`python -m migrate sandbox serve` in a subprocess on a free port."""

    def __init__(
        self, port: int, data: Path, oauth: bool = False, plan: str = "unlimited",
        latency_ms: float = 10.0,
    ) -> None:  # fmt: skip
        self.port, self.data, self.oauth = port, data, oauth
        self.plan, self.latency_ms = plan, latency_ms
        self.proc: subprocess.Popen[bytes] | None = None
        self.stats: dict[str, Any] = {}

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/rest/1/sandbox/"

    def start(self, faults: str, seed: int = 0) -> None:
        command = [sys.executable, "-m", "migrate", "sandbox", "serve", "--port", str(self.port),
                   "--data", str(self.data), "--plan", self.plan,
                   "--latency-ms", str(self.latency_ms), "--timeout-s", "1", "--seed", str(seed),
                   "--faults", faults]  # fmt: skip
        if self.oauth:
            command += ["--oauth", "--token-ttl", "3600"]
        self.proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/sandbox/stats", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the sandbox server did not start")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            stats = httpx.get(f"http://127.0.0.1:{self.port}/sandbox/stats", timeout=5).json()
            self.stats = stats.get("faults", stats)
        except httpx.HTTPError:
            pass
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        self.proc = None


def _portal_block(port: int, oauth: bool) -> str:
    base = f"http://127.0.0.1:{port}"
    if not oauth:
        return f"{base}/rest/1/sandbox/"
    return (
        "sandbox\n  oauth:\n"
        f"    endpoint: {base}/rest/\n    client_id: local.sandbox\n"
        "    client_secret: sandbox-secret\n    refresh_token: sandbox-refresh\n"
        f"    token_url: {base}/oauth/token/"
    )


def _load(workspace: Path, stderr: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "migrate", "load", "-w", str(workspace), "--skip-blocked",
               "--settle-seconds", "1.5", "--quiet"]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr)


def _kill_loads(workspace: Path, kills: int, rng: random.Random, result: ChaosResult) -> None:
    ledger = workspace / ".b24migrate" / "ledger.sqlite"
    for _ in range(kills):
        proc = _load(workspace)
        before = _scalar(ledger, "SELECT COUNT(*) FROM batches")
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if _scalar(ledger, "SELECT COUNT(*) FROM batches") > before:
                break
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.25))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            result.kills += 1
        proc.wait(timeout=60)
        result.left_sending += _scalar(ledger, "SELECT COUNT(*) FROM records WHERE state='sending'")


def _scalar(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _failed(workspace: Path) -> int:
    return _scalar(
        workspace / ".b24migrate" / "ledger.sqlite",
        "SELECT COUNT(*) FROM records WHERE state = 'failed'",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- verification --------------------------------------------------------------------------------
#: Where the portal keeps each record's source key: ORIGIN_ID on CRM records, XML_ID on
#: requisites and catalogue products (a timeline comment ends with "b24migrate: NAME/KEY").
PORTAL_KEYS = {
    "company": ("crm.company.list", "ORIGIN_ID"),
    "contact": ("crm.contact.list", "ORIGIN_ID"),
    "deal": ("crm.deal.list", "ORIGIN_ID"),
    "lead": ("crm.lead.list", "ORIGIN_ID"),
    "requisite": ("crm.requisite.list", "XML_ID"),
    "product": ("crm.product.list", "XML_ID"),
    "product_section": ("crm.productsection.list", "XML_ID"),
    "activity": ("crm.activity.list", "ORIGIN_ID"),
}


_STRUCTURE = ("user_field", "field_item", "pipeline", "stage")
_CHECKED = {*PORTAL_KEYS, "comment", "product_prices", "task", "smart_process", *_STRUCTURE}
SMART_TYPE = 128  # the sandbox's first smart process: «Договоры»
_STATUS_CAMEL = SMART_STATUS_FIELD.lower().replace("_", "")  # its crm.item name, folded


async def _verify(data: Path, workspace: Path, result: ChaosResult) -> None:
    app = create_app(SandboxConfig(data_dir=data, plan="unlimited"))
    transport = httpx.ASGITransport(app=app)
    ledger = sqlite3.connect(workspace / ".b24migrate" / "ledger.sqlite")
    try:
        async with Bitrix24Client(
            "http://portal/rest/1/sandbox/", transport=transport, plan="unlimited"
        ) as client:
            portal = await _portal_records(client)
            portal.update(await _portal_structure(client, ledger))
    finally:
        app.close()
    ledger_prices = ledger.execute(
        "SELECT source_key, fields FROM records WHERE entity = 'product_prices'"
    )
    portal["product_prices"] = _priced(portal.get("product", {}), ledger_prices)
    ids = {
        entity: {key: rows[0]["ID"] for key, rows in by_key.items()}
        for entity, by_key in portal.items()
    }
    unloadable = _unloadable(ledger)
    result.blocked = Counter(entity for entity, _ in unloadable)
    result.planned = Counter(
        {e: n for e, n in (result.planned - result.blocked).items() if e in _CHECKED}
    )
    for entity in result.planned:
        by_key = portal.get(entity, {})
        result.found[entity] = len(by_key)
        result.duplicated += sum(len(rows) - 1 for rows in by_key.values())
        keys = {r[0] for r in ledger.execute("SELECT source_key FROM records WHERE entity=?",
                                              (entity,))}  # fmt: skip
        result.lost += len(keys - set(by_key) - {k for e, k in unloadable if e == entity})
    for entity, key, path, target, target_key in ledger.execute(
        "SELECT r.entity, r.source_key, f.path, f.ref_entity, f.ref_key "
        "FROM refs f JOIN records r ON r.id = f.record_id"
    ):
        rows = portal.get(entity, {}).get(key)
        if not rows or path.startswith("_") or entity in _STRUCTURE:
            continue  # counted as lost; waits for structure; a stage's pipeline (DEAL_STAGE_n)
        if _ref_value(rows[0], path) != ids.get(target, {}).get(target_key):
            result.wrong_refs += 1
    result.wrong_files = _wrong_files(ledger, portal.get("activity", {}))
    ledger.close()


def _wrong_files(ledger: sqlite3.Connection, activities: dict[str, list[dict[str, Any]]]) -> int:
    """Loaded activities whose files are not exactly the planned ones (a file uploaded twice,
    or lost)."""
    wrong = 0
    for key, fields in ledger.execute(
        "SELECT source_key, fields FROM records WHERE entity = 'activity' AND state = 'done'"
    ):
        rows = activities.get(key)
        planned = len(json.loads(fields).get("_FILES") or [])
        wrong += bool(rows) and len(rows[0].get("FILES") or []) != planned
    return wrong


def _priced(
    products: dict[str, list[dict[str, Any]]], planned: Any
) -> dict[str, list[dict[str, Any]]]:
    """Product key → its portal row (as the prices' owner) where the price is the planned one."""
    found: dict[str, list[dict[str, Any]]] = {}
    for key, fields in planned:
        rows = products.get(key)
        wanted = json.loads(fields)["PRICES"][0]["PRICE"]
        if rows and _amount(rows[0].get("PRICE")) == _amount(wanted):
            found[key] = [{**rows[0], "OWNER_ID": rows[0]["ID"]}]
    return found


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _unloadable(ledger: sqlite3.Connection) -> set[tuple[str, str]]:
    """Records that refer (through any chain) to a record the plan does not hold.

    The plan put their target's key in the reference index although it refused that row;
    such records can never be sent (`b24migrate status` shows them as blocked).
    """
    refs = ledger.execute(
        "SELECT r.entity, r.source_key, f.ref_entity, f.ref_key, t.id IS NULL "
        "FROM refs f JOIN records r ON r.id = f.record_id "
        "LEFT JOIN records t ON t.entity = f.ref_entity AND t.source_key = f.ref_key"
    ).fetchall()
    bad = {(e, k) for e, k, _, _, missing in refs if missing}
    while True:
        more = {(e, k) for e, k, te, tk, _ in refs if (te, tk) in bad} - bad
        if not more:
            return bad
        bad |= more


def _ref_value(row: dict[str, Any], path: str) -> str | None:
    head, _, index = path.partition(".")
    value = row.get(head)
    if index and isinstance(value, list):
        value = value[int(index)] if int(index) < len(value) else None
    return None if value in (None, "", "0") else str(value)


async def _portal_records(client: Bitrix24Client) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """entity → origin key → portal rows (several rows = duplicates)."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for entity, (method, key_field) in PORTAL_KEYS.items():
        # list values: UF_ fields; an activity's files only when asked (crm-activity-list.md)
        select = ["*", "UF_*", *(["FILES"] if entity == "activity" else [])]
        rows = await client.list_all(method, {}, select)
        for row in rows:
            if row.get(key_field):
                found[entity][str(row[key_field])].append(row)
    for contact in found["contact"].values():
        contact[0]["COMPANY_ID"] = contact[0].get("COMPANY_ID")
    await _deal_contacts(client, found["deal"])
    comments = await every_comment(client, ["*"])
    for row in comments:
        text = str(row.get("COMMENT") or "")
        marker = text.rsplit("b24migrate: ", 1)
        if len(marker) == 2:
            key = marker[1].split("/", 1)[1].strip()
            found["comment"][key].append({**row, "ENTITY_ID": row.get("ENTITY_ID")})
    for rows in found["requisite"].values():
        rows[0]["ENTITY_ID"] = rows[0].get("ENTITY_ID")
    for task in await list_tasks(client):
        owner = (task.get("ufCrmTask") or ["_"])[0].rsplit("_", 1)[-1]
        key = str(task.get("xmlId") or "").split("/", 1)[-1]
        found["task"][key].append({**task, "ID": task["id"], "OWNER_ID": owner})
    items = await client.list_all("crm.item.list", {}, ["*"], params={"entityTypeId": SMART_TYPE})
    for item in items:  # camelCase → the ledger's names, for the reference check
        if item.get("xmlId"):
            key = str(item["xmlId"]).split("/", 1)[-1]  # scoped by the migration's name
            found["smart_process"][key].append({
                "ID": item["id"], "COMPANY_ID": item.get("companyId"),
                "CONTACT_IDS": [str(c) for c in item.get("contactIds") or []],
                "PARENT_ID_2": item.get("parentId2"),
                SMART_STATUS_FIELD: next((v for k, v in item.items()
                                          if k.lower().replace("_", "") == _STATUS_CAMEL), None),
            })  # fmt: skip
    return found


async def list_tasks(client: Bitrix24Client) -> list[dict[str, Any]]:
    """Every task of the portal with its CRM bindings, page by page (tasks-task-list.md)."""
    tasks: list[dict[str, Any]] = []
    start: int | None = 0
    while start is not None:
        reply = await client.call("tasks.task.list", {"select": ["*", "UF_CRM_TASK"],
                                                      "start": start})  # fmt: skip
        tasks += reply.result["tasks"]
        start = reply.next
    return tasks


async def _portal_structure(
    client: Bitrix24Client, ledger: sqlite3.Connection
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The portal's user fields, their list items, pipelines and stages under the keys the
    ledger gives the ones the load created (``deal:UF_CRM_TAGS``, ``Тендеры / …``): only
    those keys, since the portal has structure of its own beside ours."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for entity in ("company", "contact", "deal"):
        for row in (await client.call(f"crm.{entity}.userfield.list", {})).result:
            name = f"{entity}:{row['FIELD_NAME']}"
            found["user_field"][name].append(row)
            field = (await client.call(f"crm.{entity}.userfield.get", {"id": row["ID"]})).result
            for item in field.get("LIST") or []:
                found["field_item"][f"{name}:{item['VALUE']}"].append({"ID": str(item["ID"])})
    spa = (await client.call("userfieldconfig.list", {"moduleId": "crm"})).result
    for row in spa["fields"]:  # a smart process's user fields
        name = f"smart_process:{row['fieldName']}"
        found["user_field"][name].append({"ID": row["id"]})
        got = await client.call("userfieldconfig.get", {"moduleId": "crm", "id": row["id"]})
        for item in got.result["field"].get("enum") or []:
            found["field_item"][f"{name}:{item['value']}"].append({"ID": str(item["id"])})
    categories = (await client.call("crm.category.list", {"entityTypeId": 2})).result
    names = {str(c["id"]): c["name"] for c in categories["categories"]}
    for row in categories["categories"]:
        found["pipeline"][row["name"]].append({"ID": str(row["id"])})
    for row in await client.list_all("crm.status.list", {}, []):
        if str(row["ENTITY_ID"]).startswith("DEAL_STAGE"):
            found["stage"][f"{names[str(row['CATEGORY_ID'] or 0)]} / {row['NAME']}"].append(row)
    ours = {
        entity: {r[0] for r in ledger.execute("SELECT source_key FROM records WHERE entity = ?",
                                              (entity,))}
        for entity in _STRUCTURE
    }  # fmt: skip
    return {e: {k: rows for k, rows in found[e].items() if k in ours[e]} for e in _STRUCTURE}


async def _deal_contacts(client: Bitrix24Client, deals: dict[str, list[dict[str, Any]]]) -> None:
    from loaders.batch import Command

    firsts = [rows[0] for rows in deals.values()]
    for start in range(0, len(firsts), 50):
        chunk = firsts[start : start + 50]
        commands = [
            Command(f"c{i}", "crm.deal.contact.items.get", {"id": row["ID"]})
            for i, row in enumerate(chunk)
        ]
        for row, reply in zip(chunk, await client.batch(commands), strict=True):
            row["CONTACT_IDS"] = [str(item["CONTACT_ID"]) for item in reply.result or []]
