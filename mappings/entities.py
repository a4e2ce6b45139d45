"""The entity registry: every fact about an entity that more than one stage needs, in one place.

Two kinds of entity share the table. *Source entities* (``mappable``) are what a mapping file
targets and what the prepare stage produces a clean table for: company, contact, deal, lead,
product, product section, a smart process (one per workspace, named by its title) and
history: notes, activities (calls, e-mails, meetings) and tasks; requisites with their bank
details and addresses. *Load entities* are what the ledger holds and the load writes; most are
the source entity itself, some are derived from a source row (a company's ``requisite`` from
its ``RQ_*`` columns, a deal's ``deal_products`` and ``deal_contacts``, a contact's
``contact_companies``, a product's ``product_prices``) and a note is loaded as a timeline
``comment``.

Everything else reads these facts from here: the order entities are shown in (:data:`ENTITIES`),
the order they are loaded in (:data:`LOAD_ORDER`: a record goes after what it refers to) and
deleted in (:data:`ROLLBACK_LEVELS`), their names in the report languages, the columns of other
tables that hold their source keys (:attr:`Entity.references`), their multi-fields, and which
ones are deduplicated, matched against the portal, or counted in it after a load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ENTITIES",
    "LOAD_ORDER",
    "MULTI_FIELDS",
    "REGISTRY",
    "REQUISITE_TABLE_PREFIX",
    "ROLLBACK_LEVELS",
    "SMART_PROCESS",
    "STRUCTURE",
    "TASK_FILES_PREFIX",
    "Entity",
    "entity",
    "entity_label",
    "ledger_entity",
    "reference_targets",
    "shown_entity",
    "where",
]

MULTI_FIELDS = ("PHONE", "EMAIL", "WEB", "IM")
REQUISITE_TABLE_PREFIX = "rq/"
"""Ledger keys of a requisite table's rows (``rq/<key>``): apart from the requisites company
rows derive from their ``RQ_*`` columns, which are keyed by the company's own key."""
"""Bitrix24 multi-fields a mapping may fill (the wire also knows ``LINK``, which no export has)."""
#: The source key of the comment carrying a task's files: ``task:<task key>`` (never a note's:
#: a row of the task table, not of the note table).
TASK_FILES_PREFIX = "task:"


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity.

    Attributes:
        name: the code used everywhere (mapping files, ledger, reports).
        label_ru, label_en: its plain name in the report languages.
        mappable: a mapping file may target it (a source entity).
        loaded_as: the load entity a source row becomes (``note`` → ``comment``).
        crm: a legacy CRM object with ``crm.<name>.fields`` and user fields.
        dedupe: deduplicated by default (the dedupe stage has a preset for it).
        origin: created with ``ORIGINATOR_ID`` + ``ORIGIN_ID`` (products and sections:
            ``XML_ID``), so the portal can be asked whether it already holds a source record.
        comm_matched: matched to portal records by phone and e-mail as well.
        counted: counted in the portal after a load (listed by ``ORIGINATOR_ID``; a smart
            process's items by ``xmlId``).
        references: columns of other entities' tables that hold this entity's source keys.
        multi_fields: the multi-fields (phones, e-mails, …) its records carry.
        requisite_owner: the ``ENTITY_TYPE_ID`` of its requisites (0: it has none).
        rollback_level: deleted in this level of a rollback (lower first).
        smart: the records of a smart process (``crm.item.*`` with the ``entityTypeId`` the
            plan finds by the title its mapping file names in ``smart_process:``).
        structure: portal set-up the plan proposes (a user field and its list items, a
            pipeline, a stage): created before every record and removed after them, by the
            load's structure step rather than in batches (see ``migrate/load/_structure.py``).
        words: stems that, in a source file's or sheet's name, say it holds this entity
            (``inspect`` guesses the entity of a file from them and from its headers); an
            entity without any is never guessed.
    """

    name: str
    label_ru: str
    label_en: str
    mappable: bool = False
    loaded_as: str = ""
    crm: bool = False
    dedupe: bool = False
    origin: bool = False
    comm_matched: bool = False
    counted: bool = False
    references: tuple[str, ...] = ()
    multi_fields: tuple[str, ...] = ()
    requisite_owner: int = 0
    rollback_level: int = 0
    smart: bool = False
    structure: bool = False
    words: tuple[str, ...] = ()

    def label(self, language: str = "ru") -> str:
        """The plain name in ``language`` (Russian unless ``en``)."""
        return self.label_en if language == "en" else self.label_ru


_ALL = (
    Entity("company", "Компании", "Companies", mappable=True, crm=True, dedupe=True,
           origin=True, comm_matched=True, counted=True,
           references=("COMPANY_ID", "COMPANY_IDS"), multi_fields=MULTI_FIELDS,
           requisite_owner=4, rollback_level=4,
           words=("compan", "компан", "организац", "контрагент", "клиент")),
    Entity("contact", "Контакты", "Contacts", mappable=True, crm=True, dedupe=True,
           origin=True, comm_matched=True, counted=True,
           references=("CONTACT_ID", "CONTACT_IDS"), multi_fields=MULTI_FIELDS,
           requisite_owner=3, rollback_level=2,
           words=("contact", "контакт", "люди", "people", "person")),
    Entity("deal", "Сделки", "Deals", mappable=True, crm=True, origin=True, counted=True,
           references=("PARENT_ID_2",), rollback_level=1,
           words=("deal", "lead", "сделк", "заказ", "order")),
    Entity("lead", "Лиды", "Leads", mappable=True, crm=True, dedupe=True, origin=True,
           counted=True, references=("LEAD_ID",), multi_fields=MULTI_FIELDS, rollback_level=1),
    Entity("product", "Товары", "Products", mappable=True, dedupe=True, origin=True,
           rollback_level=5,
           words=("product", "товар", "номенклатур", "import", "offers", "catalog", "каталог")),
    Entity("product_section", "Разделы товаров", "Product sections", mappable=True,
           origin=True, references=("SECTION_ID",), rollback_level=6,
           words=("групп", "раздел", "section", "категори")),
    Entity("smart_process", "Смарт-процесс", "Smart process", mappable=True, origin=True,
           counted=True, smart=True, rollback_level=0),
    Entity("note", "История", "History", mappable=True, loaded_as="comment",
           words=("note", "примечан", "заметк", "звонк", "history", "истори", "событ")),
    Entity("activity", "Дела", "Activities", mappable=True, counted=True, rollback_level=0),
    Entity("task", "Задачи", "Tasks", mappable=True, rollback_level=0),
    # a requisite table (a company's or contact's second and further requisites), the bank
    # details and addresses of requisites; a company row's RQ_* columns stay its one derived
    # requisite (keyed by the company's key) unless a requisite table names that company
    Entity("requisite", "Реквизиты", "Requisites", mappable=True, counted=True,
           rollback_level=3, words=("реквизит", "requisite")),
    Entity("bank_detail", "Банковские реквизиты", "Bank details", mappable=True, counted=True,
           rollback_level=0, words=("банк", "bank", "расчетн", "расчётн")),
    Entity("address", "Адреса", "Addresses", mappable=True, counted=True, rollback_level=0,
           words=("адрес", "address")),
    Entity("contact_companies", "Компании контактов", "Contact companies"),
    Entity("deal_contacts", "Контакты сделок", "Deal contacts"),
    Entity("deal_products", "Товары в сделках", "Deal products", rollback_level=0),
    Entity("product_prices", "Цены товаров", "Product prices"),
    Entity("record_files", "Новые файлы загруженных записей", "Files added to loaded records"),
    Entity("comment", "Комментарии", "Comments", rollback_level=0),
    Entity("user_field", "Пользовательские поля", "User fields", rollback_level=7,
           structure=True),
    Entity("field_item", "Значения списков", "List items", structure=True),
    Entity("pipeline", "Воронки", "Pipelines", rollback_level=8, structure=True),
    Entity("stage", "Стадии", "Stages", rollback_level=7, structure=True),
)  # fmt: skip

REGISTRY: Mapping[str, Entity] = {e.name: e for e in _ALL}
"""Every entity by name."""

SMART_PROCESS = next(e.name for e in _ALL if e.smart)
"""The entity a smart process's rows are (the process itself is named by its title)."""

ENTITIES = tuple(e.name for e in _ALL if e.mappable)
"""The source entities, in the order stages process and reports show them."""

LOAD_ORDER = (
    "user_field", "field_item", "pipeline", "stage",  # structure: created before everything
    "product_section", "product", "product_prices", "company", "requisite", "contact",
    "contact_companies", "bank_detail", "address",
    "lead", "deal", "deal_contacts", "deal_products", "smart_process", "record_files",
    "activity", "task", "comment",
)  # fmt: skip
"""Load entities in dependency order: it decides who goes first when a batch has little room."""

_DELETED = ("comment", "activity", "task", "deal_products", "smart_process", "bank_detail",
            "address", "deal", "lead", "contact",
            "requisite", "company", "product", "product_section", "stage", "user_field",
            "pipeline")  # fmt: skip
ROLLBACK_LEVELS: tuple[tuple[str, ...], ...] = tuple(
    tuple(n for n in _DELETED if REGISTRY[n].rollback_level == level)
    for level in sorted({REGISTRY[n].rollback_level for n in _DELETED})
)
"""Levels a rollback deletes one after another (children before what they refer to; the
structure the load created last, after every record that used it)."""

STRUCTURE = tuple(e.name for e in _ALL if e.structure)
"""The structure entities, in the order the load creates them: a user field (with its list
items), a pipeline, then its stages."""


def entity(name: str) -> Entity:
    """The registry entry of ``name`` (``KeyError`` for an unknown entity)."""
    return REGISTRY[name]


def where(**facts: bool) -> tuple[str, ...]:
    """Names of the entities with all the given facts, in registry order.

    Example: ``where(crm=True)`` → ``("company", "contact", "deal", "lead")``.
    """
    return tuple(e.name for e in _ALL if all(getattr(e, k) == v for k, v in facts.items()))


def ledger_entity(name: str) -> str:
    """The load entity a source entity's rows become (itself unless ``loaded_as`` says)."""
    found = REGISTRY.get(name)
    return found.loaded_as or name if found is not None else name


def shown_entity(name: str) -> str:
    """The source entity a load entity is shown under in reports (``comment`` → ``note``)."""
    return next((e.name for e in _ALL if e.loaded_as == name), name)


def entity_label(name: str, language: str = "ru") -> str:
    """The plain name of ``name`` in ``language``, else the code itself."""
    found = REGISTRY.get(name)
    return found.label(language) if found is not None else name


def reference_targets() -> dict[str, str]:
    """Every reference column and the entity whose source keys it holds."""
    return {column: e.name for e in _ALL for column in e.references}
