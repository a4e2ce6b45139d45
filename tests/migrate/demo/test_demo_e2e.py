"""The demo end to end on a small cut of the sample, against a served sandbox portal."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from loaders.sandbox import SandboxConfig, create_app
from mappings.entities import STRUCTURE
from migrate.cli import cli, main
from migrate.demo import DemoSettings, run_demo
from tests.migrate.load.chaos import PORTAL_KEYS

TOKEN = "e2e0known0token0c0de"
REPORTS = ("errors.xlsx", "duplicates.xlsx", "plan.xlsx", "owners.xlsx", "load.xlsx",
           "summary.html")  # fmt: skip


def _number(text: str | None) -> int:
    return int(re.sub(r"\D", "", text or "") or 0)


def _page(path: Path) -> ET.Element:
    body = path.read_text(encoding="utf-8").split("\n", 1)[1]  # drop the doctype
    return ET.fromstring(body)


def _kpi(page: ET.Element, key: str) -> int:
    card = page.find(f".//*[@data-kpi='{key}']")
    assert card is not None, key
    return _number(card[0].text)


def _metric(page: ET.Element, entity: str, metric: str) -> str:
    cell = page.find(f".//tr[@data-entity='{entity}']/td[@data-metric='{metric}']")
    assert cell is not None, (entity, metric)
    return cell.text or ""


TAG = "b24migrate: demo/"  # how a timeline comment names its note


async def _list(
    client: httpx.AsyncClient, method: str, select: list[str], where: dict | None = None
) -> list[dict]:
    rows: list[dict] = []
    start: int | None = 0
    while start is not None:
        query = {"select": select, "start": start, "filter": where or {}}
        body = (await client.post(method, json=query)).json()
        rows += body["result"]
        start = body.get("next")
    return rows


async def _comments(client: httpx.AsyncClient) -> list[dict]:
    """Every comment, per owner: the filter's ``ENTITY_ID`` and ``ENTITY_TYPE`` are
    mandatory (crm-timeline-comment-list.md)."""
    rows: list[dict] = []
    for owner in ("company", "contact", "deal", "lead"):
        for record in await _list(client, f"crm.{owner}.list", ["ID"]):
            where = {"ENTITY_ID": record["ID"], "ENTITY_TYPE": owner}
            rows += await _list(client, "crm.timeline.comment.list", ["COMMENT"], where)
    return rows


async def _items(client: httpx.AsyncClient) -> list[dict]:
    """Every item of the demo portal's smart process «Договоры» (entityTypeId 128)."""
    rows: list[dict] = []
    start: int | None = 0
    while start is not None:
        body = {"entityTypeId": 128, "select": ["*"], "start": start}
        reply = (await client.post("crm.item.list", json=body)).json()
        rows += reply["result"]["items"]
        start = reply.get("next")
    return rows


def _portal_keys(root: Path) -> dict[str, Counter[str]]:
    """Each entity's records in the demo's portal, counted by source key: its data opened
    in-process and listed with plain httpx, not with b24migrate's client or verifier."""
    # unlimited: comments are listed per owner, more calls than the bucket of a plan allows
    app = create_app(
        SandboxConfig(data_dir=root / ".b24migrate" / "sandbox", token=TOKEN, plan="unlimited")
    )

    async def listed() -> dict[str, Counter[str]]:
        base = f"http://portal/rest/1/{TOKEN}/"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as c:
            found = {
                entity: Counter(str(row.get(key) or "") for row in await _list(c, method, [key]))
                for entity, (method, key) in PORTAL_KEYS.items()
            }
            found["smart_process"] = Counter(
                i["xmlId"].removeprefix("demo/") for i in await _items(c)
            )
            comments = await _comments(c)
            products = await _list(c, "crm.product.list", ["XML_ID", "PRICE"])
            structure = await _structure_keys(c)
            tasks = (await c.post("tasks.task.list", json={"select": ["ID", "XML_ID"]})).json()
        found["comment"] = Counter(r["COMMENT"].rsplit(TAG, 1)[-1] for r in comments)
        found["task"] = Counter(t["xmlId"].removeprefix("demo/") for t in tasks["result"]["tasks"])
        found["product_prices"] = Counter(r["XML_ID"] for r in products if r["PRICE"] is not None)
        found.update(structure)
        return found

    try:
        return asyncio.run(listed())
    finally:
        app.close()


async def _structure_keys(client: httpx.AsyncClient) -> dict[str, Counter[str]]:
    """The portal's user fields, list items, pipelines and stages, by the keys the ledger
    gives what the load created (``deal:UF_CRM_TAGS``, ``Тендеры / Заявка подана`` …)."""
    fields: Counter[str] = Counter()
    items: Counter[str] = Counter()
    for entity in ("company", "contact", "deal"):
        rows = (await client.post(f"crm.{entity}.userfield.list", json={})).json()["result"]
        for row in rows:
            fields[f"{entity}:{row['FIELD_NAME']}"] += 1
            got = await client.post(f"crm.{entity}.userfield.get", json={"id": row["ID"]})
            for item in got.json()["result"].get("LIST") or []:
                items[f"{entity}:{row['FIELD_NAME']}:{item['VALUE']}"] += 1
    body = (await client.post("crm.category.list", json={"entityTypeId": 2})).json()
    names = {str(c["id"]): c["name"] for c in body["result"]["categories"]}
    stages: Counter[str] = Counter()
    for row in await _list(client, "crm.status.list", []):
        if row["ENTITY_ID"].startswith("DEAL_STAGE"):
            stages[f"{names[str(row['CATEGORY_ID'] or 0)]} / {row['NAME']}"] += 1
    pipelines = Counter(names.values())
    return {"user_field": fields, "field_item": items, "pipeline": pipelines, "stage": stages}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "ws"
    lines: list[str] = []
    result = run_demo(DemoSettings(root, rows=40, token=TOKEN), say=lines.append)
    return result, lines


def test_every_stage_runs_and_writes_its_report(demo):
    result, lines = demo
    assert [s.name for s in result.steps] == ["validate", "dedupe", "plan", "load", "report"]
    assert result.failed is None, result.failed
    assert len(lines) == 5
    for name in REPORTS:
        assert result.report(name) is not None, name
    assert result.check is not None
    assert result.check.lost == 0
    assert result.check.duplicated == 0
    assert result.check.expected > 0


def test_the_portal_itself_holds_every_loaded_record_exactly_once(demo):
    result, _ = demo
    ledger = sqlite3.connect(result.workspace.ledger_path)
    loaded: defaultdict[str, set[str]] = defaultdict(set)
    for entity, key in ledger.execute(
        "SELECT entity, source_key FROM records WHERE state = 'done' AND op != 'skip'"
    ):
        loaded[entity].add(key)
    ledger.close()
    portal = _portal_keys(result.workspace.root)
    assert set(loaded) >= {"company", "contact", "deal", "requisite", "product", "smart_process"}
    for entity, keys in loaded.items():
        seen = portal[entity]
        lost = sorted(k for k in keys if not seen[k])
        duplicated = {k: n for k, n in seen.items() if n > 1 and k in keys}
        unaccounted = sorted(set(seen) - keys)  # a record the ledger does not hold as loaded
        if entity in STRUCTURE:  # the portal has structure of its own beside ours
            unaccounted = []
        assert (lost, duplicated, unaccounted) == ([], {}, []), entity
    # the structure the plan proposed was created by the load, without hand-made set-up
    assert {"contact:UF_CRM_TAGS", "deal:UF_CRM_TAGS", "company:UF_CRM_TAGS"} <= loaded[
        "user_field"
    ]
    assert loaded["pipeline"] == {"Тендеры"}
    assert {"Тендеры / Подготовка заявки", "Тендеры / Заявка подана"} <= loaded["stage"]
    assert loaded["field_item"]  # the contacts' and deals' tags became list values
    assert not any(portal[e] for e in PORTAL_KEYS if e not in loaded)
    assert sum(map(len, loaded.values())) > 150
    assert result.check is not None  # the product's own check saw the same records
    assert result.check.expected == sum(
        len(loaded[e])
        for e in ("company", "contact", "deal", "activity", "smart_process", "requisite")
    )


def _portal_owners(root: Path) -> dict[str, int]:
    """Each loaded company's `ASSIGNED_BY_ID` in the demo's portal, by source key."""
    # unlimited: comments are listed per owner, more calls than the bucket of a plan allows
    app = create_app(
        SandboxConfig(data_dir=root / ".b24migrate" / "sandbox", token=TOKEN, plan="unlimited")
    )

    async def listed() -> list[dict]:
        base = f"http://portal/rest/1/{TOKEN}/"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as c:
            return await _list(c, "crm.company.list", ["ORIGIN_ID", "ASSIGNED_BY_ID"])

    try:
        return {r["ORIGIN_ID"]: int(r["ASSIGNED_BY_ID"]) for r in asyncio.run(listed())}
    finally:
        app.close()


def test_owners_match_the_portals_users_and_the_load_imports(demo):
    """No default-owner hack: the sample's owners match the seeded team by e-mail or name,
    the dismissed and unknown ones go to the head of sales named in migration.yaml, and the
    admin webhook makes the load use crm.item.batchImport."""
    from openpyxl import load_workbook

    result, lines = demo
    path = result.report("owners.xlsx")
    assert path is not None
    rows = list(load_workbook(path)["Ответственные"].iter_rows(values_only=True))
    owners = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    head = 4  # o.sokolov@sandbox.example, the demo's default owner
    for owner in owners:
        fallen = owner["Отметка"] is not None
        assert (owner["ID сотрудника"] == head) == fallen, owner
        assert owner["Как найден"] != "ответственный по умолчанию" or fallen
    flags = {str(o["Отметка"]).split(":")[0] for o in owners if o["Отметка"]}
    assert flags <= {"уволен", "нет на портале"}
    matched = {o["ID сотрудника"] for o in owners if o["Отметка"] is None}
    assert len(matched) >= 5  # the cut of 40 rows still names most of the team
    assert not matched & {5, 15}  # dismissed employees never get records
    with sqlite3.connect(result.workspace.ledger_path) as ledger:
        planned = {
            key: json.loads(fields).get("ASSIGNED_BY_ID")
            for key, fields in ledger.execute(
                "SELECT source_key, fields FROM records WHERE entity = 'company' AND op = 'create'"
            )
        }
    portal = _portal_owners(result.workspace.root)
    assert planned
    assert {k: portal.get(k) for k in planned} == planned  # the portal holds what was planned
    assert set(planned.values()) <= matched | {head}
    methods = result.portal_stats["methods"]
    assert methods.get("crm.item.batchimport", 0) > 0
    assert methods.get("crm.company.add", 0) == 0
    assert "route import" in lines[2]


def test_summary_html_counts_match_the_ledger_and_the_sources(demo):
    result, _ = demo
    page = _page(result.workspace.reports_dir / "summary.html")
    ledger = sqlite3.connect(result.workspace.ledger_path)
    done = ledger.execute(
        "SELECT COUNT(*) FROM records WHERE state = 'done' AND op != 'skip'"
    ).fetchone()[0]
    creates = dict(
        ledger.execute(
            "SELECT entity, COUNT(*) FROM records WHERE op IN ('create', 'set') GROUP BY entity"
        ).fetchall()
    )
    ledger.close()
    assert _kpi(page, "done") == done
    # 40 data rows of each of the eight sample files were kept (rows left empty are skipped)
    assert 8 * 35 <= _kpi(page, "read") <= 8 * 40
    assert _number(_metric(page, "company", "create")) == creates["company"]
    assert _number(_metric(page, "note", "create")) == creates.get("comment", 0)
    assert _number(_metric(page, "company", "done")) > 0
    # every row read is accounted for: loaded, merged into another, refused or still pending
    for entity in ("company", "contact", "deal", "note", "activity", "task", "smart_process"):
        read, done, merged, refused = (
            _number(_metric(page, entity, m)) if _metric(page, entity, m) != "—" else 0
            for m in ("rows_read", "done", "records_merged", "rows_refused")
        )
        plan_refused, pending = (
            _number(_metric(page, entity, m)) for m in ("plan_refused", "pending")
        )
        assert read == done + merged + refused + plan_refused + pending, entity


def test_the_run_log_is_json_lines_without_the_webhook_code(demo):
    result, _ = demo
    text = result.log.path.read_text(encoding="utf-8")
    events = [json.loads(line) for line in text.splitlines()]
    assert {e["event"] for e in events if "event" in e} >= {"start", "stage", "check", "end"}
    assert all(e["run"] == result.log.run_id for e in events)
    assert TOKEN not in text
    for path in result.workspace.root.rglob("*"):
        if path.is_file() and path.suffix in (".jsonl", ".yaml", ".html", ".json"):
            assert TOKEN not in path.read_text(encoding="utf-8", errors="replace"), path


def test_demo_command_json_on_a_tiny_sample(tmp_path):
    root = tmp_path / "ws"
    outcome = CliRunner().invoke(cli, ["demo", "--rows", "15", "--json", "-w", str(root)])
    assert outcome.exit_code == 0, outcome.output
    body = json.loads(outcome.output)
    assert [s["error"] for s in body["steps"]] == [None] * 5
    assert set(body["reports"]) == set(REPORTS)
    assert body["check"]["lost"] == 0
    assert body["check"]["duplicated"] == 0


def test_demo_refuses_a_folder_that_already_holds_a_workspace(tmp_path, capsys):
    (tmp_path / "migration.yaml").write_text("name: x\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["demo", "--rows", "5", "-w", str(tmp_path)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "already holds a workspace" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_demo_with_faults_recovers_without_losing_or_duplicating(tmp_path):
    result = run_demo(DemoSettings(tmp_path / "ws", rows=120, faults=True, seed=3))
    assert result.failed is None, result.failed
    injected = sum(result.portal_stats["faults"].values())
    assert injected > 0
    assert result.retries > 0
    assert result.check is not None
    assert (result.check.lost, result.check.duplicated, result.check.unaccounted) == (0, 0, 0)


def test_report_command_rebuilds_the_same_counts_from_the_stages(demo, capsys):
    result, _ = demo
    page_before = _page(result.workspace.reports_dir / "summary.html")
    main(["report", "--json", "-w", str(result.workspace.root)])  # exits only on failure
    body = json.loads(capsys.readouterr().out)
    page = _page(Path(body["summary_html"]))
    for key in ("read", "warn", "merged", "done", "refused"):
        assert _kpi(page, key) == _kpi(page_before, key), key
    assert body["portal"] == "sandbox"  # after the demo the workspace opens its data in-process
    logs = list((result.workspace.root / ".b24migrate" / "logs").glob("*-report-*.jsonl"))
    assert len(logs) == 1


def test_follow_up_commands_work_on_the_demo_workspace(demo, capsys):
    result, _ = demo
    main(["status", "--json", "-w", str(result.workspace.root)])
    status = json.loads(capsys.readouterr().out)
    assert status["migration"] == "demo"
    assert sum(e["done"] for e in status["entities"]) > 0
    assert sum(e["failed"] + e["sending"] for e in status["entities"]) == 0


def _stage_events(path: Path, stage: str, since: str = "") -> list[dict]:
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [e for e in events if e.get("stage") == stage and "computed" in e and e["ts"] >= since]


def test_the_sources_are_read_and_cleaned_once_and_deduplicated_once(demo):
    result, _ = demo
    prepared = _stage_events(result.log.path, "prepare")
    deduped = _stage_events(result.log.path, "dedupe")
    assert len(prepared) == 1, prepared  # validate computed it; dedupe, plan, report reused it
    assert set(prepared[0]["computed"]) == {
        "company",
        "contact",
        "deal",
        "note",
        "product",
        "activity",
        "task",
        "smart_process",
    }
    assert len(deduped) == 1, deduped
    assert set(deduped[0]["computed"]) == {"company", "contact", "product"}


def test_a_later_command_reuses_the_stage_results_of_the_demo(demo, capsys):
    result, _ = demo
    since = datetime.now(UTC).isoformat(timespec="milliseconds")
    main(["report", "--json", "-w", str(result.workspace.root)])
    capsys.readouterr()
    logs = (result.workspace.root / ".b24migrate" / "logs").glob("*-report-*.jsonl")
    events = [(e["stage"], e) for log in logs for stage in ("prepare", "dedupe")
              for e in _stage_events(log, stage, since)]  # fmt: skip
    (prepared,) = [e for stage, e in events if stage == "prepare"]
    (deduped,) = [e for stage, e in events if stage == "dedupe"]
    assert prepared["computed"] == []
    assert len(prepared["reused"]) == 8
    assert deduped["computed"] == []
    assert len(deduped["reused"]) == 3


def test_contracts_are_in_the_smart_process_with_their_links_and_amounts(demo):
    """The sample's contracts, read back from the portal: the company, contacts and deal each
    links to are the ones the ledger loaded for the contract's source keys; amounts add up."""
    from migrate.ledger import Ledger

    result, _ = demo
    app = create_app(SandboxConfig(data_dir=result.workspace.root / ".b24migrate" / "sandbox",
                                   token=TOKEN))  # fmt: skip

    async def listed() -> list[dict]:
        base = f"http://portal/rest/1/{TOKEN}/"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as c:
            return await _items(c)

    try:
        items = {item["xmlId"].removeprefix("demo/"): item for item in asyncio.run(listed())}
    finally:
        app.close()
    with Ledger.for_workspace(result.workspace.root, "demo") as ledger:
        records = [r for r in ledger.records("smart_process") if r.b24_id is not None]
    assert len(records) > 10
    assert set(items) == {r.source_key for r in records}
    linked = 0
    for record in records:
        fields, item = record.resolved_fields(), items[record.source_key]
        assert item["id"] == record.b24_id
        assert item["companyId"] == fields.get("COMPANY_ID")
        assert item["contactIds"] == (fields.get("CONTACT_IDS") or [])
        assert item["parentId2"] == fields.get("PARENT_ID_2")
        assert item["stageId"] == fields["STAGE_ID"]
        assert item["stageId"].startswith("DT128_")
        linked += item["parentId2"] is not None
    assert linked > 0
    planned = sum(float(r.fields.get("OPPORTUNITY") or 0) for r in records)
    assert sum(i["opportunity"] for i in items.values()) == pytest.approx(planned)
