"""Inferred rules on public labelled tables nobody here wrote, and on the column shapes they
taught: names split over numbered columns (``fname_c1``/``fname_c2``), a birth date kept in
three columns (``by``/``bm``/``bd``), a place of birth under a «birth» header, a full name
beside its own parts. The stored tables are ``bench/data/`` (see docs/dedupe.md, "Public
labelled tables", for where each comes from)."""

from __future__ import annotations

import csv
from collections import Counter

import pandas as pd
import pytest
from click.testing import CliRunner

from bench.public_data import STORED
from migrate.cli import cli
from migrate.dedupe import pairwise_scores
from migrate.dedupe.blocking import _SINGLE
from migrate.dedupe.infer import infer_roles, rules_document

# measured through `b24migrate dedupe --input F --key K --out clusters.csv` (inferred rules),
# P / R / F1: fake_1000 0.963 / 0.841 / 0.898 (0.962 / 0.832 / 0.893 before its surname-and-
# birth-year block), restaurants 0.880 / 0.982 / 0.928
FLOORS = {
    "chicago": ("Id", 0.40, 0.95),  # 0.454 / 0.976 (0.151 / 0.976 with its sparse columns)
    "fake_1000": ("unique_id", 0.95, 0.835),
    "restaurants": ("id", 0.87, 0.97),
}


def _truth(name: str) -> dict[str, str]:
    with (STORED / f"{name}_truth.csv").open(encoding="utf-8", newline="") as handle:
        return {r["record_id"]: r["entity_id"] for r in csv.DictReader(handle)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_command_scores_each_stored_public_table(tmp_path, name):
    key, precision, recall = FLOORS[name]
    out = tmp_path / "clusters.csv"
    run = CliRunner().invoke(
        cli, ["dedupe", "--input", str(STORED / f"{name}.csv"), "--key", key, "--out", str(out)]
    )
    assert run.exit_code == 0, run.output
    with out.open(encoding="utf-8", newline="") as handle:
        clusters = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(handle)}
    truth = _truth(name)
    scores = pairwise_scores(clusters, truth)
    entities = Counter(truth.values())
    assert (scores.records, scores.unscored) == (len(truth), 0), scores
    assert scores.true_pairs == sum(n * (n - 1) // 2 for n in entities.values()) > 100, scores
    assert scores.precision >= precision, scores
    assert scores.recall >= recall, scores


def test_the_stored_tables_are_the_published_ones():
    """Row and entity counts as published: fake_1000 1,000 rows / 251 clusters (Splink),
    Fodors–Zagat 864 rows, 112 matched pairs (RIDDLE)."""
    fake = pd.read_csv(STORED / "fake_1000.csv", dtype=str, keep_default_na=False)
    assert list(fake.columns) == ["unique_id", "first_name", "surname", "dob", "city", "email"]
    assert (len(fake), len(set(_truth("fake_1000").values()))) == (1000, 251)
    restaurants = pd.read_csv(STORED / "restaurants.csv", dtype=str, keep_default_na=False)
    assert list(restaurants.columns) == ["id", "name", "address", "city", "phone", "type"]
    sizes = Counter(Counter(_truth("restaurants").values()).values())
    assert (len(restaurants), sizes) == (864, Counter({1: 640, 2: 112}))


def _rldata_like() -> pd.DataFrame:
    """RLdata's shape (R RecordLinkage): split names, the birth date in three columns."""
    rows = [
        ("1", "KARL", "", "MEIER", "", "1949", "7", "22"),
        ("2", "KARL", "", "MEIER", "", "1949", "7", "21"),  # a typo in the day
        ("3", "KARL", "", "MEIER", "", "1976", "2", "3"),  # a namesake
        ("4", "ANNA", "LENA", "BAUER", "", "1968", "12", "1"),
        ("5", "ANNA", "LENA", "BAUER", "", "1968", "12", "1"),
        ("6", "PETER", "", "WOLFF", "SCHMIDT", "1957", "9", "2"),
    ]
    columns = ["id", "fname_c1", "fname_c2", "lname_c1", "lname_c2", "by", "bm", "bd"]
    return pd.DataFrame(rows, columns=columns)


def test_split_names_and_a_birth_date_in_three_columns_are_one_name_and_one_date():
    document = rules_document(_rldata_like(), key="id")
    kinds = {c["name"]: (c["kind"], c["columns"]) for c in document["comparisons"]}
    assert kinds == {
        "name": ("person_name", ["fname_c1", "fname_c2", "lname_c1", "lname_c2"]),
        "birth date": ("date", ["by", "bm", "bd"]),
    }
    date = next(c for c in document["comparisons"] if c["kind"] == "date")
    assert date["relatives"] is True
    assert "birth date" in document["blocking"]


def test_a_dated_split_table_merges_the_typo_and_keeps_the_namesake(tmp_path):
    source, out = tmp_path / "people.csv", tmp_path / "clusters.csv"
    _rldata_like().to_csv(source, index=False)
    run = CliRunner().invoke(
        cli, ["dedupe", "--input", str(source), "--key", "id", "--out", str(out)]
    )
    assert run.exit_code == 0, run.output
    assert "birth date (date: by, bm, bd)" in run.output
    clusters = pd.read_csv(out, dtype=str).set_index("record_id")["cluster_id"]
    assert clusters["1"] == clusters["2"] != clusters["3"]
    assert clusters["4"] == clusters["5"]


@pytest.mark.parametrize(
    ("headers", "values"),
    [
        (("birth_year", "birth_month", "birth_day"), ("1980", "03", "15")),
        (("Год рождения", "Месяц рождения", "День рождения"), ("1980", "3", "15")),
        (("dob_y", "dob_m", "dob_d"), ("1980", "3", "15")),
    ],
)
def test_three_date_columns_under_other_headers_join(headers, values):
    frame = pd.DataFrame([("1", "Ann", "Lee", *values), ("2", "Bob", "Ray", "1975", "11", "2")],
                         columns=["id", "first_name", "surname", *headers])  # fmt: skip
    roles = {r.column: r.role for r in infer_roles(frame, key="id")}
    assert [roles[h] for h in headers] == ["birth_year", "birth_month", "birth_day"]


def test_a_year_month_or_day_alone_is_not_a_date():
    """Only all three parts make a date; a year of birth alone is a number (±1 year)."""
    frame = pd.DataFrame(
        [("1", "Ann", "Lee", "1980", "3"), ("2", "Bob", "Ray", "1975", "11")],
        columns=["id", "first_name", "surname", "birth_year", "birth_month"],
    )
    roles = {r.column: r.role for r in infer_roles(frame, key="id")}
    assert roles["birth_year"] == "year"
    assert not roles["birth_month"].startswith("birth")


def test_a_place_of_birth_is_text_not_a_date():
    frame = pd.DataFrame(
        [("1", "Ann", "Lee", "devon", "1850-01-02"), ("2", "Bob", "Ray", "london", "1851-03-04")],
        columns=["id", "first_name", "surname", "birth_place", "dob"],
    )
    roles = {r.column: r.role for r in infer_roles(frame, key="id")}
    assert roles["dob"] == "birth"
    assert roles["birth_place"] not in ("birth", "date")


def test_a_full_name_made_of_the_other_name_columns_is_left_out():
    """Splink's historical_50k shape: ``full_name`` (with titles), ``first_and_surname``
    (their join), ``first_name``, ``surname``: the parts stay, the joins go."""
    frame = pd.DataFrame(
        [
            ("1", "thomas clifford, 1st baron of chudleigh", "thomas chudleigh", "thomas",
             "chudleigh"),
            ("2", "tom baron chudleigh", "tom chudleigh", "tom", "chudleigh"),
            ("3", "ethel mary smyth", "ethel smyth", "ethel", "smyth"),
        ],
        columns=["id", "full_name", "first_and_surname", "first_name", "surname"],
    )  # fmt: skip
    roles = {r.column: r.role for r in infer_roles(frame, key="id")}
    assert roles == {"full_name": "skip", "first_and_surname": "skip", "first_name": "given",
                     "surname": "surname"}  # fmt: skip


def test_a_full_name_with_other_words_beside_its_parts_stays():
    """A ``name`` column that is not made of the parts (another person, a company) is kept."""
    frame = pd.DataFrame(
        [("1", "Ann", "Lee", "Bob Ray"), ("2", "Cid", "Moe", "Dan Fox"), ("3", "Eve", "Kim", "")],
        columns=["id", "first_name", "surname", "contact_name"],
    )
    roles = {r.column: r.role for r in infer_roles(frame, key="id")}
    assert roles["contact_name"] == "full_name"


def test_the_year_block_reads_years_before_1900():
    year = _SINGLE["year"]
    assert [year("1630-08-01"), year("12.03.1856"), year("19800115"), year("")] == [
        "1630", "1856", "1980", ""]  # fmt: skip


def test_a_surname_with_a_birth_year_blocks_when_the_given_name_is_missing():
    frame = pd.read_csv(STORED / "fake_1000.csv", dtype=str, keep_default_na=False)
    blocking = rules_document(frame, key="unique_id")["blocking"]
    assert {"columns": ["surname", "dob"], "transform": ["phonetic", "year"]} in blocking
    assert {"columns": ["first_name", "dob"], "transform": ["phonetic", "year"]} in blocking


def test_a_table_gathered_from_several_sources_is_compared_on_who_a_record_is():
    """dedupe's Chicago sites: columns one source filled (shifted: «Email Address» holding
    dates, «Program Name» eleven categories, «Neighborhood» capitalised place names) are left
    out; the name, address, phone and the e-mails found in another column stay."""
    frame = pd.read_csv(STORED / "chicago.csv", dtype=str, keep_default_na=False)
    roles = {r.column: r.role for r in infer_roles(frame, "Id")}
    assert roles["Site name"] == "text"
    assert (roles["Address"], roles["Zip"], roles["Phone"]) == ("address", "address", "phone")
    assert roles["Purple binder service type"] == "email"  # its values are the e-mails
    for column in ("Email Address", "Program Name", "Neighborhood", "Center Director",
                   "Funded Enrollment", "CC fund", "Length of Day"):  # fmt: skip
        assert roles[column] == "skip", column
    document = rules_document(frame, "Id")
    blocks = [b if isinstance(b, str) else b["columns"] for b in document["blocking"]]
    assert ["Site name"] in blocks  # the name's words bring the sites together


def test_a_column_is_a_name_or_an_email_by_its_values_too():
    """Headers lie in exports gathered from several systems: a «Program Name» of eleven
    categories is a category, capitalised place names are nobody's name, an «Email Address»
    of dates is no e-mail; people's names under «Name» stay a name."""
    rows = 300
    surnames = [
        "Иванов",
        "Петрова",
        "Smith",
        "Johnson",
        "Сидоров",
        "Кузнецова",
        "Brown",
        "Волков",
        "Miller",
        "Орлова",
        "Davis",
        "Зайцев",
        "Wilson",
        "Морозова",
        "Taylor",
    ]
    givens = ["Иван", "Анна", "John", "Mary", "Пётр", "Ольга", "James", "Мария", "Robert",
              "Сергей", "Linda", "Елена", "David", "Алексей", "Susan", "Дмитрий", "Karen",
              "Наталья", "Michael", "Татьяна"]  # fmt: skip
    places = ["South Lawndale", "West Town", "Near West Side", "Humboldt Park", "Lower West Side",
              "Little Village", "Hyde Park", "Back of the Yards", "Pilsen", "Uptown"]  # fmt: skip
    frame = pd.DataFrame({
        "Id": [str(i) for i in range(rows)],
        "Name": [f"{surnames[i % 15]} {givens[i // 15]}" for i in range(rows)],
        "Program Name": [["Head Start", "Child Care", "Early"][i % 3] for i in range(rows)],
        "Neighborhood": [places[i % 10] + ("" if i < 10 else f" {i}") for i in range(rows)],
        "Email Address": [f"{1 + i % 12:02d}/01/15" for i in range(rows)],
        "Phone": [f"+7 916 {i:07d}" for i in range(rows)],
    })  # fmt: skip
    roles = {r.column: r.role for r in infer_roles(frame, "Id")}
    assert roles["Name"] == "full_name"
    assert roles["Program Name"] == "category"
    assert roles["Neighborhood"] not in ("full_name", "given", "surname")
    assert roles["Email Address"] != "email"
