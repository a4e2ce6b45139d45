"""RunSummary from plain data and back; bad data is refused with the place named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate.reports.summary_model import (
    WORKBOOKS,
    EntitySummary,
    LoadCounts,
    PlanCounts,
    RunSummary,
    SourceCount,
    ValidationCounts,
    keep_existing_workbooks,
    redact_url,
    summary_from_dict,
    summary_to_dict,
)
from tests.migrate.reports.conftest import TOKEN, summary_data


def test_json_round_trip(summary: RunSummary) -> None:
    again = summary_from_dict(json.loads(json.dumps(summary_to_dict(summary))))
    assert again == summary
    assert again.entity("contact").validation.top_rules[0].rule == "email.invalid"
    assert again.entity("deal").dedupe is None
    assert again.entity("lead") is None


def test_the_route_survives_the_round_trip_and_leads_the_page(summary: RunSummary) -> None:
    from dataclasses import replace

    from migrate.plan import RouteChoice
    from migrate.reports.summary_html import render_summary

    routed = replace(summary, route=RouteChoice("add", "auto", False, 1234))
    again = summary_from_dict(json.loads(json.dumps(summary_to_dict(routed))))
    assert again.route == routed.route
    page = render_summary(again, "en")
    header_end = page.index("</header>")
    warning = page.index('data-route="add"')
    assert header_end < warning < page.index('class="kpis"')
    assert "fire for 1,234 records" in page
    quiet = render_summary(replace(summary, route=RouteChoice("import", "auto", True, 0, 9)), "en")
    assert "data-route" not in quiet  # importing fires nothing: nothing to warn about


def test_the_builder_redacts_the_portal(summary: RunSummary) -> None:
    assert summary.portal == "https://acme.bitrix24.ru/rest/1/***/"
    assert TOKEN not in json.dumps(summary_to_dict(summary))


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.bitrix24.ru/rest/1/abc123/", "https://a.bitrix24.ru/rest/1/***/"),
        ("https://a.bitrix24.ru/rest/17/abc123", "https://a.bitrix24.ru/rest/17/***"),
        ("https://a.bitrix24.ru/rest/?auth=tok", "https://a.bitrix24.ru/rest/"),
        ("https://user:pw@a.bitrix24.ru/rest/1/x/#frag", "https://a.bitrix24.ru/rest/1/***/"),
        ("sandbox", "sandbox"),
    ],
)
def test_redact_url(url: str, safe: str) -> None:
    assert redact_url(url) == safe


def test_counts_that_span_stages() -> None:
    entity = EntitySummary(
        "contact",
        (SourceCount("a.csv", 10), SourceCount("b.xlsx", 5, "Лист1")),
        validation=ValidationCounts(rows_kept=12, rows_refused=3),
        plan=PlanCounts(create=10, refused=1),
        load=LoadCounts(done=7, failed=1, sending=1, planned=1),
    )
    assert entity.rows_read == 15
    assert entity.refused == 3 + 1 + 1
    assert entity.load.pending == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(nmae="x"), r"`summary` has unknown keys \['nmae'\]"),
        (lambda d: d.pop("started_at"), r"`summary` lacks \['started_at'\]"),
        (lambda d: d["entities"][1]["load"].update(dnoe=1), r"`entities\[1\].load` has unknown"),
        (lambda d: d["entities"][0]["sources"][0].pop("rows"), r"sources\[0\]` lacks"),
        (lambda d: d["entities"][0].update(plan=[1]), r"`entities\[0\].plan` must be a mapping"),
        (lambda d: d.update(started_at="2026-11-26 09:00"), "needs a time zone offset"),
        (lambda d: d.update(started_at="yesterday"), "not an ISO 8601 date-time"),
    ],
)  # fmt: skip
def test_bad_data_names_where_it_is(change, message: str) -> None:
    data = summary_data()
    change(data)
    with pytest.raises(ValueError, match=message):
        summary_from_dict(data)


@pytest.mark.parametrize(
    "link", ["http://evil.example/x.xlsx", "javascript:alert(1)", "/etc/passwd", "../up.xlsx",
             "a\\b.xlsx"],
)  # fmt: skip
def test_workbook_links_must_be_relative_paths_beside_the_page(link: str) -> None:
    data = summary_data()
    data["workbooks"] = [link]
    with pytest.raises(ValueError, match="must be a relative path"):
        summary_from_dict(data)


def test_keep_existing_workbooks(summary: RunSummary, tmp_path: Path) -> None:
    assert summary.workbooks == WORKBOOKS
    (tmp_path / "load.xlsx").write_bytes(b"")
    (tmp_path / "errors.xlsx").mkdir()  # a directory is not a workbook
    assert keep_existing_workbooks(summary, tmp_path).workbooks == ("load.xlsx",)
