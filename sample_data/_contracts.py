"""Contracts: the legacy CRM's list of contracts, loaded into the smart process «Договоры».

A contract comes from a deal that reached contract talks or was won: it names the deal's
company, contact and the deal itself by their export ids, its own number, status, amount and
dates (dirty as the rest of the export: amounts in several shapes, dates in several formats).
"""

from __future__ import annotations

import datetime as dt
import random

from sample_data._dirt import dirty_date, dirty_money

__all__ = ["CONTRACT_COLUMNS", "CONTRACT_STATUSES", "build_contracts"]

CONTRACT_COLUMNS = [
    "ID",
    "Номер договора",
    "Статус",
    "Сумма",
    "ID компании",
    "ID контакта",
    "ID сделки",
    "Дата подписания",
    "Действует до",
    "Ответственный",
]
#: Every status the generator writes (the sample mapping maps each to a stage).
CONTRACT_STATUSES = ("Черновик", "Подготовка", "На согласовании", "Подписан", "Расторгнут")
_TALKS = "Согласование договора"
_WON = "Успешно реализовано"
_FIRST_DAY = dt.datetime(2019, 1, 9, 10, 0)


def build_contracts(
    rng: random.Random, n: int, ids: list[str], deals: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Up to ``n`` contracts for deals in contract talks or won (one per deal, most of them,
    in the deals' order: a cut of the first rows of both files keeps contracts and deals
    together)."""
    eligible = [d for d in deals if d.get("Этап сделки") in (_TALKS, _WON)]
    chosen = [d for d in eligible if rng.random() < 0.8][:n]
    return [_contract(rng, rid, deal) for rid, deal in zip(ids, chosen, strict=False)]


def _contract(rng: random.Random, rid: str, deal: dict[str, str]) -> dict[str, str]:
    won = deal.get("Этап сделки") == _WON
    status = (rng.choices(CONTRACT_STATUSES[3:], weights=[85, 15])[0] if won
              else rng.choice(CONTRACT_STATUSES[:3]))  # fmt: skip
    signed = _FIRST_DAY + dt.timedelta(days=rng.randrange(1900), hours=rng.randrange(8))
    until = signed + dt.timedelta(days=rng.choice((180, 365, 730)))
    amount = rng.randrange(10_000, 2_000_000) + rng.choice((0, 0, 0.5, 0.99))
    return {
        "ID": rid,
        "Номер договора": f"Д-{signed.year}/{int(rid) % 10_000:04d}",
        "Статус": status,
        "Сумма": dirty_money(rng, amount),
        "ID компании": deal.get("ID компании", ""),
        "ID контакта": deal.get("ID контакта", ""),
        "ID сделки": deal["ID"],
        "Дата подписания": dirty_date(rng, signed, allow_serial=False) if won else "",
        "Действует до": until.strftime("%d.%m.%Y"),
        "Ответственный": deal.get("Ответственный", ""),
    }
