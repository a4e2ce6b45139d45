"""`b24migrate demo --from-portal`: a seeded source portal into a sandbox target, compared."""

from __future__ import annotations

import html
import json
import re

import pytest
from click.testing import CliRunner

from migrate.cli import cli

pytestmark = pytest.mark.e2e


def test_the_portal_demo_brings_everything_and_the_page_reconciles_it(tmp_path):
    root = tmp_path / "demo"
    done = CliRunner().invoke(cli, ["demo", "--from-portal", "-w", str(root), "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["differences"] == []
    assert (result["check"]["lost"], result["check"]["duplicated"]) == (0, 0)
    page = html.unescape(re.sub(r"<[^>]+>", " ", (root / "reports/summary.html").read_text()))
    page = re.sub(r"\s+", " ", page)
    # source → plan → portal, per entity: in the source, refused, merged, planned, loaded, gap
    assert "Сделки 48 0 0 48 48 0" in page
    assert "Компании 24 0 0 24 24 0" in page
    assert "История 80 0 0 80 80 0" in page
    assert "записей прочитано с портала-источника" in page  # not «из файлов»
