"""Companies: entities, their export records, planted duplicates and hard negatives."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sample_data._dirt import (
    company_display,
    dirty_date,
    dirty_email,
    dirty_inn,
    dirty_phone,
    lookalike,
    make_inn10,
    make_inn12,
    make_kpp,
    make_ogrn,
    make_ogrnip,
    make_phone,
    typo,
)
from sample_data._pools import Pools, translit
from sample_data._records import records_with_duplicates

__all__ = ["COMPANY_COLUMNS", "Company", "build_companies", "manager_text", "random_moment"]

COMPANY_COLUMNS = [
    "ID",
    "Название компании",
    "Ответственный",
    "Дата создания",
    "Кем создана",
    "Дата изменения",
    "Теги",
    "Рабочий телефон",
    "Рабочий email",
    "Web",
    "Адрес",
    "ИНН",
    "КПП",
    "ОГРН",
    "Примечание",
]
_TAGS = ["VIP", "опт", "розница", "тендер", "партнёр", "холодный", "реклама", "выставка 2023"]
_FORMULA_NOTES = ["=СУММ(A1:A3)", "+скидка 5%", "-отказ", "@Смирнова перезвонить", "=1+1"]
_START = dt.datetime(2019, 1, 1, 9, 0)


@dataclass(slots=True)
class Company:
    """One real-world company (an entity); several export records may describe it."""

    entity_id: str
    form: str
    core: str
    inn: str
    kpp: str
    ogrn: str
    phone: str
    email: str
    web: str
    address: str
    manager: tuple[str, str]
    created: dt.datetime
    tags: str
    record_ids: list[str] = field(default_factory=list)

    def display(self, rng: random.Random) -> str:
        """The name as a person would type it into a CRM."""
        return company_display(rng, self.form, self.core)


def random_moment(rng: random.Random, *, days: int = 2000) -> dt.datetime:
    """A working-hours moment between 2019 and 2024."""
    return _START + dt.timedelta(
        days=rng.randrange(days), hours=rng.randrange(10), minutes=rng.randrange(60)
    )


def manager_text(rng: random.Random, manager: tuple[str, str]) -> str:
    """A CRM user as the export names them: mostly "Имя Фамилия", sometimes otherwise."""
    first, last = manager
    roll = rng.random()
    if roll < 0.85:
        return f"{first} {last}"
    if roll < 0.92:
        return f"{last} {first}"
    if roll < 0.97:
        return f"{translit(first[0]).lower()}.{translit(last).lower()}@example.com"
    return f"{last} {first[0]}."


def _slug(core: str) -> str:
    latin = translit(core.lower().replace("ё", "е"))
    return "-".join("".join(ch for ch in part if ch.isalnum()) for part in latin.split()).strip("-")


def _contacts_of(rng: random.Random, pools: Pools, core: str) -> tuple[str, str]:
    """(e-mail, web) derived from the name: info@name.example.com or name123@mail.ru."""
    slug = _slug(core)
    if rng.random() < 0.3:
        return (
            f"{slug.replace('-', '')}{rng.randrange(1, 999)}@{rng.choice(pools.free_domains)}",
            "",
        )
    web = f"{slug}.example.com"
    local = rng.choice(["info", "office", "sales", "zakaz"])
    return f"{local}@{web}", web if rng.random() < 0.7 else ""


def _new_company(rng: random.Random, pools: Pools, n: int, core: str) -> Company:
    form = rng.choices(["ООО", "АО", "ПАО", "ЗАО", "ИП", "НКО"], weights=[70, 8, 2, 5, 13, 2])[0]
    if form == "ИП":
        last = rng.choice(pools.male_last)
        core = f"{last} {rng.choice(pools.male_first)[0]}.{rng.choice(pools.male_first)[0]}."
        inn, kpp, ogrn = make_inn12(rng), "", make_ogrnip(rng)
    else:
        inn = make_inn10(rng)
        kpp, ogrn = make_kpp(inn), make_ogrn(rng)
    email, web = _contacts_of(rng, pools, core)
    city = rng.choice(pools.cities)
    return Company(
        entity_id=f"C{n:05d}",
        form=form,
        core=core,
        inn=inn,
        kpp=kpp,
        ogrn=ogrn,
        phone=make_phone(rng, mobile=rng.random() < 0.3),
        email=email,
        web=web,
        address=f"{rng.randint(100000, 699999)}, г. {city}, {rng.choice(pools.streets)}",
        manager=rng.choice(pools.managers),
        created=random_moment(rng),
        tags=", ".join(rng.sample(_TAGS, k=rng.choice([0, 0, 1, 1, 2]))),
    )


def _web_text(rng: random.Random, web: str) -> str:
    if not web:
        return ""
    return rng.choice([web, f"www.{web}", f"http://{web}", f"https://{web}/", f"WWW.{web.upper()}"])


def _record(rng: random.Random, c: Company, rid: str, *, duplicate: bool) -> dict[str, str]:
    name = c.display(rng)
    phone = dirty_phone(rng, c.phone)
    email, inn, web, address = dirty_email(rng, c.email), dirty_inn(rng, c.inn), c.web, c.address
    if duplicate:  # the same company typed again by someone else: 1–3 mutations
        for kind in rng.sample(
            ["typo", "lookalike", "caps", "no_inn", "no_email", "no_phone", "no_web", "short_addr"],
            k=rng.randint(1, 3),
        ):
            if kind == "typo":
                name = typo(rng, name)
            elif kind == "lookalike":
                name = lookalike(rng, name)
            elif kind == "caps":
                name = name.upper()
            elif kind == "no_inn":
                inn = ""
            elif kind == "no_email":
                email = ""
            elif kind == "no_phone":
                phone = ""
            elif kind == "no_web":
                web = ""
            else:
                address = address.split(", ", 1)[-1]
    elif rng.random() < 0.08:
        phone += rng.choice(["; ", ", ", " / "]) + dirty_phone(rng, make_phone(rng, mobile=True))
    note = rng.choice(_FORMULA_NOTES) if rng.random() < 0.02 else ""
    if not note and rng.random() < 0.15:
        note = (
            f"Реквизиты уточнить. {rng.choice(['Звонить после 14:00', 'Работают по предоплате'])}"
        )
    return {
        "ID": rid,
        "Название компании": name,
        "Ответственный": manager_text(rng, c.manager),
        "Дата создания": dirty_date(rng, c.created),
        "Кем создана": manager_text(rng, c.manager),
        "Дата изменения": dirty_date(rng, c.created + dt.timedelta(days=rng.randrange(400))),
        "Теги": c.tags,
        "Рабочий телефон": phone,
        "Рабочий email": email,
        "Web": _web_text(rng, web),
        "Адрес": address if rng.random() < 0.9 else "",
        "ИНН": inn if rng.random() < 0.93 else "",
        "КПП": c.kpp if rng.random() < 0.9 else "",
        "ОГРН": c.ogrn if rng.random() < 0.85 else "",
        "Примечание": note,
    }


def build_companies(
    rng: random.Random, pools: Pools, n_records: int, ids: list[str]
) -> tuple[list[Company], list[dict[str, str]]]:
    """Companies and their export rows (~10% planted duplicates, hard negatives included).

    Hard negatives: ~2% of companies share a switchboard phone with another company, and ~2%
    reuse another company's name core with a different legal form and a different valid INN.
    """
    n_entities = round(n_records / 1.1)
    companies = [_new_company(rng, pools, i + 1, pools.company_cores[i]) for i in range(n_entities)]
    for c in rng.sample(companies, k=n_entities // 50):
        c.phone = rng.choice(companies).phone
    for c in rng.sample(companies, k=n_entities // 50):
        other = rng.choice(companies)
        if other.form != "ИП" and c.form != "ИП":
            c.core = other.core
            c.form = "АО" if other.form == "ООО" else "ООО"
            c.email, c.web = _contacts_of(rng, pools, c.core)
    rows = records_with_duplicates(
        rng, companies, n_records, ids, lambda r, e, rid, dup: _record(r, e, rid, duplicate=dup)
    )
    return companies, rows
