"""List values written as names: dictionaries, pipelines and stages per pipeline."""

from __future__ import annotations

import pandas as pd

from loaders.entities import RequisitePresets
from migrate.plan import (
    FieldInfo,
    OwnerResolver,
    PortalMetadata,
    ReferenceIndex,
    Status,
    plan_table,
)
from migrate.plan._enums import enum_ids
from migrate.plan._listvalues import ListItems, resolve_list_values

STAGES = (
    Status("DEAL_STAGE", "NEW", "Новая", 0),
    Status("DEAL_STAGE", "WON", "Сделка успешна", 0, "S"),
    Status("DEAL_STAGE_1", "C1:NEW", "Новая заявка", 1),
    Status("DEAL_STAGE_1", "C1:UC_TALKS", "Переговоры", 1),
    Status("SOURCE", "CALL", "Звонок"),
    Status("SOURCE", "WEB", "Веб-сайт"),
    Status("HONORIFIC", "HNR_RU_1", "г-н"),
)
META = PortalMetadata(
    fields={
        "deal": {
            "TITLE": FieldInfo("TITLE", "string"),
            "CATEGORY_ID": FieldInfo("CATEGORY_ID", "crm_category"),
            "STAGE_ID": FieldInfo("STAGE_ID", "crm_status", status_type="DEAL_STAGE"),
        },
        "contact": {
            "NAME": FieldInfo("NAME", "string"),
            "SOURCE_ID": FieldInfo("SOURCE_ID", "crm_status", status_type="SOURCE"),
            "HONORIFIC": FieldInfo("HONORIFIC", "crm_status", status_type="HONORIFIC"),
        },
    },
    categories={0: "Общая", 1: "Оптовые продажи"},
    statuses=STAGES,
    users=(),
    presets=RequisitePresets(1, 2, 3),
    currencies=("RUB",),
)


def resolved(**fields):
    resolve_list_values(META, "deal", fields)
    return fields


def test_pipeline_and_stage_names_become_ids_within_that_pipeline():
    assert resolved(CATEGORY_ID="Оптовые продажи", STAGE_ID="Переговоры") == {
        "CATEGORY_ID": 1,
        "STAGE_ID": "C1:UC_TALKS",
    }
    # «Переговоры» is a stage of pipeline 1 only: not guessed into the general pipeline
    assert resolved(STAGE_ID="Переговоры") == {"STAGE_ID": "Переговоры"}


def test_bitrix24s_own_stage_name_with_a_latin_c_is_matched():
    assert resolved(STAGE_ID="Cделка успешна")["STAGE_ID"] == "WON"  # Latin «C»
    assert resolved(CATEGORY_ID=" оптовые  ПРОДАЖИ ")["CATEGORY_ID"] == 1


def test_ids_pass_and_a_stage_without_its_pipeline_prefix_is_found():
    assert resolved(CATEGORY_ID="1", STAGE_ID="UC_TALKS")["STAGE_ID"] == "C1:UC_TALKS"
    assert resolved(CATEGORY_ID=0, STAGE_ID="WON")["STAGE_ID"] == "WON"


def test_a_name_two_items_share_is_not_guessed():
    items = ListItems({"A": "Клиент", "B": "клиент", "C": "Партнёр"})
    assert items.match("Клиент") is None
    assert items.match("партнер") == "C"
    assert items.match("A") == "A"


def test_unknown_stage_is_refused_listing_the_pipelines_stages():
    frame = pd.DataFrame(
        [{"_key": "1", "_source": "deals.csv", "_sheet": "", "_row": 2, "TITLE": "x",
          "CATEGORY_ID": "Оптовые продажи", "STAGE_ID": "Думают"}]
    )  # fmt: skip
    planned = plan_table(
        "deal", frame, meta=META, owners=OwnerResolver(()), index=ReferenceIndex({})
    )
    (issue,) = planned.issues
    assert issue.rule == "stage.unknown"
    assert "«Новая заявка (C1:NEW)»" in issue.message
    assert "«Переговоры (C1:UC_TALKS)»" in issue.message


def test_dictionary_names_in_a_contact_export_are_matched_at_plan():
    frame = pd.DataFrame(
        [{"_key": k, "_source": "contacts.csv", "_sheet": "", "_row": r, "NAME": n,
          "SOURCE_ID": src, "HONORIFIC": h}
         for k, r, n, src, h in (("1", 2, "a", "Звонок", "г-н"), ("2", 3, "b", "Газета", None))]
    )  # fmt: skip
    planned = plan_table(
        "contact", enum_ids(frame, META, "contact"), meta=META, owners=OwnerResolver(()),
        index=ReferenceIndex({}),
    )  # fmt: skip
    (record,) = planned.records
    assert (record.fields["SOURCE_ID"], record.fields["HONORIFIC"]) == ("CALL", "HNR_RU_1")
    (issue,) = planned.issues
    assert (issue.rule, issue.value, issue.source_key) == ("status.unknown", "Газета", "2")


def test_a_unit_is_found_by_its_okei_code_or_any_of_its_names():
    from migrate.plan._listvalues import measure_id
    from migrate.plan._metadata import Measure

    units = (Measure(1, 6, ("Метр", "м", "m", "MTR")), Measure(5, 796, ("Штука", "шт", "PCE")),
             Measure(7, None, ("Упаковка", "уп")), Measure(8, None, ("Упак", "уп")))  # fmt: skip
    assert [measure_id(units, v) for v in ("796", "шт.", "ШТ", "pce", "м", "6")] == [
        5,
        5,
        5,
        5,
        1,
        1,
    ]
    assert measure_id(units, "пар") is None
    assert measure_id(units, "уп") is None  # two units answer to it: not guessed
    assert measure_id(units, "Упаковка") == 7


def test_a_vat_rate_is_the_catalogues_rate_not_an_id():
    from migrate.plan._listvalues import vat_id

    vats = {1: None, 2: 0.0, 3: 20.0, 4: 10.0}
    found = [vat_id(vats, v) for v in ("20", "20%", "НДС 20%", "0", "Без НДС", "10,0")]
    assert found == [3, 3, 3, 2, 1, 4]
    assert vat_id(vats, "18") is None  # the old rate: not on this portal
    assert vat_id({1: 20.0, 2: 20.0}, "20") is None  # two ids with one rate: not guessed
