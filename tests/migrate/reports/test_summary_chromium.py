"""summary.html in a real browser: headless Chromium renders it, screenshots it, keeps the SVGs.

Skipped when no Chromium is installed (``apt-get install chromium`` on Debian); the parse-based
tests in ``test_summary_html.py`` always run. Set ``B24_SCREENSHOT_DIR`` to keep the PNGs.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from migrate.reports.summary_html import write_summary
from migrate.reports.summary_model import WORKBOOKS, RunSummary

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((found for name in BROWSERS if (found := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="headless Chromium is not installed")

WIDTH, HEIGHT = 1280, 2000


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}"]  # fmt: skip
    return subprocess.run(
        [BROWSER, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def page(summary: RunSummary, tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in WORKBOOKS:
        (reports / name).write_bytes(b"")
    return write_summary(reports / "summary.html", summary)


def _png_rows(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of a PNG (no imaging library needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, width, height = 8, b"", 0, 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    return width, height, zlib.decompress(idat)


def test_chromium_renders_a_screenshot_of_the_page(page: Path, tmp_path: Path) -> None:
    shot = Path(os.environ.get("B24_SCREENSHOT_DIR", tmp_path)) / "summary.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    result = _chromium(
        tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}",
        page.as_uri(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    width, height, pixels = _png_rows(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    # a blank or error page has a handful of byte values; the summary has text, colours, charts
    assert len(set(pixels)) > 100


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_rendered_dom_keeps_the_charts_and_tables(page: Path, tmp_path: Path) -> None:
    result = _chromium(tmp_path / "profile", "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = _Collect()
    dom.feed(result.stdout)
    svgs = [attrs.get("id") for tag, attrs in dom.tags if tag == "svg"]
    assert svgs == ["funnel", "bars"]
    rects = [attrs for tag, attrs in dom.tags if tag == "rect"]
    assert len(rects) >= 4 + 3  # four funnel steps, at least one segment per entity
    rows = {attrs.get("data-entity") for tag, attrs in dom.tags if tag == "tr"}
    assert {"company", "contact", "deal", "_total"} <= rows
    assert all(tag != "script" for tag, _ in dom.tags)
