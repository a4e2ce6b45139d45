"""Generate synthetic amoCRM-style exports and a 1C product list, with dirt and known duplicates.

Usage::

    python -m sample_data.generate --out sample_data --seed 42            # the committed set
    python -m sample_data.generate --out sample_data/out --scale 1m        # benchmark files

``--scale small`` writes ``amocrm/`` (companies.csv, contacts.xlsx, deals.xlsx with title rows,
notes.csv, activities.csv and tasks.csv, the attachments in ``files/``, contracts.csv: the
account's contracts, for a smart process), ``onec/``
(products.csv in cp1251, import.xml, offers.xml), ``bitrix24/``
(COMPANY.csv, CONTACT.csv, DEAL.csv as a Bitrix24 CRM export gives them) and ``truth/``
(company_duplicates.csv, contact_duplicates.csv: ``record_id,entity_id`` for every record).
``--scale 1m`` writes ``bench/contacts_1m.csv`` (1,000,000 rows), ``bench/contacts_200k.xlsx``
and ``truth/contact_duplicates_1m.csv``. Same seed, same bytes (except xlsx timestamps).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from pathlib import Path

from sample_data._bitrix24 import (
    B24_COMPANY_COLUMNS,
    B24_CONTACT_COLUMNS,
    B24_DEAL_COLUMNS,
    bitrix24_rows,
)
from sample_data._companies import COMPANY_COLUMNS, build_companies
from sample_data._contacts import CONTACT_COLUMNS, Person, build_contacts
from sample_data._contracts import CONTRACT_COLUMNS, build_contracts
from sample_data._deals import DEAL_COLUMNS, NOTE_COLUMNS, build_deals, build_notes
from sample_data._history import (
    ACTIVITY_COLUMNS,
    TASK_COLUMNS,
    build_activities,
    build_tasks,
    write_files,
)
from sample_data._onec import PRODUCT_COLUMNS, build_products, product_rows, write_commerceml
from sample_data._pools import Pools, build_pools
from sample_data._write import write_csv, write_truth, write_xlsx

__all__ = ["main"]

SMALL = {"companies": 2000, "contacts": 5000, "deals": 8000, "products": 500, "notes": 10000,
         "activities": 3000, "tasks": 1500, "contracts": 250}  # fmt: skip


def _ids(rng: random.Random, start: int, n: int) -> list[str]:
    """amoCRM-like numeric ids: increasing with gaps, as deletions leave them."""
    ids, current = [], start
    for _ in range(n):
        current += rng.randint(1, 9)
        ids.append(str(current))
    return ids


def _with_blank_rows(
    rng: random.Random, rows: list[dict[str, str]], k: int
) -> list[dict[str, str]]:
    out = list(rows)
    for _ in range(k):
        out.insert(rng.randrange(1, len(out)), {})
    return out


def _truth(entities: Sequence[object]) -> list[tuple[str, str]]:
    return [(rid, e.entity_id) for e in entities for rid in e.record_ids]  # type: ignore[attr-defined]


def generate_small(out: Path, seed: int) -> None:
    """The committed sample set (a few MB)."""
    rng, pools = random.Random(seed), build_pools(seed)
    (out / "amocrm").mkdir(parents=True, exist_ok=True)
    (out / "onec").mkdir(parents=True, exist_ok=True)
    companies, company_rows = build_companies(
        rng, pools, SMALL["companies"], _ids(rng, 31_000_000, SMALL["companies"])
    )
    people, contact_rows = build_contacts(
        rng, pools, SMALL["contacts"], _ids(rng, 42_000_000, SMALL["contacts"]), companies
    )
    deal_rows = build_deals(
        rng, SMALL["deals"], _ids(rng, 17_000_000, SMALL["deals"]), companies, people
    )
    owners = {
        "Компания": [r["ID"] for r in company_rows],
        "Контакт": [r["ID"] for r in contact_rows],
        "Сделка": [r["ID"] for r in deal_rows],
    }
    note_rows = build_notes(
        rng, pools, SMALL["notes"], _ids(rng, 90_000_000, SMALL["notes"]), owners
    )
    amo = out / "amocrm"
    write_csv(
        amo / "companies.csv",
        COMPANY_COLUMNS,
        _with_blank_rows(rng, company_rows, 3),
        encoding="utf-8-sig",
    )
    write_xlsx(
        amo / "contacts.xlsx",
        "Контакты",
        CONTACT_COLUMNS,
        _with_blank_rows(rng, contact_rows, 3),
        typed_columns=["ID", "Дата создания", "Мобильный телефон"],
    )
    write_xlsx(
        amo / "deals.xlsx",
        "Сделки",
        DEAL_COLUMNS,
        _with_blank_rows(rng, deal_rows, 2),
        typed_columns=[
            "ID",
            "ID контакта",
            "ID компании",
            "Бюджет",
            "Дата создания",
            "Дата закрытия",
        ],
        title_rows=["Экспорт сделок", "Дата выгрузки: 01.03.2024 10:15"],
    )
    write_csv(amo / "notes.csv", NOTE_COLUMNS, note_rows)
    _generate_history(amo, seed, pools, owners)
    contract_rng = random.Random(
        seed + 12
    )  # a stream of its own: the other files stay as they were
    contract_rows = build_contracts(
        contract_rng, SMALL["contracts"], _ids(contract_rng, 55_000_000, SMALL["contracts"]),
        deal_rows,
    )  # fmt: skip
    write_csv(amo / "contracts.csv", CONTRACT_COLUMNS, contract_rows)
    products = build_products(rng, SMALL["products"])
    write_csv(
        out / "onec" / "products.csv",
        PRODUCT_COLUMNS,
        product_rows(rng, products),
        encoding="cp1251",
        delimiter=";",
    )
    write_commerceml(rng, products, out / "onec")
    write_truth(out / "truth" / "company_duplicates.csv", _truth(companies))
    write_truth(out / "truth" / "contact_duplicates.csv", _truth(people))
    _generate_bitrix24(out / "bitrix24", seed, pools)


def _generate_history(out: Path, seed: int, pools: Pools, owners: dict[str, list[str]]) -> None:
    """Activities, tasks and attachments with their own random stream (the other files stay
    as they were)."""
    rng = random.Random(seed + 12)
    activities = build_activities(rng, pools, _ids(rng, 70_000_000, SMALL["activities"]), owners)
    tasks = build_tasks(rng, pools, _ids(rng, 80_000_000, SMALL["tasks"]), owners)
    write_csv(out / "activities.csv", ACTIVITY_COLUMNS, activities, encoding="utf-8-sig")
    write_csv(out / "tasks.csv", TASK_COLUMNS, tasks, encoding="utf-8-sig")
    write_files(out / "files")


def _generate_bitrix24(out: Path, seed: int, pools: Pools) -> None:
    """A small Bitrix24 CRM export (COMPANY/CONTACT/DEAL.csv) with its own random stream."""
    rng = random.Random(seed + 24)
    out.mkdir(parents=True, exist_ok=True)
    companies, _ = build_companies(rng, pools, 330, _ids(rng, 1, 330))
    people, _ = build_contacts(rng, pools, 660, _ids(rng, 1, 660), companies)
    company_rows, contact_rows, deal_rows = bitrix24_rows(rng, companies, people, 500)
    write_csv(out / "COMPANY.csv", B24_COMPANY_COLUMNS, company_rows, encoding="utf-8-sig")
    write_csv(out / "CONTACT.csv", B24_CONTACT_COLUMNS, contact_rows, encoding="utf-8-sig")
    write_csv(out / "DEAL.csv", B24_DEAL_COLUMNS, deal_rows, encoding="utf-8-sig")


def generate_bench(out: Path, seed: int, n_contacts: int, n_xlsx: int) -> None:
    """Benchmark contacts: ``n_contacts`` CSV rows and the first ``n_xlsx`` of them as xlsx."""
    rng, pools = random.Random(seed), build_pools(seed)
    (out / "bench").mkdir(parents=True, exist_ok=True)
    n_companies = max(100, min(n_contacts // 100, 12_000))
    companies, _ = build_companies(rng, pools, n_companies, _ids(rng, 31_000_000, n_companies))
    people, rows = build_contacts(
        rng, pools, n_contacts, _ids(rng, 42_000_000, n_contacts), companies
    )
    suffix = "1m" if n_contacts == 1_000_000 else str(n_contacts)
    write_csv(out / "bench" / f"contacts_{suffix}.csv", CONTACT_COLUMNS, rows, encoding="utf-8-sig")
    xlsx_name = "200k" if n_xlsx == 200_000 else str(n_xlsx)
    write_xlsx(
        out / "bench" / f"contacts_{xlsx_name}.xlsx",
        "Контакты",
        CONTACT_COLUMNS,
        rows[:n_xlsx],
        typed_columns=["ID", "Дата создания", "Мобильный телефон"],
    )
    people_list: list[Person] = people
    write_truth(out / "truth" / f"contact_duplicates_{suffix}.csv", _truth(people_list))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=Path("sample_data"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", choices=["small", "1m"], default="small")
    parser.add_argument("--contacts", type=int, default=1_000_000, help="rows for --scale 1m")
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="xlsx rows for --scale 1m")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.scale == "small":
        generate_small(args.out, args.seed)
    else:
        generate_bench(args.out, args.seed, args.contacts, min(args.xlsx_rows, args.contacts))
    print(f"wrote {args.scale} sample data to {args.out} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
