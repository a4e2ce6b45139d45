"""Deals and notes (history: notes, calls, meetings) that reference companies and contacts."""

from __future__ import annotations

import datetime as dt
import random

from sample_data._companies import Company, manager_text, random_moment
from sample_data._contacts import Person
from sample_data._dirt import dirty_date, dirty_money
from sample_data._pools import Pools

__all__ = ["DEAL_COLUMNS", "NOTE_COLUMNS", "STAGES", "build_deals", "build_notes"]

DEAL_COLUMNS = [
    "ID",
    "Название сделки",
    "Бюджет",
    "Ответственный",
    "Дата создания",
    "Дата закрытия",
    "Этап сделки",
    "Воронка",
    "Теги",
    "Основной контакт",
    "ID контакта",
    "Компания",
    "ID компании",
    "Примечание",
]
NOTE_COLUMNS = ["ID", "Сущность", "ID сущности", "Тип", "Текст", "Дата создания", "Автор"]
STAGES = {
    "Основная воронка": [
        "Первичный контакт",
        "Переговоры",
        "Принимают решение",
        "Согласование договора",
        "Успешно реализовано",
        "Закрыто и не реализовано",
    ],
    "Тендеры": [
        "Подготовка заявки",
        "Заявка подана",
        "Успешно реализовано",
        "Закрыто и не реализовано",
    ],
}
_UNKNOWN_STAGES = [
    "Думают",
    "Отложено",
    "Переговры",
    "ПЕРЕГОВОРЫ",
    "первичный контакт ",
    "КП отправлено",
]
_DEFAULT_PIPELINE = "Основная воронка"
_CLOSED = {"Успешно реализовано", "Закрыто и не реализовано"}
_NOTE_TEXTS = [
    "Клиент просит КП на {goods}",
    "Отправили счёт №{n} на {goods}",
    "Перезвонить {d:02d}.{m:02d}, ЛПР в отпуске",
    "Договор на {goods} на согласовании у юристов",
    "Запросили скидку {d}%; обсудить с руководителем",
    "Новый контакт в бухгалтерии, реквизиты обновить",
    "Оплата по счёту №{n} поступила",
    "Интересуются {goods}, бюджет не утверждён",
]
_CALL_RESULTS = [
    "Не дозвонились.",
    "Договорились о встрече.",
    "Просят перезвонить через неделю.",
    "Отправить презентацию на почту.",
    "Решение после совещания.",
    "",
]
_GOODS = ["поставка оборудования", "монтаж", "обслуживание", "лицензии", "аренда", "консультации"]


def _stage(rng: random.Random) -> tuple[str, str]:
    """A deal's pipeline and stage. An empty `Воронка` is a deal of the default pipeline (the
    presets map it there with `default`); a deal of «Тендеры» always names its pipeline, or
    its stage, which only that pipeline has, could not be placed (it was: the demo refused
    it as `map.unknown`)."""
    pipeline = rng.choices(list(STAGES), weights=[85, 15])[0]
    if rng.random() < 0.04:
        return pipeline, rng.choice(_UNKNOWN_STAGES)
    blank = rng.random() <= 0.02 and pipeline == _DEFAULT_PIPELINE
    return ("" if blank else pipeline), rng.choice(STAGES[pipeline])


def _deal(
    rng: random.Random, rid: str, company: Company | None, person: Person | None
) -> dict[str, str]:
    pipeline, stage = _stage(rng)
    created = random_moment(rng)
    closed = created + dt.timedelta(days=rng.randrange(1, 120)) if stage in _CLOSED else None
    title = rng.choice([f"Сделка #{rid}", f"{rng.choice(_GOODS).capitalize()}", ""])
    if company and rng.random() < 0.5:
        title = f"{rng.choice(_GOODS).capitalize()} — {company.core}"
    manager = (company or person).manager if (company or person) else ("Анна", "Смирнова")
    c_rid = rng.choice(company.record_ids) if company else ""
    p_rid = rng.choice(person.record_ids) if person else ""
    amount = round(rng.lognormvariate(11.5, 1.3), 2)
    return {
        "ID": rid,
        "Название сделки": title,
        "Бюджет": dirty_money(rng, amount) if rng.random() < 0.92 else "",
        "Ответственный": manager_text(rng, manager),
        "Дата создания": dirty_date(rng, created),
        "Дата закрытия": dirty_date(rng, closed) if closed else "",
        "Этап сделки": stage,
        "Воронка": pipeline,
        "Теги": rng.choice(["", "", "", "сайт", "звонок", "повторная"]),
        "Основной контакт": f"{person.first} {person.last}" if person else "",
        "ID контакта": p_rid if rng.random() < 0.75 else "",
        "Компания": company.display(rng) if company else "",
        "ID компании": c_rid if rng.random() < 0.7 else "",
        "Примечание": "",
    }


def build_deals(
    rng: random.Random, n: int, ids: list[str], companies: list[Company], people: list[Person]
) -> list[dict[str, str]]:
    """Deals: ~80% with a company, ~85% with a contact; IDs may point to duplicate records."""
    rows = []
    for rid in ids[:n]:
        person = rng.choice(people) if rng.random() < 0.85 else None
        company = person.company if person and person.company and rng.random() < 0.8 else None
        if company is None and rng.random() < 0.7:
            company = rng.choice(companies)
        rows.append(_deal(rng, rid, company, person))
    return rows


def build_notes(
    rng: random.Random,
    pools: Pools,
    n: int,
    ids: list[str],
    owners: dict[str, list[str]],
) -> list[dict[str, str]]:
    """Notes, calls and meetings on companies, contacts and deals (0.5% point nowhere)."""
    kinds = [("Примечание", 55), ("Входящий звонок", 15), ("Исходящий звонок", 20), ("Встреча", 10)]
    entities = [("Компания", 25), ("Контакт", 35), ("Сделка", 40)]
    authors = [f"{f} {la}" for f, la in pools.managers]
    rows = []
    for rid in ids[:n]:
        kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
        entity = rng.choices([e for e, _ in entities], weights=[w for _, w in entities])[0]
        owner = rng.choice(owners[entity]) if rng.random() > 0.005 else str(rng.randrange(10**8))
        if kind.endswith("звонок"):
            minutes, seconds = rng.randrange(30), rng.randrange(60)
            text = f"{kind}: {minutes} мин {seconds} с. {rng.choice(_CALL_RESULTS)}"
        elif kind == "Встреча":
            text = f"Встреча в офисе клиента: {rng.choice(_GOODS)}. {rng.choice(_CALL_RESULTS)}"
        else:
            text = rng.choice(_NOTE_TEXTS).format(
                goods=rng.choice(_GOODS),
                n=rng.randrange(1, 999),
                d=rng.randint(1, 28),
                m=rng.randint(1, 12),
            )
            if rng.random() < 0.02:
                text = rng.choice(["=ДАТА(2023;1;1)", "+договорились", "-не звонить", "@all"])
            if rng.random() < 0.03:
                text = text + "\n" + "Итог: " + rng.choice(_CALL_RESULTS)
        rows.append(
            {
                "ID": rid,
                "Сущность": entity,
                "ID сущности": owner,
                "Тип": kind,
                "Текст": text,
                "Дата создания": dirty_date(rng, random_moment(rng)),
                "Автор": rng.choice(authors),
            }
        )
    return rows
