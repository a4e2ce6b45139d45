"""Small helpers for walking CommerceML XML (namespaces ignored, errors with the line)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from migrate.errors import SourceReadError

__all__ = ["attr", "child", "iterparse", "tag", "text"]


def tag(el: ET.Element) -> str:
    """The element's name without its namespace."""
    return el.tag.rsplit("}", 1)[-1]


def child(el: ET.Element, name: str) -> ET.Element | None:
    """The first child called ``name``."""
    return next((c for c in el if tag(c) == name), None)


def text(el: ET.Element | None, name: str | None = None) -> str:
    """The stripped text of ``el`` (or of its child ``name``); ``""`` when absent."""
    node = el if name is None or el is None else child(el, name)
    return "" if node is None or node.text is None else node.text.strip()


def attr(el: ET.Element, name: str) -> str:
    """The stripped attribute ``name`` of ``el``; ``""`` when absent."""
    return (el.get(name) or "").strip()


def iterparse(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """``(event, element)`` pairs; a broken file raises SourceReadError naming the line."""
    try:
        yield from ET.iterparse(path, events=("start", "end"))
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceReadError(
            f"the XML is broken ({exc.msg if hasattr(exc, 'msg') else exc})",
            source=str(path),
            row=line,
            next_step="export the catalogue from 1C again (the file may be cut short)",
        ) from None
    except OSError as exc:
        raise SourceReadError(f"cannot open the file ({exc.strerror})", source=str(path)) from None
