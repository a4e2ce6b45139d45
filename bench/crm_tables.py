"""Labelled CRM-export tables in shapes nobody wrote rules for, to score the inferred rules.

Every shape is a table a client could hand over, with CRM record metadata beside the facts:
creation and change dates, the manager in charge, who created the record, tags, the lead
source, a status, an external id, a row number and free-text notes. The metadata is drawn
the way exports have it: records are entered in batches (one day, one manager, one source,
one set of tags), a duplicate was entered again later by someone else, and a hard negative
(a namesake, a relative, another company of the same name) was often entered in the same
batch as its look-alike. Metadata agreeing therefore says nothing, and disagreeing says
nothing either: an engine that takes it for evidence loses precision or recall here.

Shapes (``SHAPES``): ``ru_contacts`` (ФИО in three columns, phone, e-mail, birth date, address),
``ru_companies`` (names with legal forms spelled out, moved, in Latin; INN, KPP, OGRN, phone,
address), ``ru_companies_noid`` (the same without INN/KPP/OGRN), ``company_name_address``
(a company's name and address only), ``name_address`` (ФИО and an
address only), ``name_phone`` (a contact's name and a phone only), ``en_people`` (a FEBRL-like
person table with other headers: first/last/street/city/zip/region/birthdate). Entities come
from Faker's ``ru_RU``/``en_AU`` providers; nothing is copied from a benchmark.

``python -m bench.crm_tables SHAPE --records N --out F.csv --truth T.csv`` writes one.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from faker import Faker

from bench.dedupe_people import generate_people

__all__ = ["SHAPES", "generate_crm"]

Rng = np.random.Generator
Row = dict[str, str]

_LAT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})  # fmt: skip
_NICK = {"Александр": "Саша", "Дмитрий": "Дима", "Михаил": "Миша", "Николай": "Коля",
         "Елена": "Лена", "Татьяна": "Таня", "Екатерина": "Катя", "Мария": "Маша"}  # fmt: skip
_MANAGERS = ("Смирнова Ольга", "Кузнецов Артём", "Попова Дарья", "Васильев Игорь",
             "Новикова Анна", "Морозов Павел")  # fmt: skip
_TAGS = ("VIP", "опт", "розница", "выставка 2023", "холодный", "партнёр", "")
_SOURCES = ("Сайт", "Звонок", "Выставка", "Рекомендация", "E-mail рассылка", "Импорт 1С")
_STATUSES = ("Новый", "В работе", "Постоянный клиент", "Отказ", "Ждёт КП")
_NOTES = ("Перезвонить после обеда", "Просил прислать прайс", "Интересовался доставкой",
          "Счёт отправлен {n}", "Договор №{n} на подписании", "Не дозвонились {n} раза",
          "Встреча назначена", "")  # fmt: skip
_FORMS = {  # legal form → the ways exports spell it (with the name's place)
    "ООО": ("ООО «{n}»", 'ООО "{n}"', "{n}, ООО", 'Общество с ограниченной ответственностью "{n}"',
            "ООО {n}", "{lat} LLC"),
    "АО": ("АО «{n}»", 'Акционерное общество "{n}"', "{n} АО", 'АО "{n}"'),
    "ПАО": ("ПАО «{n}»", 'Публичное акционерное общество "{n}"', "{n}, ПАО"),
    "ЗАО": ("ЗАО «{n}»", 'Закрытое акционерное общество "{n}"', "ЗАО {n}"),
}  # fmt: skip
_WORDS = ("Альфа", "Вектор", "Гранит", "Север", "Восток", "Меридиан", "Спектр", "Орион",
          "Импульс", "Стройка", "Техно", "Логистик", "Агро", "Фарм", "Сервис", "Трейд",
          "Монолит", "Капитал", "Энерго", "Медиа", "Ресурс", "Профи", "Торг", "Снаб", "Пром",
          "Инвест", "Групп", "Маркет", "Дизайн", "Строй", "Софт", "Лайн", "Плюс", "Нева",
          "Урал", "Сибирь", "Волга", "Кама", "Байкал", "Алтай")  # fmt: skip


def _pick(rng: Rng, items: tuple[str, ...] | list[str]) -> str:
    return items[int(rng.integers(0, len(items)))]


def _latin(text: str) -> str:
    return " ".join(w.lower().translate(_LAT).capitalize() for w in text.split())


def _typo(text: str, rng: Rng) -> str:
    if len(text) < 5:
        return text
    i = int(rng.integers(1, len(text) - 2))
    op = int(rng.integers(0, 3))
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + _pick(rng, tuple("аеиоунрстл")) + text[i + 1 :]


def _phone(rng: Rng) -> str:
    return "9" + "".join(str(d) for d in rng.integers(0, 10, 9))


def _phone_as(digits: str, rng: Rng) -> str:
    """One Russian mobile number as exports type it."""
    a, b, c, d = digits[:3], digits[3:6], digits[6:8], digits[8:]
    return _pick(rng, (f"+7{digits}", f"8 ({a}) {b}-{c}-{d}", f"+7 {a} {b} {c} {d}",
                       f"8{digits}", f"8-{a}-{b}{c}{d}"))  # fmt: skip


class _Faker:
    """Seeded Faker pools, drawn once per table."""

    def __init__(self, seed: int) -> None:
        self.ru = Faker("ru_RU")
        self.ru.seed_instance(seed)

    def person(self, rng: Rng) -> Row:
        male = rng.random() < 0.5
        f = self.ru
        last = f.last_name_male() if male else f.last_name_female()
        first = f.first_name_male() if male else f.first_name_female()
        middle = f.middle_name_male() if male else f.middle_name_female()
        login = _latin(first)[:1].lower() + "." + _latin(last).lower().replace(" ", "")
        birth = pd.Timestamp("1950-01-01") + pd.Timedelta(days=int(rng.integers(0, 18000)))
        domain = _pick(rng, ("mail.ru", "yandex.ru", "gmail.com", "bk.ru"))
        return {"last": last, "first": first, "middle": middle, "phone": _phone(rng),
                "email": f"{login}{int(rng.integers(1, 99))}@{domain}",
                "birth": birth.strftime("%d.%m.%Y"), "city": f.city_name(),
                "street": f.street_title(), "house": str(int(rng.integers(1, 120))),
                "flat": str(int(rng.integers(1, 300)))}  # fmt: skip


def _address(row: Row, rng: Rng, dirty: bool = False) -> str:
    street = row["street"]
    if dirty and rng.random() < 0.3:
        street = _typo(street, rng)
    forms = ("г. {c}, ул. {s}, д. {h}, кв. {f}", "{c}, улица {s}, дом {h}, квартира {f}",
             "г {c} ул {s} {h}-{f}", "{c}, ул. {s}, {h}, кв {f}")  # fmt: skip
    form = _pick(rng, forms) if dirty else forms[0]
    return form.format(c=row["city"], s=street, h=row["house"], f=row["flat"])


def _person_dirt(row: Row, rng: Rng) -> Row:
    out = dict(row)
    for _ in range(int(rng.integers(1, 3))):
        roll = rng.random()
        if roll < 0.2:
            out["last"] = _typo(out["last"], rng)
        elif roll < 0.3:
            out["first"] = _NICK.get(out["first"], out["first"])
        elif roll < 0.42:
            out["middle"] = ""
        elif roll < 0.5:
            out["first"], out["middle"] = out["first"][0] + ".", out["middle"][:1] + "."
        elif roll < 0.58:
            out.update({k: _latin(out[k]) for k in ("last", "first", "middle")})
        elif roll < 0.68:
            out["email"] = out["email"].upper() if rng.random() < 0.5 else ""
        elif roll < 0.76:
            out["phone"] = ""
        elif roll < 0.84:
            out["birth"] = ""
        else:
            out["street"] = _typo(out["street"], rng)
    if not (out["phone"] or out["email"]):
        out["phone"] = row["phone"]  # a person could not decide on a name alone
    return out


def _person_negative(row: Row, rng: Rng, maker: _Faker) -> Row:
    """A namesake (another phone, e-mail, birth date, address) or a relative at the address."""
    other = maker.person(rng)
    if rng.random() < 0.5:
        other.update(last=row["last"], first=row["first"], middle=row["middle"])
    else:  # a relative: surname (same gender), address and the home phone shared
        male = row["middle"].endswith("ич")
        first = maker.ru.first_name_male() if male else maker.ru.first_name_female()
        other.update(last=row["last"], first=first, city=row["city"], street=row["street"],
                     house=row["house"], flat=row["flat"])  # fmt: skip
    return other


def _company(rng: Rng, maker: _Faker) -> Row:
    name = _pick(rng, _WORDS) + _pick(rng, _WORDS).lower()
    if rng.random() < 0.3:
        name = maker.ru.last_name_male() + _pick(rng, ("", " и партнёры", "-Групп"))
    form = _pick(rng, tuple(_FORMS))
    inn = maker.ru.businesses_inn()
    if rng.random() < 0.15:  # a sole trader: a person's name, a 12-digit INN, no KPP
        person = maker.person(rng)
        name = f"{person['last']} {person['first']} {person['middle']}"
        form, inn = "ИП", maker.ru.individuals_inn()
    site = f"{_latin(name).lower().replace(' ', '')}{int(rng.integers(1, 10000))}"
    kpp = "" if form == "ИП" else inn[:4] + "01001"
    return {"name": name, "form": form, "inn": inn, "kpp": kpp,
            "ogrn": maker.ru.businesses_ogrn(), "phone": _phone(rng), "city": maker.ru.city_name(),
            "street": maker.ru.street_title(), "house": str(int(rng.integers(1, 120))),
            "flat": str(int(rng.integers(1, 40))),
            "site": _pick(rng, (f"www.{site}.ru", f"{site}.ru", ""))}  # fmt: skip


def _company_name(row: Row, rng: Rng, dirty: bool) -> str:
    name = _typo(row["name"], rng) if dirty and rng.random() < 0.25 else row["name"]
    if row["form"] == "ИП":
        words = name.split()
        short = words[0] + " " + "".join(f"{w[0]}." for w in words[1:])
        return _pick(rng, (f"ИП {name}", f"Индивидуальный предприниматель {short}",
                           f"{name} ИП", f"ИП {short}")) if dirty else f"ИП {name}"  # fmt: skip
    form = _pick(rng, _FORMS[row["form"]]) if dirty else _FORMS[row["form"]][0]
    if dirty and rng.random() < 0.1:
        return name.upper()
    return form.format(n=name, lat=_latin(name))


def _company_dirt(row: Row, rng: Rng) -> Row:
    out = dict(row, dirty="1")
    roll = rng.random()
    if roll < 0.25:
        out["inn"] = ""
    elif roll < 0.4:
        out["phone"] = ""
    elif roll < 0.5:
        out["kpp"], out["ogrn"] = "", ""
    if rng.random() < 0.3:
        out["street"] = _typo(out["street"], rng)
    if not (out["inn"] or out["phone"]):
        out["phone"] = row["phone"]
    return out


def _company_negative(row: Row, rng: Rng, maker: _Faker) -> Row:
    """Another company of the same name (another form, city, INN) or a same-form neighbour."""
    other = _company(rng, maker)
    if rng.random() < 0.6 and row["form"] != "ИП":
        other["name"] = row["name"]
    else:  # same legal form and building, another name
        other.update(city=row["city"], street=row["street"], house=row["house"])
        if "ИП" not in (row["form"], other["form"]):
            other["form"] = row["form"]
    return other


def _meta(rng: Rng, batch: int) -> Row:
    """Record metadata of one import batch: day, manager, source, tags, status."""
    day = pd.Timestamp("2019-01-01") + pd.Timedelta(days=batch * 3 % 1500)
    local = np.random.default_rng(batch)
    return {"Дата создания": (day + pd.Timedelta(minutes=int(rng.integers(0, 600)))).strftime(
                "%d.%m.%Y %H:%M"),
            "Дата изменения": (day + pd.Timedelta(days=int(rng.integers(0, 400)))).strftime(
                "%d.%m.%Y %H:%M"),
            "Ответственный": _pick(local, _MANAGERS), "Кем создан": _pick(local, _MANAGERS),
            "Теги": _pick(local, _TAGS), "Источник": _pick(local, _SOURCES),
            "Статус": _pick(local, _STATUSES),
            "Комментарий": _pick(rng, _NOTES).format(n=int(rng.integers(2, 900)))}  # fmt: skip


_EN_META = {"Дата создания": "created_at", "Дата изменения": "updated", "Ответственный": "owner",
            "Кем создан": "created_by", "Теги": "tags", "Источник": "lead_source",
            "Статус": "status", "Комментарий": "notes"}  # fmt: skip

Maker = Callable[[Rng, _Faker], Row]
Dirt = Callable[[Row, Rng], Row]
Negative = Callable[[Row, Rng, _Faker], Row]


def _contact_row(row: Row, rng: Rng, dirty: bool) -> Row:
    return {"Фамилия": row["last"], "Имя": row["first"], "Отчество": row["middle"],
            "Телефон": _phone_as(row["phone"], rng) if row["phone"] else "",
            "E-mail": row["email"], "Дата рождения": row["birth"],
            "Адрес": _address(row, rng, dirty)}  # fmt: skip


def _name_address_row(row: Row, rng: Rng, dirty: bool) -> Row:
    order = dirty and rng.random() < 0.3
    full = (f"{row['first']} {row['middle']} {row['last']}" if order
            else f"{row['last']} {row['first']} {row['middle']}")  # fmt: skip
    return {"ФИО": " ".join(full.split()), "Адрес": _address(row, rng, dirty)}


def _name_phone_row(row: Row, rng: Rng, dirty: bool) -> Row:
    full = " ".join(f"{row['last']} {row['first']} {row['middle']}".split())
    return {"Контактное лицо": full, "Телефон": _phone_as(row["phone"] or "9000000000", rng)}


def _company_row(row: Row, rng: Rng, dirty: bool) -> Row:
    address = f"г. {row['city']}, ул. {row['street']}, д. {row['house']}, оф. {row['flat']}"
    return {"Название компании": _company_name(row, rng, dirty), "ИНН": row["inn"],
            "КПП": row["kpp"], "ОГРН": row["ogrn"],
            "Телефон": _phone_as(row["phone"], rng) if row["phone"] else "",
            "Адрес": address, "Сайт": row["site"]}  # fmt: skip


def _person(rng: Rng, maker: _Faker) -> Row:
    return maker.person(rng)


def _name_phone_negative(row: Row, rng: Rng, maker: _Faker) -> Row:
    """A colleague behind the same office phone, or a relative behind the same home phone.

    No namesake with another phone: a full name alone is nothing a person could decide on.
    """
    other = _person_negative(row, rng, maker) if rng.random() < 0.5 else maker.person(rng)
    other.update(phone=row["phone"])
    if other["first"] == row["first"]:
        other["first"] = "Ян" if row["first"] != "Ян" else "Лев"
    return other


def _always_phone(dirt: Dirt) -> Dirt:
    def apply(row: Row, rng: Rng) -> Row:
        out = dirt(row, rng)
        out["phone"] = row["phone"]
        return out

    return apply


_RU: dict[str, tuple[Maker, Dirt, Negative, Callable[[Row, Rng, bool], Row]]] = {
    "ru_contacts": (_person, _person_dirt, _person_negative, _contact_row),
    "name_address": (_person, _person_dirt, _person_negative, _name_address_row),
    "name_phone": (_person, _always_phone(_person_dirt), _name_phone_negative, _name_phone_row),
    "ru_companies": (_company, _company_dirt, _company_negative, _company_row),
}
_EN_HEADERS = {"given_name": "First", "surname": "Last", "street_number": "House No",
               "address_1": "Street", "address_2": "Unit", "suburb": "City", "postcode": "ZIP",
               "state": "Region", "date_of_birth": "Birthdate"}  # fmt: skip
# company shapes without some columns: (columns dropped from ``ru_companies``)
_COMPANY_CUTS = {"ru_companies_noid": ("ИНН", "КПП", "ОГРН"),
                 "company_name_address": ("ИНН", "КПП", "ОГРН", "Телефон", "Сайт")}  # fmt: skip
SHAPES = (*_RU, *_COMPANY_CUTS, "en_people")


def _rows(shape: str, records: int, rng: Rng, maker: _Faker) -> tuple[list[Row], list[str]]:
    make, dirt, negative, render = _RU[shape]
    rows: list[Row] = []
    entities: list[str] = []
    batch = entity = 0
    while len(rows) < records:
        entity += 1
        batch += int(rng.random() < 0.1)
        original = make(rng, maker)
        rows.append({**render(original, rng, False), **_meta(rng, batch)})
        entities.append(str(entity))
        for _ in range(int(rng.random() < 0.3) + int(rng.random() < 0.05)):
            later = batch + int(rng.integers(1, 50))  # entered again, later, by someone else
            rows.append({**render(dirt(original, rng), rng, True), **_meta(rng, later)})
            entities.append(str(entity))
        if rng.random() < 0.12:  # a look-alike, often in the same batch
            entity += 1
            rows.append({**render(negative(original, rng, maker), rng, False),
                         **_meta(rng, batch)})  # fmt: skip
            entities.append(str(entity))
    return rows[:records], entities[:records]


def _en_people(records: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    frame, truth = generate_people(int(records * 0.75), records - int(records * 0.75), seed=seed)
    rng = np.random.default_rng(seed)
    entities = [truth[k] for k in frame["rec_id"]]
    frame = frame.drop(columns=["rec_id", "soc_sec_id"]).rename(columns=_EN_HEADERS)
    meta = pd.DataFrame([_meta(rng, int(rng.integers(0, 60))) for _ in range(len(frame))])
    meta["Ответственный"] = [_latin(v) for v in meta["Ответственный"]]
    meta["Кем создан"] = [_latin(v) for v in meta["Кем создан"]]
    meta["Теги"] = meta["Теги"].map(lambda v: _latin(v).lower())
    meta["Источник"] = meta["Источник"].map(_latin)
    meta["Статус"] = meta["Статус"].map(_latin)
    meta["Комментарий"] = meta["Комментарий"].map(_latin)
    return pd.concat([frame, meta.rename(columns=_EN_META)], axis=1), entities


def generate_crm(
    shape: str, records: int, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, str], str]:
    """``records`` rows of ``shape``, shuffled, every value text: (table, truth, key column).

    About a quarter of the entities have a duplicate and an eighth a hard negative. The key
    column is ``ID`` (``id`` for ``en_people``); a row number column ``№`` and an external id
    are there too, as exports have them.
    """
    rng = np.random.default_rng(seed)
    if shape == "en_people":
        frame, entities = _en_people(records, seed)
        key, number, external = "id", "row", "crm_id"
    else:
        base = "ru_companies" if shape in _COMPANY_CUTS else shape
        rows, entities = _rows(base, records, rng, _Faker(seed))
        frame = pd.DataFrame(rows).drop(columns=list(_COMPANY_CUTS.get(shape, ())))
        key, number, external = "ID", "№", "Внешний ID"
    order = rng.permutation(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    ids = [f"{shape[:2]}{i + 1}" for i in range(len(frame))]
    frame.insert(0, key, ids)
    frame.insert(1, number, [str(i + 1) for i in range(len(frame))])
    frame[external] = [f"{int(v):06d}" for v in rng.permutation(len(frame)) + 1]
    truth = {ids[n]: entities[i] for n, i in enumerate(order)}
    return frame, truth, key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=str(__doc__).split("\n")[0])
    parser.add_argument("shape", choices=SHAPES)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args(argv)
    frame, truth, _key = generate_crm(args.shape, args.records, args.seed)
    frame.to_csv(args.out, index=False)
    pd.DataFrame({"record_id": list(truth), "entity_id": list(truth.values())}).to_csv(
        args.truth, index=False
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
