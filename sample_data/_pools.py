"""Value pools built once from Faker (ru_RU) and fixed word lists.

Every random choice later is a cheap pick from these pools with a seeded ``random.Random``, so
a million rows cost no Faker call per row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

__all__ = ["Pools", "build_pools", "translit"]

_COMMON_MALE = [
    "Александр",
    "Алексей",
    "Андрей",
    "Антон",
    "Артём",
    "Борис",
    "Вадим",
    "Виктор",
    "Владимир",
    "Дмитрий",
    "Евгений",
    "Иван",
    "Игорь",
    "Илья",
    "Кирилл",
    "Максим",
    "Михаил",
    "Никита",
    "Николай",
    "Олег",
    "Павел",
    "Роман",
    "Сергей",
    "Степан",
    "Юрий",
]
_COMMON_FEMALE = [
    "Александра",
    "Алина",
    "Анастасия",
    "Анна",
    "Валентина",
    "Вера",
    "Виктория",
    "Галина",
    "Дарья",
    "Екатерина",
    "Елена",
    "Ирина",
    "Ксения",
    "Любовь",
    "Марина",
    "Мария",
    "Наталья",
    "Ольга",
    "Светлана",
    "Татьяна",
    "Юлия",
    "Яна",
]
_ROOTS = [
    "Вектор",
    "Альфа",
    "Омега",
    "Гранит",
    "Сигма",
    "Ресурс",
    "Прогресс",
    "Меридиан",
    "Импульс",
    "Континент",
    "Арсенал",
    "Атлант",
    "Байкал",
    "Восток",
    "Горизонт",
    "Дельта",
    "Енисей",
    "Зенит",
    "Интеграл",
    "Кедр",
    "Лидер",
    "Магистраль",
    "Нева",
    "Олимп",
    "Парус",
    "Радуга",
    "Сапфир",
    "Триада",
    "Урал",
    "Феникс",
    "Химпром",
    "Эталон",
    "Янтарь",
    "Стандарт",
    "Фаворит",
    "Гарант",
    "Квант",
    "Ладога",
    "Монолит",
    "Орбита",
    "Пульсар",
    "Рубин",
    "Север",
    "Титан",
    "Уют",
    "Форвард",
    "Элемент",
    "Юпитер",
    "Азимут",
    "Берег",
    "Волна",
]
_SUFFIXES = [
    "",
    "",
    "",
    "Плюс",
    "-М",
    " Групп",
    "Строй",
    "Техно",
    "Сервис",
    "Трейд",
    "Логистик",
    "Пром",
    "Инвест",
    "Снаб",
    "Маркет",
    "Софт",
    " Холдинг",
    "Энерго",
    "Агро",
    "Мед",
    " Консалтинг",
]
_MANAGERS = [
    ("Анна", "Смирнова"),
    ("Дмитрий", "Кузнецов"),
    ("Елена", "Попова"),
    ("Сергей", "Васильев"),
    ("Ольга", "Петрова"),
    ("Игорь", "Соколов"),
    ("Мария", "Михайлова"),
    ("Павел", "Новиков"),
    ("Татьяна", "Фёдорова"),
    ("Алексей", "Морозов"),
    ("Юлия", "Волкова"),
    ("Никита", "Алексеев"),
]
_FREE_DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru"]
_EXAMPLE_DOMAINS = ["example.ru", "example.com", "example.org", "example.net"]
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def translit(text: str) -> str:
    """Transliterate Cyrillic to Latin the way people type their names in e-mail addresses."""
    out = []
    for char in text:
        low = char.lower()
        latin = _TRANSLIT.get(low)
        if latin is None:
            out.append(char)
        else:
            out.append(latin.capitalize() if char != low and latin else latin)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Pools:
    """Everything the generators pick from."""

    male_first: tuple[str, ...]
    female_first: tuple[str, ...]
    male_middle: tuple[str, ...]
    female_middle: tuple[str, ...]
    male_last: tuple[str, ...]
    female_last: tuple[str, ...]
    company_cores: tuple[str, ...]
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    managers: tuple[tuple[str, str], ...]
    free_domains: tuple[str, ...]
    example_domains: tuple[str, ...]
    words: tuple[str, ...]
    sentences: tuple[str, ...]
    jobs: tuple[str, ...]


def _surnames_from(first_names: tuple[str, ...]) -> tuple[str, ...]:
    """Patronymic surnames (Иван → Иванов, Алексей → Алексеев, Никита → Никитин)."""
    out = set()
    for name in first_names:
        if name.endswith("ий"):
            out.add(name[:-2] + "ьев")
        elif name.endswith("й"):
            out.add(name[:-1] + "ев")
        elif name.endswith(("а", "я")):
            out.add(name[:-1] + "ин")
        elif name[-1] not in "ьоеиуыэю":
            out.add(name + "ов")
    return tuple(sorted(out))


def _sample(fn: object, n: int) -> tuple[str, ...]:
    values = {fn() for _ in range(n)}  # type: ignore[operator]
    return tuple(sorted(values))


def build_pools(seed: int) -> Pools:
    """Build the pools deterministically from ``seed``."""
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    cores = sorted({f"{r}{s}" for r in _ROOTS for s in _SUFFIXES})
    surname_cores = sorted({fake.last_name_male() for _ in range(800)})
    half = len(surname_cores) // 2
    cores += [f"{a} и партнёры" for a in surname_cores[:100]]
    cores += [
        f"{a}-{b}" for a, b in zip(surname_cores[100:half], surname_cores[half:], strict=False)
    ]
    rng.shuffle(cores)
    cities = _sample(fake.city_name, 300)
    extra = sorted({f"{r} {c}" for r in _ROOTS for c in cities} - set(cores))
    rng.shuffle(extra)
    cores += extra  # "Вектор Кемерово": enough distinct names for the benchmark scale
    return Pools(
        male_first=tuple(_COMMON_MALE) * 3 + _sample(fake.first_name_male, 200),
        female_first=tuple(_COMMON_FEMALE) * 3 + _sample(fake.first_name_female, 200),
        male_middle=_sample(fake.middle_name_male, 200),
        female_middle=_sample(fake.middle_name_female, 200),
        male_last=_sample(fake.last_name_male, 1500)
        + _surnames_from(_sample(fake.first_name_male, 400)),
        female_last=_sample(fake.last_name_female, 1500),
        company_cores=tuple(cores),
        cities=cities,
        streets=_sample(fake.street_address, 3000),
        managers=tuple(_MANAGERS),
        free_domains=tuple(_FREE_DOMAINS),
        example_domains=tuple(_EXAMPLE_DOMAINS),
        words=_sample(fake.word, 600),
        sentences=_sample(fake.sentence, 800),
        jobs=_sample(fake.job, 200),
    )
