"""Small helpers for walking CommerceML XML (namespaces ignored, errors with the line).

Hostile XML is refused before it costs anything: a document type declaration (`<!DOCTYPE`,
where entities are declared; 1C never writes one) and elements nested deeper than
:data:`MAX_DEPTH` (groups thousands deep) stop the read with one clear line. External entities
are never fetched by ElementTree, and expat (2.4+) caps entity amplification on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from migrate.errors import SourceReadError

__all__ = ["MAX_DEPTH", "attr", "child", "iterparse", "tag", "text"]

MAX_DEPTH = 200
"""Deepest element nesting read (a real catalogue: groups ten levels deep, about 25)."""
_HEAD = 1 << 16


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
    """``(event, element)`` pairs; a broken, declared or too deep file raises SourceReadError."""
    _refuse_doctype(path)
    depth = 0
    try:
        for event, el in ET.iterparse(path, events=("start", "end")):
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:
                raise SourceReadError(
                    f"elements are nested more than {MAX_DEPTH} levels deep (at `{tag(el)}`); "
                    "no 1C catalogue is",
                    source=str(path),
                    next_step="export the catalogue from 1C again; check the group tree",
                )
            yield event, el
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


def _refuse_doctype(path: Path) -> None:
    """A DOCTYPE can only come before the root element, so the head of the file tells."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return  # iterparse says why the file cannot be opened
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise SourceReadError(
            "the XML declares a document type (`<!DOCTYPE`/`<!ENTITY`), which 1C never writes; "
            "it is not read, so that no entity is expanded",
            source=str(path),
            next_step="export the catalogue from 1C again, or remove the declaration",
        )
