"""`load.route: auto`: the plan asks `user.admin`, records the route, and `load` follows it.

A served sandbox portal with two webhooks: the administrator's (user 1) and a manager's (user 2,
`user.admin` answers false as a real portal does). Non-admin → the plan's first lines warn that
automation fires (terminal, plan.xlsx, summary.html); admin → the load creates through
`crm.item.batchImport` (counted by the sandbox's `/sandbox/stats`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.cli import cli
from migrate.errors import CheckpointError, ConfigError
from migrate.plan import RouteChoice, choose_route
from migrate.run import Migration
from tests.migrate.plan.workspace import COMPANIES, make_workspace, write_csv

ENV = "B24_WEBHOOK_URL"
#: Records the small workspace creates in CRM entities: 3 companies, 3 contacts and 2 deals
#: (d2 is refused: the portal has no `UF_CRM_NOTE`).
CREATED = 8


@pytest.fixture
def portal():  # a fresh portal per test: the same source keys are loaded by several tests
    config = SandboxConfig(token="admin-code", plan="unlimited", extra_webhooks={"mgr-code": 2})
    with running_sandbox(config) as served:
        yield served


def hook(portal, user: int, code: str) -> str:
    return f"{portal.base_url}/rest/{user}/{code}/"


def webhook_workspace(tmp_path, route: str | None = None, language: str = "ru"):
    workspace = make_workspace(tmp_path, language=language)
    text = workspace.config_path.read_text(encoding="utf-8")
    text = text.replace("portal: {url: sandbox}", f"portal: {{url: 'env:{ENV}', plan: unlimited}}")
    if route:
        text = text.replace("load: {", f"load: {{route: {route}, ")
    workspace.config_path.write_text(text, encoding="utf-8")
    return workspace


def test_choose_route_and_the_automation_count():
    assert choose_route("auto", True) == "import"
    assert choose_route("auto", False) == "add"
    assert choose_route("auto", None) == "add"
    assert choose_route("add", True) == "add"
    assert choose_route("import", False) == "import"
    counts = {("company", "create"): 3, ("deal", "update"): 2, ("requisite", "create"): 9,
              ("deal", "skip"): 4, ("comment", "create"): 5}  # fmt: skip
    added = RouteChoice.of("auto", False, counts)
    assert (added.route, added.automated, added.fires_automation) == ("add", 5, True)
    imported = RouteChoice.of("auto", True, counts)
    assert (imported.route, imported.automated, imported.imported) == ("import", 2, 3)
    assert not imported.fires_automation
    assert "2" in imported.lines("en")[0]
    assert "crm.*.update" in imported.lines("en")[0]
    assert RouteChoice.from_json(added.to_json()) == added
    assert RouteChoice.from_json("{broken") is None
    assert RouteChoice.of("add", True, {}).lines() == ()  # nothing to send, nothing to say


def test_a_non_admin_webhook_plans_the_add_route_and_says_so_first(tmp_path, portal, monkeypatch):
    workspace = webhook_workspace(tmp_path)
    monkeypatch.setenv(ENV, hook(portal, 2, "mgr-code"))
    run = CliRunner().invoke(cli, ["plan", "--workspace", str(workspace.root)])
    lines = run.output.splitlines()
    assert lines[0].startswith("Внимание: маршрут загрузки `add`"), run.output
    warning = lines[0]
    assert f"Для {CREATED} записей" in warning
    assert "user.admin = false" in warning
    assert "роботы и бизнес-процессы" in warning
    book = load_workbook(workspace.reports_dir / "plan.xlsx")
    assert book.sheetnames[0] == "Внимание"
    assert book.active.title == "Внимание"
    cell = str(book["Внимание"]["A1"].value)
    assert f"Для {CREATED} записей" in cell
    assert "`load.route: auto`" in cell
    page = Migration(workspace).report().report.read_text(encoding="utf-8")
    main = ET.fromstring(page.split("<!DOCTYPE html>\n", 1)[1]).find(".//main")
    assert main is not None
    sections = [el for el in main if el.tag in ("header", "section")]
    assert sections[0].tag == "header"
    assert sections[1].get("data-route") == "add"  # the first words after the title
    assert f"Для {CREATED} записей" in "".join(sections[1].itertext())


def test_route_add_chosen_in_migration_yaml_warns_in_english(tmp_path, portal, monkeypatch):
    workspace = webhook_workspace(tmp_path, route="add", language="en")
    monkeypatch.setenv(ENV, hook(portal, 1, "admin-code"))
    result = Migration(workspace).plan().result
    assert (result.route.route, result.route.admin, result.route.automated) == ("add", True, 8)
    (line,) = result.route.lines("en")
    assert line.startswith("Warning: the load's route is `add` (`load.route: add` in")
    assert f"fire for {CREATED} records" in line
    book = load_workbook(workspace.reports_dir / "plan.xlsx")
    assert book.sheetnames[:2] == ["Attention", "Summary"]


def test_an_admin_webhook_loads_through_batch_import(tmp_path, portal, monkeypatch):
    workspace = webhook_workspace(tmp_path)
    monkeypatch.setenv(ENV, hook(portal, 1, "admin-code"))
    before = dict(portal.app.stats()["methods"])
    migration = Migration(workspace)
    planned = migration.plan(skip_refused=True).result
    assert (planned.route.route, planned.route.admin) == ("import", True)
    assert not planned.route.fires_automation
    assert planned.route.imported == CREATED
    book = load_workbook(workspace.reports_dir / "plan.xlsx")
    assert book.sheetnames[0] == "Сводка"  # nothing to warn about
    migration.load(settle_seconds=0)
    after = portal.app.stats()["methods"]
    sent = {m: after.get(m, 0) - before.get(m, 0) for m in after}
    assert sent.get("crm.item.batchimport", 0) == 3  # companies, contacts, deals (lower case)
    for legacy in ("crm.company.add", "crm.contact.add", "crm.deal.add"):
        assert sent.get(legacy, 0) == 0, sent


def test_load_refuses_an_import_plan_once_the_webhook_is_not_an_admin(
    tmp_path, portal, monkeypatch
):
    workspace = webhook_workspace(tmp_path)
    monkeypatch.setenv(ENV, hook(portal, 1, "admin-code"))
    Migration(workspace).plan(skip_refused=True)
    monkeypatch.setenv(ENV, hook(portal, 2, "mgr-code"))
    with pytest.raises(CheckpointError, match=r"user\.admin"):
        Migration(workspace).load(settle_seconds=0)


def test_a_non_admin_load_adds_and_says_again_that_automation_fires(tmp_path, portal, monkeypatch):
    workspace = webhook_workspace(tmp_path)
    monkeypatch.setenv(ENV, hook(portal, 2, "mgr-code"))
    assert Migration(workspace).plan(skip_refused=True).result.route.route == "add"
    before = dict(portal.app.stats()["methods"])
    ticks = []
    Migration(workspace, on_progress=ticks.append).load(settle_seconds=0)
    notes = [t.note for t in ticks if t.step == "load" and t.note]
    assert any(f"Для {CREATED} записей" in n for n in notes), notes
    after = portal.app.stats()["methods"]
    sent = {m: after.get(m, 0) - before.get(m, 0) for m in after}
    assert sent.get("crm.item.batchimport", 0) == 0
    assert (sent.get("crm.company.add"), sent.get("crm.contact.add")) == (3, 3)  # legacy adds


def test_a_second_plan_after_an_import_with_dates_kept_changes_nothing(
    tmp_path, portal, monkeypatch
):
    """Records loaded with their creation dates are older than the portal's newest records
    afterwards: the re-plan must see them unchanged, not re-date them as new (every record
    was planned as an update before)."""
    workspace = webhook_workspace(tmp_path)
    mapping = workspace.root / "mappings" / "company.yaml"
    mapping.write_text(
        mapping.read_text(encoding="utf-8") + "  DATE_CREATE: {from: Создана, clean: [datetime]}\n",
        encoding="utf-8",
    )
    dates = ["Создана", "2021-03-01 10:00", "2022-05-02 11:00", "2023-07-03 12:00"]
    write_csv(workspace.root / "data" / "companies.csv",
              [[*row, day] for row, day in zip(COMPANIES, dates, strict=True)])  # fmt: skip
    monkeypatch.setenv(ENV, hook(portal, 1, "admin-code"))
    first = Migration(workspace).plan(skip_refused=True).result
    assert first.backdating.kept.get("company") == 3
    Migration(workspace).load(settle_seconds=0)
    again = Migration(workspace).plan(skip_refused=True).result
    assert again.count("company", "unchanged") == 3
    assert again.count("company", "update") == 0
    assert again.count("deal", "update") == 0


@pytest.mark.parametrize(
    ("language", "words"), [("ru", "не администратор"), ("en", "not a portal")]
)
def test_route_import_on_a_non_admin_webhook_stops_the_plan(
    tmp_path, portal, monkeypatch, language, words
):
    """`load.route: import` with a manager's webhook: the plan stops before writing anything
    (the load would refuse every record), saying why and how to fix it."""
    workspace = webhook_workspace(tmp_path, route="import", language=language)
    monkeypatch.setenv(ENV, hook(portal, 2, "mgr-code"))
    run = CliRunner().invoke(cli, ["plan", "--workspace", str(workspace.root)])
    assert isinstance(run.exception, ConfigError), run.output
    assert run.exception.exit_code == 2  # `main` turns it into exit code 2
    text = str(run.exception)
    assert words in text
    assert "`load.route: import`" in text
    assert "load.route: auto" in text  # the fix, on the "Next:" line
    assert not (workspace.reports_dir / "plan.xlsx").exists()
    monkeypatch.setenv(ENV, hook(portal, 1, "admin-code"))  # an administrator's webhook: planned
    assert Migration(workspace).plan(skip_refused=True).result.route.route == "import"
