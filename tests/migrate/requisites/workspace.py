"""A workspace with a requisite table (several requisites per company, a contact's one), bank
details and addresses of two types, beside the plan tests' companies, contacts and deals."""

from __future__ import annotations

from pathlib import Path

from migrate.workspace.config import Workspace
from tests.migrate.plan.workspace import make_workspace, write_csv

REQUISITES = [
    ["ID", "Тип владельца", "Владелец", "Шаблон", "Название", "ИНН", "КПП"],
    ["r1", "Компания", "co1", "Организация", "Головной офис", "7707083893", "773601001"],
    ["r2", "Компания", "co1", "Организация", "Филиал в Туле", "7707083893", "710702001"],
    ["r3", "Контакт", "ct1", "ИП", "Сидоров ИП", "500100732259", ""],
]
BANKS = [
    ["ID", "Реквизит", "Банк", "БИК", "Расчётный счёт", "Корр. счёт"],
    ["b1", "r1", "ПАО Сбербанк", "044525225", "40702810438000060473", "30101810400000000225"],
    ["b2", "r1", "ПАО Сбербанк", "044525225", "40702810938000060473", "30101810400000000225"],
    ["b3", "r3", "ПАО Сбербанк", "04452522", "4070281043800006047", ""],
]
ADDRESSES = [
    ["Реквизит", "Тип", "Улица", "Город", "Индекс"],
    ["r1", "Юридический адрес", "ул. Тверская, 1", "Москва", "125009"],
    ["r1", "Фактический адрес", "ул. Ленина, 5", "Москва", "101000"],
    ["r2", "6", "пр. Ленина, 10", "Тула", "300041"],
]

MAPPINGS = {
    "requisite.yaml": """entity: requisite
key: ID
fields:
  ENTITY_TYPE: {from: Тип владельца, map: {Компания: company, Контакт: contact}, required: true}
  ENTITY_ID: {from: Владелец, ref: any, required: true}
  PRESET: {from: Шаблон}
  NAME: {from: Название}
  RQ_INN: {from: ИНН, clean: [inn]}
  RQ_KPP: {from: КПП, clean: [kpp]}
""",
    "bank_detail.yaml": """entity: bank_detail
key: ID
fields:
  ENTITY_ID: {from: Реквизит, ref: requisite, required: true}
  RQ_BANK_NAME: {from: Банк}
  RQ_BIK: {from: БИК}
  RQ_ACC_NUM: {from: Расчётный счёт}
  RQ_COR_ACC_NUM: {from: Корр. счёт}
""",
    "address.yaml": """entity: address
key: _row
fields:
  ENTITY_TYPE: {const: requisite}
  ENTITY_ID: {from: Реквизит, ref: requisite, required: true}
  TYPE_ID: {from: Тип, required: true}
  ADDRESS_1: {from: Улица}
  CITY: {from: Город}
  POSTAL_CODE: {from: Индекс}
""",
}


def make_requisite_workspace(root: Path, *, banks: list[list[str]] | None = None) -> Workspace:
    """The plan tests' workspace plus the three tables (see the module docstring)."""
    make_workspace(root)
    for name, text in MAPPINGS.items():
        (root / "mappings" / name).write_text(text, encoding="utf-8")
    write_csv(root / "data" / "requisites.csv", REQUISITES)
    write_csv(root / "data" / "banks.csv", banks or BANKS)
    write_csv(root / "data" / "addresses.csv", ADDRESSES)
    config = (root / "migration.yaml").read_text(encoding="utf-8")
    config = config.replace(
        "  deal: {files: [data/deals.csv]}\n",
        "  deal: {files: [data/deals.csv]}\n"
        "  requisite: {files: [data/requisites.csv]}\n"
        "  bank_detail: {files: [data/banks.csv]}\n"
        "  address: {files: [data/addresses.csv]}\n",
    )
    (root / "migration.yaml").write_text(config, encoding="utf-8")
    return Workspace.at(root)
