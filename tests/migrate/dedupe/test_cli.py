"""`b24migrate dedupe` in stand-alone mode, on the kind of CSV people actually have."""

from __future__ import annotations

import csv

import pytest
import yaml
from click.testing import CliRunner

from migrate.cli import cli, main

RULES = {
    "comparisons": [
        {"name": "fio", "kind": "person_name", "columns": ["Фамилия", "Имя"], "required": True},
        {"name": "tel", "kind": "phone", "columns": ["Телефон"]},
        {"name": "born", "kind": "date", "columns": ["Дата рождения"]},
    ],
    "blocking": ["tel", "fio"],
}
ROWS = [
    ["Код", "Фамилия", "Имя", "Телефон", "Дата рождения", "Лишняя колонка"],
    ["101", "Смирнов", "Алексей", "8 (916) 555-12-12", "03.04.1980", "x"],
    ["102", "Smirnov", "Aleksei", "+7 916 5551212", "1980-04-03", ""],
    ["103", "Смирнова", "Ольга", "", "", ""],
    ["104", "", "", "", "", ""],
    ["", "Петров", "Пётр", "8 903 000 00 01", "", ""],
    ["106", "Петров", "Петр", "89030000001", "", "y"],
]


def _run(tmp_path, *args):
    rules = tmp_path / "RULES.yaml"
    rules.write_text(yaml.safe_dump(RULES, allow_unicode=True), encoding="utf-8")
    source = tmp_path / "people.csv"
    with source.open("w", encoding="cp1251", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(ROWS)
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(source), "--rules", str(rules),
                                      "--out", str(out), *args])  # fmt: skip
    return result, out


def test_every_record_gets_exactly_one_cluster(tmp_path):
    result, out = _run(tmp_path, "--key", "Код")
    assert result.exit_code == 0, result.output
    assert "candidate pairs" in result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["record_id"] for r in rows] == ["101", "102", "103", "104", "row:6", "106"]
    cluster = {r["record_id"]: r["cluster_id"] for r in rows}
    assert cluster["101"] == cluster["102"]
    assert cluster["row:6"] == cluster["106"]
    assert len({cluster["101"], cluster["103"], cluster["104"], cluster["106"]}) == 4


def test_without_a_key_rows_are_the_ids(tmp_path):
    result, out = _run(tmp_path)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        ids = [r["record_id"] for r in csv.DictReader(handle)]
    assert ids == [f"row:{n}" for n in range(2, 8)]


def _usage_error(capsys, tmp_path, *args) -> list[str]:
    """Run `b24migrate dedupe` as a user does; it must exit 2 with an error and a next step."""
    _run(tmp_path)  # writes RULES.yaml and people.csv
    files = ("--input", "people.csv", "--rules", "RULES.yaml", "--out", "clusters.csv")
    argv = ["dedupe", *(str(tmp_path / f) if "." in f else f for f in files), *args]
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith("Error: "), err
    assert lines[-1].startswith("Next: "), err
    return lines


def test_a_missing_key_column_is_a_usage_error(capsys, tmp_path):
    lines = _usage_error(capsys, tmp_path, "--key", "ID")
    assert lines[0].endswith("people.csv`: there is no key column `ID`")
    assert "Код, Фамилия, Имя" in lines[-1]


def test_a_missing_rule_column_is_a_usage_error(capsys, tmp_path):
    RULES["comparisons"].append({"name": "mail", "kind": "email", "columns": ["Почта"]})
    try:
        lines = _usage_error(capsys, tmp_path, "--key", "Код")
    finally:
        RULES["comparisons"].pop()
    assert "  - comparison `mail`: column `Почта` is not in the file" in lines


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["dedupe", "--help"])
    assert result.exit_code == 0
    assert "--input people.csv" in result.output.replace("\n", " ")


def test_columns_match_whatever_their_case_and_blocking_defaults_to_every_comparison(tmp_path):
    RULES_LOOSE = {"comparisons": [
        {"name": "fio", "kind": "person_name", "columns": ["фамилия", "ИМЯ"]},
        {"name": "tel", "kind": "phone", "columns": ["телефон"]},
    ]}  # fmt: skip
    rules = tmp_path / "loose.yaml"
    rules.write_text(yaml.safe_dump(RULES_LOOSE, allow_unicode=True), encoding="utf-8")
    source = tmp_path / "people.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(ROWS)
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--input", str(source), "--rules", str(rules),
                                      "--key", "код", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        cluster = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(handle)}
    assert cluster["101"] == cluster["102"]


@pytest.mark.parametrize(("header", "rows", "says"), [
    ("id", ["1", "2"], "no column of the file can tell duplicates apart"),
    ("id,amount", ["1,100", "2,100", "3,200"], "no column of the file can bring likely"),
])  # fmt: skip
def test_inferred_rules_that_cannot_work_stop_with_a_reason(capsys, tmp_path, header, rows, says):
    """An amount alone would make every row a candidate of every other: stop, say what to add."""
    source = tmp_path / "t.csv"
    source.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        main(["dedupe", "--input", str(source), "--key", "id", "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert stopped.value.code == 2, err
    assert "Traceback" not in err
    assert err.splitlines()[0] == f"Error: {says}" or err.splitlines()[0].startswith(
        f"Error: {says}"
    )
    assert err.splitlines()[-1].startswith("Next: ")
    assert not (tmp_path / "o.csv").exists()
