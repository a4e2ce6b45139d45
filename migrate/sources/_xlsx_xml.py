"""What calamine does not tell about an .xlsx sheet, read from its XML in one streaming pass.

* formulas stored without a result (written by a program, never calculated): they would
  read as empty cells;
* error values (``#N/A``, ``#DIV/0!``), which calamine reads as empty cells;
* number formats that change what a cell means to a person: zero-padded codes
  (``0000000000`` shows the INN ``105017360`` as ``0105017360``) and percents (``0.15``
  shown as ``15%``).
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SheetScan", "apply_errors", "apply_formats", "scan_sheet", "sheet_parts"]

_UNCACHED = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"(?![^>]*\bt="str")[^>]*>'  # t="str": a cached text result
    rb"(?:<f[^>]*/>|<f[^>]*>([^<]*)</f>)(?:<v\s*/>|<v></v>)?</c>"
)
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*\bt="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>'
)
_BUILTIN_FORMATS = {9: "0%", 10: "0.00%"}
_CHUNK = 1 << 22

Format = tuple[str, int]  # ("zeros", width) or ("percent", decimals)


@dataclass(frozen=True, slots=True)
class SheetScan:
    """Formula cells without a value (``("D2", "B2+C2")``), special number formats and
    error values (``#N/A``, which calamine reads as empty) by 0-based (row, column)."""

    uncached: list[tuple[str, str]] = field(default_factory=list)
    formats: dict[tuple[int, int], Format] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _classify(code: str) -> Format | None:
    section = code.split(";", 1)[0]
    if re.fullmatch(r"0{2,}", section):
        return ("zeros", len(section))
    bare = re.sub(r'"[^"]*"|\\.', "", section)
    if "%" in bare:
        decimals = re.search(r"\.(0+)", bare)
        return ("percent", len(decimals.group(1)) if decimals else 0)
    return None


def _special_styles(archive: zipfile.ZipFile) -> dict[int, Format]:
    """Cell style index → the special format it applies."""
    try:
        styles = archive.read("xl/styles.xml").decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return {}
    codes: dict[int, str] = dict(_BUILTIN_FORMATS)
    for num_id, code in re.findall(
        r'<numFmt\b[^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"', styles
    ):
        codes[int(num_id)] = html.unescape(code)
    block = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
    out: dict[int, Format] = {}
    for index, attrs in enumerate(re.findall(r"<xf\b([^>]*?)/?>", block.group(1) if block else "")):
        found = re.search(r'numFmtId="(\d+)"', attrs)
        kind = _classify(codes.get(int(found.group(1)), "")) if found else None
        if kind:
            out[index] = kind
    return out


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name → its zip member (``xl/worksheets/sheet1.xml``), from the workbook's
    relationships (empty when they cannot be read)."""
    try:
        book = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return {}
    targets = {}
    for rel in re.findall(r"<Relationship\b([^>]*)/?>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            part = target.group(1).lstrip("/")
            targets[rid.group(1)] = part if part.startswith("xl/") else f"xl/{part}"
    out = {}
    for attrs in re.findall(r"<(?:\w+:)?sheet\b([^>]*)/?>", book):
        found = re.search(r'\bname="([^"]*)"', attrs)
        rid = re.search(r'\b(?:r:)?id="([^"]*)"', attrs)
        if found and rid and rid.group(1) in targets:
            out[html.unescape(found.group(1))] = targets[rid.group(1)]
    return out


def scan_sheet(path: Path, name: str) -> SheetScan:
    """Scan the worksheet ``name`` of an .xlsx/.xlsm (an empty scan for anything else)."""
    scan = SheetScan()
    if not zipfile.is_zipfile(path):
        return scan
    with zipfile.ZipFile(path) as archive:
        part = sheet_parts(archive).get(name)
        if part is None or part not in archive.namelist():
            return scan
        styles = _special_styles(archive)
        styled = (
            re.compile(
                rb'<c r="([A-Z]{1,3})([0-9]+)"(?: t="n")? s="('
                + b"|".join(str(i).encode() for i in styles)
                + rb')"'
            )
            if styles
            else None
        )
        columns: dict[bytes, int] = {}
        tail = b""
        with archive.open(part) as fh:
            while chunk := fh.read(_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"</c>") + 4 if b"</c>" in data else 0
                if b"<f" in data:
                    for cell, text in _UNCACHED.findall(data, 0, cut):
                        formula = html.unescape(text.decode("utf-8", "replace"))
                        scan.uncached.append((cell.decode(), formula))
                if b't="e"' in data:
                    for letters, row, text in _ERROR_CELL.findall(data, 0, cut):
                        position = (int(row) - 1, _column_index(letters))
                        scan.errors[position] = html.unescape(text.decode("utf-8", "replace"))
                for letters, row, style in styled.findall(data, 0, cut) if styled else ():
                    col = columns.get(letters)
                    if col is None:
                        col = columns[letters] = _column_index(letters)
                    scan.formats[(int(row) - 1, col)] = styles[int(style)]
                tail = data[cut:]
    return scan


def apply_errors(grid: list[list[Any]], errors: dict[tuple[int, int], str]) -> None:
    """Write error values (``#DIV/0!``) into ``grid``: a cleaner then reports them, instead
    of an empty cell passing silently."""
    for (row, col), text in errors.items():
        if row < len(grid) and col < len(grid[row]) and grid[row][col] in ("", None):
            grid[row][col] = text


def apply_formats(grid: list[list[Any]], formats: dict[tuple[int, int], Format]) -> None:
    """Write the displayed text into the cells of ``grid`` that have a special format."""
    for (row, col), (kind, size) in formats.items():
        if row >= len(grid) or col >= len(grid[row]):
            continue
        value = grid[row][col]
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if kind == "zeros" and float(value).is_integer() and value >= 0:
            grid[row][col] = str(int(value)).zfill(size)
        elif kind == "percent":
            shown = round(float(value) * 100, max(size, 10))
            text = f"{shown:.15g}"
            grid[row][col] = f"{text}%"
