"""`b24migrate init` and `b24migrate validate` through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from migrate.cli import cli
from migrate.errors import ConfigError, MappingError
from migrate.workspace.config import Workspace

CONTACTS = (
    "ID,Имя,Телефон,Источник\n1,Анна,1,Сайт\n2,Пётр!,2,Звонок\n2,Ольга,3,Сайт\n4,Иван,4,Выставка\n"
)
MAPPING = """\
entity: contact
key: ID
fields:
  NAME: {from: Имя, clean: [t_upper]}
  PHONE: {from: Телефон, clean: [t_list], value_type: MOBILE}
  SOURCE_ID: {from: Источник, map: {Сайт: WEB, Звонок: CALL}, default: OTHER}
"""


def small_workspace(root: Path, language: str = "ru") -> Path:
    (root / "mappings").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    (root / "mappings" / "contact.yaml").write_text(MAPPING, encoding="utf-8")
    (root / "migration.yaml").write_text(
        f"name: t\nlanguage: {language}\nsources:\n  contact: {{files: [data/contacts.csv]}}\n",
        encoding="utf-8",
    )
    return root


def test_init_writes_a_workspace_pointing_at_the_sample_data(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "acme"), "--from", "sample"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "acme"
    config = Workspace.at(root).load_config()
    assert config.name == "acme"
    assert set(config.sources) == {
        "company",
        "contact",
        "deal",
        "note",
        "product",
        "activity",
        "task",
    }
    assert all(Path(f).is_file() for s in config.sources.values() for f in s.files)
    assert sorted(p.name for p in (root / "mappings").glob("*.yaml")) == [
        "activity.yaml",
        "company.yaml",
        "contact.yaml",
        "deal.yaml",
        "note.yaml",
        "product.yaml",
        "task.yaml",
    ]
    text = (root / "migration.yaml").read_text(encoding="utf-8")
    assert "# The migration's name" in text
    assert "  plan: standard\n" in text  # the limits the load keeps to, said, not implied
    assert config.portal.plan == "standard"
    assert (root / "reports").is_dir()
    assert (root / ".b24migrate").is_dir()
    assert "b24migrate validate" in result.output


def test_init_with_sources_and_variants(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "import.xml").write_bytes(
        (Path(__file__).parents[1] / "fixtures/real/onec/import.xml").read_bytes()
    )
    csv = tmp_path / "goods.csv"
    csv.write_text("Код;Наименование\n1;Гайка\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "init",
            str(tmp_path / "w"),
            "--from",
            "onec",
            "--source",
            str(exports),
            "--source",
            f"product={csv}",
        ],
    )
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "w" / "migration.yaml").read_text(encoding="utf-8"))
    assert config["sources"]["product"]["files"] == [str(csv)]
    assert config["sources"]["product_section"]["files"] == [str(exports / "import.xml")]
    copied = (tmp_path / "w" / "mappings" / "product.yaml").read_text(encoding="utf-8")
    assert "key: Код" in copied  # the CSV variant, not the CommerceML one


def test_init_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path), "--from", "generic"]).exit_code == 0
    again = runner.invoke(cli, ["init", str(tmp_path), "--from", "generic"])
    assert isinstance(again.exception, ConfigError)
    assert (
        runner.invoke(cli, ["init", str(tmp_path), "--from", "generic", "--force"]).exit_code == 0
    )


def test_validate_writes_the_report_and_fails_on_errors(tmp_path):
    root = small_workspace(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "--workspace", str(root)])
    assert result.exit_code == 1, result.output
    assert "contact" in result.output
    book = load_workbook(root / "reports" / "errors.xlsx")
    assert book.sheetnames == ["Сводка", "Итоги", "Контакты"]
    rules = {row[10] for row in list(book["Контакты"].values)[1:]}
    assert rules == {"t.bang", "key.duplicate", "map.default"}


def test_validate_fail_on_never_and_json(tmp_path):
    root = small_workspace(tmp_path, language="en")
    result = CliRunner().invoke(cli, ["validate", "-w", str(root), "--fail-on", "never", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["entities"][0] == {
        "entity": "contact",
        "files": ["contacts.csv"],
        "rows_read": 4,
        "rows_clean": 2,
        "errors": 2,
        "warnings": 1,
    }
    assert load_workbook(root / "reports" / "errors.xlsx").sheetnames[0] == "Summary"


def test_validate_reports_mapping_problems_for_every_file(tmp_path):
    root = small_workspace(tmp_path)
    (root / "mappings" / "contact.yaml").write_text(MAPPING.replace("Телефон", "Телефн"))
    (root / "mappings" / "deal.yaml").write_text(
        "entity: deal\nkey: ID\nfields:\n  TITEL: {from: A}\n"
    )
    result = CliRunner().invoke(cli, ["validate", "-w", str(root)])
    assert isinstance(result.exception, MappingError)
    text = "\n".join(result.exception.problems)
    assert "deal.yaml:4: `TITEL` is not a deal field (did you mean `TITLE`?)" in text
    (root / "mappings" / "deal.yaml").unlink()
    result = CliRunner().invoke(cli, ["validate", "-w", str(root)])
    assert result.exception.problems == [
        "contact.yaml:5: column `Телефн` is not in `contacts.csv` (did you mean `Телефон`?)"
    ]


def test_a_config_error_is_one_line_and_exit_code_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", "validate", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "b24migrate init" in proc.stderr
