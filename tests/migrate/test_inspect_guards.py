"""`inspect` never guesses into corruption: unsure stays unmapped, owners stay owners."""

from __future__ import annotations

from pathlib import Path

from mappings.model import suggest
from migrate.inspect.inspection import inspect_source

REAL = Path(__file__).parents[1] / "fixtures" / "real"


def write(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def fields(path: Path, entity: str | None = None) -> dict[str, str | None]:
    return {m.column: m.field for m in inspect_source(path, entity=entity).proposal.matches}


def test_an_owner_column_of_e_mails_never_becomes_the_records_own_e_mail(tmp_path):
    path = write(tmp_path, "people.csv", ["Person,Sales rep owner,Mail"] + [
        f"Person {i},rep{i % 2}@firm.example,p{i}@client.example" for i in range(30)
    ])  # fmt: skip
    found = fields(path, "contact")
    assert found["Sales rep owner"] == "ASSIGNED_BY_ID"
    assert found["Mail"] == "EMAIL"
    mapping = inspect_source(path, entity="contact").proposal.mapping
    assert mapping.field("ASSIGNED_BY_ID").owner  # type: ignore[union-attr]


def test_a_hubspot_export_maps_owner_to_owner_and_keeps_the_last_name():
    path = REAL / "hubspot" / "hubspot-crm-exports-all-contacts-2024-03-01.csv"
    found = fields(path)
    assert found["Contact owner"] == "ASSIGNED_BY_ID"
    assert found["Email"] == "EMAIL"
    assert (found["First Name"], found["Last Name"]) == ("NAME", "LAST_NAME")


def test_a_records_own_id_is_never_proposed_as_a_link(tmp_path):
    # ids repeat (an export of lines), so `ID` is not the key, and it is not `ID контакта`
    path = write(tmp_path, "deals.csv", ["ID;Название сделки;Сумма"] + [
        f"{i // 2};Сделка {i};{i * 100}" for i in range(30)
    ])  # fmt: skip
    assert fields(path, "deal")["ID"] is None


def test_a_first_name_never_becomes_a_company_title(tmp_path):
    path = write(tmp_path, "companies.csv", ["Имя;Телефон"] + [
        f"Анна;+7 916 000 00 {i:02d}" for i in range(30)
    ])  # fmt: skip
    assert fields(path, "company")["Имя"] is None


def test_an_unsure_fuzzy_guess_is_shown_not_mapped(tmp_path):
    path = write(tmp_path, "x.csv", ["Name;Zone"] + [f"Café {i};Z{i}" for i in range(30)])
    matches = {m.column: m for m in inspect_source(path, entity="company").proposal.matches}
    assert matches["Name"].field is None
    assert matches["Name"].how.startswith("? TITLE")


def test_a_header_with_its_kind_in_the_values_is_sure(tmp_path):
    path = write(tmp_path, "c.csv", ["Телефоны;ИНН организации"] + [
        f"+7 916 123 45 {i:02d};7707083893" for i in range(30)
    ])  # fmt: skip
    assert fields(path, "company") == {"Телефоны": "PHONE", "ИНН организации": "RQ_INN"}


def test_did_you_mean_never_offers_a_different_date():
    assert suggest("Дата закрытия", ["Дата изменения", "Дата создания"]) == ""
    assert suggest("Дата закрытя", ["Дата изменения", "Дата закрытия"]) == (
        " (did you mean `Дата закрытия`?)"
    )
