"""A run summary with every stage, three entities and dirt in the names, built from plain data."""

from __future__ import annotations

from typing import Any

import pytest

from migrate.reports.summary_model import RunSummary, summary_from_dict

TOKEN = "s3cr3tW3bh00kT0ken"


def summary_data() -> dict[str, Any]:
    """Plain data as an integrator would write it (JSON-able); tests change copies of it."""
    return {
        "name": "acme-2026",
        "started_at": "2026-11-26T09:00:00+00:00",
        "finished_at": "2026-11-26T09:42:17+00:00",
        "portal": f"https://acme.bitrix24.ru/rest/1/{TOKEN}/",
        "timings": {"read": 14.2, "validate": 31.5, "dedupe": 48.0, "plan": 12.3, "load": 2426.9},
        "entities": [
            {
                "entity": "company",
                "sources": [{"file": "companies.csv", "rows": 2003}],
                "validation": {
                    "rows_kept": 1961, "rows_refused": 42, "errors": 47, "warnings": 318,
                    "top_rules": [
                        {"rule": "inn.checksum", "count": 21, "severity": "error",
                         "label": "ИНН с неверной контрольной суммой"},
                        {"rule": "phone.invalid", "count": 180, "severity": "warning",
                         "label": "Телефон не распознан"},
                    ],
                },
                "dedupe": {"clusters": 140, "records_merged": 162, "review_pending": 3},
                "plan": {"create": 1790, "update": 0, "skip": 9, "refused": 0},
                "load": {"done": 1790, "failed": 0, "sending": 0, "planned": 0},
            },
            {
                "entity": "contact",
                "sources": [
                    {"file": "contacts.xlsx", "sheet": "Контакты", "rows": 4620},
                    {"file": "contacts_old.xlsx", "sheet": "Лист1", "rows": 380},
                ],
                "validation": {
                    "rows_kept": 4877, "rows_refused": 123, "errors": 131, "warnings": 1204,
                    "top_rules": [
                        {"rule": "email.invalid", "count": 640, "severity": "warning",
                         "label": "Адрес почты исправлен"},
                    ],
                },
                "dedupe": {"clusters": 410, "records_merged": 502, "review_pending": 12},
                "plan": {
                    "create": 4300, "update": 60, "skip": 12, "refused": 3,
                    "top_reasons": [{"reason": "Ответственный «Петров П.» не найден", "count": 3}],
                },
                "load": {
                    "done": 4351, "failed": 9, "sending": 0, "planned": 0,
                    "top_failures": [{"reason": "Поле EMAIL: неверный формат", "count": 9}],
                },
            },
            {
                "entity": "deal",
                "sources": [{"file": "deals.xlsx", "sheet": "Сделки", "rows": 1234567}],
                "validation": {"rows_kept": 1234517, "rows_refused": 50, "errors": 50,
                               "warnings": 20},
                "plan": {"create": 1234497, "update": 0, "skip": 0, "refused": 20},
                "load": {"done": 1234497, "failed": 0, "sending": 0, "planned": 0},
            },
        ],
    }  # fmt: skip


@pytest.fixture
def summary() -> RunSummary:
    return summary_from_dict(summary_data())
