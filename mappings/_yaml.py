"""YAML loading that remembers where every value came from (for `file:line` messages).

:func:`load_located` parses a document once into plain Python data and a table
``path → line`` (1-based), where ``path`` is the tuple of keys and list indexes leading to a
value (``("fields", "PHONE", "clean", 0)``). Duplicate keys, which plain ``yaml.safe_load``
silently collapses, are reported.

YAML files are user input, and a hostile one is small: a few aliases to aliases (`&a [*b, *b …]`,
"billion laughs") expand a 2 KB file to gigabytes, an alias inside itself never ends, and a few
thousand `[` exhaust the parser's recursion. :func:`compose_bounded` (under :func:`load_located`
and :func:`safe_load_bounded`) refuses all three with a :class:`YamlTooLarge` — a
``yaml.YAMLError``, so callers report it like any broken YAML — before anything is expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_VALUES",
    "Located",
    "NotUtf8",
    "YamlTooLarge",
    "compose_bounded",
    "load_located",
    "read_utf8",
    "safe_load_bounded",
]

Path_ = tuple[Any, ...]

MAX_VALUES = 200_000
"""Most values a YAML document may hold once its aliases are expanded (keys and items count)."""


class YamlTooLarge(yaml.YAMLError):
    """A YAML document that aliases, recursion or nesting would make unbounded."""


class NotUtf8(ValueError):
    """A YAML file is not UTF-8 (saved as ANSI/cp1251 by Notepad); ``line`` is 1-based."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"line {line}: not UTF-8 text")


def read_utf8(path: Path) -> str:
    """The text of a UTF-8 file (a BOM is dropped); :class:`NotUtf8` names the first bad line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(data[: exc.start].count(b"\n") + 1) from None


@dataclass(frozen=True, slots=True)
class Located:
    """A parsed YAML document with the line of every key and value.

    Attributes:
        data: the document as plain Python data (``None`` for an empty file).
        lines: ``path → 1-based line`` for every mapping key, list item and scalar.
        duplicates: ``(path, line)`` of keys that appear twice in one mapping.
        file: the file name used in messages.
    """

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicates: list[tuple[Path_, int]] = field(default_factory=list)
    file: str = "<yaml>"

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def where(self, path: Path_) -> str:
        """``file:line`` of ``path`` for messages."""
        line = self.line(path)
        return f"{self.file}:{line}" if line else self.file


def compose_bounded(text: str) -> yaml.Node | None:
    """The node graph of ``text``, refused (:class:`YamlTooLarge`) when unbounded."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise YamlTooLarge("the document is nested too deeply to be read") from None
    if node is not None:
        _check_size(node)
    return node


def safe_load_bounded(text: str) -> Any:
    """``yaml.safe_load`` of ``text``, with the bounds of :func:`compose_bounded`."""
    node = compose_bounded(text)
    return None if node is None else yaml.SafeLoader("").construct_document(node)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_size(root: yaml.Node) -> None:
    """Count the values the document expands to (each shared node once: linear time) and
    refuse an alias that contains itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > MAX_VALUES:
                raise YamlTooLarge(
                    f"the document expands to more than {MAX_VALUES:,} values (aliases `*` "
                    f"repeated inside aliases, line {node.start_mark.line + 1})"
                )
            continue
        if key in sizes:
            continue
        open_.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_:
                raise YamlTooLarge(
                    f"an alias refers to itself (line {child.start_mark.line + 1}): the value "
                    "would never end"
                )
            if id(child) not in sizes:
                stack.append((child, False))


def load_located(text: str, file: str | Path = "<yaml>") -> Located:
    """Parse ``text``; raise ``yaml.YAMLError`` (with its own mark) on a syntax error, and
    :class:`YamlTooLarge` on a document that aliases or nesting make unbounded."""
    node = compose_bounded(text)
    if node is None:
        return Located(None, {}, [], str(file))
    loader = yaml.SafeLoader("")
    lines: dict[Path_, int] = {}
    duplicates: list[tuple[Path_, int]] = []
    data = _walk(node, (), loader, lines, duplicates)
    return Located(data, lines, duplicates, str(file))


def _walk(
    node: yaml.Node,
    path: Path_,
    loader: yaml.SafeLoader,
    lines: dict[Path_, int],
    duplicates: list[tuple[Path_, int]],
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key = key if isinstance(key, str | int | float | bool) or key is None else str(key)
            child = (*path, key)
            if key in result:
                duplicates.append((child, key_node.start_mark.line + 1))
            lines[child] = key_node.start_mark.line + 1
            result[key] = _walk(value_node, child, loader, lines, duplicates)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _walk(item, (*path, index), loader, lines, duplicates)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
