"""A source portal for rehearsing a portal-to-portal migration (issue 16), seeded over REST.

:func:`seed_source_portal` fills a sandbox (or any test portal) with what a live CRM has and
its exports lose: three deal pipelines (the general one, «Оптовые продажи», a «Тендеры»
pipeline created here), a list user field on deals and a text one on contacts, a *multiple*
list on companies and a multiple text field on contacts, companies with requisites,
contacts bound to one or two companies, deals with contacts and product rows
(catalogue products and free-text rows), leads, catalogue sections and products, timeline
comments, calls, e-mails and meetings with their own times (some with files), and tasks bound
to records (one to two records, one to none). :func:`prepare_target_portal` makes on the
target what an admin (or the plan's structure proposals, issue 12) would: the same pipeline
and user fields — created in another order, so every id differs and only meaning can match
them.

Everything is written through the client's own batches, deterministically from ``seed``.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mappings
from loaders import Bitrix24Client, Command

__all__ = [
    "CHANNELS",
    "DEAL_KINDS",
    "MULTI_LINE",
    "PIPELINE",
    "SMART_PROCESS",
    "SeededSource",
    "prepare_target_portal",
    "seed_requisite_parts",
    "seed_source_portal",
    "smart_process_mapping",
    "user_field_lines",
]

PIPELINE = "Тендеры"
SMART_PROCESS = "Договоры"
"""The smart process both sandboxes have (``SandboxConfig(smart_processes=(SMART_PROCESS,))``):
a sandbox cannot create one over REST, as a portal's admin does in its settings."""
DEAL_KINDS = ("Опт", "Розница", "Госзаказ")
_TITLES = (
    "Альфа",
    "Вектор",
    "Гранит",
    "Дельта",
    "Зенит",
    "Импульс",
    "Кристалл",
    "Лидер",
    "Меридиан",
    "Нева",
    "Орион",
    "Прогресс",
    "Радуга",
    "Сатурн",
    "Траст",
    "Феникс",
)
_FIRST = ("Иван", "Анна", "Пётр", "Мария", "Олег", "Елена", "Сергей", "Ольга", "Дмитрий")
_LAST = ("Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Соколов", "Лебедев")
_GOODS = ("Кабель ВВГ 3x2.5", "Автомат 16А", "Розетка двойная", "Щит распределительный")
CHANNELS = ("Сайт", "Звонок", "Выставка", "Рекомендация")
MULTI_LINE = ("строка 1\nстрока 2", "C:\\путь\\n")
"""Values of a multiple text field that hold a line break and backslashes (``\\n`` as two
characters): each must arrive as one value, exactly (`escaped: true`)."""
_USER_FIELDS = (  # entity, code, type, label, list items, multiple
    ("deal", "KIND", "enumeration", "Вид сделки", DEAL_KINDS, False),
    ("contact", "HOBBY", "string", "Увлечение", (), False),
    ("company", "CHANNELS", "enumeration", "Каналы привлечения", CHANNELS, True),
    ("contact", "LANGS", "string", "Языки", (), True),
    ("deal", "DOCS", "file", "Документы", (), False),
)


@dataclass(frozen=True, slots=True)
class SeededSource:
    """How many records of each kind the source holds (what a migration must bring over)."""

    counts: dict[str, int]


def smart_process_mapping(title: str = SMART_PROCESS) -> str:
    """The preset's smart-process mapping (``smart_process.yaml.template``) for ``title``."""
    template = Path(mappings.__file__).parent / "bitrix24_portal" / "smart_process.yaml.template"
    text = template.read_text(encoding="utf-8")
    return text.replace("smart_process: TITLE", f"smart_process: {title}").replace(
        "values: [TITLE]", f"values: [{title}]"
    )


def user_field_lines() -> dict[str, dict[str, dict[str, str | bool]]]:
    """The mapping lines the seeded user fields need, by entity (the preset cannot know a
    portal's own fields): ``{"deal": {"UF_CRM_KIND": {"from": "UF_CRM_KIND"}}}``; a multiple
    field's values come one per line, each escaped (``separator: "\n", escaped: true``)."""
    out: dict[str, dict[str, dict[str, str | bool]]] = {}
    for entity, code, *_, multiple in _USER_FIELDS:
        multi: dict[str, str | bool] = {"separator": "\n", "escaped": True} if multiple else {}
        line = {"from": f"UF_CRM_{code}", **multi}
        out.setdefault(entity, {})[f"UF_CRM_{code}"] = line
    return out


async def prepare_target_portal(client: Bitrix24Client) -> None:
    """Create on the target the pipeline and user fields the source has, ids shuffled: a
    pipeline created before ours, list items added in reverse order."""
    await _call(client, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Сервис"}})
    await _call(client, "crm.category.add", {"entityTypeId": 2, "fields": {"name": PIPELINE}})
    for entity, code, kind, label, items, multiple in _USER_FIELDS:
        await _user_field(client, entity, code, kind, label, tuple(reversed(items)), multiple)


async def seed_source_portal(
    client: Bitrix24Client,
    *,
    seed: int = 16,
    companies: int = 24,
    contacts: int = 40,
    deals: int = 48,
    leads: int = 10,
    requisites: bool = False,
) -> SeededSource:
    """Seed the source portal (see the module docstring); returns what it holds.

    ``requisites``: also an ИП requisite beside some companies' ООО one, a «Физ. лицо»
    requisite of some contacts, bank details (one or two per requisite) and addresses (legal,
    and for some physical) — :func:`seed_requisite_parts`.
    """
    rng = random.Random(seed)
    await _call(client, "crm.category.add", {"entityTypeId": 2, "fields": {"name": PIPELINE}})
    kinds = {}
    for entity, code, kind, label, items, multiple in _USER_FIELDS:
        kinds[code] = await _user_field(client, entity, code, kind, label, items, multiple)
    sections = await _add_all(
        client, "crm.productsection.add", [{"NAME": n} for n in ("Кабель", "Электрика")]
    )
    products = await _add_all(
        client,
        "crm.product.add",
        [
            {
                "NAME": name,
                "PRICE": 100 + 50 * i,
                "CURRENCY_ID": "RUB",
                "SECTION_ID": sections[i % 2],
            }
            for i, name in enumerate(_GOODS)
        ],
    )
    company_ids = await _add_all(
        client,
        "crm.company.add",
        [_company(rng, i, kinds["CHANNELS"]) for i in range(companies)],
    )
    await _requisites(client, company_ids)
    contact_ids = await _add_all(
        client, "crm.contact.add", [_contact(rng, i) for i in range(contacts)]
    )
    await _bind_contacts(client, rng, contact_ids, company_ids)
    parts = await seed_requisite_parts(client, company_ids, contact_ids) if requisites else {}
    pipelines = await _pipelines(client)
    deal_ids = await _add_all(
        client,
        "crm.deal.add",
        [_deal(rng, i, company_ids, pipelines, kinds["KIND"]) for i in range(deals)],
    )
    await _deal_details(client, rng, deal_ids, contact_ids, products)
    lead_ids = await _add_all(client, "crm.lead.add", [_lead(rng, i) for i in range(leads)])
    comments = await _comments(
        client, rng, {"deal": deal_ids, "company": company_ids, "lead": lead_ids}
    )
    activities = await _activities(
        client, rng, {"deal": deal_ids, "contact": contact_ids, "company": company_ids}
    )
    tasks = await _tasks(client, rng, {"deal": deal_ids, "contact": contact_ids,
                                       "company": company_ids, "lead": lead_ids})  # fmt: skip
    smart = await _smart_items(client, rng, deal_ids, company_ids, contact_ids)
    return SeededSource(
        {
            "smart_process": smart,
            "activity": activities,
            "task": tasks,
            "company": companies,
            "contact": contacts,
            "deal": deals,
            "lead": leads,
            "product": len(products),
            "product_section": len(sections),
            "note": comments,
            **parts,
        }
    )


async def _call(client: Bitrix24Client, method: str, params: dict[str, Any]) -> Any:
    return (await client.call(method, params)).result


async def _add_all(
    client: Bitrix24Client, method: str, fields: Sequence[dict[str, Any]]
) -> list[int]:
    commands = [Command(f"a{i}", method, {"fields": f}) for i, f in enumerate(fields)]
    results = await client.batch(commands)
    for item in results:
        if item.error is not None:
            raise item.error
    return [int(item.result) for item in results]


async def _user_field(
    client: Bitrix24Client,
    entity: str,
    code: str,
    kind: str,
    label: str,
    items: Sequence[str],
    multiple: bool = False,
) -> dict[str, str]:
    fields: dict[str, Any] = {"FIELD_NAME": code, "USER_TYPE_ID": kind, "EDIT_FORM_LABEL": label,
                              "MULTIPLE": "Y" if multiple else "N"}  # fmt: skip
    if items:
        fields["LIST"] = [{"VALUE": v, "SORT": 10 * (n + 1)} for n, v in enumerate(items)]
    await _call(client, f"crm.{entity}.userfield.add", {"fields": fields})
    listed = await _call(
        client, f"crm.{entity}.userfield.list", {"filter": {"FIELD_NAME": f"UF_CRM_{code}"}}
    )
    return {str(i["VALUE"]): str(i["ID"]) for i in (listed[0].get("LIST") or [])}


def _inn(rng: random.Random) -> str:
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
    return "".join(map(str, [*digits, check]))


def _company(rng: random.Random, i: int, channels: dict[str, str]) -> dict[str, Any]:
    return {
        "UF_CRM_CHANNELS": _channels(channels, i),
        "TITLE": f"ООО «{_TITLES[i % len(_TITLES)]}-{i + 1}»",
        "COMPANY_TYPE": rng.choice(("CUSTOMER", "PARTNER", "SUPPLIER")),
        "ASSIGNED_BY_ID": rng.choice((1, 2)),
        "PHONE": [
            {"VALUE": f"+7 495 {rng.randint(100, 999)}-{i:02d}-{i:02d}", "VALUE_TYPE": "WORK"}
        ],
        "EMAIL": [{"VALUE": f"office{i + 1}@firm{i + 1}.example", "VALUE_TYPE": "WORK"}],
        "COMMENTS": f"Клиент с {2015 + i % 9} года",
    }


def _channels(ids: dict[str, str], i: int) -> list[str]:
    """A company's channels (item ids): none, one or two, without touching the seed's rng."""
    if i % 5 == 4:
        return []
    picked = [CHANNELS[i % 4]] + ([CHANNELS[(i + 1) % 4]] if i % 3 == 0 else [])
    return [ids[label] for label in picked]


def _contact(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "NAME": _FIRST[i % len(_FIRST)],
        "LAST_NAME": f"{_LAST[i % len(_LAST)]}{'а' if _FIRST[i % len(_FIRST)][-1] == 'а' else ''}",
        "POST": rng.choice(("Директор", "Менеджер", "Бухгалтер")),
        "SOURCE_ID": rng.choice(("CALL", "WEB", "EMAIL")),
        "ASSIGNED_BY_ID": rng.choice((1, 2)),
        "UF_CRM_HOBBY": rng.choice(("рыбалка", "шахматы", "")),
        "UF_CRM_LANGS": [
            *["русский", "английский", "немецкий"][: i % 3],
            *(MULTI_LINE if i % 5 == 4 else []),
        ],
        "PHONE": [
            {
                "VALUE": f"+7 916 {rng.randint(100, 999)}-{i // 10}{i % 10}-{i:02d}",
                "VALUE_TYPE": "MOBILE",
            }
        ],
        "EMAIL": [{"VALUE": f"person{i + 1}@mail{i + 1}.example", "VALUE_TYPE": "HOME"}],
    }


async def _requisites(client: Bitrix24Client, companies: Sequence[int]) -> None:
    presets = await _call(client, "crm.requisite.preset.list", {})
    preset = int(presets[0]["ID"])
    rng = random.Random(len(companies))
    await _add_all(
        client,
        "crm.requisite.add",
        [
            {
                "ENTITY_TYPE_ID": 4,
                "ENTITY_ID": cid,
                "PRESET_ID": preset,
                "NAME": "Реквизиты",
                "RQ_INN": _inn(rng),
                "RQ_KPP": f"77{rng.randint(1000000, 9999999)}",
                "RQ_COMPANY_NAME": f"ООО «Компания {cid}»",
                "RQ_DIRECTOR": "Иванов Иван Иванович",
            }
            for cid in companies
            if cid % 3
        ],
    )


async def seed_requisite_parts(
    client: Bitrix24Client, companies: Sequence[int], contacts: Sequence[int]
) -> dict[str, int]:
    """Beyond :func:`_requisites` (an «Организация» requisite of two companies in three): an
    «ИП» requisite of every fourth company, a «Физ. лицо» one of every fifth contact; one bank
    account per requisite (two for every third), a legal address (``TYPE_ID`` 6) per
    requisite and a physical one (1) for every second. Returns how many of each the portal
    holds then (requisites counted whole)."""
    presets = {p["NAME"]: int(p["ID"]) for p in await _call(client, "crm.requisite.preset.list",
                                                              {})}  # fmt: skip
    rng = random.Random(len(companies) + len(contacts))
    await _add_all(client, "crm.requisite.add", [
        *({"ENTITY_TYPE_ID": 4, "ENTITY_ID": cid, "PRESET_ID": presets["ИП"],
           "NAME": "ИП директора", "RQ_LAST_NAME": "Иванов", "RQ_FIRST_NAME": "Иван",
           "RQ_INN": _inn12(rng), "RQ_OGRNIP": _ogrnip(rng)}
          for n, cid in enumerate(companies) if n % 4 == 1),
        *({"ENTITY_TYPE_ID": 3, "ENTITY_ID": pid, "PRESET_ID": presets["Физ. лицо"],
           "NAME": "Паспорт", "RQ_LAST_NAME": "Петров", "RQ_FIRST_NAME": "Пётр",
           "RQ_IDENT_DOC_SER": "4510", "RQ_IDENT_DOC_NUM": f"{rng.randint(10**5, 10**6 - 1)}"}
          for n, pid in enumerate(contacts) if n % 5 == 2),
    ])  # fmt: skip
    requisites = [int(r["ID"]) for r in await client.list_all("crm.requisite.list",
                                                              select=["ID"])]  # fmt: skip
    banks = [{"ENTITY_ID": rid, "NAME": f"Счёт {k + 1}", "RQ_BANK_NAME": "ПАО «Сбербанк»",
              "RQ_BIK": "044525225", "RQ_ACC_NUM": f"40702810{rng.randint(10**11, 10**12 - 1)}",
              "RQ_COR_ACC_NUM": "30101810400000000225", "RQ_ACC_CURRENCY": "RUB"}
             for n, rid in enumerate(requisites)
             for k in range(2 if n % 3 == 0 else 1)]  # fmt: skip
    await _add_all(client, "crm.requisite.bankdetail.add", banks)
    addresses = [{"TYPE_ID": kind, "ENTITY_TYPE_ID": 8, "ENTITY_ID": rid,
                  "ADDRESS_1": f"ул. Ленина, д. {n + 1}", "ADDRESS_2": f"офис {10 + n}",
                  "CITY": "Москва", "POSTAL_CODE": f"1{n:05d}", "COUNTRY": "Россия"}
                 for n, rid in enumerate(requisites)
                 for kind in ((6, 1) if n % 2 else (6,))]  # fmt: skip
    await _add_all(client, "crm.address.add", addresses)
    return {"requisite": len(requisites), "bank_detail": len(banks), "address": len(addresses)}


def _ogrnip(rng: random.Random) -> str:
    """A valid ОГРНИП: 3, 13 more digits, then their number mod 13 (mod 10)."""
    head = f"3{rng.randint(10**12, 10**13 - 1)}"
    return head + str(int(head) % 13 % 10)


def _inn12(rng: random.Random) -> str:
    """A valid 12-digit INN (an individual's: both check digits)."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(9)]
    for weights in ((7, 2, 4, 10, 3, 5, 9, 4, 6, 8), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)):
        digits.append(sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)
    return "".join(map(str, digits))


async def _bind_contacts(
    client: Bitrix24Client, rng: random.Random, contacts: Sequence[int], companies: Sequence[int]
) -> None:
    commands = []
    for n, cid in enumerate(contacts):
        bound = rng.sample(list(companies), 2 if n % 4 == 0 else 1)
        items = [
            {"COMPANY_ID": c, "IS_PRIMARY": "Y" if k == 0 else "N"} for k, c in enumerate(bound)
        ]
        commands.append(
            Command(f"b{n}", "crm.contact.company.items.set", {"id": cid, "items": items})
        )
    for item in await client.batch(commands):
        if item.error is not None:
            raise item.error


async def _pipelines(client: Bitrix24Client) -> list[tuple[int, list[str]]]:
    """Every pipeline and its stage ids (the portal's own)."""
    categories = (await _call(client, "crm.category.list", {"entityTypeId": 2}))["categories"]
    statuses = await _call(client, "crm.status.list", {})
    out = []
    for category in sorted(categories, key=lambda c: int(c["id"])):
        cid = int(category["id"])
        dictionary = "DEAL_STAGE" if cid == 0 else f"DEAL_STAGE_{cid}"
        out.append((cid, [s["STATUS_ID"] for s in statuses if s["ENTITY_ID"] == dictionary]))
    return out


def _deal(
    rng: random.Random,
    i: int,
    companies: Sequence[int],
    pipelines: Sequence[tuple[int, list[str]]],
    kinds: dict[str, str],
) -> dict[str, Any]:
    category, stages = pipelines[i % len(pipelines)]
    return {
        "TITLE": f"Поставка №{1000 + i}",
        "CATEGORY_ID": category,
        "STAGE_ID": rng.choice(stages),
        "COMPANY_ID": companies[i % len(companies)],
        "CURRENCY_ID": "RUB",
        "ASSIGNED_BY_ID": rng.choice((1, 2)),
        "SOURCE_ID": rng.choice(("CALL", "WEB")),
        "UF_CRM_KIND": kinds[DEAL_KINDS[i % len(DEAL_KINDS)]],
        # a file field (how-to-upload-files.md: {"fileData": [name, base64]}) on every 5th deal
        **({"UF_CRM_DOCS": _files(i)[0]} if i % 5 == 2 else {}),
        "COMMENTS": "Срочно" if i % 5 == 0 else "",
    }


async def _deal_details(
    client: Bitrix24Client,
    rng: random.Random,
    deals: Sequence[int],
    contacts: Sequence[int],
    products: Sequence[int],
) -> None:
    commands = []
    for n, did in enumerate(deals):
        people = rng.sample(list(contacts), 1 + n % 2)
        commands.append(
            Command(
                f"c{n}",
                "crm.deal.contact.items.set",
                {
                    "id": did,
                    "items": [
                        {"CONTACT_ID": c, "IS_PRIMARY": "Y" if k == 0 else "N"}
                        for k, c in enumerate(people)
                    ],
                },
            )
        )
        rows: list[dict[str, Any]] = [
            {
                "PRODUCT_ID": products[(n + k) % len(products)],
                "PRICE": 100.0 * (k + 1),
                "QUANTITY": 1 + (n + k) % 3,
            }
            for k in range(n % 3)
        ]
        if n % 4 == 1:
            rows.append({"PRODUCT_NAME": "Монтаж (услуга)", "PRICE": 2500.0, "QUANTITY": 1})
        if rows:
            commands.append(Command(f"r{n}", "crm.deal.productrows.set", {"id": did, "rows": rows}))
    for item in await client.batch(commands):
        if item.error is not None:
            raise item.error


def _lead(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "TITLE": f"Заявка с сайта №{i + 1}",
        "NAME": _FIRST[(i + 3) % len(_FIRST)],
        "STATUS_ID": rng.choice(("NEW", "IN_PROCESS")),
        "SOURCE_ID": "WEB",
        "OPPORTUNITY": 1000 * (i + 1),
        "CURRENCY_ID": "RUB",
        "PHONE": [{"VALUE": f"+7 903 {100 + i}-00-{i:02d}", "VALUE_TYPE": "WORK"}],
    }


async def _comments(
    client: Bitrix24Client, rng: random.Random, owners: dict[str, Sequence[int]]
) -> int:
    fields: list[dict[str, Any]] = []
    for owner, ids in owners.items():
        for rid in ids:
            for k in range(rng.randint(0, 2)):
                comment: dict[str, Any] = {
                    "ENTITY_TYPE": owner,
                    "ENTITY_ID": rid,
                    "COMMENT": f"Звонок {k + 1}: обсудили условия ({owner} {rid})",
                }
                if len(fields) % 4 == 1:  # crm-timeline-comment-add.md: [[name, base64], …]
                    comment["FILES"] = [item["fileData"] for item in _files(len(fields))]
                fields.append(comment)
    await _add_all(client, "crm.timeline.comment.add", fields)
    return len(fields)


_OWNER_TYPES = {"lead": 1, "deal": 2, "contact": 3, "company": 4}
_TASK_PREFIX = {"lead": "L", "deal": "D", "contact": "C", "company": "CO"}
_ACTIVITY_KINDS = ((2, 1, "Входящий звонок"), (2, 2, "Исходящий звонок"),
                   (4, 2, "Коммерческое предложение"), (1, None, "Встреча в офисе"))  # fmt: skip


async def _activities(
    client: Bitrix24Client, rng: random.Random, owners: dict[str, Sequence[int]]
) -> int:
    """Calls, e-mails and meetings with their own times (in the past, the portal's offset),
    every third with a file or two (a text and a small binary: sizes and hashes differ)."""
    fields: list[dict[str, Any]] = []
    for owner, ids in owners.items():
        for rid in ids[: max(4, len(ids) // 2)]:
            type_id, direction, subject = _ACTIVITY_KINDS[len(fields) % len(_ACTIVITY_KINDS)]
            day, hour, minutes = 1 + len(fields) % 27, 9 + len(fields) % 8, rng.choice((15, 40, 90))
            start = f"2024-{1 + len(fields) % 12:02d}-{day:02d}T{hour:02d}:05:00+03:00"
            end_hour, end_minute = hour + (5 + minutes) // 60, (5 + minutes) % 60
            item: dict[str, Any] = {
                "OWNER_TYPE_ID": _OWNER_TYPES[owner],
                "OWNER_ID": rid,
                "TYPE_ID": type_id,
                "SUBJECT": f"{subject} ({owner} {rid})",
                "DESCRIPTION": rng.choice(("Обсудили поставку", "Просили перезвонить", "")),
                "START_TIME": start,
                "END_TIME": start.replace(f"T{hour:02d}:05", f"T{end_hour:02d}:{end_minute:02d}"),
                "COMPLETED": "Y" if len(fields) % 3 else "N",
                "RESPONSIBLE_ID": rng.choice((1, 2)),
                "COMMUNICATIONS": [
                    {
                        "VALUE": f"+7 495 000-00-{len(fields) % 100:02d}",
                        "ENTITY_ID": rid,
                        "ENTITY_TYPE_ID": _OWNER_TYPES[owner],
                    }
                ],
            }
            if direction is not None:
                item["DIRECTION"] = direction
            if len(fields) % 3 == 0:
                item["FILES"] = _files(len(fields))
            fields.append(item)
    await _add_all(client, "crm.activity.add", fields)
    return len(fields)


def _files(n: int) -> list[dict[str, list[str]]]:
    """``FILES`` of an activity (crm-activity-add.md: ``[{"fileData": [name, base64]}]``)."""
    text = f"Протокол встречи №{n}\nДоговорились о сроках поставки.\n".encode()
    out = [{"fileData": [f"Протокол {n}.txt", base64.b64encode(text).decode("ascii")]}]
    if n % 2 == 0:
        blob = bytes((n * 7 + k * 13) % 256 for k in range(512 + n))
        out.append({"fileData": [f"скан-{n}.pdf", base64.b64encode(blob).decode("ascii")]})
    return out


async def _tasks(
    client: Bitrix24Client, rng: random.Random, owners: dict[str, Sequence[int]]
) -> int:
    """Tasks bound to records (one bound to a deal and its company), deadlines and statuses
    2–6, and one task bound to nothing (not a CRM task: not migrated); the first task of each
    owner kind has files on Disk (``UF_TASK_WEBDAV_FILES``: ``n<object id>``, uploaded with
    ``disk.folder.uploadfile``; tutorials/tasks/how-to-create-task-with-file.md)."""
    commands: list[Command] = []
    drive = await _task_drive_files(client, rng, list(owners))
    for owner, ids in owners.items():
        for k, rid in enumerate(ids[: max(3, len(ids) // 4)]):
            binding = [f"{_TASK_PREFIX[owner]}_{rid}"]
            if owner == "deal" and k == 0:  # two bindings: the first one carries the task
                binding.append(f"CO_{owners['company'][0]}")
            fields: dict[str, Any] = {
                "TITLE": f"{rng.choice(('Перезвонить', 'Отправить КП', 'Согласовать'))} "
                f"({owner} {rid})",
                "DESCRIPTION": rng.choice(("Уточнить объём", "")),
                "RESPONSIBLE_ID": rng.choice((1, 2)),
                "STATUS": 2 + k % 5,
                "DEADLINE": f"2025-{1 + k % 12:02d}-{10 + k % 18:02d}T18:00:00+03:00",
                "UF_CRM_TASK": binding,
            }
            if k == 0:
                fields["UF_TASK_WEBDAV_FILES"] = [f"n{oid}" for oid in drive[owner]]
            commands.append(Command(f"t{len(commands)}", "tasks.task.add", {"fields": fields}))
    commands.append(Command("free", "tasks.task.add", {"fields": {
        "TITLE": "Планёрка отдела", "RESPONSIBLE_ID": 1}}))  # fmt: skip
    for item in await client.batch(commands):
        if item.error is not None:
            raise item.error
    return len(commands) - 1


async def _task_drive_files(
    client: Bitrix24Client, rng: random.Random, kinds: Sequence[str]
) -> dict[str, list[int]]:
    """One or two files per owner kind in the webhook user's Drive (its root folder): their
    object ids by kind."""
    (storage,) = (await client.call("disk.storage.getlist", {"filter": {
        "ENTITY_TYPE": "user"}})).result  # fmt: skip
    root = int(storage["ROOT_OBJECT_ID"])
    out: dict[str, list[int]] = {}
    for n, kind in enumerate(kinds):
        names = [f"Задача {kind} — акт.pdf", f"план {n}.txt"][: 1 + n % 2]
        out[kind] = []
        for name in names:
            data = name.encode() + bytes(rng.randrange(256) for _ in range(300 + 97 * n))
            found = await client.call("disk.folder.uploadfile", {
                "id": root, "data": {"NAME": name},
                "fileContent": [name, base64.b64encode(data).decode("ascii")]})  # fmt: skip
            out[kind].append(int(found.result["ID"]))
    return out


async def _smart_items(
    client: Bitrix24Client,
    rng: random.Random,
    deals: Sequence[int],
    companies: Sequence[int],
    contacts: Sequence[int],
) -> int:
    """Items of the smart process :data:`SMART_PROCESS` (when the portal has it) in each of its
    stages, linked to a company, contacts and a deal (``parentId2``)."""
    types = (await _call(client, "crm.type.list", {}))["types"]
    kind = next((t for t in types if t["title"] == SMART_PROCESS), None)
    if kind is None:
        return 0
    type_id = int(kind["entityTypeId"])
    categories = await _call(client, "crm.category.list", {"entityTypeId": type_id})
    category = int(categories["categories"][0]["id"])
    stages = [s["STATUS_ID"] for s in await _call(client, "crm.status.list", {
        "filter": {"ENTITY_ID": f"DYNAMIC_{type_id}_STAGE_{category}"}})]  # fmt: skip
    commands = []
    for i in range(10):
        fields: dict[str, Any] = {
            "title": f"Договор № {100 + i}",
            "categoryId": category,
            "stageId": stages[i % len(stages)],
            "assignedById": rng.choice((1, 2)),
            "opportunity": 10000 * (i + 1),
            "currencyId": "RUB",
            "companyId": companies[i % len(companies)],
            "contactIds": [contacts[i % len(contacts)]],
        }
        if i % 3:
            fields["parentId2"] = deals[i % len(deals)]
        params = {"entityTypeId": type_id, "fields": fields}
        commands.append(Command(f"s{i}", "crm.item.add", params))
    for item in await client.batch(commands):
        if item.error is not None:
            raise item.error
    return len(commands)
