"""History rows → activity and task fields; attachments found, measured and refused at plan
time; the plan says which history dates the portal keeps (CLI line and plan.xlsx read back)."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from migrate.cli.plan import history_line
from migrate.ledger import PlanSummary
from migrate.plan import PlanResult
from migrate.plan._files import Attachment, FileProblem, base64_size, scan_attachments, split_paths
from migrate.plan._history import Refusal, activity_fields, history_dates, task_fields
from migrate.reports.plan_xlsx import write_plan_xlsx

START = "2021-03-12T14:05:00+03:00"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"TYPE": "call_in", "START_TIME": START, "DURATION": "7"},
         {"TYPE_ID": 2, "DIRECTION": 1, "SUBJECT": "Входящий звонок", "START_TIME": START,
          "END_TIME": "2021-03-12T14:12:00+03:00", "COMPLETED": "Y"}),
        ({"TYPE": "call", "DIRECTION": "incoming", "START_TIME": START, "COMPLETED": "Нет"},
         {"TYPE_ID": 2, "DIRECTION": 1, "SUBJECT": "Входящий звонок", "START_TIME": START,
          "END_TIME": START, "COMPLETED": "N"}),
        ({"TYPE": "email_out", "CREATED": START, "SUBJECT": "КП"},
         {"TYPE_ID": 4, "DIRECTION": 2, "SUBJECT": "КП", "START_TIME": START, "END_TIME": START,
          "COMPLETED": "Y"}),
        ({"TYPE": "meeting", "START_TIME": START, "END_TIME": "2021-03-12T16:00:00+03:00",
          "DIRECTION": "in"},
         {"TYPE_ID": 1, "SUBJECT": "Встреча", "START_TIME": START,
          "END_TIME": "2021-03-12T16:00:00+03:00", "COMPLETED": "Y"}),
        ({"TYPE": "fax", "START_TIME": START}, Refusal("activity.type", "TYPE", "fax")),
        ({"TYPE": "call_out"}, Refusal("activity.time", "START_TIME", "")),
    ],
)  # fmt: skip
def test_activity_rows(row, expected):
    assert activity_fields(row) == expected


def test_activity_subject_follows_the_report_language():
    got = activity_fields({"TYPE": "call_out", "START_TIME": START}, "en")
    assert isinstance(got, dict)
    assert got["SUBJECT"] == "Outgoing call"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"TITLE": " Счёт ", "STATUS": "completed", "DEADLINE": START},
         {"TITLE": "Счёт", "STATUS": 5, "DEADLINE": START}),
        ({"TITLE": "Счёт", "STATUS": "4"}, {"TITLE": "Счёт", "STATUS": 4}),
        ({"TITLE": "Счёт"}, {"TITLE": "Счёт", "STATUS": 2}),
        ({"TITLE": "Счёт", "STATUS": "in progress"}, {"TITLE": "Счёт", "STATUS": 3}),
        ({"TITLE": "", "STATUS": "2"}, Refusal("task.title", "TITLE", "")),
        ({"TITLE": "x", "STATUS": "lost"}, Refusal("task.status", "STATUS", "lost")),
    ],
)  # fmt: skip
def test_task_rows(row, expected):
    assert task_fields(row) == expected


@given(
    start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    minutes=st.integers(min_value=0, max_value=24 * 60),
    kind=st.sampled_from(["call", "call_in", "call_out", "email", "meeting", "email_in"]),
)
def test_an_activity_never_ends_before_it_starts(start, minutes, kind):
    got = activity_fields({"TYPE": kind, "START_TIME": start.isoformat(), "DURATION": minutes})
    assert isinstance(got, dict)
    assert datetime.fromisoformat(got["END_TIME"]) >= datetime.fromisoformat(got["START_TIME"])
    assert got["SUBJECT"]
    assert ("DIRECTION" in got) == (got["TYPE_ID"] != 1)  # not used for meetings


@given(st.text())
def test_any_activity_row_text_gives_fields_or_a_refusal(text):
    got = activity_fields({"TYPE": text, "START_TIME": text, "DURATION": text})
    assert isinstance(got, dict | Refusal)


@pytest.mark.parametrize(
    ("cell", "paths"),
    [(None, []), (float("nan"), []), ("a.pdf", ["a.pdf"]),
     ("files/a.pdf; files/b.txt\nc.doc", ["files/a.pdf", "files/b.txt", "c.doc"]),
     (" ; ", [])],
)  # fmt: skip
def test_split_paths(cell, paths):
    assert split_paths(cell) == paths


def test_scan_finds_measures_and_refuses(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "ok.txt").write_bytes(b"x" * 300)
    (tmp_path / "files" / "big.bin").write_bytes(b"y" * 3000)
    cells = [("acts.csv", "files/ok.txt; files/gone.pdf; https://crm.example/f/1; files/big.bin")]
    found = scan_attachments(cells, {"acts.csv": tmp_path}, max_bytes=base64_size(1000))
    ok = found.lookup("acts.csv", "files/ok.txt")
    assert isinstance(ok, Attachment)
    assert (ok.name, ok.size, ok.sha256) == ("ok.txt", 300, hashlib.sha256(b"x" * 300).hexdigest())
    rules = {raw: found.lookup("acts.csv", raw) for raw in
             ("files/gone.pdf", "https://crm.example/f/1", "files/big.bin")}  # fmt: skip
    assert {raw: p.rule for raw, p in rules.items() if isinstance(p, FileProblem)} == {
        "files/gone.pdf": "file.missing", "https://crm.example/f/1": "file.url",
        "files/big.bin": "file.too_large"}  # fmt: skip
    assert "больше допустимого" in rules["files/big.bin"].message("ru")
    assert "larger than one request" in rules["files/big.bin"].message("en")
    # a file named in another source's row is looked for beside that source, not found here
    assert isinstance(found.lookup("other.csv", "files/ok.txt"), FileProblem)


def _planned(entities: set[str]) -> PlanResult:
    return PlanResult(1, {}, PlanSummary(), (), (), (), (), False, 0, False,
                      history=history_dates(entities))  # fmt: skip


@pytest.mark.parametrize("language", ["ru", "en"])
def test_plan_says_which_history_dates_are_kept_in_its_line_and_workbook(tmp_path, language):
    result = _planned({"activity", "task", "comment", "deal"})
    line = history_line(result, language)
    kept, moved = line.split(";", 1)  # "kept — …; not kept — …; sheet …"
    assert {"activity.START_TIME", "activity.END_TIME", "task.DEADLINE"} == {
        n.strip() for n in kept.split("—", 1)[1].split(",")}  # fmt: skip
    for name in ("comment.CREATED", "activity.CREATED", "task.CREATED_DATE"):
        assert name in moved
    path = write_plan_xlsx(tmp_path / "plan.xlsx", result, language=language)
    sheet = load_workbook(path)["History dates" if language == "en" else "Даты истории"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    yes, no = ("yes", "no") if language == "en" else ("да", "нет")
    assert ("activity", "START_TIME", yes) in {r[:3] for r in rows}
    assert ("comment", "CREATED", no) in {r[:3] for r in rows}
    assert {r[0] for r in rows} == {"activity", "task", "comment"}


def test_a_plan_without_history_has_no_history_sheet(tmp_path):
    path = write_plan_xlsx(tmp_path / "plan.xlsx", _planned({"deal"}), language="en")
    assert "History dates" not in load_workbook(path).sheetnames
