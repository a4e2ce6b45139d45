"""The client's work is never lost: an edited duplicates.xlsx is read (or kept aside) before
`dedupe` or `report` writes it again; `--decisions` with a wrong file is one clear line
(issue #15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from migrate.dedupe.decisions import DecisionStore
from tests.migrate.plan.workspace import CONTACTS, make_workspace, write_csv
from tests.migrate.test_cli_load import run

TWINS = [  # the same people written twice: dedupe proposes to merge them
    ["ct4", "Сидоров", "Иван", "+7 916 111-22-33", "sidorov@example.ru", "co1", "Петров Иван"],
    ["ct5", "Орлова", "Анна", "+7 916 222-33-44", "orlova@example.ru", "co2", "Петров Иван"],
]


@pytest.fixture
def edited(tmp_path, capsys) -> Path:
    """A workspace whose duplicates.xlsx the client edited: ct4 is «не объединять»."""
    workspace = make_workspace(tmp_path / "w")
    write_csv(workspace.root / "data" / "contacts.csv", [*CONTACTS, *TWINS])
    code, _, err = run(capsys, "dedupe", "-w", str(workspace.root), "--quiet")
    assert code == 0, err
    report = workspace.root / "reports" / "duplicates.xlsx"
    book = load_workbook(report)
    sheet = book["Контакты"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Ключ")].value == "ct4":
            row[header.index("Решение")].value = "не объединять"
    book.save(report)
    return workspace.root


def test_dedupe_reads_an_edited_workbook_before_it_rewrites_it(edited, capsys):
    code, out, err = run(capsys, "dedupe", "--quiet", "-w", str(edited))
    assert code == 0, err
    stored = DecisionStore.for_workspace(edited).get("contact")
    assert ("ct1", "ct4") in stored.separate  # the client's decision survived, and binds
    assert "were read first" in out


def test_report_leaves_an_edited_workbook_alone(edited, capsys):
    report = edited / "reports" / "duplicates.xlsx"
    before = report.read_bytes()
    code, _, err = run(capsys, "report", "-w", str(edited))
    assert code == 0, err
    assert report.read_bytes() == before


def test_an_unreadable_edited_workbook_is_kept_aside(edited, capsys):
    report = edited / "reports" / "duplicates.xlsx"
    book = load_workbook(report)
    sheet = book["Контакты"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Решение") + 1, value="может быть")
    book.save(report)
    before = report.read_bytes()
    code, out, err = run(capsys, "dedupe", "-w", str(edited), "--quiet")
    assert code == 0, err
    (kept,) = (edited / "reports").glob("duplicates.kept-*.xlsx")
    assert kept.read_bytes() == before
    assert f"kept as {kept}" in out
    assert report.is_file()  # a fresh one beside it


@pytest.mark.parametrize("content", [b"not a workbook at all\n", b"PK\x03\x04broken zip"])
def test_decisions_from_a_wrong_file_is_one_clear_line(edited, content, tmp_path, capsys):
    bad = tmp_path / "decisions.xlsx"
    bad.write_bytes(content)
    code, out, err = run(capsys, "dedupe", "-w", str(edited), "--decisions", str(bad))
    assert code == 2
    assert "Traceback" not in out + err
    first, next_step, log = err.strip().splitlines()
    assert log.startswith("Log: ")
    assert first.startswith(f"Error: `{bad}` cannot be read as the duplicates workbook")
    assert next_step.startswith("Next: pass the reports/duplicates.xlsx")
