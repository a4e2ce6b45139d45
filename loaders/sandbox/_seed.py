"""The portal as it is after sign-up: employees, pipelines, dictionaries, currencies, presets."""

from __future__ import annotations

from typing import Any

from loaders.sandbox._store import Store

__all__ = ["ADMINS", "seed_portal"]

#: Users with the administrator role (historical fields in crm.item.import need one).
ADMINS = frozenset({1})

USERS = [
    # id, name, last name, email, active, position
    (1, "Анна", "Смирнова", "admin@sandbox.example", True, "Администратор"),
    (2, "Иван", "Петров", "i.petrov@sandbox.example", True, "Менеджер по продажам"),
    (3, "Мария", "Кузнецова", "m.kuznetsova@sandbox.example", True, "Менеджер по продажам"),
    (4, "Олег", "Соколов", "o.sokolov@sandbox.example", True, "Руководитель отдела продаж"),
    (5, "Сергей", "Волков", "s.volkov@sandbox.example", False, "Менеджер (уволен)"),
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
    "SOURCE": [("CALL", "Звонок"), ("EMAIL", "Электронная почта"), ("WEB", "Веб-сайт"),
               ("ADVERTISING", "Реклама"), ("PARTNER", "Существующий клиент"),
               ("RECOMMENDATION", "По рекомендации"), ("TRADE_SHOW", "Выставка"),
               ("SELF", "Свой контакт"), ("OTHER", "Другое")],
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
PRESETS = [(1, "Организация", 4), (2, "ИП", 4), (3, "Физ. лицо", 3)]

_COLORS = {None: "#39A8EF", "S": "#7BD500", "F": "#FF5752"}


def _status(store: Store, entity: str, status_id: str, name: str, sort: int, **kw: Any) -> None:
    semantics = kw.pop("semantics", None)
    store.insert(
        "status",
        {
            "ENTITY_ID": entity, "STATUS_ID": status_id, "NAME": name, "NAME_INIT": name,
            "SORT": sort, "SYSTEM": "Y" if sort <= 10 or semantics else "N",
            "CATEGORY_ID": kw.get("category"), "COLOR": _COLORS[semantics],
            "SEMANTICS": semantics,
            "EXTRA": {"SEMANTICS": {"S": "success", "F": "failure"}.get(semantics or "", "process"),
                      "COLOR": _COLORS[semantics]},
        },
    )  # fmt: skip


def _seed_statuses(store: Store) -> None:
    for i, (sid, name, sem) in enumerate(DEAL_STAGES):
        _status(store, "DEAL_STAGE", sid, name, (i + 1) * 10, semantics=sem, category=0)
    for i, (sid, name, sem) in enumerate(SECOND_PIPELINE):
        _status(store, "DEAL_STAGE_1", f"C1:{sid}", name, (i + 1) * 10, semantics=sem, category=1)
    for i, (sid, name, sem) in enumerate(LEAD_STAGES):
        _status(store, "STATUS", sid, name, (i + 1) * 10, semantics=sem)
    for entity, rows in DICTIONARIES.items():
        for i, (sid, name) in enumerate(rows):
            _status(store, entity, sid, name, (i + 1) * 10)


def seed_portal(store: Store, now: float) -> None:
    """Fill an empty portal; does nothing when users already exist (restart)."""
    if store.count("user"):
        return
    with store.transaction():
        for uid, name, last, email, active, post in USERS:
            store.next_id("user")
            store.put(
                "user",
                uid,
                {"ID": uid, "ACTIVE": active, "NAME": name, "LAST_NAME": last, "SECOND_NAME": "",
                 "EMAIL": email, "WORK_POSITION": post, "UF_DEPARTMENT": [1],
                 "USER_TYPE": "employee", "IS_ONLINE": "N", "TIME_ZONE": "Europe/Moscow"},
            )  # fmt: skip
        _seed_statuses(store)
        for cid, name, sort, default in ((0, "Общая", 100, "Y"), (1, "Оптовые продажи", 200, "N")):
            store.next_id("category")
            store.put("category", cid, {"ID": cid, "ENTITY_TYPE_ID": 2, "NAME": name,
                                        "SORT": sort, "IS_DEFAULT": default})  # fmt: skip
        for i, (code, name, base, rate) in enumerate(CURRENCIES):
            row = {"CURRENCY": code, "FULL_NAME": name, "BASE": base, "AMOUNT": rate}
            store.insert("currency", {**row, "AMOUNT_CNT": 1, "SORT": (i + 1) * 100})
        for pid, name, entity_type in PRESETS:
            store.next_id("preset")
            store.put("preset", pid, {"ID": pid, "ENTITY_TYPE_ID": 8, "COUNTRY_ID": 1,
                                      "NAME": name, "ACTIVE": "Y", "SORT": pid * 500,
                                      "XML_ID": f"#CRM_REQUISITE_PRESET_DEF_RU_{pid}#",
                                      "_FOR": entity_type})  # fmt: skip
