"""`b24migrate load | retry | rollback` on a workspace whose portal is the embedded sandbox."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from migrate.cli import cli, main
from migrate.ledger import Ledger, Op, PlanIssue, PlannedRecord, Refused, State
from migrate.ledger.blockers import INPUTS_META
from migrate.portal.connect import open_portal
from migrate.workspace.config import Workspace
from migrate.workspace.inputs import inputs_fingerprint

from .load.conftest import CATALOG, ORIGINATOR, sample_plan

BAD_PRODUCT = PlannedRecord(
    "product", "bad", Op.CREATE, {**CATALOG, "_source": "products.csv", "_row": 7}
)


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "migration.yaml").write_text(
        f"name: {ORIGINATOR}\nlanguage: en\nportal:\n  url: sandbox\n  plan: unlimited\n"
        "sources: {}\n",
        encoding="utf-8",
    )
    return tmp_path


def plan(root, records, issues=()):
    """What `plan` writes: records, issues and the fingerprint of the inputs it read."""
    workspace = Workspace.at(root)
    with Ledger.for_workspace(root, ORIGINATOR) as ledger, ledger.transaction():
        run = ledger.start_run("plan")
        ledger.apply_plan(run.id, records)
        ledger.replace_issues(run.id, list(issues))
        ledger.set_meta(INPUTS_META, inputs_fingerprint(workspace, workspace.load_config()))
        ledger.finish_run(run.id)


def run(capsys, *args):
    try:
        main([*args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def portal_counts(root):
    async def go():
        async with open_portal(Workspace.at(root), Workspace.at(root).load_config()) as client:
            return {
                e: (await client.call(f"crm.{e}.list", {})).total
                for e in ("company", "contact", "deal")
            }

    return asyncio.run(go())


def test_load_refuses_while_the_plan_has_errors_unless_skipped(workspace, capsys):
    issue = PlanIssue("deal", "d9", "stage.unknown", "stage `LOST2` does not exist")
    plan(workspace, sample_plan(companies=2), [issue])
    code, _, err = run(capsys, "load", "-w", str(workspace), "--quiet")
    assert code == 1
    assert "1 blocking problem(s) in 1 rows" in err
    assert "d9" in err
    assert "--skip-blocked" in err
    code, out, _ = run(capsys, "load", "-w", str(workspace), "--skip-blocked", "--json")
    assert code == 0, out
    assert '"failed": 0' in out
    assert portal_counts(workspace) == {"company": 2, "contact": 4, "deal": 2}


def test_failures_exit_3_listed_in_load_xlsx_then_retry_after_the_fix(workspace, capsys):
    plan(workspace, [*sample_plan(companies=1), BAD_PRODUCT])
    code, _, err = run(capsys, "load", "-w", str(workspace), "--quiet")
    assert code == 3
    assert "1 records failed" in err
    assert "load.xlsx" in err
    assert "retry" in err
    book = load_workbook(workspace / "reports" / "load.xlsx")
    assert book.sheetnames == ["Summary", "Failure reasons", "Failed records", "Waiting"]
    summary = {r[0]: r[1:] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    # loaded, failed, waiting for a fix, planned, sending, total
    assert summary["Products"] == (2, 1, 0, 0, 0, 3)
    (reason,) = list(book["Failure reasons"].iter_rows(min_row=2, values_only=True))
    assert reason[:3] == ("Products", reason[1], 1)
    assert "Name" in reason[1]
    (failed,) = list(book["Failed records"].iter_rows(min_row=2, values_only=True))
    assert failed[:3] == ("Products", "bad", "create")
    assert "Name" in failed[4]
    assert failed[5:8] == ("products.csv", None, 7)
    assert failed[9].startswith("b24migrate retry --workspace")
    assert failed[9].endswith("--key product:bad")

    plan(workspace, [dataclass_fix(BAD_PRODUCT)])  # a `plan` after the fix re-queues it
    code, out, _ = run(capsys, "retry", "-w", str(workspace), "--no-plan")
    assert code == 0, out
    assert "Re-sending 1 records (1 product): 1 that failed" in out
    with Ledger.for_workspace(workspace) as ledger:
        assert {r.state for r in ledger.records()} == {State.DONE}


def dataclass_fix(record):
    return PlannedRecord(
        record.entity, record.source_key, record.op, {**record.fields, "NAME": "Болт М10"}
    )


def test_rollback_deletes_children_first_and_a_second_one_is_a_no_op(workspace, capsys):
    plan(workspace, sample_plan(companies=2))
    assert run(capsys, "load", "-w", str(workspace), "--quiet")[0] == 0
    declined = CliRunner().invoke(cli, ["rollback", "-w", str(workspace)], input="n\n")
    assert "would delete 2 comment, 2 company, 4 contact, 2 deal, 2 product" in declined.output
    assert "Nothing deleted." in declined.output
    assert declined.exit_code == 0  # answering no is a choice, not an interruption
    unanswered = CliRunner().invoke(cli, ["rollback", "-w", str(workspace)], input="")
    assert unanswered.exit_code == 2
    assert "add --yes" in unanswered.output
    assert portal_counts(workspace)["deal"] == 2
    code, out, _ = run(capsys, "rollback", "-w", str(workspace), "--yes")
    assert code == 0
    assert (
        "deleted 2 comment, 2 company, 4 contact, 2 deal, 2 deal_products, 2 product, "
        "1 product_section, 2 requisite; 0 were gone already" in out
    )
    assert "Check: the portal holds 0 records with this migration's ORIGINATOR_ID" in out
    assert "0 are left over" in out
    assert portal_counts(workspace) == {"company": 0, "contact": 0, "deal": 0}
    code, out, _ = run(capsys, "rollback", "-w", str(workspace), "--yes")
    assert (code, out.strip()) == (0, "Nothing to roll back: no portal record of this run is "
                                       "in the ledger.")  # fmt: skip
    with Ledger.for_workspace(workspace) as ledger:
        assert {r.state for r in ledger.records()} == {State.PLANNED}
        assert ledger.runs()[-1].kind == "rollback"
    assert run(capsys, "load", "-w", str(workspace), "--quiet")[0] == 0  # loads again
    assert portal_counts(workspace) == {"company": 2, "contact": 4, "deal": 2}


def test_rollback_of_one_run_leaves_the_others(workspace, capsys):
    records = sample_plan(companies=2)
    plan(workspace, [r for r in records if r.entity in ("company", "product_section")])
    assert run(capsys, "load", "-w", str(workspace), "--quiet")[0] == 0
    plan(workspace, records)
    assert run(capsys, "load", "-w", str(workspace), "--quiet")[0] == 0
    with Ledger.for_workspace(workspace) as ledger:
        second = max(r.id for r in ledger.runs() if r.kind == "load")
    code, out, _ = run(capsys, "rollback", "-w", str(workspace), "--run", str(second), "--yes")
    assert code == 0, out
    assert portal_counts(workspace) == {"company": 2, "contact": 0, "deal": 0}


def test_commands_have_help_with_an_example():
    for name in ("load", "retry", "rollback"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Example:\n    b24migrate " + name in result.output


def test_ctrl_c_stops_cleanly_with_exit_4_and_says_how_to_resume(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from loaders.sandbox import SandboxConfig
    from loaders.sandbox.testing import running_sandbox

    with running_sandbox(SandboxConfig(plan="unlimited", latency_ms=300)) as portal:
        (tmp_path / "migration.yaml").write_text(
            f"name: {ORIGINATOR}\nportal:\n  url: {portal.webhook_url}\n  plan: unlimited\n"
            "sources: {}\nload: {batch_size: 2}\n",
            encoding="utf-8",
        )
        plan(tmp_path, sample_plan(companies=6))
        proc = subprocess.Popen(
            [sys.executable, "-m", "migrate", "load", "-w", str(tmp_path), "--quiet"],
            stderr=subprocess.PIPE,
            text=True,
        )
        ledger_file = tmp_path / ".b24migrate" / "ledger.sqlite"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with Ledger.for_workspace(tmp_path) as ledger:
                if ledger.records(state=State.DONE):
                    break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert ledger_file.is_file()
        assert proc.returncode == 4, err
        assert "run `b24migrate load` again to resume" in err
        assert "Traceback" not in err
        with Ledger.for_workspace(tmp_path) as ledger:
            assert not ledger.sending()
            assert ledger.records(state=State.PLANNED)


def test_no_config_and_no_plan_are_one_line_each_with_the_next_step(tmp_path, capsys):
    code, _, err = run(capsys, "load", "-w", str(tmp_path), "--quiet")
    assert code == 2
    assert err.splitlines()[0].startswith("Error: no `migration.yaml`")
    assert err.splitlines()[1].startswith("Next: `b24migrate init")
    (tmp_path / "migration.yaml").write_text("name: x\nsources: {}\n", encoding="utf-8")
    code, _, err = run(capsys, "rollback", "-w", str(tmp_path), "--yes")
    assert code == 2
    assert "b24migrate plan" in err
    assert "Traceback" not in err


def test_retry_re_plans_so_a_fixed_source_row_reaches_the_portal(tmp_path, capsys):
    from .plan.workspace import DEALS, NAME, Portal, make_workspace, write_csv

    workspace = make_workspace(tmp_path)
    portal = Portal(workspace)
    portal.close()  # the commands open the embedded sandbox themselves
    assert run(capsys, "plan", "-w", str(tmp_path), "--skip-refused")[0] == 0  # d2: UF field
    with Ledger.for_workspace(tmp_path, NAME) as ledger:  # the portal refused deal d3
        d3 = ledger.get("deal", "d3")
        batch = ledger.mark_sending(ledger.start_run("load").id, [d3.id])
        ledger.apply_results(batch.id, [Refused(d3.id, "ERROR_CORE: bad title")])
    assert run(capsys, "load", "-w", str(tmp_path), "--quiet")[0] == 3
    fixed = [row[:] for row in DEALS]
    fixed[3][1] = "Монтаж оборудования"
    write_csv(tmp_path / "data" / "deals.csv", fixed)
    code, out, err = run(capsys, "retry", "-w", str(tmp_path))  # remembers --skip-refused
    assert code == 0, err
    assert "Отправляется снова 1 записей (1 deal): 1 с ошибкой" in out  # a Russian workspace
    assert "1 × deal: ERROR_CORE: bad title" in out
    assert "например `d3`" in out
    portal = Portal(workspace)
    try:
        titles = sorted(d["TITLE"] for d in portal.list("deal", ["TITLE"]))
    finally:
        portal.close()
    assert titles == ["Монтаж оборудования", "Поставка болтов"]
