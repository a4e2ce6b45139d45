"""`retry` re-sends exactly what failed: refused for good → an admin's fix → retry; a mapping
edit in between → retry still sends only the failed records; --dry-run, --key, --keys-from;
the plan's choices remembered; its hints name its own options.

The workspace is a real one (sources, mappings, the embedded sandbox portal) so that `retry`
re-plans from the files. The portal refuses deals after an admin turned the text field
`UF_CRM_NOTE` into a number between `plan` and `load`; the fix turns it back (the sandbox's
`crm.deal.userfield.delete`/`.add`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from migrate.ledger import Ledger, State
from migrate.ledger.next_step import NEXT, NEXT_RU
from migrate.workspace.config import Workspace

from ..plan.workspace import MAPPINGS, Portal, make_workspace
from ..test_cli_load import run

DEALS = [
    ["ID", "Название", "Этап", "Компания", "Контакт", "Бюджет", "Ответственный", "Заметка"],
    ["d1", "Поставка болтов", "Новая", "co1", "ct1", "15000", "Петров Иван", ""],
    ["d2", "Поставка гаек", "В работе", "co2", "ct2", "2500.50", "Петров Иван", "срочно"],
    ["d3", "Монтаж", "Новая", "co3", "ct3", "90000", "Кузнецова Мария", "после оплаты"],
    ["d4", "Доставка", "Новая", "co1", "ct1", "1200", "Петров Иван", "самовывоз"],
    ["d5", "Наладка", "Новая", "co2", "ct2", "7000", "Петров Иван", ""],
]
FAILING = ("d2", "d3", "d4")  # their notes are text


def user_field(root: Path, kind: str) -> None:
    """The admin (re)creates deal field `UF_CRM_NOTE` with type ``kind``."""
    portal = Portal(Workspace.at(root))
    try:
        rows = portal.call("crm.deal.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_NOTE"}})
        for row in rows:
            portal.call("crm.deal.userfield.delete", {"id": row["ID"]})
        portal.call(
            "crm.deal.userfield.add",
            {"fields": {"FIELD_NAME": "NOTE", "USER_TYPE_ID": kind, "LABEL": "Заметка"}},
        )
    finally:
        portal.close()


def deals(root: Path) -> dict[str, dict[str, str]]:
    """The portal's deals of this migration, by source key."""
    portal = Portal(Workspace.at(root))
    try:
        rows = portal.list("deal", ["ORIGIN_ID", "TITLE", "UF_CRM_NOTE", "COMMENTS"])
    finally:
        portal.close()
    return {row["ORIGIN_ID"]: row for row in rows}


@pytest.fixture
def refused(tmp_path: Path, capsys) -> Path:
    """A load in which the portal refused three deals for good (exit 3)."""
    make_workspace(tmp_path, deals=DEALS, language="en", route="add")  # legacy adds' errors
    user_field(tmp_path, "string")
    assert run(capsys, "plan", "-w", str(tmp_path), "--quiet")[0] == 0
    user_field(tmp_path, "double")  # the admin's mistake, after the plan
    code, _, err = run(capsys, "load", "-w", str(tmp_path), "--quiet")
    assert code == 3, err
    assert ('Error: 3 records failed (3 × deal: ERROR_CORE: The field "Заметка" has an invalid '
            'value "…"); every reason with its records is in') in err  # fmt: skip
    assert f"Next: {NEXT['retry']}" in err
    assert re.search(r"Log: \S+\.jsonl", err)
    assert sorted(deals(tmp_path)) == ["d1", "d5"]
    return tmp_path


def test_status_groups_the_refusals_and_names_retry(refused, capsys):
    code, out, _ = run(capsys, "status", "-w", str(refused))
    assert code == 0
    assert '3 × deal: ERROR_CORE: The field "Заметка" has an invalid value "…"' in out
    assert "e.g. `d2`, `d3`, `d4`" in out
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['retry']}"


def test_refused_then_fixed_then_retry_sends_the_failed_records_and_what_waits(refused, capsys):
    user_field(refused, "string")  # the admin's fix
    code, out, err = run(capsys, "retry", "-w", str(refused), "--dry-run")
    assert code == 0, err
    assert out.startswith("Would re-send 3 records (3 deal): 3 that failed, 0 they need first, "
                          "0 that wait on them.")  # fmt: skip
    assert "Not sent by this retry" not in out  # nothing else changed
    assert '3 × deal: ERROR_CORE: The field "Заметка" has an invalid value "…"' in out
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['retry_now']}"
    assert sorted(deals(refused)) == ["d1", "d5"]  # a dry run sends nothing
    code, out, err = run(capsys, "retry", "-w", str(refused))
    assert code == 0, err
    assert out.startswith("Re-sending 3 records (3 deal)")
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['done']}"
    held = deals(refused)
    assert sorted(held) == ["d1", "d2", "d3", "d4", "d5"]
    assert held["d2"]["UF_CRM_NOTE"] == "срочно"
    with Ledger.for_workspace(refused) as ledger:
        assert {r.state for r in ledger.records()} == {State.DONE}


def test_a_mapping_edit_before_retry_sends_only_the_failed_records(refused, capsys):
    user_field(refused, "string")
    mapping = refused / "mappings" / "deal.yaml"
    mapping.write_text(MAPPINGS["deal.yaml"] + "  COMMENTS: {const: Перенесено из amoCRM}\n",
                       encoding="utf-8")  # fmt: skip
    code, out, err = run(capsys, "retry", "-w", str(refused))
    assert code == 0, err
    assert out.startswith("Re-sending 3 records (3 deal)")
    assert "Not sent by this retry: 2 deal update (changes the re-plan found" in out
    assert NEXT["changes"] in out
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['load']}"
    held = deals(refused)
    assert {k: v["COMMENTS"] or "" for k, v in held.items()} == {
        "d1": "", "d5": "",  # loaded before: not touched by the retry
        "d2": "Перенесено из amoCRM", "d3": "Перенесено из amoCRM", "d4": "Перенесено из amoCRM",
    }  # fmt: skip
    assert run(capsys, "load", "-w", str(refused), "--quiet")[0] == 0  # the changes, on purpose
    assert {v["COMMENTS"] for v in deals(refused).values()} == {"Перенесено из amoCRM"}


def test_retry_of_chosen_keys_leaves_the_other_failures(refused, capsys):
    user_field(refused, "string")
    code, out, err = run(capsys, "retry", "-w", str(refused), "--key", "deal:d3", "--key", "zz")
    assert code == 0, err
    assert out.startswith("Re-sending 1 records (1 deal): 1 that failed")
    assert "Not failed records, left alone: zz" in out
    assert sorted(deals(refused)) == ["d1", "d3", "d5"]
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['retry']}"  # d2, d4 still failed
    book = load_workbook(refused / "reports" / "load.xlsx")
    sheet = book["Failed records"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["d2", "d4"]
    sheet.delete_rows(2)  # keep d4 only
    book.save(refused / "reports" / "d4.xlsx")
    code, out, err = run(capsys, "retry", "-w", str(refused), "--keys-from",
                         str(refused / "reports" / "d4.xlsx"), "--json")  # fmt: skip
    assert code == 0, err
    assert '"chosen": [{"entity": "deal", "key": "d4"' in out
    assert sorted(deals(refused)) == ["d1", "d3", "d4", "d5"]


def test_retry_remembers_skip_refused_and_its_hints_name_its_own_options(refused, capsys):
    user_field(refused, "string")
    mapping = refused / "mappings" / "deal.yaml"
    mapping.write_text(MAPPINGS["deal.yaml"] + "  UF_CRM_MISSING: {from: Заметка}\n",
                       encoding="utf-8")  # fmt: skip
    code, _, err = run(capsys, "retry", "-w", str(refused), "--quiet")
    assert code == 1
    assert "Error: the plan has 1 blocking problem(s)" in err
    assert f"Next: {NEXT['blocking_retry']}" in err  # `retry --skip-refused`, not `plan …`
    code, out, _ = run(capsys, "status", "-w", str(refused))
    assert "Last command: `retry` at " in out
    assert "stopped with exit 1: the plan has 1 blocking problem(s)" in out
    assert run(capsys, "plan", "-w", str(refused), "--skip-refused", "--quiet")[0] == 0
    code, out, err = run(capsys, "retry", "-w", str(refused))  # remembers --skip-refused
    assert code == 0, err  # not stopped by the blocker the last plan accepted
    assert out.startswith("Nothing to re-send")  # that plan left the failed deals out


def test_include_changes_sends_the_other_changes_too(refused, capsys):
    user_field(refused, "string")
    mapping = refused / "mappings" / "deal.yaml"
    mapping.write_text(MAPPINGS["deal.yaml"] + "  COMMENTS: {const: Перенесено из amoCRM}\n",
                       encoding="utf-8")  # fmt: skip
    code, out, err = run(capsys, "retry", "-w", str(refused), "--include-changes")
    assert code == 0, err
    assert "It also sends (--include-changes): 2 deal update." in out
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT['done']}"
    assert {v["COMMENTS"] for v in deals(refused).values()} == {"Перенесено из amoCRM"}


def test_a_russian_workspace_hears_retry_in_russian(tmp_path, capsys):
    make_workspace(tmp_path, deals=DEALS, route="add")  # language: ru, the default
    user_field(tmp_path, "string")
    assert run(capsys, "plan", "-w", str(tmp_path), "--quiet")[0] == 0
    user_field(tmp_path, "double")
    assert run(capsys, "load", "-w", str(tmp_path), "--quiet")[0] == 3
    user_field(tmp_path, "string")
    code, out, err = run(capsys, "retry", "-w", str(tmp_path), "--dry-run")
    assert code == 0, err
    assert out.startswith("Будет отправлено 3 записей (3 deal): 3 с ошибкой, 0 нужных им раньше")
    assert "Записи с ошибкой, по последней причине портала:" in out
    assert out.rstrip().splitlines()[-1] == f"Next: {NEXT_RU['retry_now']}"
