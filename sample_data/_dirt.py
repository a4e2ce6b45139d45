"""Realistic dirt: the many ways people type phones, e-mails, names, INNs, dates and money.

Each function takes a seeded ``random.Random`` and a clean value and returns the text a
legacy export would hold. Identifier generators (INN, OGRN, KPP) produce checksum-valid values
so that "wrong checksum" is a deliberate dirt kind, not an accident.
"""

from __future__ import annotations

import datetime as dt
import random

__all__ = [
    "LEGAL_FORMS",
    "company_display",
    "dirty_date",
    "dirty_email",
    "dirty_inn",
    "dirty_money",
    "dirty_person",
    "dirty_phone",
    "email_typo",
    "lookalike",
    "make_inn10",
    "make_inn12",
    "make_kpp",
    "make_ogrn",
    "make_ogrnip",
    "make_phone",
    "typo",
]

LEGAL_FORMS = {
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
    "ЗАО": "Закрытое акционерное общество",
    "НКО": "Некоммерческая организация",
    "ИП": "Индивидуальный предприниматель",
}
_LOOKALIKE = str.maketrans("аеорсхуАВЕКМНОРСТХ", "aeopcxyABEKMHOPCTX")
_EPOCH = dt.datetime(1899, 12, 30)


def make_phone(rng: random.Random, *, mobile: bool = True) -> str:
    """A random Russian national number (10 digits), mobile 9xx or a city code."""
    code = rng.choice(["916", "926", "903", "985", "999", "921", "912"]) if mobile else None
    code = code or rng.choice(["495", "499", "812", "343", "383", "846", "863"])
    return code + f"{rng.randrange(10_000_000):07d}"


def dirty_phone(rng: random.Random, national: str, *, ext_ok: bool = True) -> str:
    """One of a dozen real-world shapes of the same number."""
    c, a, b, d, e = national[:3], national[3:6], national[6:8], national[8:], national
    shapes = [
        f"+7 ({c}) {a}-{b}-{d}",
        f"8 ({c}) {a}-{b}-{d}",
        f"8{e}",
        f"7{e}",
        e,
        f"+7 {c} {a} {b} {d}",
        f"8-{c}-{a}-{b}-{d}",
        f"+7{e}",
        f"({c}) {a}{b}{d}",
        f"7{e}.0",
        f"+7 {c} {a}{b}{d} ",
        f"8 {c} {a} {b} {d}",
    ]
    text = rng.choice(shapes)
    if ext_ok and rng.random() < 0.05:
        text += rng.choice([" доб. ", " доб.", " (доб. ", " ext. "]) + str(rng.randrange(100, 999))
        text += ")" if "(доб" in text else ""
    return text


def email_typo(rng: random.Random, address: str) -> str:
    """A likely typo of a common domain (gmial.com, mail.ru., yandex.ry)."""
    local, _, domain = address.partition("@")
    typos = {
        "gmail.com": ["gmial.com", "gmail.co", "gmai.com", "gmail.ru"],
        "mail.ru": ["mail.ru.", "mial.ru", "mail.r", "mai.ru"],
        "yandex.ru": ["yandex.ry", "yandx.ru", "yadex.ru"],
    }
    options = typos.get(domain)
    if not options:
        return f"{local}@@{domain}" if rng.random() < 0.3 else f"{local}{domain}"
    return f"{local}@{rng.choice(options)}"


def dirty_email(rng: random.Random, address: str) -> str:
    """Case, spaces, a mailto: prefix or a typo; most stay clean."""
    if not address:
        return ""
    roll = rng.random()
    if roll < 0.08:
        return address.upper() if rng.random() < 0.3 else address.title()
    if roll < 0.12:
        return f" {address} "
    if roll < 0.14:
        return f"mailto:{address}"
    if roll < 0.17:
        return email_typo(rng, address)
    return address


def lookalike(rng: random.Random, text: str) -> str:
    """Swap a few Cyrillic letters for Latin look-alikes (а→a, о→o, р→p …)."""
    chars = list(text)
    idx = [i for i, ch in enumerate(chars) if ch.translate(_LOOKALIKE) != ch]
    for i in rng.sample(idx, k=min(len(idx), rng.randint(1, 2))):
        chars[i] = chars[i].translate(_LOOKALIKE)
    return "".join(chars)


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def dirty_person(rng: random.Random, text: str) -> str:
    """Caps, lower case, double spaces or Latin look-alikes in a person's name."""
    roll = rng.random()
    if roll < 0.06:
        return text.upper()
    if roll < 0.09:
        return text.lower()
    if roll < 0.12:
        return text.replace(" ", "  ") + " "
    if roll < 0.15:
        return lookalike(rng, text)
    return text


def company_display(rng: random.Random, form: str, core: str) -> str:
    """A company name with its legal form in one of the ways people write it."""
    shapes = [
        f"{form} «{core}»",
        f'{form} "{core}"',
        f"{form} {core}",
        f"{core}, {form}",
        f"{core} {form}",
        f'{LEGAL_FORMS[form]} "{core}"',
        f"{form.lower()} {core.lower()}",
        f"«{core}»",
        core,
        f'{form} ""{core}""',
    ]
    weights = [30, 20, 10, 8, 6, 4, 3, 3, 10, 2]
    return rng.choices(shapes, weights=weights)[0]


def _check(digits: list[int], weights: list[int]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def make_inn10(rng: random.Random) -> str:
    """A checksum-valid legal-entity INN (10 digits); ~4% start with 0 (regions 01–09)."""
    region = f"0{rng.randint(1, 9)}" if rng.random() < 0.04 else f"{rng.randint(10, 99)}"
    body = [int(ch) for ch in region + f"{rng.randrange(10**7):07d}"]
    body.append(_check(body, [2, 4, 10, 3, 5, 9, 4, 6, 8]))
    return "".join(map(str, body))


def make_inn12(rng: random.Random) -> str:
    """A checksum-valid personal INN (12 digits), as sole proprietors have."""
    body = [int(ch) for ch in f"{rng.randint(10, 99)}{rng.randrange(10**8):08d}"]
    body.append(_check(body, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]))
    body.append(_check(body, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]))
    return "".join(map(str, body))


def make_kpp(inn: str) -> str:
    """KPP: the INN's tax office code, reason 01, number 001."""
    return inn[:4] + "01001"


def make_ogrn(rng: random.Random) -> str:
    """A checksum-valid OGRN (13 digits)."""
    body = f"1{rng.randint(2, 23):02d}{rng.randint(10, 99)}{rng.randrange(10**7):07d}"
    return body + str(int(body) % 11 % 10)


def make_ogrnip(rng: random.Random) -> str:
    """A checksum-valid OGRNIP (15 digits)."""
    body = f"3{rng.randint(4, 23):02d}{rng.randint(10, 99)}{rng.randrange(10**9):09d}"
    return body + str(int(body) % 13 % 10)


def dirty_inn(rng: random.Random, inn: str) -> str:
    """Wrong checksum, a lost leading zero, spaces or an «ИНН» prefix; most stay clean."""
    roll = rng.random()
    if inn.startswith("0") and roll < 0.7:
        return inn[1:]  # Excel ate the leading zero
    if roll < 0.04:
        return inn[:-1] + str((int(inn[-1]) + rng.randint(1, 9)) % 10)
    if roll < 0.07:
        return f"ИНН {inn}"
    if roll < 0.09:
        return f"{inn[:4]} {inn[4:]}"
    if roll < 0.10:
        return inn + ".0"
    return inn


def dirty_date(rng: random.Random, moment: dt.datetime, *, allow_serial: bool = True) -> str:
    """dd.mm.yyyy HH:MM:SS as amoCRM writes it, or ISO, a short year, or an Excel serial."""
    roll = rng.random()
    if roll < 0.65:
        return moment.strftime("%d.%m.%Y %H:%M:%S")
    if roll < 0.78:
        return moment.strftime("%d.%m.%Y")
    if roll < 0.86:
        return moment.strftime("%Y-%m-%d")
    if roll < 0.91:
        return moment.strftime("%Y-%m-%dT%H:%M:%S+03:00")
    if roll < 0.95:
        return moment.strftime("%d.%m.%y")
    if allow_serial:
        return str((moment - _EPOCH).days)
    return moment.strftime("%d.%m.%Y")


def dirty_money(rng: random.Random, amount: float) -> str:
    """'1 234 567,89 ₽', '$1,234.56', '1234567', 'договорная' …"""
    whole, cents = int(amount), round(amount * 100) % 100
    grouped = f"{whole:,}"
    shapes = [
        (30, f"{whole}"),
        (15, grouped.replace(",", " ") + f",{cents:02d} ₽"),
        (10, grouped.replace(",", "\u00a0") + f",{cents:02d}"),
        (10, f"{whole}.{cents:02d}"),
        (6, grouped.replace(",", " ") + " руб."),
        (5, f"${grouped}.{cents:02d}"),
        (3, f"€ {grouped.replace(',', '.')},{cents:02d}"),
        (5, grouped.replace(",", " ") + " р."),
        (3, f"{whole} RUB"),
        (2, rng.choice(["договорная", "уточнить", "-", "0"])),
    ]
    return rng.choices([s for _, s in shapes], weights=[w for w, _ in shapes])[0]
