"""Microseconds per value for the hot cleaners on 100,000 synthetic dirty values.

Run: ``python bench/cleaner_speed.py [N]``. Prints one line per cleaner; figures depend on the
machine and its load (other processes share the cores), so compare runs on one machine.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from cleaners import (
    clean_date,
    clean_datetime,
    clean_email,
    clean_money,
    clean_person_name,
    clean_phone,
    company_name_key,
    translit_key,
)
from cleaners.phones import _normalize


def _phones(rng: random.Random, n: int) -> list[str]:
    shapes = [
        "8 ({a}) {b}-{c}-{d}",
        "+7{a}{b}{c}{d}",
        "8{a}{b}{c}{d}",
        "+7 ({a}) {b} {c} {d}",
        "7{a}{b}{c}{d}.0",
        "{a} {b} {c} {d}",
        "8 ({a}) {b}-{c}-{d} доб. 12",
    ]
    out = []
    for _ in range(n):
        a = rng.choice(["916", "903", "926", "985", "495", "499", "812", "343"])
        b, c, d = rng.randrange(1000), rng.randrange(100), rng.randrange(100)
        out.append(rng.choice(shapes).format(a=a, b=f"{b:03}", c=f"{c:02}", d=f"{d:02}"))
    return out


def _emails(rng: random.Random, n: int) -> list[str]:
    domains = ["mail.ru", "gmail.com", "yandex.ru", "bk.ru", "gmial.com", "firma.ru"]
    return [
        f" {rng.choice(['Ivan', 'petrov', 'a.sidorova'])}{i}@{rng.choice(domains).upper()} "
        for i in range(n)
    ]


def _dates(rng: random.Random, n: int) -> list[str]:
    shapes = ["{d:02}.{m:02}.{y}", "{y}-{m:02}-{d:02}", "{d}.{m}.{yy:02}", "{s}", "{d} марта {y}"]
    return [
        rng.choice(shapes).format(
            d=rng.randint(1, 28),
            m=rng.randint(1, 12),
            y=rng.randint(1990, 2025),
            yy=rng.randint(0, 25),
            s=rng.randint(35000, 46000),
        )
        for _ in range(n)
    ]


def _names(rng: random.Random, n: int) -> list[str]:
    last = ["ИВАНОВ", "петров", "Сидорова", "Иванoв", "КУЗНЕЦОВА", "Smirnov", "о'нил", "Ким"]
    first = ["Иван", "мария", "ПЁТР", "Анна-Мария", "Sergey", "И.", "ольга", "Олег"]
    middle = ["Иванович", "петровна", "", "И.", "Сергеевич", "оглы"]
    return [
        f"{rng.choice(last)} {rng.choice(first)} {rng.choice(middle)} {rng.choice(last)[: i % 5]}"
        for i in range(n)
    ]


def _time(func: Callable[[str], object], values: list[str]) -> tuple[float, float]:
    """(CPU, wall) microseconds per value; CPU time is the steadier figure on a busy machine."""
    _normalize.cache_clear()
    wall, cpu = time.perf_counter(), time.process_time()
    for value in values:
        func(value)
    scale = 1e6 / len(values)
    return (time.process_time() - cpu) * scale, (time.perf_counter() - wall) * scale


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(20240601)
    phones, emails, dates, names = _phones(rng, n), _emails(rng, n), _dates(rng, n), _names(rng, n)
    amounts = [f"{rng.randint(0, 10**7):,}".replace(",", " ") + ",50 ₽" for _ in range(n)]
    cases: list[tuple[str, Callable[[str], object], list[str]]] = [
        ("phone", lambda v: clean_phone(v, on_error="null"), phones),
        ("email", lambda v: clean_email(v, on_error="null"), emails),
        ("date", lambda v: clean_date(v, on_error="null"), dates),
        ("datetime", lambda v: clean_datetime(v, on_error="null"), dates),
        ("money", lambda v: clean_money(v, on_error="null"), amounts),
        ("person_name", lambda v: clean_person_name(v, on_error="null"), names),
        ("company_name_key", company_name_key, names),
        ("translit_key", translit_key, names),
    ]
    print(f"values={n}; repeated values hit the caches; the machine is shared, figures are noisy")
    for name, func, values in cases:
        cpu, wall = _time(func, values)
        distinct = len(set(values))
        print(f"{name:18} cpu {cpu:6.2f} us/value  wall {wall:6.2f} us/value  distinct={distinct}")


if __name__ == "__main__":
    main()
