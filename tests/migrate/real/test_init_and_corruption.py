"""`init` looks before it writes, and the silent corruptions of real exports now speak up."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from migrate.cli import cli
from migrate.errors import ConfigError
from migrate.workspace.presets import resolve_preset
from tests.migrate.real.portal import REAL, migrate_export, read_portal


def init(*args):
    return CliRunner().invoke(cli, ["init", *map(str, args)])


@pytest.mark.parametrize(
    ("folder", "preset"),
    [("amocrm", "amocrm"), ("bitrix24", "bitrix24"), ("bitrix24_excel", "bitrix24"),
     ("onec_split", "onec"), ("onec_cml1", "onec"), ("hubspot", "generic")],
)  # fmt: skip
def test_init_recognises_the_export_without_being_told(tmp_path, folder, preset):
    done = init(tmp_path / "w", "--source", REAL / folder)
    assert done.exit_code == 0, done.output
    config = yaml.safe_load((tmp_path / "w" / "migration.yaml").read_text(encoding="utf-8"))
    assert f"--from {preset}`" in (tmp_path / "w" / "migration.yaml").read_text(encoding="utf-8")
    for spec in config["sources"].values():
        assert all((tmp_path / "w" / f).is_file() or f.startswith("/") for f in spec["files"])


@pytest.mark.parametrize(
    ("name", "preset"),
    [("1c", "onec"), ("1С", "onec"), ("commerceml", "onec"), ("bitrix24_export", "bitrix24"),
     ("Битрикс24", "bitrix24"), ("kommo", "amocrm"), ("HubSpot", "generic"), ("csv", "generic")],
)  # fmt: skip
def test_from_accepts_the_names_the_docs_use(name, preset):
    assert resolve_preset(name) == preset


def test_init_refuses_a_source_that_does_not_exist(tmp_path):
    done = init(tmp_path / "w", "--from", "amocrm", "--source", tmp_path / "nowhere")
    assert isinstance(done.exception, ConfigError)
    assert "does not exist" in str(done.exception)
    assert not (tmp_path / "w" / "migration.yaml").exists()


def test_init_refuses_an_empty_export_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    done = init(tmp_path / "w", "--source", tmp_path / "empty")
    assert isinstance(done.exception, ConfigError)
    assert "holds no export file" in str(done.exception)


def test_init_says_when_the_files_are_another_kind_of_export(tmp_path):
    done = init(tmp_path / "w", "--from", "onec", "--source", REAL / "amocrm")
    assert isinstance(done.exception, ConfigError)
    assert "--from amocrm" in str(done.exception)


def test_init_lists_the_files_it_could_not_place_and_does_not_use_them(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(REAL / "bitrix24", export)
    (export / "notes.csv").write_text("Кто;Что\nя;это\n", encoding="utf-8")
    done = init(tmp_path / "w", "--source", export)
    assert done.exit_code == 0, done.output
    assert "НЕ РАСПОЗНАН файл notes.csv" in done.output
    text = (tmp_path / "w" / "migration.yaml").read_text(encoding="utf-8")
    assert "notes.csv" not in text


def test_init_without_a_source_writes_the_preset_and_says_where_files_go(tmp_path):
    done = init(tmp_path / "w", "--from", "bitrix24")
    assert done.exit_code == 0, done.output
    assert "файлов нет" in done.output
    validate = CliRunner().invoke(cli, ["validate", "-w", str(tmp_path / "w")])
    assert isinstance(validate.exception, ConfigError)  # never a run on someone's sample
    assert "no file matches data/companies*" in str(validate.exception)


def test_1c_variants_stay_apart_even_after_dedupe_runs(tmp_path):
    # the preset keeps product dedupe off: two 1C `Ид` are two goods; plan merges nothing more
    root = migrate_export(tmp_path, "onec")
    assert len(read_portal(root)["product"]) == 5
    merges = yaml.safe_load((root / "migration.yaml").read_text(encoding="utf-8"))["dedupe"]
    assert merges == {"product": False}


def test_a_stated_deal_total_that_disagrees_with_its_lines_cannot_pass_unseen(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(REAL / "bitrix24", export)
    deals = export / "deals.csv"
    text = deals.read_bytes().decode("utf-8-sig")
    # an export that repeats the deal's total on every line, and a wrong total at that
    text = text.replace('"301";"Оснащение цеха";"Общая";"Сделка успешна";"25000"',
                        '"301";"Оснащение цеха";"Общая";"Сделка успешна";"50000"')  # fmt: skip
    text = text.replace('"Сделка успешна";"24000"', '"Сделка успешна";"50000"')
    deals.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    root = tmp_path / "w"
    assert init(root, "--source", export).exit_code == 0
    checked = CliRunner().invoke(cli, ["validate", "-w", str(root)])
    assert checked.exit_code in (0, 1), checked.output
    # six rows in deals.csv, four deals: the two more lines of deal 301 are said, not hidden
    assert "deal: ещё 2 строк файла — товарные строки записей выше" in checked.output
    plan = CliRunner().invoke(cli, ["plan", "-w", str(root)])
    assert plan.exit_code == 0, plan.output
    # 50 000 written on each of three lines, 73 000 in the lines: the plan says so
    said = " ".join(plan.output.split())
    assert (
        "Сверка: Сделки в RUB: в файле 134000.00, после сложения товарных строк 157000.00" in said
    )
    book = load_workbook(root / "reports" / "plan.xlsx")
    notes = [r[0] for r in book["Сверка"].iter_rows(values_only=True) if r and r[0]]
    assert any("lines.total_mismatch" in str(n) for n in notes)
    assert any(str(n).startswith("deal: 2 строк файла") and "(записей 4)" in str(n) for n in notes)
    errors = load_workbook(root / "reports" / "errors.xlsx")
    rules = [str(c) for row in errors["Сделки"].iter_rows(values_only=True) for c in row]
    assert rules.count("lines.total_mismatch") == 1
    assert CliRunner().invoke(cli, ["load", "-w", str(root)]).exit_code == 0
    portal = read_portal(root)
    assert portal["deal"]["301"]["OPPORTUNITY"] == "73000.00"  # the sum of its product lines
    summary = CliRunner().invoke(cli, ["report", "-w", str(root)])
    page = (root / "reports" / "summary.html").read_text(encoding="utf-8")
    assert summary.exit_code == 0, summary.output
    assert "прочитано" in summary.output
    assert "Сверка" in summary.output
    assert 'id="reconcile"' in page
    assert "134 000" in page.replace("\u00a0", " ")


def test_a_row_of_an_unknown_type_in_amocrms_shared_file_is_one_error_run_after_run(tmp_path):
    from migrate.prepare import prepare
    from migrate.run import Migration
    from migrate.workspace.config import Workspace

    export = tmp_path / "export"
    shutil.copytree(REAL / "amocrm", export)
    contacts = export / "amocrm_export_contacts_2024-05-14.csv"
    text = contacts.read_bytes().decode("utf-8-sig")
    text = text.replace('"42003","контакт"', '"42003","партнёр"')  # a type neither mapping takes
    contacts.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert init(tmp_path / "w", "--source", export).exit_code == 0
    for _ in range(2):  # the second run reuses both entities' stored results
        prepared = Migration(tmp_path / "w").prepared()
        lost = prepared.issues[prepared.issues["rule"] == "route.unplaced"]
        found = lost[["entity", "key", "value"]].to_numpy().tolist()
        assert found == [["company", "42003", "партнёр"]]
        assert "42003" not in set(prepared.tables["contact"]["_key"])
    assert {"company", "contact"} <= set(Migration(tmp_path / "w").prepared().reused)
    only = prepare(Workspace.at(tmp_path / "w"), entities=["contact"])  # contact reports it now
    assert only.issues[only.issues["rule"] == "route.unplaced"]["entity"].tolist() == ["contact"]


def test_dedupe_speaks_the_workspace_language(tmp_path):
    assert init(tmp_path / "w", "--source", REAL / "amocrm").exit_code == 0
    done = CliRunner().invoke(cli, ["dedupe", "-w", str(tmp_path / "w")])
    assert done.exit_code == 0, done.output
    assert "Дубликаты" in done.output
    assert "Dedupe" not in done.output
    assert "Записано:" in done.output


def test_the_plans_warning_count_on_the_terminal_is_the_rows_of_its_warnings_sheet(tmp_path):
    root = tmp_path / "w"
    assert init(root, "--source", REAL / "amocrm").exit_code == 0
    plan = CliRunner().invoke(cli, ["plan", "-w", str(root)])
    assert plan.exit_code == 0, plan.output
    said = " ".join(plan.output.split())
    listed = len(list(load_workbook(root / "reports" / "plan.xlsx")["Предупреждения"].values)) - 1
    dated = len(list(load_workbook(root / "reports" / "plan.xlsx")["Даты создания"].values)) - 1
    assert f"{listed} предупреждений" in said
    assert f"{dated} по датам создания" in said
    assert dated == 0  # `load.route: auto` imports (an admin webhook): every date is kept
