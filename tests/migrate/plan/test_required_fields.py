"""A portal whose admin made fields required: the plan names the missing values, writes nothing.

The portal is set up the way a user would set up a rehearsal portal: `b24migrate sandbox seed`
with a fixture whose `required` and `userfields` keys say what the admin made required. A real
portal refuses such an add ("The required field '…' is missing.", recorded in
mesilov/bitrix24-php-sdk issue 59); the sandbox does the same, so the plan must catch it first.
"""

from __future__ import annotations

from click.testing import CliRunner
from openpyxl import load_workbook

from loaders.errors import PortalError
from loaders.sandbox import SandboxConfig, create_app
from migrate.cli import cli
from migrate.run import Migration
from tests.loaders.sandbox.recorded.replay import InProcess
from tests.migrate.plan.workspace import Portal, make_workspace

FIXTURE = """
required:
  contact: [EMAIL]
userfields:
  company:
  - {FIELD_NAME: SEGMENT, USER_TYPE_ID: string, MANDATORY: "Y", EDIT_FORM_LABEL: Сегмент}
"""


def _seeded_workspace(tmp_path):
    workspace = make_workspace(tmp_path)
    fixture = tmp_path / "portal.yaml"
    fixture.write_text(FIXTURE, encoding="utf-8")
    data = workspace.state_dir / "sandbox"
    seeded = CliRunner().invoke(
        cli, ["sandbox", "seed", "--data", str(data), "--fixture", str(fixture)]
    )
    assert seeded.exit_code == 0, seeded.output
    return workspace


def test_plan_reports_missing_required_values_before_any_write(tmp_path):
    workspace = _seeded_workspace(tmp_path)
    sandbox = Portal(workspace)
    try:
        planned = Migration(workspace, transport=sandbox.transport).plan()
        result = planned.result
        refused = {(i.entity, i.source_key, i.rule, i.field) for i in result.refused}
        assert ("contact", "ct3", "field.required", "EMAIL") in refused  # ct3 has no e-mail
        assert not any(key in ("ct1", "ct2") for _, key, _, _ in refused)
        unmapped = {(i.entity, i.rule, i.field) for i in result.issues if i.source_key == ""}
        assert ("company", "field.unmapped_required", "UF_CRM_SEGMENT") in unmapped
        assert sandbox.writes() == {}  # found before a single write
        rows = load_workbook(planned.report)["Отклонённые строки"].iter_rows(values_only=True)
        assert any("ct3" in row and "EMAIL" in row for row in rows)
    finally:
        sandbox.close()


def test_the_portal_refuses_what_the_plan_refused(tmp_path):
    workspace = _seeded_workspace(tmp_path)
    sandbox = Portal(workspace)
    try:
        described = sandbox.call("crm.contact.fields")["EMAIL"]
        assert described["isRequired"] is True
        refused = sandbox.run(_add_contact_without_email)
        assert refused == ("ERROR_CORE", "The required field 'E-mail' is missing.<br />")
        assert sandbox.writes().get("crm.contact.add") == 1  # tried, and nothing stored
        assert sandbox.list("contact", ["ID"]) == []
    finally:
        sandbox.close()


async def _add_contact_without_email(client):
    try:
        await client.call("crm.contact.add", {"fields": {"NAME": "Без почты"}})
    except PortalError as exc:
        return exc.code, exc.description
    return None


def test_seed_require_option_and_its_usage_errors(tmp_path):
    data = tmp_path / "portal"
    runner = CliRunner()
    done = runner.invoke(cli, ["sandbox", "seed", "--data", str(data), "--require", "deal.TITLE"])
    assert done.exit_code == 0, done.output
    assert "required: deal.TITLE" in done.output
    app = create_app(SandboxConfig(data_dir=data, plan="unlimited"))
    try:
        assert app.stats()["internal_errors"] == 0
        fields = InProcess(app).call("crm.deal.fields", {})[1]["result"]
        assert fields["TITLE"]["isRequired"] is True
    finally:
        app.close()
    bad = runner.invoke(cli, ["sandbox", "seed", "--data", str(data), "--require", "deal"])
    assert bad.exit_code == 1
    assert "expected ENTITY.FIELD" in bad.output
    nothing = runner.invoke(cli, ["sandbox", "seed", "--data", str(data)])
    assert nothing.exit_code == 2
    assert "--fixture, --require" in nothing.output
