"""Sources are exactly what the user named: no entity filled from the bundled sample, no
mapping or source dropped without a word (issue #15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import sample_data
from migrate.cli import cli
from migrate.errors import ConfigError, MappingError
from migrate.prepare.stage import prepare
from migrate.run import Migration
from migrate.workspace.config import Workspace
from migrate.workspace.scaffold import init_workspace
from tests.migrate.plan.workspace import make_workspace
from tests.migrate.test_cli_load import run

SAMPLE = Path(sample_data.__file__).parent.resolve()


def _own_exports(tmp_path: Path) -> tuple[Path, Path]:
    companies = tmp_path / "exports" / "firms.csv"
    contacts = tmp_path / "exports" / "people.csv"
    companies.parent.mkdir()
    companies.write_text("ID,Название\n1,ООО Ромашка\n", encoding="utf-8")
    contacts.write_text("ID,Имя\n1,Анна\n", encoding="utf-8")
    return companies, contacts


def test_init_with_some_entities_names_only_those(tmp_path):
    companies, contacts = _own_exports(tmp_path)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "w"), "--from", "amocrm",
                                      "--source", f"company={companies}",
                                      "--source", f"contact={contacts}"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sample" not in result.output
    config = Workspace.at(tmp_path / "w").load_config()
    assert set(config.sources) == {"company", "contact"}
    files = [Path(f) for spec in config.sources.values() for f in spec.files]
    assert files == [companies.resolve(), contacts.resolve()]
    assert not any(f.resolve().is_relative_to(SAMPLE) for f in files)
    mapping_files = sorted(p.name for p in (tmp_path / "w" / "mappings").iterdir())
    assert mapping_files == ["company.yaml", "contact.yaml"]


def test_init_without_sources_is_a_sample_rehearsal(tmp_path):
    result = init_workspace(tmp_path / "w", "sample")
    assert result.uses_sample
    assert set(result.sources) == {
        "company",
        "contact",
        "deal",
        "note",
        "product",
        "activity",
        "task",
    }


def test_a_sample_workspace_is_refused_for_a_real_portal(tmp_path):
    workspace = init_workspace(tmp_path / "w", "sample").workspace
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(
        text.replace("url: sandbox", "url: https://acme.bitrix24.ru/rest/1/abcdefgh12345678/"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        Migration(workspace).plan()  # refused before any connection: there is no network here
    assert "bundled sample data" in info.value.message
    assert "abcdefgh12345678" not in info.value.message
    assert "init" in info.value.next_step


def test_a_mapping_without_a_source_is_an_error_naming_the_file(tmp_path):
    workspace = make_workspace(tmp_path)
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(
        text.replace("  deal: {files: [data/deals.csv]}\n", ""), encoding="utf-8"
    )
    with pytest.raises(MappingError) as info:
        prepare(workspace)
    assert any("mappings/deal.yaml" in p and "`deal`" in p for p in info.value.problems)


def test_a_source_without_a_mapping_is_an_error_naming_it(tmp_path):
    workspace = make_workspace(tmp_path)
    (workspace.root / "mappings" / "deal.yaml").unlink()
    with pytest.raises(MappingError) as info:
        prepare(workspace)
    assert any("source `deal`" in p and "migration.yaml" in p for p in info.value.problems)


def test_a_misnamed_mapping_file_is_an_error_naming_it(tmp_path, capsys):
    workspace = make_workspace(tmp_path)
    mappings = workspace.root / "mappings"
    (mappings / "company.yaml").rename(mappings / "company.yml")
    code, out, err = run(capsys, "validate", "--workspace", str(workspace.root))
    assert code == 2
    assert "company.yml: not read" in err
    assert "Traceback" not in out + err
