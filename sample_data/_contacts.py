"""Contacts: people, their export records, planted duplicates and hard negatives."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sample_data._companies import Company, manager_text, random_moment
from sample_data._dirt import dirty_date, dirty_email, dirty_person, dirty_phone, make_phone, typo
from sample_data._pools import Pools, translit
from sample_data._records import records_with_duplicates

__all__ = ["CONTACT_COLUMNS", "Person", "build_contacts"]

CONTACT_COLUMNS = [
    "ID",
    "Полное имя",
    "Имя",
    "Фамилия",
    "Компания",
    "Должность",
    "Ответственный",
    "Дата создания",
    "Кем создан",
    "Теги",
    "Рабочий телефон",
    "Мобильный телефон",
    "Рабочий email",
    "Личный email",
    "Примечание",
]
_TAGS = ["ЛПР", "бухгалтерия", "снабжение", "постоянный", "новый", "рассылка"]


@dataclass(slots=True)
class Person:
    """One real person (an entity); several export records may describe them."""

    entity_id: str
    female: bool
    first: str
    middle: str
    last: str
    mobile: str
    work_phone: str
    personal_email: str
    work_email: str
    company: Company | None
    job: str
    manager: tuple[str, str]
    created_days: int
    record_ids: list[str] = field(default_factory=list)


def _female_last(last: str) -> str:
    if last.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return last + "а"
    if last.endswith("ский"):
        return last[:-2] + "ая"
    return last


def _local(first: str, last: str, rng: random.Random) -> str:
    f, la = translit(first).lower(), translit(last).lower()
    shape = rng.randrange(4)
    tail = str(rng.randrange(1, 99)) if rng.random() < 0.5 else ""
    return [f"{f}.{la}", f"{f[0]}.{la}", f"{la}{tail}", f"{f}{la[0]}{rng.randrange(1960, 2005)}"][
        shape
    ] + (tail if shape == 0 else "")


def _new_person(rng: random.Random, pools: Pools, n: int, companies: list[Company]) -> Person:
    female = rng.random() < 0.5
    first = rng.choice(pools.female_first if female else pools.male_first)
    middle = rng.choice(pools.female_middle if female else pools.male_middle)
    last = rng.choice(pools.male_last)
    last = _female_last(last) if female else last
    company = rng.choice(companies) if companies and rng.random() < 0.7 else None
    domain = rng.choice(pools.free_domains + pools.example_domains)
    work_domain = company.email.split("@")[1] if company else rng.choice(pools.example_domains)
    return Person(
        entity_id=f"P{n:06d}",
        female=female,
        first=first,
        middle=middle,
        last=last,
        mobile=make_phone(rng, mobile=True),
        work_phone=company.phone if company and rng.random() < 0.4 else "",
        personal_email=f"{_local(first, last, rng)}@{domain}" if rng.random() < 0.7 else "",
        work_email=f"{_local(first, last, rng)}@{work_domain}"
        if company and rng.random() < 0.5
        else "",
        company=company,
        job=rng.choice(pools.jobs) if rng.random() < 0.4 else "",
        manager=rng.choice(pools.managers),
        created_days=rng.randrange(2000),
    )


def _names(rng: random.Random, p: Person, *, duplicate: bool) -> tuple[str, str, str]:
    """(Полное имя, Имя, Фамилия) in one of the ways exports hold them."""
    roll = rng.random()
    if duplicate and roll < 0.25:
        return f"{p.last} {p.first}", "", ""  # swapped order, one column
    if duplicate and roll < 0.4:
        return f"{translit(p.first)} {translit(p.last)}", translit(p.first), translit(p.last)
    if duplicate and roll < 0.5:
        return f"{p.first} {typo(rng, p.last)}", p.first, typo(rng, p.last)
    if roll < 0.6:
        return f"{p.first} {p.last}", p.first, p.last
    if roll < 0.8:
        return f"{p.last} {p.first} {p.middle}", "", ""  # ФИО in one column
    if roll < 0.9:
        return f"{p.first} {p.middle} {p.last}", f"{p.first} {p.middle}", p.last
    if roll < 0.95:
        return f"{p.last} {p.first[0]}.{p.middle[0]}.", "", ""
    return p.first, p.first, ""


def _record(rng: random.Random, p: Person, rid: str, *, duplicate: bool) -> dict[str, str]:
    full, first, last = (
        dirty_person(rng, part) if part else "" for part in _names(rng, p, duplicate=duplicate)
    )
    mobile = dirty_phone(rng, p.mobile, ext_ok=False)
    work = dirty_phone(rng, p.work_phone) if p.work_phone else ""
    personal, work_email = dirty_email(rng, p.personal_email), dirty_email(rng, p.work_email)
    if duplicate:
        for kind in rng.sample(
            ["swap_phone", "no_email", "no_mobile", "no_company", "two_emails"], k=rng.randint(1, 2)
        ):
            if kind == "swap_phone":
                mobile, work = work, mobile
            elif kind == "no_email":
                personal = ""
            elif kind == "no_mobile" and (personal or work):
                mobile = ""
            elif kind == "two_emails" and personal and work_email:
                personal, work_email = f"{personal}; {work_email}", ""
    company = p.company.display(rng) if p.company and not (duplicate and rng.random() < 0.2) else ""
    note = ""
    if rng.random() < 0.03:
        note = rng.choice(
            ['=HYPERLINK("http://example.com")', "+79160000000 звонить", "-", "@telegram"]
        )
    moment = random_moment(rng, days=p.created_days + 1)
    return {
        "ID": rid,
        "Полное имя": full,
        "Имя": first,
        "Фамилия": last,
        "Компания": company,
        "Должность": p.job,
        "Ответственный": manager_text(rng, p.manager),
        "Дата создания": dirty_date(rng, moment),
        "Кем создан": manager_text(rng, p.manager),
        "Теги": rng.choice(_TAGS) if rng.random() < 0.2 else "",
        "Рабочий телефон": work,
        "Мобильный телефон": mobile,
        "Рабочий email": work_email,
        "Личный email": personal,
        "Примечание": note,
    }


def _plant_hard_negatives(rng: random.Random, pools: Pools, people: list[Person]) -> None:
    """Households share a phone and surname; colleagues share a switchboard and info@ address."""
    k = max(1, len(people) // 40)
    for a, b in zip(rng.sample(people, k=k), rng.sample(people, k=k), strict=True):
        if a is b:
            continue
        b.last = _female_last(a.last) if b.female and not a.female else a.last
        if b.female == a.female and not a.female:
            b.last = a.last
        b.mobile = a.mobile if rng.random() < 0.5 else b.mobile
        b.personal_email = a.personal_email if rng.random() < 0.3 else b.personal_email
    for a, b in zip(rng.sample(people, k=k), rng.sample(people, k=k), strict=True):
        if a is not b and a.company is not None:
            b.company, b.work_phone = a.company, a.company.phone
            b.work_email = a.company.email  # the shared info@ mailbox
    for a, b in zip(rng.sample(people, k=k // 2), rng.sample(people, k=k // 2), strict=True):
        if a is not b and a.female == b.female:
            b.first, b.last = a.first, a.last  # namesakes: same name, nothing else shared


def build_contacts(
    rng: random.Random, pools: Pools, n_records: int, ids: list[str], companies: list[Company]
) -> tuple[list[Person], list[dict[str, str]]]:
    """People and their export rows: ~10% planted duplicates plus hard negatives."""
    n_entities = round(n_records / 1.1)
    people = [_new_person(rng, pools, i + 1, companies) for i in range(n_entities)]
    _plant_hard_negatives(rng, pools, people)
    rows = records_with_duplicates(
        rng, people, n_records, ids, lambda r, e, rid, dup: _record(r, e, rid, duplicate=dup)
    )
    return people, rows
