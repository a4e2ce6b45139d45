"""summary.html read back as XML: numbers per entity, languages, escaping, no external assets."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from migrate.reports._summary_text import ENTITY_NAMES, TEXT
from migrate.reports.summary_html import render_summary, write_summary
from migrate.reports.summary_model import (
    WORKBOOKS,
    DedupeCounts,
    EntitySummary,
    LoadCounts,
    RunSummary,
    SourceCount,
    summary_from_dict,
    summary_to_dict,
)
from tests.migrate.reports.conftest import TOKEN, summary_data
from tests.migrate.reports.summary_page import metric, page_lines, parse_page, text_of, to_int

GOLDEN = Path(__file__).parents[2] / "golden"
NBSP = "\u00a0"

# overview metric → how to read it from an entity of the model
METRICS = {
    "rows_read": lambda e: e.rows_read,
    "rows_kept": lambda e: e.validation.rows_kept,
    "rows_refused": lambda e: e.validation.rows_refused,
    "errors": lambda e: e.validation.errors,
    "warnings": lambda e: e.validation.warnings,
    "clusters": lambda e: e.dedupe.clusters,
    "records_merged": lambda e: e.dedupe.records_merged,
    "review_pending": lambda e: e.dedupe.review_pending,
    "create": lambda e: e.plan.create,
    "update": lambda e: e.plan.update,
    "skip": lambda e: e.plan.skip,
    "plan_refused": lambda e: e.plan.refused,
    "done": lambda e: e.load.done,
    "failed": lambda e: e.load.failed,
    "pending": lambda e: e.load.pending,
}


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_count_of_every_entity_is_on_the_page(summary: RunSummary, language: str) -> None:
    root = parse_page(render_summary(summary, language))
    for entity in summary.entities:
        for name, read in METRICS.items():
            block = None if name == "rows_read" else name
            try:
                expected = read(entity)
            except AttributeError:  # the stage did not run for this entity
                assert metric(root, entity.entity, name) == "—", (entity.entity, block)
                continue
            assert to_int(metric(root, entity.entity, name)) == expected, (entity.entity, name)


def test_totals_and_headline_figures(summary: RunSummary) -> None:
    root = parse_page(render_summary(summary))
    assert to_int(metric(root, "_total", "rows_read")) == 2003 + 5000 + 1234567
    assert to_int(metric(root, "_total", "records_merged")) == 162 + 502  # deals: not run
    assert to_int(metric(root, "_total", "done")) == 1790 + 4351 + 1234497
    kpis = {div.get("data-kpi"): to_int(text_of(div.find("span"))) for div in root.iter("div")
            if div.get("data-kpi")}  # fmt: skip
    assert kpis == {
        "read": 1241570,
        "warn": 318 + 1204 + 20,
        "merged": 664,
        "done": 1240638,
        "refused": 42 + 123 + 50 + 3 + 20 + 9,
    }


def test_numbers_are_grouped_the_russian_way_and_the_english_way(summary: RunSummary) -> None:
    ru = parse_page(render_summary(summary, "ru"))
    en = parse_page(render_summary(summary, "en"))
    assert metric(ru, "deal", "rows_read") == f"1{NBSP}234{NBSP}567"
    assert metric(en, "deal", "rows_read") == "1,234,567"
    assert metric(ru, "company", "create") == f"1{NBSP}790"
    stages = {tr.get("data-stage"): text_of(tr.find("td")) for tr in ru.iter("tr")
              if tr.get("data-stage")}  # fmt: skip
    assert stages["read"] == f"14{NBSP}с"
    assert stages["load"] == f"40{NBSP}мин 27{NBSP}с"


def test_russian_by_default_and_english_on_request(summary: RunSummary) -> None:
    ru, en = parse_page(render_summary(summary)), parse_page(render_summary(summary, "en"))
    assert ru.get("lang") == "ru"
    assert en.get("lang") == "en"
    assert text_of(ru.find(".//h1")) == "Итоги переноса данных в Битрикс24"
    assert text_of(en.find(".//h1")) == "Bitrix24 data migration summary"
    with pytest.raises(ValueError, match="not one of ru, en"):
        render_summary(summary, "de")


def test_an_english_page_has_no_russian_words_of_its_own() -> None:
    data = summary_data()
    for entity in data["entities"]:  # keep only data without Cyrillic
        entity["sources"] = [{"file": "export.csv", "rows": 10}]
        for stage, key in (("validation", "top_rules"), ("plan", "top_reasons"),
                           ("load", "top_failures")):  # fmt: skip
            entity.get(stage, {}).pop(key, None)
    page = render_summary(summary_from_dict(data), "en")
    assert re.findall(r"[А-Яа-яЁё]+", page) == []


def test_what_the_client_has_to_do_in_plain_words(summary: RunSummary, tmp_path: Path) -> None:
    for name in ("errors.xlsx", "duplicates.xlsx"):
        (tmp_path / name).write_bytes(b"")
    root = parse_page(write_summary(tmp_path / "summary.html", summary).read_text("utf-8"))
    todo = {li.get("data-action"): li for li in root.iter("li") if li.get("data-action")}
    assert list(todo) == ["review", "errors", "plan", "failed", "warnings"]
    assert text_of(todo["review"]).startswith(f"15{NBSP}пар дубликатов ждут вашего решения")
    assert todo["review"].find("a").get("href") == "duplicates.xlsx"
    assert text_of(todo["errors"]).startswith(f"215{NBSP}строк не прошли проверку")
    assert text_of(todo["plan"]).startswith(f"23{NBSP}записи нельзя загрузить")
    # load.xlsx does not exist: named, not linked
    assert todo["failed"].find("a") is None
    assert "load.xlsx" in text_of(todo["failed"])
    status = next(p for p in root.iter("p") if p.get("data-status"))
    assert status.get("data-status") == "attention"


@pytest.mark.parametrize(
    ("pending", "expected"),
    [(1, "1 пара дубликатов ждёт"), (3, "3 пары дубликатов ждут"), (5, "5 пар дубликатов ждут"),
     (11, "11 пар дубликатов ждут"), (21, "21 пара дубликатов ждёт"),
     (104, "104 пары дубликатов ждут"), (112, "112 пар дубликатов ждут")],
)  # fmt: skip
def test_russian_nouns_and_verbs_agree_with_their_numbers(pending: int, expected: str) -> None:
    data = summary_data()
    data["entities"] = [{"entity": "contact", "dedupe": {"review_pending": pending}}]
    root = parse_page(render_summary(summary_from_dict(data)))
    review = next(li for li in root.iter("li") if li.get("data-action") == "review")
    assert text_of(review).replace(NBSP, " ").startswith(expected + " вашего решения")


def test_english_singular_and_plural() -> None:
    data = summary_data()
    data["entities"] = [
        {"entity": "contact", "validation": {"rows_refused": 1}, "load": {"failed": 2}}
    ]
    root = parse_page(render_summary(summary_from_dict(data), "en"))
    todo = {
        li.get("data-action"): text_of(li).replace(NBSP, " ")
        for li in root.iter("li")
        if li.get("data-action")
    }
    assert todo["errors"].startswith("1 row failed the checks because of a data error and is")
    assert todo["failed"].startswith("2 records were refused by the portal")


def _status(summary: RunSummary) -> tuple[str | None, list[str | None]]:
    root = parse_page(render_summary(summary))
    status = next(p for p in root.iter("p") if p.get("data-status")).get("data-status")
    return status, [li.get("data-action") for li in root.iter("li") if li.get("data-action")]


def test_status_of_a_clean_finished_load_a_dry_run_and_an_unfinished_load() -> None:
    start = summary_from_dict(summary_data()).started_at
    sources = (SourceCount("a.csv", 10),)
    done = EntitySummary("company", sources, load=LoadCounts(done=10))
    assert _status(RunSummary("m", start, (done,))) == ("done", ["none"])
    dry = EntitySummary("company", sources, dedupe=DedupeCounts(clusters=1, records_merged=1))
    assert _status(RunSummary("m", start, (dry,))) == ("dry", ["dry"])
    halfway = EntitySummary("company", sources, load=LoadCounts(done=4, sending=2, planned=4))
    assert _status(RunSummary("m", start, (halfway,))) == ("running", ["pending"])


def test_stages_that_did_not_run_show_a_dash_not_a_zero() -> None:
    data = summary_data()
    data["entities"] = [{"entity": "lead", "sources": [{"file": "leads.csv", "rows": 7}]}]
    data["finished_at"] = None
    root = parse_page(render_summary(summary_from_dict(data)))
    assert metric(root, "lead", "rows_read") == "7"
    assert {metric(root, "lead", name) for name in METRICS if name != "rows_read"} == {"—"}
    assert "ещё идёт" in "\n".join(page_lines(root))


HOSTILE = '<script>alert("x")</script><img src=http://evil.example/x.png onerror=alert(1)>&amp;'


def test_all_data_is_escaped() -> None:
    data = summary_data()
    data["name"] = HOSTILE
    company = data["entities"][0]
    company["entity"] = HOSTILE
    company["sources"] = [{"file": HOSTILE, "sheet": HOSTILE, "rows": 1}]
    company["validation"]["top_rules"] = [{"rule": HOSTILE, "count": 1, "label": HOSTILE}]
    data["entities"][1]["plan"]["top_reasons"] = [{"reason": HOSTILE, "count": 2}]
    data["entities"][1]["load"]["top_failures"] = [{"reason": HOSTILE, "count": 3}]
    html = render_summary(summary_from_dict(data))
    root = parse_page(html)
    tags = {element.tag for element in root.iter()}
    assert "script" not in tags
    assert "img" not in tags
    lines = "\n".join(page_lines(root))
    assert lines.count(HOSTILE) >= 7  # title, name, entity ×3, file, sheet, rule, reasons
    assert "<script>" not in html
    assert "&amp;amp;" in html


def test_no_external_assets_and_only_relative_workbook_links(summary: RunSummary, tmp_path: Path):
    for name in WORKBOOKS:
        (tmp_path / name).write_bytes(b"")
    html = write_summary(tmp_path / "summary.html", summary).read_text("utf-8")
    root = parse_page(html)
    links = []
    for element in root.iter():
        assert element.tag not in {"script", "link", "iframe", "object", "embed", "img"}
        for attribute in ("src", "href", "xlink:href", "action", "srcset", "poster"):
            if element.get(attribute) is not None:
                links.append(element.get(attribute))
    assert sorted(set(links)) == sorted(WORKBOOKS)
    assert not re.search(r"https?:", " ".join(links))
    style = text_of(root.find(".//style"))
    assert "url(" not in style
    assert "@import" not in style
    assert "@font-face" not in style


def test_only_existing_workbooks_are_linked(summary: RunSummary, tmp_path: Path) -> None:
    (tmp_path / "plan.xlsx").write_bytes(b"")
    root = parse_page(write_summary(tmp_path / "summary.html", summary).read_text("utf-8"))
    assert [a.get("href") for a in root.iter("a")] == ["plan.xlsx", "plan.xlsx"]  # todo + list
    empty = tmp_path / "empty"
    root = parse_page(write_summary(empty / "summary.html", summary, "en").read_text("utf-8"))
    assert list(root.iter("a")) == []
    assert "No Excel reports have been written yet." in page_lines(root)


def test_the_webhook_token_never_appears(summary: RunSummary) -> None:
    raw = dataclasses.replace(summary, portal=f"https://acme.bitrix24.ru/rest/1/{TOKEN}/?auth=x")
    for page in (render_summary(summary), render_summary(raw, "en")):
        assert TOKEN not in page
        assert "auth=x" not in page
        assert "https://acme.bitrix24.ru/rest/1/***/" in page


def test_charts_are_inline_svg_with_text_alternatives(summary: RunSummary) -> None:
    root = parse_page(render_summary(summary))
    charts = {svg.get("id"): svg for svg in root.iter("svg")}
    assert set(charts) == {"funnel", "bars"}
    for chart_id, svg in charts.items():
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        assert text_of(svg.find("title"))
        assert text_of(svg.find("desc"))
    bars = [g for g in charts["bars"].iter("g") if g.get("class") == "bar"]
    assert [text_of(g.find("title")) for g in bars] == ["Компании", "Контакты", "Сделки"]
    contact_segments = {text_of(r.find("title")) for r in bars[1].iter("rect")}
    assert "Объединено: 502" in {s.replace(NBSP, " ") for s in contact_segments}
    funnel = {tr.get("data-step"): to_int(text_of(tr.find("td"))) for tr in root.iter("tr")
              if tr.get("data-step")}  # fmt: skip
    assert funnel == {
        "read": 1241570,
        "clean": 1961 + 4877 + 1234517,
        "dedupe": 1961 + 4877 + 1234517 - 664,
        "load": 1790 + 9 + 4351 + 12 + 1234497,
    }


@pytest.mark.parametrize("language", ["ru", "en"])
def test_page_text_matches_the_golden_file(
    summary: RunSummary, language: str, request: pytest.FixtureRequest
) -> None:
    lines = page_lines(parse_page(render_summary(summary, language)))
    text = "\n".join(line.replace(NBSP, " ") for line in lines) + "\n"
    text = re.sub(r"v\d+\.\d+\.\d+\S*", "v<version>", text)
    golden = GOLDEN / f"summary_{language}.txt"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text("utf-8") == text, "run pytest --update-golden and review the diff"


def test_a_dry_run_shows_no_load_figures() -> None:
    data = summary_data()
    for entity in data["entities"]:
        entity.pop("load")
    root = parse_page(render_summary(summary_from_dict(data)))
    kpis = {div.get("data-kpi"): text_of(div.find("span")) for div in root.iter("div")
            if div.get("data-kpi")}  # fmt: skip
    assert kpis["done"] == "—"
    assert kpis["merged"] == "664"
    steps = [tr.get("data-step") for tr in root.iter("tr") if tr.get("data-step")]
    assert steps == ["read", "clean", "dedupe"]
    assert [li.get("data-action") for li in root.iter("li") if li.get("data-action")][-1] == "dry"


def test_both_languages_have_the_same_sentences() -> None:
    singular = {key for words in TEXT.values() for key in words if key.endswith("_one")}
    assert set(TEXT["ru"]) - singular == set(TEXT["en"]) - singular  # "_one" where grammar needs
    assert ENTITY_NAMES["ru"].keys() == ENTITY_NAMES["en"].keys()


@pytest.mark.parametrize(
    ("read_from", "language", "label"),
    [
        ("files", "en", "rows read from files"),
        ("portal", "en", "records read from the source portal"),
        ("portal", "ru", "записей прочитано с портала-источника"),
        ("both", "en", "rows read from files and the source portal"),
    ],
)
def test_the_read_figure_names_where_the_sources_were_read(
    summary: RunSummary, read_from: str, language: str, label: str
) -> None:
    page = dataclasses.replace(summary, read_from=read_from)
    root = parse_page(render_summary(page, language))
    (card,) = [div for div in root.iter("div") if div.get("data-kpi") == "read"]
    assert text_of(card.find("span[@class='kpi-label']")) == label
    assert summary_from_dict(summary_to_dict(page)).read_from == read_from
