"""Clean tables → ledger records and plan issues."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from loaders.entities import RequisitePresets
from migrate.ledger import PROVENANCE_KEYS, Op, PlannedRecord, Ref
from migrate.plan import (
    FieldInfo,
    OwnerResolver,
    PortalMetadata,
    PortalUser,
    ReferenceIndex,
    Status,
    plan_table,
)


def _fields(*names: str, **special: FieldInfo) -> dict[str, FieldInfo]:
    fields = {n: FieldInfo(n, "string") for n in names}
    fields.update(special)
    return fields


META = PortalMetadata(
    fields={
        "company": _fields("TITLE", "PHONE", "EMAIL", "ASSIGNED_BY_ID", "DATE_CREATE"),
        "contact": _fields(
            "NAME", "LAST_NAME", "PHONE", "COMPANY_ID", "COMPANY_IDS", "ASSIGNED_BY_ID"
        ),
        "deal": _fields(
            "TITLE",
            "COMPANY_ID",
            "CONTACT_IDS",
            "CATEGORY_ID",
            "ASSIGNED_BY_ID",
            STAGE_ID=FieldInfo("STAGE_ID", "crm_status", status_type="DEAL_STAGE"),
        ),
        "product": _fields("NAME", "PRICE", "SECTION_ID"),
    },
    categories={0: "Общая"},
    statuses=(Status("DEAL_STAGE", "NEW", "Новая", 0),),
    users=(
        PortalUser(2, "Иван", "Петров", email="i.petrov@portal.ru"),
        PortalUser(5, "Сергей", "Волков", active=False),
    ),
    presets=RequisitePresets(1, 2, 3),
    currencies=("RUB",),
)
OWNERS = OwnerResolver(META.users, default_owner=1)
INDEX = ReferenceIndex(
    {
        "company": ["co1", "co2"],
        "contact": ["c1", "c2"],
        "deal": ["d1"],
        "product": ["p1"],
        "product_section": ["s1"],
    },
    survivors={"contact": {"c1-dup": "c1"}},
)


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {"_source": "export.xlsx", "_sheet": "Лист1"}
    return pd.DataFrame([{**base, "_row": i + 2, **row} for i, row in enumerate(rows)])


def plan(entity, rows, meta=META):
    """The plan of ``rows``, provenance hints checked and then left out of the records."""
    result = plan_table(entity, frame(rows), meta=meta, owners=OWNERS, index=INDEX)
    rows_by_key = {row["_key"]: i + 2 for i, row in enumerate(rows)}
    for record in result.records:
        key = record.fields.get("_row")
        assert key in rows_by_key.values(), record
        assert (record.fields["_source"], record.fields["_sheet"]) == ("export.xlsx", "Лист1")
    stripped = tuple(
        dataclasses.replace(
            r, fields={k: v for k, v in r.fields.items() if k not in PROVENANCE_KEYS}
        )
        for r in result.records
    )
    return dataclasses.replace(result, records=stripped)


def test_company_with_requisites_owner_and_multi_fields():
    result = plan(
        "company",
        [
            {
                "_key": "co1",
                "TITLE": "ООО «Ромашка»",
                "PHONE": (("+74951234567", "WORK"),),
                "EMAIL": (),
                "ASSIGNED_BY_ID": "Петров Иван",
                "RQ_INN": "7707083893",
                "RQ_KPP": "770701001",
                "RQ_OGRN": None,
                "DATE_CREATE": "2020-01-01T12:00:00+03:00",
            }
        ],
    )
    assert result.issues == ()
    assert result.records == (
        PlannedRecord(
            "company",
            "co1",
            Op.CREATE,
            {
                "TITLE": "ООО «Ромашка»",
                "PHONE": [["+74951234567", "WORK"]],
                "ASSIGNED_BY_ID": 2,
                "DATE_CREATE": "2020-01-01T12:00:00+03:00",
            },
            sort_key="2020-01-01T09:00:00+00:00",
        ),
        PlannedRecord(
            "requisite",
            "co1",
            Op.CREATE,
            {
                "RQ_INN": "7707083893",
                "RQ_KPP": "770701001",
                "RQ_COMPANY_NAME": "ООО «Ромашка»",
                "PRESET_ID": 1,
                "ENTITY_TYPE_ID": 4,
            },
            (Ref("ENTITY_ID", "company", "co1"),),
        ),
    )


def test_contact_references_go_through_dedupe_survivors_and_missing_links_are_warnings():
    result = plan(
        "contact",
        [
            {
                "_key": "c9",
                "NAME": "Иван",
                "COMPANY_ID": "co2",
                "COMPANY_IDS": ("co1", "gone"),
                "ASSIGNED_BY_ID": "Волков Сергей",
            }
        ],
    )
    (record,) = result.records
    assert record.refs == (
        Ref("COMPANY_ID", "company", "co2"),
        Ref("COMPANY_IDS.0", "company", "co1"),
    )
    assert record.fields == {
        "NAME": "Иван",
        "COMPANY_ID": None,
        "COMPANY_IDS": [None],
        "ASSIGNED_BY_ID": 1,
    }
    assert [(i.rule, i.severity, i.field, i.value) for i in result.issues] == [
        ("owner.dismissed", "warning", "ASSIGNED_BY_ID", "Волков Сергей"),
        ("ref.missing", "warning", "COMPANY_IDS", "gone"),
    ]
    assert (result.issues[0].source, result.issues[0].sheet, result.issues[0].row) == (
        "export.xlsx",
        "Лист1",
        2,
    )


def test_deal_with_contacts_and_product_rows():
    result = plan(
        "deal",
        [
            {
                "_key": "d1",
                "TITLE": "Поставка",
                "STAGE_ID": "NEW",
                "COMPANY_ID": "co1",
                "CONTACT_IDS": ("c1-dup", "c2", "c1"),
                "PRODUCT_ROWS": ("p1", "p404"),
            }
        ],
    )
    deal, rows = result.records
    assert deal.fields == {  # no owner in the row: the default owner, marked for updates
        "TITLE": "Поставка",
        "STAGE_ID": "NEW",
        "COMPANY_ID": None,
        "CONTACT_IDS": [None, None],
        "ASSIGNED_BY_ID": 1,
        "_NO_OWNER": True,
    }
    assert deal.refs == (
        Ref("COMPANY_ID", "company", "co1"),
        Ref("CONTACT_IDS.0", "contact", "c1"),
        Ref("CONTACT_IDS.1", "contact", "c2"),
    )
    assert rows == PlannedRecord(
        "deal_products",
        "d1",
        Op.SET,
        {"ROWS": [{"QUANTITY": 1}]},
        (Ref("OWNER_ID", "deal", "d1"), Ref("ROWS.0.PRODUCT_ID", "product", "p1")),
    )
    assert [(i.rule, i.value) for i in result.issues] == [("ref.missing", "p404")]


def test_rows_with_errors_are_left_out_with_every_reason():
    result = plan(
        "deal",
        [
            {
                "_key": "bad",
                "TITLE": "X",
                "STAGE_ID": "LOST_IN_SPACE",
                "UF_CRM_GONE": "1",
                "ASSIGNED_BY_ID": "nobody@old.ru",
            },
            {"_key": "ok", "TITLE": "Y", "STAGE_ID": "NEW", "COMPANY_ID": None},
        ],
    )
    assert [r.source_key for r in result.records] == ["ok"]
    assert sorted((i.source_key, i.rule, i.severity) for i in result.issues) == [
        ("bad", "field.unknown", "error"),
        ("bad", "owner.unknown", "warning"),
        ("bad", "stage.unknown", "error"),
    ]
    owner_issue = next(i for i in result.issues if i.rule == "owner.unknown")
    assert "nobody@old.ru" in owner_issue.message


def test_owner_without_default_refuses_the_row():
    result = plan_table(
        "company",
        frame([{"_key": "k", "TITLE": "T", "ASSIGNED_BY_ID": "Кто"}]),
        meta=META,
        owners=OwnerResolver(META.users),
        index=INDEX,
    )
    assert result.records == ()
    assert result.issues[0].rule == "owner.no_default"


def test_company_requisites_without_a_preset_warn_and_are_skipped():
    meta = PortalMetadata(
        META.fields,
        META.categories,
        META.statuses,
        META.users,
        RequisitePresets(None, None),
        META.currencies,
    )
    result = plan(
        "company", [{"_key": "co1", "TITLE": "ИП Петров", "RQ_INN": "500100732259"}], meta=meta
    )
    assert [r.entity for r in result.records] == ["company"]
    assert [i.rule for i in result.issues] == ["requisite.preset"]


@pytest.mark.parametrize(
    ("row", "expected", "rule"),
    [
        (
            {
                "_key": "n1",
                "ENTITY_TYPE": "DEAL",
                "ENTITY_ID": "d1",
                "COMMENT": "Перезвонить",
                "CREATED": "2021-03-12T14:05:00+03:00",
                "AUTHOR_ID": "Иванов Иван",
            },
            PlannedRecord(
                "comment",
                "n1",
                Op.CREATE,
                {  # the author is not on the portal: the default owner, the name in the text
                    "ENTITY_TYPE": "deal",
                    "COMMENT": "Перезвонить",
                    "AUTHOR_ID": 1,
                    "_DATE": "2021-03-12T14:05:00+03:00",
                    "_AUTHOR": "Иванов Иван",
                },
                (Ref("ENTITY_ID", "deal", "d1"),),
                sort_key="2021-03-12T11:05:00+00:00",
            ),
            "owner.unknown",  # a warning: the author is not on the portal
        ),
        (
            {"_key": "n2", "ENTITY_TYPE": "deal", "ENTITY_ID": "d404", "COMMENT": "x"},
            None,
            "note.owner",
        ),
        (
            {"_key": "n3", "ENTITY_TYPE": "task", "ENTITY_ID": "d1", "COMMENT": "x"},
            None,
            "note.owner",
        ),
    ],
)
def test_notes_become_timeline_comments_on_their_owner(row, expected, rule):
    result = plan("note", [row])
    assert result.records == ((expected,) if expected else ())
    assert [i.rule for i in result.issues] == ([rule] if rule else [])


def test_sort_keys_of_dates_without_offset_or_unreadable():
    result = plan(
        "company",
        [
            {"_key": "co1", "TITLE": "A", "DATE_CREATE": "2020-01-01T10:00"},
            {"_key": "co2", "TITLE": "B", "DATE_CREATE": "вчера"},
        ],
    )
    assert [r.sort_key for r in result.records] == ["2020-01-01T10:00:00", ""]


def test_english_messages():
    result = plan_table(
        "contact",
        frame([{"_key": "c", "NAME": "I", "COMPANY_ID": "zz"}]),
        meta=META,
        owners=OWNERS,
        index=INDEX,
        language="en",
    )
    assert result.issues[0].message == (
        "“COMPANY_ID” points to “zz”, which is not being loaded; the link is left out"
    )


def test_rows_without_provenance_still_report():
    bare = pd.DataFrame([{"_key": "c", "NAME": "I", "COMPANY_ID": "zz"}])
    result = plan_table("contact", bare, meta=META, owners=OWNERS, index=INDEX)
    assert (result.issues[0].source, result.issues[0].row) == ("", None)
