"""`rollback` on a portal people already use: the preview says which records they edited
after the load (by DATE_MODIFY) and which of their records point at ours; answering no
deletes nothing (exit 0); no answer is exit 2; --entity takes what refers to the chosen
records along; afterwards it counts what the portal holds of the migration."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from loaders.sandbox import SandboxConfig
from loaders.sandbox.testing import running_sandbox
from migrate.cli import cli
from migrate.ledger import Ledger
from migrate.ledger.next_step import NEXT

from ..load.conftest import sample_plan
from ..test_cli_load import run
from .conftest import Served, plan, portal_keys

MANAGER = "mgr-code"  # an employee's own webhook (user 2)


@pytest.fixture
def loaded(tmp_path: Path, capsys) -> Iterator[Served]:
    config = SandboxConfig(data_dir=tmp_path / "portal", plan="unlimited",
                           extra_webhooks={MANAGER: 2})  # fmt: skip
    with running_sandbox(config) as portal:
        root = tmp_path / "ws"
        root.mkdir()
        served = Served(root, portal)
        plan(root, sample_plan(companies=3))
        assert run(capsys, "load", "-w", str(root), "--quiet")[0] == 0
        yield served


def manager(served: Served, method: str, params: dict) -> object:
    url = served.portal.webhook_url.replace("/rest/1/sandbox/", f"/rest/2/{MANAGER}/")
    reply = httpx.post(url + method, json=params, timeout=30).json()
    return reply["result"]


def b24_id(served: Served, entity: str, key: str) -> int:
    with Ledger.for_workspace(served.root) as ledger:
        record = ledger.get(entity, key)
    assert record is not None
    assert record.b24_id is not None
    return record.b24_id


def test_the_preview_names_edited_records_and_others_links_then_no_deletes_nothing(loaded):
    time.sleep(2.2)  # the portal stamps DATE_MODIFY in whole seconds
    deal = b24_id(loaded, "deal", "co0-d")
    manager(loaded, "crm.deal.update", {"id": deal, "fields": {"TITLE": "Поставка (согласовано)"}})
    company = b24_id(loaded, "company", "co1")
    theirs = manager(loaded, "crm.deal.add",
                     {"fields": {"TITLE": "Сделка менеджера", "COMPANY_ID": company}})  # fmt: skip
    result = CliRunner().invoke(cli, ["rollback", "-w", str(loaded.root)], input="n\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Rollback of every load run: would delete 3 comment, 3 company, 6 contact, 3 deal" in out
    assert "1 of them were edited in the portal after the load" in out
    assert re.search(
        rf"deal {deal} «Поставка \(согласовано\)» \(`co0-d`\): changed \d{{4}}-\d\d-\d\d "
        r"\d\d:\d\d:\d\d by user 2", out)  # fmt: skip
    assert "1 records the load did not create refer to them; they stay and lose the link" in out
    assert f"deal {theirs} «Сделка менеджера» → company {company} (COMPANY_ID)" in out
    assert out.rstrip().endswith("Nothing deleted.")
    assert len(portal_keys(loaded.portal.webhook_url, "deal")) == 3  # ours are all there


def test_rollback_with_yes_deletes_shows_progress_and_counts_what_is_left(loaded, capsys):
    company = b24_id(loaded, "company", "co1")
    theirs = manager(loaded, "crm.deal.add",
                     {"fields": {"TITLE": "Сделка менеджера", "COMPANY_ID": company}})  # fmt: skip
    code, out, err = run(capsys, "rollback", "-w", str(loaded.root), "--yes")
    assert code == 0, err
    assert re.search(r"rollback: [\d,]+ of [\d,]+ records \(100 %\)", err)  # progress, no tty
    assert "deleted 3 comment, 3 company, 6 contact, 3 deal" in out
    assert ("Check: the portal holds 0 records with this migration's ORIGINATOR_ID "
            "(company 0, contact 0, deal 0, requisite 0); 0 are other loads' records the ledger "
            "keeps, 0 are left over.") in out  # fmt: skip
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['load']}"
    for entity in ("company", "contact", "deal"):
        assert not portal_keys(loaded.portal.webhook_url, entity)
    theirs_now = manager(loaded, "crm.deal.get", {"id": theirs})
    assert theirs_now["TITLE"] == "Сделка менеджера"  # theirs stays


def test_rollback_of_one_entity_takes_what_refers_to_it(loaded, capsys):
    preview = CliRunner().invoke(
        cli, ["rollback", "-w", str(loaded.root), "--entity", "contact"], input="n\n"
    )
    assert preview.exit_code == 0
    assert "would delete 6 contact." in preview.output
    code, out, err = run(capsys, "rollback", "-w", str(loaded.root), "--entity", "deal", "--yes")
    assert code == 0, err
    assert "deleted 3 comment, 3 deal, 3 deal_products;" in out
    held = {e: len(portal_keys(loaded.portal.webhook_url, e)) for e in ("company", "contact",
                                                                      "deal")}  # fmt: skip
    assert held == {"company": 3, "contact": 6, "deal": 0}
    assert "(company 3, contact 6, deal 0, requisite 3); 12 are other loads' records" in out
    assert run(capsys, "load", "-w", str(loaded.root), "--quiet")[0] == 0  # loads them again
    assert len(portal_keys(loaded.portal.webhook_url, "deal")) == 3


def test_no_answer_without_yes_is_exit_2_and_deletes_nothing(loaded):
    result = CliRunner().invoke(cli, ["rollback", "-w", str(loaded.root)], input="")
    assert result.exit_code == 2
    assert "nothing was deleted; add --yes to confirm without a prompt" in result.output
    assert len(portal_keys(loaded.portal.webhook_url, "deal")) == 3
