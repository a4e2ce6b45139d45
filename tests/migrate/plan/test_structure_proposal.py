"""What the plan proposes, decided from the mapping and the data alone (no portal calls):
field types, list values, pipelines, stages with semantics and sort, and what is never
proposed."""

from __future__ import annotations

import pandas as pd
import pytest

from loaders.entities import presets_from_rows
from mappings.model import CleanStep, EntityMapping, FieldMapping
from migrate.ledger import Op, PlannedRecord
from migrate.plan import PortalMetadata, Status
from migrate.plan._structure import StructureProposal, propose_structure
from migrate.portal.source import SourceUserField

GENERAL = (
    Status("DEAL_STAGE", "NEW", "Новая", None, None, 10),
    Status("DEAL_STAGE", "EXECUTING", "В работе", None, None, 20),
    Status("DEAL_STAGE", "WON", "Сделка успешна", None, "S", 60),
    Status("DEAL_STAGE", "LOSE", "Сделка провалена", None, "F", 70),
)


def meta(**fields) -> PortalMetadata:
    return PortalMetadata(
        fields={"company": dict(fields), "deal": {}}, categories={0: "Общая"},
        statuses=GENERAL, users=(), presets=presets_from_rows([]), currencies=("RUB",),
    )  # fmt: skip


def company(
    values: list[object],
    *cleaners: str,
    name: str = "UF_CRM_X",
    label: str = "Колонка",
    type: str | None = None,
) -> list:
    spec = FieldMapping(name, (label,), tuple(CleanStep(c) for c in cleaners), type=type)
    mapping = EntityMapping(entity="company", key="ID", file="company.yaml", fields=(spec,))
    table = pd.DataFrame({"_key": [str(i) for i in range(len(values))], name: values})
    return list(propose_structure({"company": table}, {"company": mapping}, meta()).fields)


@pytest.mark.parametrize(
    ("values", "cleaners", "kind", "items"),
    [
        (["Опт", "Розница", "Опт", "розница"], ("text",), "enumeration", ("Опт", "Розница")),
        (["опт", "ОПТ ", "Розница", "Розница"], (), "enumeration", ("опт", "Розница")),  # folded
        (["Опт", "Розница", "Опт"], ("text",), "string", ()),  # 3 rows, 2 values: too little
        (["a", "a", "b", "c", "d"], (), "string", ()),  # most values seen once: free text
        (["Перезвонить после обеда в пятницу утром"] * 4 + ["Ок"] * 4, (), "string", ()),
        (["a", "b", "c"], ("text",), "string", ()),  # nothing repeats: free text
        (["Опт", "Опт"], (), "string", ()),  # one value is not a list
        ([f"v{i % 31}" for i in range(62)], (), "string", ()),  # 31 values: too many
        (["x" * 61, "x" * 61, "y"], (), "string", ()),  # too long for a list item
        (["2024-01-01", "2024-01-01"], ("date",), "date", ()),
        (["2024-01-01T10:00:00", None], ("datetime",), "datetime", ()),
        (["1.5", "1.5"], ("money",), "double", ()),
        (["3", "3"], ("text", "decimal"), "double", ()),  # the last cleaner that says a type
        (["Y", "N", "Y"], ("boolean",), "boolean", ()),
        (["https://a.ru", "https://a.ru"], ("url",), "url", ()),
        ([None, ""], ("text",), "string", ()),  # no value yet: a text field
    ],
)
def test_field_type_and_list_values(values, cleaners, kind, items):
    (field,) = company(values, *cleaners)
    assert (field.type, field.items, field.label) == (kind, items, "Колонка")


@pytest.mark.parametrize("name", ["UF_CRM_" + "X" * 44, "UF_CRM_bad-name", "TITLE", "UF_X"])
def test_fields_the_portal_could_not_take_are_not_proposed(name):
    assert company(["a", "a"], name=name) == []


def test_a_field_the_portal_has_is_not_proposed():
    from migrate.plan import FieldInfo

    mapping = EntityMapping(entity="company", key="ID", file="company.yaml",
                            fields=(FieldMapping("UF_CRM_X", ("Колонка",)),))  # fmt: skip
    table = pd.DataFrame({"_key": ["1"], "UF_CRM_X": ["a"]})
    portal = meta(UF_CRM_X=FieldInfo("UF_CRM_X", "string"))
    assert propose_structure({"company": table}, {"company": mapping}, portal).empty


def defined_fields(source: SourceUserField, values: list[object]) -> list:
    """The proposal for a company field mapped from the source portal's column ``UF_CRM_S``."""
    mapping = EntityMapping(entity="company", key="ID", file="company.yaml",
                            fields=(FieldMapping("UF_CRM_X", ("UF_CRM_S",)),))  # fmt: skip
    table = pd.DataFrame({"_key": [str(i) for i in range(len(values))], "UF_CRM_X": values})
    defined = {"company": {"UF_CRM_S": source}}
    return list(propose_structure({"company": table}, {"company": mapping}, meta(),
                                  defined).fields)  # fmt: skip


def test_a_source_portal_definition_decides_type_multiple_items_and_settings():
    source = SourceUserField("company", "UF_CRM_S", "enumeration", multiple=True,
                             mandatory=True, label="Каналы", items=("Сайт", "Звонок", "Выставка"),
                             settings={"DISPLAY": "CHECKBOX"})  # fmt: skip
    (field,) = defined_fields(source, [["Звонок"], ["Звонок", "Сайт"], []])
    assert (field.type, field.multiple, field.label, field.items, field.rows) == (
        "enumeration",
        True,
        "Каналы",
        ("Сайт", "Звонок", "Выставка"),
        2,
    )  # all items, in order
    (record, *items) = StructureProposal((field,)).records()
    assert record.fields["MULTIPLE"] == "Y"
    assert record.fields["SETTINGS"] == {"DISPLAY": "CHECKBOX"}
    assert "MANDATORY" not in record.fields  # history without a value would be refused
    assert [i.fields["VALUE"] for i in items] == ["Сайт", "Звонок", "Выставка"]


def test_a_source_string_is_not_guessed_a_list_and_id_types_are_not_proposed():
    text = SourceUserField("company", "UF_CRM_S", "string", label="Увлечение")
    (field,) = defined_fields(text, ["рыбалка", "шахматы", "рыбалка", "шахматы"])
    assert (field.type, field.items, field.multiple) == ("string", (), False)
    for kind in ("crm", "file", "employee", "iblock_element"):  # values are the source's ids
        assert defined_fields(SourceUserField("company", "UF_CRM_S", kind), ["C_1"]) == []
    assert "source portal" in field.reason("en")  # the plan says why (the source's definition)


def test_only_the_mapping_type_wins_over_the_source_definition():
    source = SourceUserField("company", "UF_CRM_S", "string", label="Увлечение")
    mapping = EntityMapping(entity="company", key="ID", file="company.yaml",
                            fields=(FieldMapping("UF_CRM_X", ("UF_CRM_S",),
                                                 type="enumeration"),))  # fmt: skip
    table = pd.DataFrame({"_key": ["1", "2"], "UF_CRM_X": ["рыбалка", "шахматы"]})
    (field,) = propose_structure({"company": table}, {"company": mapping}, meta(),
                                 {"company": {"UF_CRM_S": source}}).fields  # fmt: skip
    assert (field.type, field.basis, field.items) == ("enumeration", "mapping",
                                                      ("рыбалка", "шахматы"))  # fmt: skip


def test_a_multiple_value_binds_each_item_to_its_structure_record():
    source = SourceUserField("company", "UF_CRM_S", "enumeration", multiple=True,
                             items=("Сайт", "Звонок"))  # fmt: skip
    (field,) = defined_fields(source, [["Сайт", "Звонок"]])
    proposal = StructureProposal((field,))
    record = PlannedRecord("company", "1", Op.CREATE,
                           {"UF_CRM_X": [field.placeholder(1), field.placeholder(0)]})  # fmt: skip
    bound = proposal.bind(record)
    assert [(r.path, r.source_key) for r in bound.refs] == [
        ("UF_CRM_X.0", "company:UF_CRM_X:Звонок"),
        ("UF_CRM_X.1", "company:UF_CRM_X:Сайт"),
    ]  # the items wait for their field: no separate wait on the field itself


def deals(rows: list[tuple[str, str]]):
    mapping = EntityMapping(entity="deal", key="ID", file="deal.yaml", fields=())
    table = pd.DataFrame({"_key": [str(i) for i in range(len(rows))],
                          "CATEGORY_ID": [r[0] for r in rows],
                          "STAGE_ID": [r[1] for r in rows]})  # fmt: skip
    return propose_structure({"deal": table}, {"deal": mapping}, meta())


def test_a_new_pipeline_its_stages_semantics_and_sort():
    proposal = deals([
        ("Тендеры", "Тендеры / Подготовка заявки"), ("Тендеры", "Заявка подана"),
        ("Тендеры", "Успешно реализовано"), ("Тендеры", "Закрыто и не реализовано"),
        ("Тендеры", "Отказ клиента"), ("тендеры", "Заявка подана"),
    ])  # fmt: skip
    assert [(p.name, p.placeholder, p.rows) for p in proposal.pipelines] == [("Тендеры", -1, 6)]
    stages = {s.name: s for s in proposal.stages}
    process = [stages["Подготовка заявки"], stages["Заявка подана"]]
    assert [s.semantics for s in process] == ["", ""]
    assert 20 <= process[0].sort < process[1].sort < 60  # after the last in-progress, before WON
    assert stages["Заявка подана"].rows == 2
    assert stages["Закрыто и не реализовано"].semantics == "F"
    assert stages["Закрыто и не реализовано"].sort > 70  # after every stage of the template
    assert stages["Отказ клиента"].semantics == ""  # only known names are read as final
    assert stages["Успешно реализовано"].existing == "C-1:WON"
    assert all(s.status_id.startswith("UC_") and len(s.status_id) == 9
               for s in proposal.created_stages)  # fmt: skip
    assert deals([("Тендеры", "Заявка подана")]).stages[0].status_id == stages[
        "Заявка подана"].status_id  # the same id in every plan  # fmt: skip


def test_stages_of_an_existing_pipeline_and_what_is_never_proposed():
    proposal = deals([
        ("Общая", "Новая"),  # the portal has it
        ("0", "Общая / В работе"),  # by name, with its pipeline's name in front
        ("", "C1:UC_OFFER"),  # an id a mapping wrote: refused as before, never created
        ("", "PREPARATION"),
        ("Общая", "Сделка успешна"),
        ("Общая", "Успешно реализовано"),  # a success stage it lacks by name: its own WON
        ("0", "Думают"),
        ("7", "Новая"),  # a pipeline id the portal lacks: refused as before
    ])  # fmt: skip
    assert proposal.pipelines == ()
    assert [(s.name, s.category, s.existing) for s in proposal.stages] == [
        ("Думают", 0, ""), ("Успешно реализовано", 0, "WON")]  # fmt: skip


def test_a_free_text_column_with_repeats_is_text_and_the_reason_says_why():
    cities = ["Москва", "Казань", "Москва", "Тула", "Казань", "Москва"] * 5
    (city,) = company(cities, "text", label="Город")
    assert (city.type, city.basis) == ("string", "header")
    assert city.reason() == "текст: колонка «Город» — свободный текст; изменить: `type:` в маппинге"
    (listed,) = company(cities, "text", label="Филиал")
    assert listed.type == "enumeration"
    assert listed.reason("en") == (
        "list: 3 distinct values over 30 rows; change with `type:` in the mapping"
    )
    assert listed.reason() == "список: 3 разных значений в 30 строках; изменить: `type:` в маппинге"


def test_the_mappings_type_wins_over_the_cleaners_and_the_data():
    (forced,) = company(["a", "b", "c"], "text", type="enumeration")
    assert (forced.type, forced.items, forced.basis) == ("enumeration", ("a", "b", "c"), "mapping")
    (text,) = company(["Опт", "Розница"] * 10, type="string")
    assert (text.type, text.items) == ("string", ())
    (number,) = company(["1", "2"], "text", type="double")
    assert number.type == "double"


@pytest.mark.parametrize(
    ("values", "sep", "items"),
    [
        (["VIP; Опт", "Опт", "VIP", "Розница", "Опт; Розница"], ";", ("VIP", "Опт", "Розница")),
        # values joined by «, » (how a multiselect's values are commonly exported)
        (["VIP, Опт", "VIP", "Опт", "Опт, Розница", "Розница"], ",", ("VIP", "Опт", "Розница")),
        ([("VIP", "Опт"), ("Опт",), ("Розница",)], "", ("VIP", "Опт", "Розница")),  # mapping split
    ],
)
def test_several_values_per_cell_make_a_multiple_list_of_the_single_values(values, sep, items):
    (field,) = company(values)
    assert (field.type, field.multiple, field.split) == ("enumeration", True, sep)
    assert field.items == items
    assert "несколько значений в ячейке" in field.reason()
    (record,) = (r for r in propose_structure(*_company_frames(values)).records()
                 if r.entity == "user_field")  # fmt: skip
    assert record.fields["MULTIPLE"] == "Y"


@pytest.mark.parametrize(
    "values",
    [
        ["Ромашка, ООО", "Лютик, ООО", "Ромашка, ООО", "Лютик, ООО"],  # a comma in a name
        ["Москва, ул. Ленина, 1", "Москва, ул. Мира, 5", "Тула"],
        ["VIP; Опт"],  # one such cell is no evidence
    ],
)
def test_a_comma_or_semicolon_alone_never_splits_a_value(values):
    (field,) = company(values)
    assert (field.multiple, field.split) == (False, "")


def _company_frames(values):
    spec = FieldMapping("UF_CRM_X", ("Колонка",))
    mapping = EntityMapping(entity="company", key="ID", file="company.yaml", fields=(spec,))
    table = pd.DataFrame({"_key": [str(i) for i in range(len(values))], "UF_CRM_X": values})
    return {"company": table}, {"company": mapping}, meta()
