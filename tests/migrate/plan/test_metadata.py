"""Portal metadata read from the sandbox, owner resolution and field checks."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from loaders.client import Bitrix24Client
from loaders.entities import RequisitePresets
from loaders.sandbox import SandboxConfig, create_app
from migrate.plan import (
    FieldProblem,
    OwnerResolver,
    PortalUser,
    check_fields,
    owner_key,
    parse_fields,
    read_portal_metadata,
)


async def _no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture(scope="module")
def meta():
    app = create_app(SandboxConfig(plan="unlimited"))

    async def read():
        async with Bitrix24Client(
            "http://portal/rest/1/sandbox/",
            transport=httpx.ASGITransport(app=app),
            plan="unlimited",
            sleep=_no_sleep,
        ) as client:
            return await read_portal_metadata(client)

    try:
        yield asyncio.run(read())
    finally:
        app.close()


def test_metadata_holds_fields_pipelines_stages_users_presets_currencies(meta):
    stage = meta.field("deal", "STAGE_ID")
    assert stage is not None
    assert stage.type == "crm_status"
    assert meta.field("deal", "ID").read_only
    assert meta.field("deal", "CATEGORY_ID").immutable
    assert meta.field("deal", "NO_SUCH") is None
    assert meta.categories == {0: "Общая", 1: "Оптовые продажи"}
    assert "NEW" in meta.deal_stages(0)
    assert "C1:NEW" in meta.deal_stages(1)
    assert meta.deal_stages(0)["WON"].semantics == "S"
    assert {u.id for u in meta.users} == set(range(1, 16))  # the admin, 4 staff, the sample's team
    assert {u.id for u in meta.users if not u.active} == {5, 15}
    assert meta.admin is True  # the webhook's user (1) is the administrator
    assert meta.presets == RequisitePresets(1, 2, 3)
    assert meta.currencies[:2] == ("RUB", "USD")
    assert meta.base_currency == "RUB"
    assert meta.dictionary("SOURCE")


def test_parse_fields_reads_enumerations_and_user_fields():
    fields = parse_fields(
        {
            "UF_CRM_KIND": {
                "type": "enumeration",
                "isRequired": True,
                "isMultiple": True,
                "isDynamic": True,
                "formLabel": "Вид",
                "items": [{"ID": "79", "VALUE": "Опт"}, {"ID": "80", "VALUE": "Розница"}],
            },
            "broken": "x",
        }
    )
    kind = fields["UF_CRM_KIND"]
    assert (kind.title, kind.required, kind.multiple, kind.user_field) == ("Вид", True, True, True)
    assert kind.items == {"79": "Опт", "80": "Розница"}
    assert "broken" not in fields
    assert parse_fields([]) == {}


def test_a_contacts_name_parts_are_described_required_but_not_binding():
    described = {name: {"type": "string", "isRequired": True} for name in ("NAME", "LAST_NAME")}
    contact = parse_fields(described, "contact")
    assert not contact["NAME"].required
    assert not contact["LAST_NAME"].required
    assert parse_fields(described, "lead")["NAME"].required  # only a contact's parts


USERS = [
    PortalUser(1, "Анна", "Смирнова", email="admin@portal.ru"),
    PortalUser(2, "Иван", "Петров", "Сергеевич", "i.petrov@portal.ru"),
    PortalUser(5, "Сергей", "Волков", email="s.volkov@portal.ru", active=False),
    PortalUser(6, "Ольга", "Орлова"),
    PortalUser(7, "Ольга", "Орлова"),
]


@pytest.mark.parametrize(
    ("legacy", "user_id", "rule", "severity"),
    [
        ("I.Petrov@portal.ru", 2, "owner.email", "ok"),
        ("Петров Иван", 2, "owner.name", "ok"),
        ("иван петров", 2, "owner.name", "ok"),
        ("Петров Иван Сергеевич", 2, "owner.name", "ok"),
        ("Смирнова Анна", 1, "owner.name", "ok"),
        ("Старый Менеджер", 2, "owner.mapped", "ok"),
        ("old@crm.ru", 1, "owner.mapped", "ok"),
        ("Волков Сергей", 99, "owner.dismissed", "warning"),
        ("nobody@crm.ru", 99, "owner.unknown", "warning"),
        ("Орлова Ольга", 99, "owner.ambiguous", "warning"),
        ("", 99, "owner.empty", "warning"),
        (None, 99, "owner.empty", "warning"),
    ],
)
def test_owner_resolution(legacy, user_id, rule, severity):
    resolver = OwnerResolver(
        USERS, {"Старый менеджер": 2, "OLD@crm.ru": "admin@portal.ru"}, default_owner=99
    )
    result = resolver.resolve(legacy)
    assert (result.user_id, result.rule, result.severity) == (user_id, rule, severity)


def test_owner_without_default_is_an_error_with_a_message():
    result = OwnerResolver(USERS).resolve("Неизвестный Сотрудник")
    assert (result.user_id, result.severity) == (None, "error")
    assert "не задан в migration.yaml" in result.message()
    assert "sets no default owner" in result.message("en")
    dismissed = OwnerResolver(USERS, default_owner=1).resolve("Волков Сергей")
    assert dismissed.message() == (
        "сотрудник «Волков Сергей» уволен, назначен ответственный по умолчанию"
    )


def test_owner_key_ignores_case_order_yo_and_punctuation():
    assert owner_key("Семёнов,  Пётр.") == owner_key("пётр семенов") == "петр семенов"


def rules(problems):
    return sorted((p.field, p.rule, p.value) for p in problems)


def test_check_fields_finds_what_the_portal_would_drop_or_refuse(meta):
    fields = {
        "TITLE": "Поставка",
        "CATEGORY_ID": 1,
        "STAGE_ID": "NEW",
        "CURRENCY_ID": "XYZ",
        "UF_CRM_MISSING": "x",
        "ID": 5,
        "SOURCE_ID": "NOPE",
        "TYPE_ID": "",
        "ORIGIN_ID": "1",
        "_row": 3,
    }
    assert rules(check_fields(meta, "deal", fields)) == [
        ("CURRENCY_ID", "currency.unknown", "XYZ"),
        ("ID", "field.read_only", "5"),
        ("SOURCE_ID", "status.unknown", "NOPE"),
        ("STAGE_ID", "stage.unknown", "NEW"),
        ("UF_CRM_MISSING", "field.unknown", ""),
    ]


def test_check_fields_accepts_a_clean_deal_and_knows_the_pipeline(meta):
    clean = {"TITLE": "Поставка", "CATEGORY_ID": 1, "STAGE_ID": "C1:NEW", "CURRENCY_ID": "RUB"}
    assert check_fields(meta, "deal", clean) == []
    assert rules(check_fields(meta, "deal", {"CATEGORY_ID": 7})) == [
        ("CATEGORY_ID", "category.unknown", "7")
    ]
    assert rules(check_fields(meta, "deal", {"CATEGORY_ID": "Опт"})) == [
        ("CATEGORY_ID", "category.unknown", "Опт")
    ]
    assert rules(check_fields(meta, "deal", {"CATEGORY_ID": 1}, creating=False)) == [
        ("CATEGORY_ID", "field.read_only", "1")
    ]
    assert check_fields(meta, "invoice", {"X": 1}) == []


def test_check_fields_enumerations_and_required_fields():
    from migrate.plan import FieldInfo, PortalMetadata

    meta = PortalMetadata(
        fields={
            "contact": {
                "NAME": FieldInfo("NAME", "string", required=True),
                "UF_CRM_KIND": FieldInfo(
                    "UF_CRM_KIND", "enumeration", multiple=True, items={"79": "Опт"}
                ),
                "UF_CRM_NOTE": FieldInfo("UF_CRM_NOTE", "string"),
            }
        },
        categories={0: ""},
        statuses=(),
        users=(),
        presets=RequisitePresets(None, None),
        currencies=("RUB",),
    )
    problems = check_fields(meta, "contact", {"UF_CRM_KIND": ["79", "81"], "UF_CRM_NOTE": "x"})
    assert rules(problems) == [
        ("NAME", "field.required", ""),
        ("UF_CRM_KIND", "enum.unknown", "81"),
    ]
    assert check_fields(meta, "contact", {"NAME": ""}, creating=False) == []
    assert FieldProblem("STAGE_ID", "stage.unknown", "X", "error", 3).message("en") == (
        "pipeline 3 has no stage “X”"
    )
