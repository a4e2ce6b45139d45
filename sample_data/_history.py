"""History with dates: calls, e-mails and meetings (``activities.csv``), tasks (``tasks.csv``)
and a few attachments (``files/``: tiny TXT and PDF files made here, byte for byte the same for
the same seed).

Rows refer to the sample's companies, contacts and deals; half of them to the first 40 of
each, so a cut of the sample (the demo's ``--rows``) still carries history. Dirt a real export
has: some rows point at records that do not exist, some attachments are missing from
``files/``, dates are written in several ways.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sample_data._companies import manager_text, random_moment
from sample_data._dirt import dirty_date
from sample_data._pools import Pools

__all__ = ["ACTIVITY_COLUMNS", "TASK_COLUMNS", "build_activities", "build_tasks", "write_files"]

ACTIVITY_COLUMNS = ["ID", "Тип", "Сущность", "ID сущности", "Тема", "Описание", "Начало",
                    "Длительность, мин", "Завершено", "Ответственный", "Телефон или e-mail",
                    "Дата создания", "Автор", "Вложения"]  # fmt: skip
TASK_COLUMNS = ["ID", "Сущность", "ID сущности", "Название", "Описание", "Ответственный",
                "Постановщик", "Срок", "Статус", "Дата создания"]  # fmt: skip

_KINDS = [("Входящий звонок", 30), ("Исходящий звонок", 35), ("Входящее письмо", 10),
          ("Исходящее письмо", 10), ("Встреча", 15)]  # fmt: skip
_OWNERS = [("Компания", 30), ("Контакт", 40), ("Сделка", 30)]
_TOPICS = ["поставка", "счёт", "договор", "рекламация", "скидка", "отгрузка", "сверка"]
_RESULTS = ["договорились о встрече", "клиент думает", "перезвонить через неделю",
            "выслали КП", "не дозвонились", "счёт оплачен"]  # fmt: skip
_TASKS = ["Перезвонить клиенту", "Подготовить КП", "Выставить счёт", "Согласовать договор",
          "Отправить образцы", "Провести сверку"]  # fmt: skip
_STATUSES = [("Новая", 25), ("В работе", 20), ("Ждёт контроля", 5), ("Завершена", 45),
             ("Отложена", 5)]  # fmt: skip
FILE_NAMES = ("kp_2021.txt", "dogovor_scan.pdf", "schet_1042.pdf", "zvonok_zapis.txt",
              "akt_sverki.txt", "prajs.pdf")  # fmt: skip
_MISSING = ("scan_poteryan.pdf",)  # named in the export, not in files/


def build_activities(
    rng: random.Random, pools: Pools, ids: list[str], owners: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Calls, e-mails and meetings with start times, durations and a few attachments."""
    rows = []
    for rid in ids:
        kind = _pick(rng, _KINDS)
        entity, owner = _owner(rng, owners)
        start = random_moment(rng)
        mailed = "письмо" in kind
        person = rng.choice(pools.managers)
        rows.append({
            "ID": rid, "Тип": kind, "Сущность": entity, "ID сущности": owner,
            "Тема": "" if rng.random() < 0.3 else f"{kind}: {rng.choice(_TOPICS)}",
            "Описание": rng.choice(_RESULTS),
            "Начало": dirty_date(rng, start, allow_serial=False) if rng.random() < 0.1
            else start.strftime("%d.%m.%Y %H:%M:%S"),
            "Длительность, мин": "" if mailed else str(rng.randint(1, 90)),
            "Завершено": "Нет" if rng.random() < 0.1 else "Да",
            "Ответственный": manager_text(rng, person),
            "Телефон или e-mail": _contact_point(rng, mailed),
            "Дата создания": (start - dt.timedelta(days=rng.randrange(3))).strftime(
                "%d.%m.%Y %H:%M:%S"),
            "Автор": f"{person[0]} {person[1]}",
            "Вложения": _attachments(rng),
        })  # fmt: skip
    return rows


def build_tasks(
    rng: random.Random, pools: Pools, ids: list[str], owners: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Tasks on companies, contacts and deals with deadlines and statuses."""
    rows = []
    for rid in ids:
        entity, owner = _owner(rng, owners)
        created = random_moment(rng)
        deadline = created + dt.timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
        rows.append({
            "ID": rid, "Сущность": entity, "ID сущности": owner, "Название": rng.choice(_TASKS),
            "Описание": "" if rng.random() < 0.4 else rng.choice(_RESULTS),
            "Ответственный": manager_text(rng, rng.choice(pools.managers)),
            "Постановщик": " ".join(rng.choice(pools.managers)),
            "Срок": deadline.strftime("%d.%m.%Y %H:%M:%S"), "Статус": _pick(rng, _STATUSES),
            "Дата создания": created.strftime("%d.%m.%Y %H:%M:%S"),
        })  # fmt: skip
    return rows


def write_files(folder: Path) -> None:
    """The attachments the activities name: tiny TXT and one-page PDF files."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, name in enumerate(FILE_NAMES):
        text = f"Синтетический файл №{number + 1} для демонстрации b24migrate: {name}"
        data = _pdf(f"b24migrate sample {number + 1}") if name.endswith(".pdf") else text.encode()
        (folder / name).write_bytes(data)


def _pdf(line: str) -> bytes:
    """A minimal valid one-page PDF showing ``line`` (offsets computed, so readers open it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)  # fmt: skip
    return bytes(out)


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _owner(rng: random.Random, owners: dict[str, list[str]]) -> tuple[str, str]:
    entity = _pick(rng, _OWNERS)
    keys = owners[entity]
    if rng.random() < 0.005:
        return entity, str(rng.randrange(10**8))  # points nowhere
    return entity, rng.choice(keys[:40] if rng.random() < 0.5 else keys)


def _contact_point(rng: random.Random, mailed: bool) -> str:
    if mailed:
        return f"client{rng.randrange(1000)}@example.ru"
    return f"+7 9{rng.randrange(10, 99)} {rng.randrange(100, 999)}-{rng.randrange(10, 99)}-" \
        f"{rng.randrange(10, 99)}"  # fmt: skip


def _attachments(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.9:
        return ""
    if roll < 0.995:
        return "; ".join(f"files/{n}" for n in rng.sample(FILE_NAMES, rng.randint(1, 2)))
    return f"files/{_MISSING[0]}"
