"""`b24migrate inspect`: proposal of a mapping and the command itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from mappings.schema import dump_mapping
from migrate.cli import cli
from migrate.inspect.inspection import inspect_source

SAMPLE = Path(__file__).parents[2] / "sample_data"


def test_amocrm_contacts_map_like_the_preset() -> None:
    result = inspect_source(SAMPLE / "amocrm/contacts.xlsx")
    mapping = result.proposal.mapping
    assert (mapping.entity, mapping.key) == ("contact", "ID")
    phone = mapping.field("PHONE")
    assert phone is not None
    assert phone.sources == ("Рабочий телефон", "Мобильный телефон")
    assert phone.value_type == {"Рабочий телефон": "WORK", "Мобильный телефон": "MOBILE"}
    owner = mapping.field("ASSIGNED_BY_ID")
    assert owner is not None
    assert owner.owner


def test_unknown_headers_are_matched_fuzzily_and_by_kind(tmp_path: Path) -> None:
    rows = ["Клиент;Телефоны;Почта;ИНН организации;Менеджер"]
    rows += [
        f'ООО "Ромашка {i}";+7 916 123 45 {i:02d};a{i}@example.com;7701234567;Иванов'
        for i in range(40)
    ]
    path = tmp_path / "clients.csv"
    path.write_text("\n".join(rows), encoding="cp1251")
    result = inspect_source(path, entity="company")
    fields = {m.column: m.field for m in result.proposal.matches}
    assert fields == {
        "Клиент": "TITLE",
        "Телефоны": "PHONE",
        "Почта": "EMAIL",
        "ИНН организации": "RQ_INN",
        "Менеджер": "ASSIGNED_BY_ID",
    }
    assert result.proposal.mapping.key == "_row"


def test_entity_is_guessed_from_headers() -> None:
    assert inspect_source(SAMPLE / "amocrm/deals.xlsx").proposal.mapping.entity == "deal"
    assert inspect_source(SAMPLE / "onec/import.xml").proposal.mapping.entity == "product"
    groups = inspect_source(SAMPLE / "onec/import.xml", sheet="Группы").proposal.mapping
    assert (groups.entity, groups.key) == ("product_section", "Ид")
    assert groups.field("SECTION_ID") is not None
    notes = inspect_source(SAMPLE / "amocrm/notes.csv").proposal.mapping
    assert notes.entity == "note"


def test_cli_prints_a_table_and_writes_the_mapping(tmp_path: Path) -> None:
    out = tmp_path / "company.yaml"
    result = CliRunner().invoke(
        cli, ["inspect", str(SAMPLE / "amocrm/companies.csv"), "--write-mapping", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Рабочий телефон" in result.output
    assert "PHONE" in result.output
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    proposal = inspect_source(SAMPLE / "amocrm/companies.csv").proposal
    assert written == dump_mapping(proposal.mapping)
    assert written["fields"]["RQ_INN"] == {"from": "ИНН", "clean": ["inn"], "severity": "warning"}


def test_cli_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["inspect", str(SAMPLE / "amocrm/deals.xlsx"), "--sheet", "0", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["sheet"], data["header_row"], data["rows"]) == ("Сделки", 4, 8000)
    budget = next(c for c in data["columns"] if c["name"] == "Бюджет")
    assert (budget["kind"], budget["field"]) == ("money", "OPPORTUNITY")


def test_cli_read_error_is_one_clear_message_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "migrate", "inspect", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"Error: `{path}`: the file is empty" in done.stderr
    assert "Next: " in done.stderr


def test_bank_and_address_tables_are_guessed_and_their_columns_named(tmp_path: Path) -> None:
    banks = tmp_path / "Банковские счета.csv"
    banks.write_text(
        "ID;Реквизит;Банк;БИК;Расчётный счёт;Корр. счёт\n"
        "b1;r1;ПАО Сбербанк;044525225;40702810438000060473;30101810400000000225\n",
        encoding="utf-8",
    )
    result = inspect_source(banks)
    assert result.proposal.mapping.entity == "bank_detail"
    fields = {m.column: m.field for m in result.proposal.matches if m.field}
    assert fields == {"Банк": "RQ_BANK_NAME", "БИК": "RQ_BIK", "Расчётный счёт": "RQ_ACC_NUM",
                      "Корр. счёт": "RQ_COR_ACC_NUM"}  # fmt: skip
    addresses = tmp_path / "Адреса.csv"
    addresses.write_text(
        "Реквизит;Тип адреса;Улица;Город;Почтовый индекс\n"
        "r1;Юридический адрес;ул. Тверская, 1;Москва;125009\n"
        "r2;Юридический адрес;ул. Тверская, 3;Москва;125009\n",
        encoding="utf-8",
    )
    proposal = inspect_source(addresses).proposal
    assert proposal.mapping.entity == "address"
    assert {m.column: m.field for m in proposal.matches if m.field} == {
        "Тип адреса": "TYPE_ID", "Улица": "ADDRESS_1", "Город": "CITY",
        "Почтовый индекс": "POSTAL_CODE",
    }  # fmt: skip
