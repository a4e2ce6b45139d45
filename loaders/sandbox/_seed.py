"""The portal as it is after sign-up: employees, pipelines, dictionaries, currencies, presets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from loaders.sandbox._context import PORTAL_TZ
from loaders.sandbox._store import Store

__all__ = [
    "ADMINS",
    "add_pipeline_stages",
    "required_fields",
    "seed_portal",
    "set_required_fields",
]

#: Users with the administrator role (historical fields in crm.item.import need one).
ADMINS = frozenset({1})

USERS = [
    # id, name, last name, email, active, position
    (1, "Анна", "Смирнова", "admin@sandbox.example", True, "Администратор"),
    (2, "Иван", "Петров", "i.petrov@sandbox.example", True, "Менеджер по продажам"),
    (3, "Мария", "Кузнецова", "m.kuznetsova@sandbox.example", True, "Менеджер по продажам"),
    (4, "Олег", "Соколов", "o.sokolov@sandbox.example", True, "Руководитель отдела продаж"),
    (5, "Сергей", "Волков", "s.volkov@sandbox.example", False, "Менеджер (уволен)"),
    # The sales team of the bundled sample export (`sample_data/`), as its company's portal
    # would list them: most of the export's owners match one by e-mail or name; Юлия Волкова
    # has left (dismissed), Никита Алексеев never got an account, and Анна Смирнова is the
    # administrator above under another e-mail (the export's a.smirnova@example.com is unknown).
    (6, "Дмитрий", "Кузнецов", "d.kuznetsov@example.com", True, "Менеджер по продажам"),
    (7, "Елена", "Попова", "e.popova@example.com", True, "Менеджер по продажам"),
    (8, "Сергей", "Васильев", "s.vasilev@example.com", True, "Менеджер по продажам"),
    (9, "Ольга", "Петрова", "o.petrova@example.com", True, "Менеджер по продажам"),
    (10, "Игорь", "Соколов", "i.sokolov@example.com", True, "Руководитель группы продаж"),
    (11, "Мария", "Михайлова", "m.mikhaylova@example.com", True, "Менеджер по продажам"),
    (12, "Павел", "Новиков", "p.novikov@example.com", True, "Менеджер по продажам"),
    (13, "Татьяна", "Федорова", "t.fedorova@example.com", True, "Менеджер по продажам"),
    (14, "Алексей", "Морозов", "a.morozov@example.com", True, "Менеджер по продажам"),
    (15, "Юлия", "Волкова", "yu.volkova@example.com", False, "Менеджер (уволена)"),
]

DEAL_STAGES = [
    ("NEW", "Новая", None), ("PREPARATION", "Подготовка документов", None),
    ("PREPAYMENT_INVOICE", "Счёт на предоплату", None), ("EXECUTING", "В работе", None),
    ("FINAL_INVOICE", "Финальный счёт", None), ("WON", "Сделка успешна", "S"),
    ("LOSE", "Сделка провалена", "F"), ("APOLOGY", "Анализ причины провала", "F"),
]  # fmt: skip
SECOND_PIPELINE = [("NEW", "Новая заявка", None), ("UC_TALKS", "Переговоры", None),
                   ("WON", "Закрыта успешно", "S"), ("LOSE", "Отказ", "F")]  # fmt: skip
LEAD_STAGES = [("NEW", "Не обработан", None), ("IN_PROCESS", "В работе", None),
               ("PROCESSED", "Обработан", None), ("CONVERTED", "Качественный лид", "S"),
               ("JUNK", "Некачественный лид", "F")]  # fmt: skip
DICTIONARIES: dict[str, list[tuple[str, str]]] = {
    # the standard sources (crm-lead-add.md's SOURCE_ID table; WEBFORM/CALLBACK/STORE are in
    # the captured fast_bitrix24 call_batch reply too)
    "SOURCE": [("CALL", "Звонок"), ("EMAIL", "Электронная почта"), ("WEB", "Веб-сайт"),
               ("ADVERTISING", "Реклама"), ("PARTNER", "Существующий клиент"),
               ("RECOMMENDATION", "По рекомендации"), ("TRADE_SHOW", "Выставка"),
               ("WEBFORM", "CRM-форма"), ("CALLBACK", "Обратный звонок"),
               ("RC_GENERATOR", "Генератор продаж"), ("STORE", "Интернет-магазин"),
               ("OTHER", "Другое"), ("SELF", "Свой контакт"), ("CRM_FORM", "CRM-форма (сайт)")],
    "CONTACT_TYPE": [("CLIENT", "Клиенты"), ("SUPPLIER", "Поставщики"),
                     ("PARTNER", "Партнёры"), ("OTHER", "Другое")],
    "COMPANY_TYPE": [("CUSTOMER", "Клиент"), ("SUPPLIER", "Поставщик"),
                     ("COMPETITOR", "Конкурент"), ("PARTNER", "Партнёр"), ("OTHER", "Другое")],
    "DEAL_TYPE": [("SALE", "Продажа"), ("COMPLEX", "Комплексная продажа"),
                  ("GOODS", "Продажа товара"), ("SERVICES", "Продажа услуги"),
                  ("SERVICE", "Сервисное обслуживание")],
    "INDUSTRY": [("IT", "Информационные технологии"), ("TELECOM", "Телекоммуникации и связь"),
                 ("MANUFACTURING", "Производство"), ("BANKING", "Банковские услуги"),
                 ("CONSULTING", "Консалтинг"), ("OTHER", "Другое")],
    "EMPLOYEES": [("EMPLOYEES_1", "менее 50"), ("EMPLOYEES_2", "50-250"),
                  ("EMPLOYEES_3", "250-500"), ("EMPLOYEES_4", "более 500")],
    "HONORIFIC": [("HNR_RU_1", "г-н"), ("HNR_RU_2", "г-жа")],
}  # fmt: skip
CURRENCIES = [("RUB", "Российский рубль", "Y", 1.0), ("USD", "Доллар США", "N", 90.0),
              ("EUR", "Евро", "N", 98.0), ("KZT", "Тенге", "N", 0.18)]  # fmt: skip
#: A Russian-country portal's four presets (crm-requisite-preset-list.md lists four).
PRESETS = [(1, "Организация", 4), (2, "ИП", 4), (3, "Физ. лицо", 3), (4, "Организация (доп.)", 4)]

#: Stage colours of a fresh portal (recorded: crm-status-list.md): process stages cycle
#: through these, success is green, failure red.
_PROCESS_COLORS = ("#39A8EF", "#2FC6F6", "#55D0E0", "#47E4C2", "#FFA900")
_COLORS = {"S": "#7BD500", "F": "#FF5752"}
_EXTRA = {"S": "success", "F": "failure"}


def _status(store: Store, entity: str, status_id: str, name: str, sort: int, **kw: Any) -> None:
    """One dictionary row; ``system`` rows (the first stage, success, the first failure) keep
    their initial name in NAME_INIT, the others have it empty."""
    semantics = kw.pop("semantics", None)
    system = kw.pop("system", False)
    color = _COLORS.get(semantics or "") or _PROCESS_COLORS[(sort // 10 - 1) % 5]
    extra = "apology" if semantics == "F" and not system else _EXTRA.get(semantics or "", "process")
    store.insert(
        "status",
        {
            "ENTITY_ID": entity, "STATUS_ID": status_id, "NAME": name,
            "NAME_INIT": name if system else "", "SORT": sort, "SYSTEM": "Y" if system else "N",
            "CATEGORY_ID": kw.get("category"), "COLOR": color, "SEMANTICS": semantics,
            "EXTRA": {"SEMANTICS": extra, "COLOR": color},
        },
    )  # fmt: skip


def _stages(store: Store, entity: str, rows: list[tuple[str, str, str | None]], **kw: Any) -> None:
    seen: set[str | None] = set()
    for i, (sid, name, sem) in enumerate(rows):
        system = i == 0 or (sem is not None and sem not in seen)
        seen.add(sem)
        _status(store, entity, sid, name, (i + 1) * 10, semantics=sem, system=system, **kw)


def _seed_statuses(store: Store) -> None:
    _stages(store, "DEAL_STAGE", DEAL_STAGES, category=0)
    _stages(store, "DEAL_STAGE_1", [(f"C1:{s}", n, m) for s, n, m in SECOND_PIPELINE], category=1)
    _stages(store, "STATUS", LEAD_STAGES)
    for entity, rows in DICTIONARIES.items():
        for i, (sid, name) in enumerate(rows):
            _status(store, entity, sid, name, (i + 1) * 10)


def add_pipeline_stages(store: Store, category: int) -> None:
    """The stages a new deal pipeline starts with: the general pipeline's, prefixed ``C<id>:``."""
    rows = [(f"C{category}:{sid}", name, sem) for sid, name, sem in DEAL_STAGES]
    _stages(store, f"DEAL_STAGE_{category}", rows, category=category)


def _user(row: tuple[Any, ...], now: float) -> dict[str, Any]:
    """An employee as user.get answers it; unset fields are left out, as real replies leave
    them out (recorded: user-get.md)."""
    uid, name, last, email, active, post = row
    day = datetime.fromtimestamp(now - 86400 * (400 - uid), UTC).astimezone(PORTAL_TZ)
    registered = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"ID": uid, "ACTIVE": active, "NAME": name, "LAST_NAME": last, "EMAIL": email,
            "LAST_LOGIN": datetime.fromtimestamp(now - 3600 * uid, UTC).astimezone(PORTAL_TZ)
            .isoformat() if active else "",
            "DATE_REGISTER": registered.isoformat(), "IS_ONLINE": "N",
            "PERSONAL_GENDER": "", "PERSONAL_BIRTHDAY": "", "WORK_POSITION": post,
            "UF_EMPLOYMENT_DATE": "", "UF_DEPARTMENT": [1], "USER_TYPE": "employee"}  # fmt: skip


def required_fields(store: Store) -> dict[str, list[str]]:
    """The fields the portal's admin made required, per entity (``{"contact": ["PHONE"]}``)."""
    settings = store.get("portal", 1) or {}
    return dict(settings.get("REQUIRED") or {})


def set_required_fields(store: Store, required: Mapping[str, Sequence[str]]) -> None:
    """Make these fields required (per entity); entities not named keep their settings."""
    settings = dict(store.get("portal", 1) or {"ID": 1})
    merged = {**(settings.get("REQUIRED") or {}), **{k: list(v) for k, v in required.items()}}
    store.put("portal", 1, {**settings, "REQUIRED": merged})


def seed_portal(store: Store, now: float) -> None:
    """Fill an empty portal; does nothing when users already exist (restart)."""
    if store.count("user"):
        return
    now = float(int(now))
    with store.transaction():
        for row in USERS:
            store.next_id("user")
            store.put("user", row[0], _user(row, now))
        _seed_statuses(store)
        # the general pipeline sorts last on a fresh portal (crm-category-list.md: 300)
        for cid, name, sort, default in ((0, "Общая", 300, "Y"), (1, "Оптовые продажи", 200, "N")):
            store.next_id("category")
            store.put("category", cid, {"ID": cid, "ENTITY_TYPE_ID": 2, "NAME": name,
                                        "SORT": sort, "IS_DEFAULT": default})  # fmt: skip
        for i, (code, name, base, rate) in enumerate(CURRENCIES):
            updated = datetime.fromtimestamp(now, UTC).astimezone(PORTAL_TZ).isoformat()
            currency = {"CURRENCY": code, "FULL_NAME": name, "BASE": base, "AMOUNT": rate,
                        "DATE_UPDATE": updated, "AMOUNT_CNT": 1, "SORT": (i + 1) * 100}  # fmt: skip
            store.insert("currency", currency)
        for pid, name, entity_type in PRESETS:
            store.next_id("preset")
            store.put("preset", pid, {"ID": pid, "ENTITY_TYPE_ID": 8, "COUNTRY_ID": 1,
                                      "NAME": name, "ACTIVE": "Y", "SORT": pid * 500,
                                      "XML_ID": f"#CRM_REQUISITE_PRESET_DEF_RU_{pid}#",
                                      "_FOR": entity_type})  # fmt: skip
