"""A Bitrix24 CRM export (CSV, Russian interface) from another portal: COMPANY, CONTACT, DEAL.

Bitrix24 keeps data tidier than a spreadsheet (phones mostly ``+7…``, dates
``dd.mm.yyyy HH:MM:SS``), so the dirt here is what a portal lets through: phones typed by hand,
empty stages, amounts with a currency in another column, a company named differently in a deal.
"""

from __future__ import annotations

import random

from sample_data._companies import Company, manager_text, random_moment
from sample_data._contacts import Person
from sample_data._dirt import dirty_phone

__all__ = ["B24_COMPANY_COLUMNS", "B24_CONTACT_COLUMNS", "B24_DEAL_COLUMNS", "bitrix24_rows"]

B24_COMPANY_COLUMNS = [
    "ID", "Название компании", "Тип компании", "Сфера деятельности", "Годовой оборот", "Валюта",
    "Ответственный", "Комментарий", "Рабочий телефон", "Мобильный телефон", "Другой телефон",
    "Рабочий e-mail", "Другой e-mail", "Корпоративный сайт", "Адрес", "Дата создания",
]  # fmt: skip
B24_CONTACT_COLUMNS = [
    "ID", "Обращение", "Имя", "Отчество", "Фамилия", "Дата рождения", "Должность", "Компания",
    "Тип контакта", "Источник", "Дополнительно об источнике", "Ответственный", "Комментарий",
    "Рабочий телефон", "Мобильный телефон", "Домашний телефон", "Другой телефон",
    "Рабочий e-mail", "Частный e-mail", "Другой e-mail", "Адрес", "Дата создания",
]  # fmt: skip
B24_DEAL_COLUMNS = [
    "ID", "Название сделки", "Стадия сделки", "Сумма", "Валюта", "Ответственный", "Дата начала",
    "Дата завершения", "Компания", "Контакт", "Источник", "Комментарий", "Дата создания",
]  # fmt: skip
_STAGES = ["Новая", "Подготовка документов", "Счёт на предоплату", "В работе", "Финальный счёт",
           "Сделка успешна", "Сделка провалена"]  # fmt: skip
_SOURCES = ["Звонок", "Электронная почта", "Веб-сайт", "Реклама", "По рекомендации", "Выставка"]
_STAMP = "%d.%m.%Y %H:%M:%S"


def _phone(rng: random.Random, national: str) -> str:
    return f"+7{national}" if rng.random() < 0.8 else dirty_phone(rng, national, ext_ok=False)


def _company_row(rng: random.Random, c: Company, rid: str) -> dict[str, str]:
    return {
        "ID": rid,
        "Название компании": c.display(rng),
        "Тип компании": rng.choice(["Клиент", "Клиент", "Поставщик", "Партнер", "Другое", ""]),
        "Сфера деятельности": rng.choice(["Производство", "Торговля", "Услуги", "IT", ""]),
        "Годовой оборот": f"{rng.randrange(1, 500) * 100_000}.00" if rng.random() < 0.3 else "",
        "Валюта": "Российский рубль",
        "Ответственный": manager_text(rng, c.manager),
        "Комментарий": "",
        "Рабочий телефон": _phone(rng, c.phone),
        "Мобильный телефон": "",
        "Другой телефон": "",
        "Рабочий e-mail": c.email,
        "Другой e-mail": "",
        "Корпоративный сайт": c.web,
        "Адрес": c.address,
        "Дата создания": c.created.strftime(_STAMP),
    }


def _contact_row(rng: random.Random, p: Person, rid: str) -> dict[str, str]:
    born = random_moment(rng, days=9000).replace(year=rng.randint(1960, 2000))
    return {
        "ID": rid,
        "Обращение": ("г-жа" if p.female else "г-н") if rng.random() < 0.3 else "",
        "Имя": p.first,
        "Отчество": p.middle if rng.random() < 0.6 else "",
        "Фамилия": p.last,
        "Дата рождения": born.strftime("%d.%m.%Y") if rng.random() < 0.2 else "",
        "Должность": p.job,
        "Компания": p.company.display(rng) if p.company else "",
        "Тип контакта": rng.choice(["Клиенты", "Клиенты", "Поставщики", "Партнеры", "Другое"]),
        "Источник": rng.choice(_SOURCES),
        "Дополнительно об источнике": "",
        "Ответственный": manager_text(rng, p.manager),
        "Комментарий": "",
        "Рабочий телефон": _phone(rng, p.work_phone) if p.work_phone else "",
        "Мобильный телефон": _phone(rng, p.mobile),
        "Домашний телефон": "",
        "Другой телефон": "",
        "Рабочий e-mail": p.work_email,
        "Частный e-mail": p.personal_email,
        "Другой e-mail": "",
        "Адрес": "",
        "Дата создания": random_moment(rng).strftime(_STAMP),
    }


def _deal_row(rng: random.Random, rid: str, c: Company | None, p: Person | None) -> dict[str, str]:
    begin = random_moment(rng)
    stage = rng.choice(_STAGES) if rng.random() > 0.02 else ""
    return {
        "ID": rid,
        "Название сделки": f"Сделка #{rid}",
        "Стадия сделки": stage,
        "Сумма": f"{rng.randrange(5, 5000) * 1000}.00",
        "Валюта": rng.choice(["Российский рубль", "Российский рубль", "Доллар США", "RUB"]),
        "Ответственный": manager_text(rng, (c or p).manager) if (c or p) else "",  # type: ignore[union-attr]
        "Дата начала": begin.strftime("%d.%m.%Y"),
        "Дата завершения": begin.replace(day=28).strftime("%d.%m.%Y"),
        "Компания": c.display(rng) if c else "",
        "Контакт": f"{p.first} {p.last}" if p else "",
        "Источник": rng.choice(_SOURCES),
        "Комментарий": "",
        "Дата создания": begin.strftime(_STAMP),
    }


def bitrix24_rows(
    rng: random.Random, companies: list[Company], people: list[Person], n_deals: int
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    """(companies, contacts, deals) rows; IDs are the other portal's own, from 1."""
    company_ids = {id(c): str(i + 1) for i, c in enumerate(companies)}
    company_rows = [_company_row(rng, c, company_ids[id(c)]) for c in companies]
    contact_rows = [_contact_row(rng, p, str(i + 1)) for i, p in enumerate(people)]
    deal_rows = []
    for i in range(n_deals):
        person = rng.choice(people) if rng.random() < 0.8 else None
        company = person.company if person and person.company else None
        company = company if company is not None and id(company) in company_ids else None
        company = company or (rng.choice(companies) if rng.random() < 0.6 else None)
        deal_rows.append(_deal_row(rng, str(i + 1), company, person))
    return company_rows, contact_rows, deal_rows
