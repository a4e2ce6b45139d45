"""Hostile and broken input files are refused with one clear line, before they cost memory or
time (issue #15): YAML alias bombs and recursion, workbooks that decompress to gigabytes or
reach cell XFD1048576, CSV quotes that never close, XML with a DTD or nested thousands deep,
offers.xml stock that is not a plain number, formula-like ids in clusters.csv."""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from migrate.errors import SourceReadError
from migrate.sources import read_table
from migrate.sources._commerceml import MAX_DEPTH
from tests.migrate.plan.workspace import make_workspace
from tests.migrate.test_cli_load import run

# -- YAML ---------------------------------------------------------------------------------------


def alias_bomb(levels: int = 12) -> str:
    """Nine aliases to the level below at each level: 9**12 values from about 1 KB of text."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("tail", "said"),
    [
        (alias_bomb() + "dedupe: {contact: {x: *a11}}\n", "expands to more than 200,000 values"),
        ("dedupe: &loop {contact: *loop}\n", "an alias refers to itself"),
        ("dedupe: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ],
    ids=["alias bomb", "recursive alias", "deep nesting"],
)
def test_a_hostile_migration_yaml_is_one_line(tail, said, tmp_path, capsys):
    workspace = make_workspace(tmp_path / "w")
    text = workspace.config_path.read_text(encoding="utf-8")
    workspace.config_path.write_text(text + tail, encoding="utf-8")
    assert len(workspace.config_path.read_bytes()) < 25_000
    started = time.perf_counter()
    code, out, err = run(capsys, "validate", "-w", str(workspace.root))
    assert time.perf_counter() - started < 30  # bounded, not minutes
    assert code == 2
    assert "Traceback" not in out + err
    assert said in err.splitlines()[0]
    assert err.splitlines()[0].startswith("Error: `")


def test_a_recursive_alias_in_a_mapping_file_names_the_file(tmp_path, capsys):
    workspace = make_workspace(tmp_path / "w")
    mapping = workspace.root / "mappings" / "deal.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "x: &x [*x]\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", "-w", str(workspace.root))
    assert code == 2
    assert "deal.yaml" in err
    assert "refers to itself" in err


def test_an_alias_bomb_in_a_rules_file_is_refused(tmp_path, capsys):
    people = tmp_path / "people.csv"
    people.write_text("id,name\n1,Анна\n2,Анна\n", encoding="utf-8")
    rules = tmp_path / "RULES.yaml"
    rules.write_text(alias_bomb() + "comparisons: *a11\n", encoding="utf-8")
    code, out, err = run(capsys, "dedupe", "--input", str(people), "--rules", str(rules),
                         "--out", str(tmp_path / "c.csv"))  # fmt: skip
    assert code == 2
    assert "expands to more than" in err
    assert "Traceback" not in out + err


# -- workbooks ----------------------------------------------------------------------------------


def _workbook(path: Path, sheet_tail: bytes = b"", extra: dict[str, bytes] | None = None) -> Path:
    """A real openpyxl workbook, its sheet XML extended before `</sheetData>`, members added."""
    book = Workbook()
    book.active.append(["ID", "Имя"])
    book.active.append(["1", "Анна"])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", sheet_tail + b"</sheetData>")
            out.writestr(item, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _cli(*args: str, limit_gb: int = 3) -> subprocess.CompletedProcess[str]:
    """The CLI in a child with its memory capped: a reader that expands a bomb dies there."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_gb << 30, limit_gb << 30))

    return subprocess.run([sys.executable, "-m", "migrate", *args], capture_output=True,
                          text=True, timeout=300, preexec_fn=cap, check=False)  # fmt: skip


def test_a_cell_at_xfd1048576_is_refused_before_calamine_expands_it(tmp_path):
    far = _workbook(tmp_path / "far.xlsx", FAR_CELL)
    assert far.stat().st_size < 10_000
    done = _cli("inspect", str(far))
    assert done.returncode == 2, done.stderr[-500:]  # calamine alone aborts the process
    first = done.stderr.splitlines()[0]
    assert "the sheet `Sheet` reaches row 1,048,576 and column 16,384" in first
    assert "Traceback" not in done.stderr


def test_a_compression_bomb_is_refused(tmp_path):
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'  # no `r`: rows by position
    bomb = _workbook(tmp_path / "bomb.xlsx", row * 2_000_000)  # ~100 MB of sheet XML
    assert bomb.stat().st_size < 1 << 20
    started = time.perf_counter()
    with pytest.raises(SourceReadError) as info:
        read_table(bomb)
    assert time.perf_counter() - started < 10  # refused from the zip directory
    assert "`xl/worksheets/sheet1.xml` inside the workbook decompresses" in info.value.message


def test_decisions_from_a_bomb_workbook_are_refused(tmp_path, capsys):
    workspace = make_workspace(tmp_path / "w")
    far = _workbook(tmp_path / "duplicates.xlsx", FAR_CELL)
    code, out, err = run(capsys, "dedupe", "-w", str(workspace.root), "--decisions", str(far))
    assert code == 2
    assert "reaches row 1,048,576" in err
    assert "Traceback" not in out + err


def test_a_wide_but_real_sheet_still_reads(tmp_path):
    book = Workbook()
    book.active.append([f"Колонка {i}" for i in range(60)])  # past Z: the exact rows are read
    for row in range(50):
        book.active.append([f"{row}-{i}" for i in range(60)])
    book.save(tmp_path / "wide.xlsx")
    assert len(read_table(tmp_path / "wide.xlsx").frame) == 50


# -- CSV ----------------------------------------------------------------------------------------


def test_a_never_closed_quote_that_swallows_odd_lines_is_reported(tmp_path):
    """The swallowed lines do not look like records (this exporter drops empty last fields),
    and the quote closes further down, inside a quoted note: the row count alone looks fine."""
    lines = ["ID,Сущность,Текст,Автор"]
    lines += [f"{i},Контакт,Звонок {i} мин" + (",Мария" if i % 2 else "") for i in range(1, 40)]
    lines[6] = '6,"Контакт,Звонок 6 мин'  # a quote opened by mistake
    lines[9] = '9,Контакт,"Сказал ""да"", перезвонить",Мария'
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceReadError) as info:
        read_table(path)
    assert info.value.row == 7
    assert "never closed" in info.value.message


def test_a_never_closed_quote_on_the_last_row_is_reported(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text('ID,Имя,Телефон\n1,Анна,+7 916 111\n2,"Пётр,+7 916 222\n', encoding="utf-8")
    with pytest.raises(SourceReadError) as info:
        read_table(path)
    assert info.value.row == 3
    assert "the rest of the file" in info.value.message


# -- XML ----------------------------------------------------------------------------------------

_CML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n{doctype}<КоммерческаяИнформация ВерсияСхемы="2.10">'
)


def _groups(depth: int) -> str:
    opening = "".join(f"<Группа><Ид>g{i}</Ид><Наименование>Г{i}</Наименование><Группы>"
                      for i in range(depth))  # fmt: skip
    return (
        f"<Классификатор><Группы>{opening}{'</Группы></Группа>' * depth}</Группы></Классификатор>"
    )


def _catalog(path: Path, body: str, doctype: str = "") -> Path:
    goods = "<Каталог><Товары><Товар><Ид>p1</Ид><Наименование>Болт</Наименование></Товар>"
    path.write_text(_CML.format(doctype=doctype) + body + goods +
                    "</Товары></Каталог></КоммерческаяИнформация>", encoding="utf-8")  # fmt: skip
    return path


def test_groups_nested_thousands_deep_are_one_clear_error(tmp_path):
    path = _catalog(tmp_path / "import.xml", _groups(3000))
    with pytest.raises(SourceReadError) as info:
        read_table(path, sheet="Группы")
    assert f"nested more than {MAX_DEPTH} levels" in info.value.message


def test_groups_nested_deeper_than_python_recursion_read_when_within_the_bound(tmp_path):
    path = _catalog(tmp_path / "import.xml", _groups(90))  # 90 groups: 182 element levels
    sections = read_table(path, sheet="Группы").frame
    assert len(sections) == 90
    assert sections["Родитель"].tolist()[-1] == "g88"


def test_a_document_type_declaration_is_refused(tmp_path):
    doctype = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
    path = _catalog(tmp_path / "import.xml", "<Классификатор/>", doctype)
    with pytest.raises(SourceReadError) as info:
        read_table(path)
    assert "<!DOCTYPE" in info.value.message


@pytest.mark.parametrize(("amounts", "stock"), [(("1 000", "2,5"), "1002.5"),
                                                  (("много", "3"), "много; 3")])  # fmt: skip
def test_stock_written_with_spaces_or_words_does_not_crash(tmp_path, amounts, stock):
    rests = "".join(f"<Остаток><Склад><Ид>s{i}</Ид><Количество>{a}</Количество></Склад></Остаток>"
                    for i, a in enumerate(amounts))  # fmt: skip
    (tmp_path / "offers.xml").write_text(
        _CML.format(doctype="") + "<ПакетПредложений><Предложения><Предложение><Ид>p1</Ид>"
        f"<Наименование>Болт</Наименование><Остатки>{rests}</Остатки></Предложение>"
        "</Предложения></ПакетПредложений></КоммерческаяИнформация>",
        encoding="utf-8",
    )
    assert read_table(tmp_path / "offers.xml").frame["Количество"].tolist() == [stock]


# -- what we write ------------------------------------------------------------------------------


def test_clusters_csv_escapes_formula_like_ids(tmp_path, capsys):
    people = tmp_path / "people.csv"
    rows = ['"=HYPERLINK(""http://x"",""a"")",Анна,+79161112233', "-5,Пётр,+79162223344",
            "@cmd,Иван,+79163334455"]  # fmt: skip
    people.write_text("id,name,phone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "clusters.csv"
    code, _, err = run(capsys, "dedupe", "--input", str(people), "--key", "id", "--out", str(out))
    assert code == 0, err
    with out.open(encoding="utf-8") as handle:
        ids = [row[0] for row in csv.reader(handle)][1:]
    assert ids == ['\'=HYPERLINK("http://x","a")', "-5", "'@cmd"]


def test_load_xlsx_shows_no_absolute_local_path(tmp_path, capsys):
    from openpyxl import load_workbook

    from tests.migrate.test_cli_load import BAD_PRODUCT, plan

    root = tmp_path / "acme"
    root.mkdir()
    (root / "migration.yaml").write_text(
        "name: t\nportal: {url: sandbox, plan: unlimited}\nsources: {}\n", encoding="utf-8"
    )
    plan(root, [BAD_PRODUCT])
    assert run(capsys, "load", "-w", str(root), "--quiet")[0] == 3
    book = load_workbook(root / "reports" / "load.xlsx")
    cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
    assert not [c for c in cells if str(tmp_path) in c or os.sep + "tmp" in c]
    assert "b24migrate retry --workspace acme --key product:bad" in cells
