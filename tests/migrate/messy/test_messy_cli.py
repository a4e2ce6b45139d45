"""User errors on the command line: one clear line, a next step, exit code 2 (1 for data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from migrate.cli import main

CONTACT = """\
entity: contact
key: ID
fields:
  _fio: {from: ФИО, split_fio: [LAST_NAME, NAME, SECOND_NAME]}
  PHONE: {from: Телефон, clean: [phones], value_type: WORK}
  EMAIL: {from: Email, clean: [emails], value_type: WORK}
"""


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return int(code) if isinstance(code, int) else 0, out.out, out.err


def _workspace(tmp_path: Path, source: Path, extra: str = "") -> Path:
    root = tmp_path / "ws"
    (root / "mappings").mkdir(parents=True)
    (root / "data").mkdir()
    shutil.copy(source, root / "data" / source.name)
    (root / "mappings" / "contact.yaml").write_text(CONTACT, encoding="utf-8")
    (root / "migration.yaml").write_text(
        f'name: t\nsources:\n  contact: {{files: ["data/{source.name}"]{extra}}}\n',
        encoding="utf-8",
    )
    return root


def _one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, err
    assert "Next:" in err, err
    return lines[0]


def test_validate_reads_a_messy_source_whose_rows_are_clean_and_exits_0(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("mixed_cp1251_utf8.csv"))
    code, out, _ = _run(capsys, "validate", "-w", str(root), "--fail-on", "warning", "--json")
    (entity,) = json.loads(out)["entities"]
    assert (entity["rows_read"], entity["rows_clean"], entity["errors"]) == (4, 4, 0)
    assert code == 0


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("never", 0)])
def test_validate_exits_1_on_data_errors(capsys, tmp_path, fail_on, code):
    source = tmp_path / "contacts.csv"
    source.write_text("ID;ФИО;Телефон;Email\n1;Иванов Иван;12;ivanov@example.ru\n"
                      "2;Петрова Анна;+7 916 123-45-67;petrova@example.ru\n",
                      encoding="utf-8")  # fmt: skip
    root = _workspace(tmp_path, source)
    got, out, _ = _run(capsys, "validate", "-w", str(root), "--fail-on", fail_on, "--json")
    (entity,) = json.loads(out)["entities"]
    assert (entity["rows_read"], entity["rows_clean"], entity["errors"]) == (2, 1, 1)
    assert got == code


def test_no_migration_yaml(capsys, tmp_path):
    code, _, err = _run(capsys, "validate", "-w", str(tmp_path))
    assert code == 2
    assert "migration.yaml" in _one_error(err)


def test_workspace_folder_missing(capsys, tmp_path):
    code, _, err = _run(capsys, "validate", "-w", str(tmp_path / "nope"))
    assert code == 2
    _one_error(err)


def test_source_path_wrong(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    text = (root / "migration.yaml").read_text(encoding="utf-8").replace("crlf_bom", "nope")
    (root / "migration.yaml").write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "nope.csv" in _one_error(err)


def test_mapping_names_a_missing_column(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    path = root / "mappings" / "contact.yaml"
    path.write_text(CONTACT.replace("from: Телефон", "from: Телефон мобильный"), "utf-8")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "contact.yaml:5" in err
    assert "`Телефон мобильный`" in err


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('entity: contact\nkey: "ID\nfields: [\n', "contact.yaml:"),
        ("entity: contact\nkey: ID\nfields:\n\tNAME: {from: ФИО}\n", "contact.yaml:4"),
    ],
)
def test_mapping_yaml_syntax_error(capsys, tmp_path, fixture, text, where):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    (root / "mappings" / "contact.yaml").write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert where in err


def test_mapping_saved_in_cp1251_by_notepad(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    (root / "mappings" / "contact.yaml").write_bytes(CONTACT.encode("cp1251"))
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "contact.yaml:4: not UTF-8" in err  # was a UnicodeDecodeError traceback


def test_migration_yaml_saved_in_cp1251(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    text = (root / "migration.yaml").read_text(encoding="utf-8") + "# комментарий\n"
    (root / "migration.yaml").write_bytes(text.encode("cp1251"))
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "not UTF-8" in _one_error(err)


def test_migration_yaml_syntax_error(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    (root / "migration.yaml").write_text("name: t\nsources:\n  contact: {files: [a.csv]\n")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "not valid YAML" in err


def test_empty_sheet_named_in_migration_yaml(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("formatting_only_first_sheet.xlsx"), ", sheet: Оформление")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "sheet `Оформление`" in _one_error(err)


def test_missing_sheet_in_migration_yaml(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("dates_mixed.xlsx"), ", sheet: Контакты")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "`Сделки`" in _one_error(err)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nope.csv"], "does not exist"),
        (["dates_mixed.xlsx", "--sheet", "Нет"], "no sheet `Нет`"),
        (["crlf_bom.csv", "--sheet", "Лист1"], "does not apply"),
        (["crlf_bom.csv", "--delimiter", ";;"], "one character"),
        (["crlf_bom.csv", "--encoding", "klingon"], "unknown encoding"),
        (["crlf_bom.csv", "--header-row", "0"], "1 or more"),
        (["encrypted.xlsx"], "password"),
        (["unbalanced_quote.csv"], "never closed"),
        (["not_commerceml.xml"], "not a 1C CommerceML"),
        (["formulas_uncached.xlsx"], "never calculated"),
    ],
)
def test_inspect_user_errors(capsys, fixture, args, needle):
    first = args[0] if args[0] == "nope.csv" else str(fixture(args[0]))
    code, _, err = _run(capsys, "inspect", first, *args[1:])
    assert code == 2
    assert needle in _one_error(err)


def test_inspect_sheet_named_like_a_number(capsys, tmp_path, make_xlsx):
    book = make_xlsx({"2023": [["ID", "Имя"], [1, "Иван"]], "2024": [["ID", "Имя"], [2, "Олег"]]})
    code, out, _ = _run(capsys, "inspect", str(book), "--sheet", "2024", "--json")
    assert code == 0
    assert '"sheet": "2024"' in out


def test_inspect_shows_brackets_in_names_and_values_as_text(capsys, tmp_path):
    path = tmp_path / "contacts [2023].csv"
    path.write_text("ID;Сумма [/руб];[bold]Имя\n1;100;[red]Иван[/]\n", encoding="utf-8")
    code, out, _ = _run(capsys, "inspect", str(path))  # was a rich MarkupError traceback
    assert code == 0
    assert "Сумма [/руб]" in out
    assert "[red]Иван[/]" in out
    assert "[2023]" in out


def test_validate_with_brackets_in_the_file_name(capsys, tmp_path, fixture):
    source = tmp_path / "контакты[1].csv"  # as a browser saves a second download
    shutil.copy(fixture("crlf_bom.csv"), source)
    root = _workspace(tmp_path, source)
    code, out, _ = _run(capsys, "validate", "-w", str(root), "--fail-on", "never", "--json")
    assert code == 0
    assert "контакты[1].csv" in out  # was: "no file matches" (read as a glob)


@pytest.mark.parametrize(
    ("source", "needle"),
    [("contact=/nonexistent/x.csv", "does not exist"), ("/nonexistent", "folder does not exist")],
)
def test_init_refuses_a_source_that_is_not_there(capsys, tmp_path, source, needle):
    code, _, err = _run(
        capsys, "init", str(tmp_path / "w"), "--from", "generic", "--source", source
    )
    assert code == 2
    assert needle in _one_error(err)
    assert not (tmp_path / "w" / "migration.yaml").exists()


def test_mapping_column_differing_in_case_or_spaces_gets_a_suggestion(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"))
    text = CONTACT.replace("from: Email", "from: 'EMAIL '").replace("from: ФИО", "from: фио")
    (root / "mappings" / "contact.yaml").write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "(did you mean `Email`?)" in err
    assert "(did you mean `ФИО`?)" in err


def test_wrong_delimiter_in_migration_yaml_is_named(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("crlf_bom.csv"), ", delimiter: ';'")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "read as one column" in err


def test_old_mapping_on_a_two_row_header_suggests_the_joined_name(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("two_row_header.xlsx"))
    text = "entity: contact\nkey: ID\nfields:\n  NAME: {from: Имя}\n  EMAIL: {from: Email}\n"
    (root / "mappings" / "contact.yaml").write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "validate", "-w", str(root))
    assert code == 2
    assert "(did you mean `Контакт / Имя`?)" in err


def test_inspect_writes_no_mapping_when_nothing_matches(capsys, tmp_path):
    source = tmp_path / "odd.csv"
    source.write_text("Alpha;Beta\nfoo bar;baz qux\nquux;corge grault\n", encoding="utf-8")
    target = tmp_path / "m.yaml"
    code, out, err = _run(capsys, "inspect", str(source), "--write-mapping", str(target))
    assert code == 2
    assert "was not written" in _one_error(err)  # was: `fields: {}`, which validate refuses
    assert "Alpha" in out  # the profile is still shown
    assert not target.exists()


def test_inspect_leaves_an_unsure_guess_unmapped_and_shows_it(capsys, tmp_path, fixture):
    target = tmp_path / "m.yaml"
    code, out, _ = _run(
        capsys, "inspect", str(fixture("mac_roman.csv")), "--write-mapping", str(target)
    )
    assert code == 0
    assert "? TITLE" in out  # `Name` of cafés might be a title: shown, not mapped
    assert "TITLE" not in target.read_text(encoding="utf-8")


def test_glob_skips_the_lock_file_of_a_workbook_open_in_excel(capsys, tmp_path, fixture):
    root = _workspace(tmp_path, fixture("data_on_second_sheet.xlsx"))
    (root / "data" / "~$data_on_second_sheet.xlsx").write_bytes(b"\x0bUser" + b"\x00" * 150)
    text = (root / "migration.yaml").read_text(encoding="utf-8")
    (root / "migration.yaml").write_text(text.replace("data_on_second_sheet", "*"), "utf-8")
    code, out, _ = _run(capsys, "validate", "-w", str(root), "--fail-on", "never", "--json")
    assert code == 0  # was: the lock file read as a damaged workbook
    assert '"rows_read": 3' in out
