"""Benchmark: what the real-export mapping keys cost in prepare, as ratios to the same work
without them (one process, one worker, the best of three runs).

* amoCRM «Контакты и компании» rows: the contact mapping as init writes it (`rows:` by `Тип`,
  `decode_html`, the full name composed with `Имя`/`Фамилия`, and the check that every row
  belongs to the company or the contact mapping) ÷ the same mapping without those keys on the
  same rows;
* Bitrix24 deal rows repeated per product line (three lines a deal): the deal mapping with
  `lines:` (folded into one deal with product rows and the summed amount) ÷ without `lines:`.

    python bench/real_exports.py              # 100,000 rows each
    python bench/real_exports.py --rows 30000
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclasses.dataclass(frozen=True)
class _Raw:
    frame: pd.DataFrame
    source: Path
    sheet: str = ""


def _frame(rows: list[dict[str, str]], headers: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([[r.get(h, "") for h in headers] for r in rows], columns=headers,
                         dtype=object)  # fmt: skip
    frame["_row"] = range(2, len(rows) + 2)
    return frame


def amo_rows(n: int) -> _Raw:
    """``n`` rows of amoCRM's contacts-and-companies export (the fixture's rows, new ids)."""
    from tests.fixtures.real import make_fixtures as shapes

    base = shapes.AMO_CONTACTS
    rows = [{**base[i % len(base)], "ID": str(100_000 + i)} for i in range(n)]
    return _Raw(_frame(rows, shapes.AMO_CONTACT_HEADERS), Path("amocrm_export_contacts.csv"))


def deal_rows(n: int) -> _Raw:
    """About ``n`` rows of Bitrix24's deal export: three product lines per deal."""
    from tests.fixtures.real import make_fixtures as shapes

    rows = [
        {**shapes.B24_DEALS[0], "ID": str(i), "Товар": f"Товар {j}", "Цена": "100",
         "Количество": str(j + 1), "Сумма": str(100 * (j + 1))}
        for i in range(n // 3) for j in range(3)
    ]  # fmt: skip
    return _Raw(_frame(rows, shapes.B24_DEAL_HEADERS), Path("deals.csv"))


def best_of_three(raw: _Raw, mapping: Any, sharing: tuple[Any, ...] = ()) -> tuple[float, Any]:
    """The fastest of three runs of prepare on ``raw``, and its result."""
    from migrate.prepare.stage import prepare_entity
    from migrate.workspace.config import MigrationConfig

    config = MigrationConfig(name="bench")
    best, result = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        result = prepare_entity([raw], mapping, config, sharing)
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(rows: int) -> dict[str, float]:
    """Both ratios (and the times behind them) for ``rows`` rows each."""
    from mappings.schema import load_mapping
    from migrate.workspace.presets import load_preset
    from migrate.workspace.recognize import tailor
    from tests.fixtures.real import make_fixtures as shapes

    def fitted(preset: str, entity: str, headers: list[str]) -> Any:
        mapping = load_mapping(ROOT / "mappings" / preset / f"{entity}.yaml")
        return tailor(mapping, headers, load_preset(preset)).mapping

    contact = fitted("amocrm", "contact", shapes.AMO_CONTACT_HEADERS)
    company = fitted("amocrm", "company", shapes.AMO_CONTACT_HEADERS)
    unsplit = tuple(f for f in contact.fields if f.name != "_fio")
    plain = dataclasses.replace(contact, rows=None, decode_html=False, fields=unsplit)
    amo = amo_rows(rows)
    amo_s, _ = best_of_three(amo, contact, (contact, company))
    amo_plain_s, _ = best_of_three(amo, plain)
    deal = fitted("bitrix24_export", "deal", shapes.B24_DEAL_HEADERS)
    deals = deal_rows(rows)
    fold_s, folded = best_of_three(deals, deal)
    flat_s, _ = best_of_three(deals, dataclasses.replace(deal, lines=None))
    return {
        "amo_s": amo_s, "amo_plain_s": amo_plain_s, "amo_ratio": amo_s / amo_plain_s,
        "fold_s": fold_s, "flat_s": flat_s, "fold_ratio": fold_s / flat_s,
        "deals": float(folded.rows_read), "deal_rows": float(len(deals.frame)),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    os.environ.setdefault("B24MIGRATE_WORKERS", "1")
    got = measure(rows)
    print(f"amoCRM contacts+companies, {rows:,} rows: {got['amo_s']:.2f} s with rows:/"
          f"decode_html/composition, {got['amo_plain_s']:.2f} s without; "
          f"ratio {got['amo_ratio']:.3f}")  # fmt: skip
    print(f"Bitrix24 deals, {int(got['deal_rows']):,} rows → {int(got['deals']):,} deals: "
          f"{got['fold_s']:.2f} s with lines:, {got['flat_s']:.2f} s without; "
          f"ratio {got['fold_ratio']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
