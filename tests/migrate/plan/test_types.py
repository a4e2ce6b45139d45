"""The plan checks each value against its field's type on the portal: kept, converted with a
warning, or the row refused with the reason (grouped in plan.xlsx and the plan's output)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from loaders.entities import presets_from_rows
from migrate.cli import cli
from migrate.plan._metadata import FieldInfo, PortalMetadata
from migrate.plan._types import coerce_types

from .workspace import DEALS, Portal, make_workspace


def meta(**types: str) -> PortalMetadata:
    fields = {
        name: FieldInfo(name, kind.removeprefix("uf:"), user_field=kind.startswith("uf:"))
        for name, kind in types.items()
    }
    return PortalMetadata({"deal": fields}, {0: ""}, (), (), presets_from_rows([]), ("RUB",),
                          "RUB")  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "kept", "rule"),
    [
        ("double", "1234.50", "1234.50", None),
        ("double", "1 234,50 руб.", "1234.5", "type.converted"),
        ("double", "опт, розница", "опт, розница", "type.number"),
        ("integer", "12", "12", None),
        ("integer", "12.5", "12.5", "type.integer"),
        ("integer", "1 200", "1200", "type.converted"),
        ("uf:boolean", "да", "1", None),
        ("uf:boolean", "может быть", "может быть", "type.boolean"),
        ("char", "нет", "N", None),
        ("date", "2024-03-01", "2024-03-01", None),
        ("date", "01.03.2024", "2024-03-01", "type.converted"),
        ("date", "2024-03-01T10:30:00+03:00", "2024-03-01", "type.converted"),  # time dropped
        ("date", "вчера", "вчера", "type.date"),
        ("datetime", "2024-03-01T10:30:00+03:00", "2024-03-01T10:30:00+03:00", None),
        ("datetime", "01.03.2024 10:30", "2024-03-01T10:30:00", "type.converted"),
        ("uf:money", "1500", "1500|RUB", "type.converted"),
        ("uf:money", "99.90|USD", "99.90|USD", None),
        ("uf:money", "99,90 usd", "99.9|USD", "type.converted"),
        ("uf:money", "100|EUR", "100|EUR", None),
        ("uf:file", "scan.pdf", "scan.pdf", "type.file"),
        ("string", "1234", "1234", None),
    ],
)
def test_each_value_is_kept_converted_or_refused(kind, value, kept, rule):
    fields = {"F": value}
    problems = coerce_types(meta(F=kind), "deal", fields)
    assert fields["F"] == kept
    assert [p.rule for p in problems] == ([rule] if rule else [])
    if rule:
        assert problems[0].severity == ("warning" if rule == "type.converted" else "error")


def test_multiple_values_are_checked_one_by_one_and_resolved_fields_are_left_alone():
    fields = {"F": ["1", "x", "2,5"], "ASSIGNED_BY_ID": "Иванов"}
    problems = coerce_types(meta(F="double", ASSIGNED_BY_ID="user"), "deal", fields,
                            frozenset({"ASSIGNED_BY_ID"}))  # fmt: skip
    assert fields == {"F": ["1", "x", "2.5"], "ASSIGNED_BY_ID": "Иванов"}
    assert [(p.rule, p.value) for p in problems] == [("type.number", "x"),
                                                     ("type.converted", "2,5")]  # fmt: skip
    assert problems[0].message("en") == "field “F” is a number on the portal; “x” is not a number"


def test_text_for_a_number_field_is_refused_by_the_plan_and_grouped(tmp_path):
    deals = [*DEALS, ["d4", "Доставка", "Новая", "co1", "ct1", "1200", "Петров Иван", "опт"]]
    workspace = make_workspace(tmp_path, deals=deals)
    portal = Portal(workspace)
    portal.call("crm.deal.userfield.add",
                {"fields": {"FIELD_NAME": "NOTE", "USER_TYPE_ID": "double"}})  # fmt: skip
    portal.close()
    result = CliRunner().invoke(cli, ["plan", "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output  # dirty values refuse rows, they do not block
    assert "Отклонённые строки по причинам" in result.output  # the workspace speaks Russian
    assert ("2 × deal `UF_CRM_NOTE` (type.number): поле «UF_CRM_NOTE» на портале — число"
            in result.output)  # fmt: skip
    book = load_workbook(workspace.reports_dir / "plan.xlsx")
    reasons = [r[:6] for r in book["Причины"].iter_rows(min_row=2, values_only=True)]
    assert ("отклонено", "deal", "UF_CRM_NOTE", "type.number", 2, "срочно, опт") in reasons
