"""Pairwise quality of the shipped dedupe rules on sample_data's planted duplicates.

    python -m bench.dedupe_quality            # one table per entity: pairs, TP, FP, FN, P, R, F1

The CleanTables come from the workspace pipeline (``migrate.prepare.stage.prepare``) on a workspace
written by ``b24migrate init`` over the bundled sample data. When the pipeline cannot run yet
(a mapping names a cleaner that does not exist), the amoCRM columns are renamed to the
Bitrix24 fields the preset maps them to and left raw: dedupe's comparisons normalise raw text
themselves, so the figures hold for both.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd

from migrate.dedupe import PairwiseScores, dedupe_table, default_rules, pairwise_scores
from migrate.errors import MigrationError

ROOT = Path(__file__).resolve().parent.parent / "sample_data"
_CONTACT = {"ID": "_key", "Имя": "NAME", "Фамилия": "LAST_NAME", "Компания": "COMPANY_ID"}
_COMPANY = {"ID": "_key", "Название компании": "TITLE", "Рабочий телефон": "PHONE",
            "Рабочий email": "EMAIL", "Web": "WEB", "ИНН": "RQ_INN", "КПП": "RQ_KPP",
            "Дата изменения": "DATE_MODIFY"}  # fmt: skip


def clean_tables() -> dict[str, pd.DataFrame]:
    """Company and contact CleanTables of the sample data."""
    try:
        from migrate.prepare.stage import prepare
        from migrate.workspace.config import Workspace
        from migrate.workspace.scaffold import init_workspace

        with tempfile.TemporaryDirectory() as folder:
            init_workspace(Path(folder) / "ws", "amocrm")
            data = prepare(Workspace.at(Path(folder) / "ws"), entities=["company", "contact"])
            return {e: data.tables[e] for e in ("company", "contact")}
    except (ImportError, MigrationError):
        return _renamed_tables()


def _renamed_tables() -> dict[str, pd.DataFrame]:
    from migrate.sources import read_table

    contacts = read_table(ROOT / "amocrm" / "contacts.xlsx", sheet="Контакты").frame
    contacts = contacts[contacts["ID"].str.strip() != ""]
    names = contacts["Фамилия"].str.strip() + contacts["Имя"].str.strip()
    contacts = contacts.assign(
        NAME=contacts["Имя"].where(names != "", contacts["Полное имя"]),
        PHONE=contacts["Рабочий телефон"] + "; " + contacts["Мобильный телефон"],
        EMAIL=contacts["Рабочий email"] + "; " + contacts["Личный email"],
    ).drop(columns=["Имя"])
    companies = read_table(ROOT / "amocrm" / "companies.csv").frame
    companies = companies[companies["ID"].str.strip() != ""]
    return {
        "company": companies.rename(columns=_COMPANY),
        "contact": contacts.rename(columns=_CONTACT),
    }


def truth(entity: str) -> dict[str, str]:
    """record_id → entity_id from the generator's truth file."""
    frame = pd.read_csv(ROOT / "truth" / f"{entity}_duplicates.csv", dtype=str)
    return dict(zip(frame["record_id"], frame["entity_id"], strict=True))


def measure(entity: str, table: pd.DataFrame) -> PairwiseScores:
    """Dedupe ``table`` with the shipped rules and score it against the truth."""
    result = dedupe_table(table, default_rules(entity))
    clusters = dict(zip(result.clusters["_key"], result.clusters["cluster"], strict=True))
    return pairwise_scores(clusters, truth(entity))


def main() -> int:
    """Print one quality table per entity."""
    tables = clean_tables()
    print(f"{'entity':8} {'pairs':>6} {'TP':>6} {'FP':>5} {'FN':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for entity in ("company", "contact"):
        s = measure(entity, tables[entity])
        print(f"{entity:8} {s.true_pairs:6d} {s.tp:6d} {s.fp:5d} {s.fn:5d} "
              f"{s.precision:6.4f} {s.recall:6.4f} {s.f1:6.4f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
