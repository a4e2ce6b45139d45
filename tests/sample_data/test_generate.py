"""The sample-data generator is deterministic, and the committed output is its output."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sample_data._history import FILE_NAMES
from sample_data.generate import main

COMMITTED = Path(__file__).parents[2] / "sample_data"
TEXT_FILES = [
    "amocrm/companies.csv",
    "amocrm/notes.csv",
    "amocrm/activities.csv",
    "amocrm/tasks.csv",
    *(f"amocrm/files/{name}" for name in FILE_NAMES),
    "amocrm/contracts.csv",
    "onec/products.csv",
    "onec/import.xml",
    "onec/offers.xml",
    "truth/company_duplicates.csv",
    "truth/contact_duplicates.csv",
    "bitrix24/COMPANY.csv",
    "bitrix24/CONTACT.csv",
    "bitrix24/DEAL.csv",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    main(["--out", str(out), "--seed", "42"])
    return out


@pytest.mark.parametrize("name", [*TEXT_FILES, "amocrm/contacts.xlsx", "amocrm/deals.xlsx"])
def test_committed_sample_is_the_generator_output(generated: Path, name: str) -> None:
    assert (generated / name).read_bytes() == (COMMITTED / name).read_bytes(), (
        f"regenerate: python -m sample_data.generate --out sample_data --seed 42 ({name})"
    )


def _truth(name: str) -> dict[str, str]:
    with (COMMITTED / "truth" / name).open(encoding="utf-8") as fh:
        return {row["record_id"]: row["entity_id"] for row in csv.DictReader(fh)}


@pytest.mark.parametrize(
    ("truth", "export", "records"),
    [("company_duplicates.csv", "amocrm/companies.csv", 2000)],
)
def test_truth_covers_every_record_and_plants_duplicates(truth, export, records) -> None:
    mapping = _truth(truth)
    with (COMMITTED / export).open(encoding="utf-8-sig") as fh:
        ids = [row["ID"] for row in csv.DictReader(fh) if row["ID"]]
    assert len(ids) == records
    assert set(ids) == set(mapping)
    entities = set(mapping.values())
    assert 0.85 * records < len(entities) < 0.95 * records


def test_products_csv_is_cp1251_with_semicolons() -> None:
    raw = (COMMITTED / "onec" / "products.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("cp1251").splitlines()[0]
    assert header.startswith("Код;Артикул;Наименование")


def test_bench_scale_writes_csv_xlsx_and_truth(tmp_path: Path) -> None:
    from migrate.sources import read_table

    main(["--out", str(tmp_path), "--scale", "1m", "--contacts", "3000", "--xlsx-rows", "400"])
    csv_table = read_table(tmp_path / "bench" / "contacts_3000.csv")
    xlsx_table = read_table(tmp_path / "bench" / "contacts_400.xlsx")
    assert (len(csv_table), len(xlsx_table)) == (3000, 400)
    assert csv_table.columns == xlsx_table.columns
    with (tmp_path / "truth" / "contact_duplicates_3000.csv").open(encoding="utf-8") as fh:
        truth = {row["record_id"] for row in csv.DictReader(fh)}
    assert truth == set(csv_table.frame["ID"])


def test_history_rows_name_their_attachments_and_a_few_are_missing() -> None:
    """Attachments are named relative to the export (``files/…``); the planted dirt is a file
    that is not there, so the plan's missing-file rows have something to show."""
    with (COMMITTED / "amocrm" / "activities.csv").open(encoding="utf-8-sig") as fh:
        named = [p.strip() for row in csv.DictReader(fh) for p in row["Вложения"].split(";")
                 if p.strip()]  # fmt: skip
    present = [p for p in named if (COMMITTED / "amocrm" / p).is_file()]
    assert len(present) > 100
    assert 0 < len(set(named) - set(present)) <= 3


def test_contracts_point_at_exported_deals_and_companies() -> None:
    """Each contract names a deal of deals.xlsx (and its company); every status is mapped by
    the sample preset's smart-process mapping."""
    from mappings.schema import parse_mapping
    from migrate.sources import read_table as read_source
    from sample_data._contracts import CONTRACT_STATUSES

    with (COMMITTED / "amocrm" / "contracts.csv").open(encoding="utf-8") as fh:
        contracts = list(csv.DictReader(fh))
    deals = read_source(COMMITTED / "amocrm" / "deals.xlsx")
    deal_ids = {str(v) for v in deals.frame["ID"]}
    assert len(contracts) == 250
    assert {c["ID сделки"] for c in contracts} <= deal_ids
    assert {c["Статус"] for c in contracts} == set(CONTRACT_STATUSES)
    from sample_data.account import CONTRACTS_MAPPING

    mapping = parse_mapping(CONTRACTS_MAPPING)
    stage = mapping.field("STAGE_ID")
    assert stage is not None
    assert stage.value_map is not None
    assert set(stage.value_map) == set(CONTRACT_STATUSES)
