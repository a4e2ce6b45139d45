"""Reading a rendered summary page back: it is well-formed XML, so ElementTree does the work."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

BLOCKS = {"h1", "h2", "h3", "p", "li", "tr", "dt", "dd", "caption", "title", "desc", "summary",
          "footer", "text"}  # fmt: skip


def parse_page(html: str) -> ET.Element:
    """The page's root element; fails (ParseError) when the page is not well-formed."""
    doctype, _, rest = html.partition("\n")
    assert doctype == "<!DOCTYPE html>"
    return ET.fromstring(rest)


def to_int(text: str | None) -> int:
    """``1 234 567`` (no-break spaces) or ``1,234,567`` → 1234567."""
    assert text is not None
    return int(re.sub(r"[\s\u00a0\u202f,]", "", text))


def text_of(element: ET.Element | None) -> str:
    """The element's text with runs of ordinary white space folded (no-break spaces kept)."""
    assert element is not None
    return re.sub(r"[ \t\r\n]+", " ", "".join(element.itertext())).strip(" ")


def metric(root: ET.Element, entity: str, name: str) -> str:
    """The text of the overview cell of ``entity`` (``_total`` for totals) and metric ``name``."""
    cells = [
        td
        for tr in root.iter("tr")
        if tr.get("data-entity") == entity
        for td in tr.iter("td")
        if td.get("data-metric") == name
    ]
    assert len(cells) == 1, f"{entity}/{name}: {len(cells)} cells"
    return text_of(cells[0])


def page_lines(root: ET.Element) -> list[str]:
    """The page's visible text (and chart titles), one block per line, for golden files."""
    lines: list[str] = []

    def walk(element: ET.Element) -> None:
        if element.tag == "style":
            return
        if element.tag in BLOCKS:
            cells = [text_of(cell) for cell in element] if element.tag == "tr" else []
            line = " | ".join(cells) if cells else text_of(element)
            if line:
                lines.append(line)
            return
        for child in element:
            walk(child)

    walk(root)
    return lines
