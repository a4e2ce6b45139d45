"""Finding the header row under title rows, blank rows and report banners."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["HEADER_SCAN_ROWS", "detect_header_row", "join_two_row_header"]

HEADER_SCAN_ROWS = 30
_DATA_LIKE = re.compile(r"^[\d\s.,:;/+\-()%₽$€#]+$")


def _cells(row: Sequence[str]) -> list[str]:
    return [c.strip() for c in row if c and c.strip()]


def _looks_like_header(cells: list[str], width: int) -> bool:
    if len(cells) < (1 if width <= 1 else max(2, (width + 1) // 2)):
        return False
    texts = [c for c in cells if not _DATA_LIKE.match(c) and len(c) <= 120]
    return len(texts) >= 0.7 * len(cells) and len(set(cells)) >= 0.9 * len(cells)


def detect_header_row(rows: Sequence[Sequence[str]]) -> int | None:
    """Return the 0-based index of the header among the first rows, or None if all are blank.

    The header is the first row that fills at least half of the table's width with mostly
    distinct, non-numeric texts of reasonable length; title rows (one merged cell, "Дата
    выгрузки: …") and blank rows above it are skipped. When no row qualifies, the first row
    of two or more distinct names (no numbers, dates, e-mails) is the header — one that
    names only some of the columns; failing that, the first non-blank row.
    """
    sample = list(rows[:HEADER_SCAN_ROWS])
    filled = [_cells(r) for r in sample]
    counts = sorted(len(c) for c in filled if c)
    if not counts:
        return None
    width = counts[len(counts) * 3 // 4]  # the typical width of a data row, not a stray one
    for i, cells in enumerate(filled):
        if cells and _looks_like_header(cells, width):
            return i
    for i, cells in enumerate(filled):  # a header that names only some columns
        names = [c for c in cells if not _DATA_LIKE.match(c) and "@" not in c and len(c) <= 60]
        if len(names) >= 2 and len(names) >= 0.7 * len(cells) and len(set(names)) == len(names):
            return i
    return next(i for i, cells in enumerate(filled) if cells)


def _padded(row: Sequence[str], width: int) -> list[str]:
    cells = [str(c).strip() for c in row]
    return cells + [""] * (width - len(cells))


def join_two_row_header(
    rows: Sequence[Sequence[str]], merged: Sequence[tuple[int, int]] = ()
) -> list[str] | None:
    """Names for a header written on two rows, or None when ``rows[0]`` alone is the header.

    ``rows`` are the header row and the rows after it; ``merged`` the column spans (first,
    last, 0-based) of cells merged across the header row. The second row is a sub-header
    when it holds only names (no numbers, dates, phones) under a group: a merged cell over
    several columns, or (without merge information) a group name followed by blank cells that
    the second row fills, while some column named in the first row is blank in the second
    (``ID`` over two rows). Columns become ``Group / Name``; a column named on one row only
    keeps that name. At least one row must follow, or the second row would be the only data.
    """
    if len(rows) < 3:
        return None
    width = max(len(rows[0]), len(rows[1]))
    top, sub = _padded(rows[0], width), _padded(rows[1], width)
    names = [c for c in sub if c]
    if len(names) < 2 or any(_DATA_LIKE.match(c) or len(c) > 60 for c in names):
        return None
    group = list(top)
    spans = [(a, b) for a, b in merged if b > a and any(sub[a : b + 1]) and top[a]]
    for first, last in spans:
        for i in range(first + 1, min(last + 1, width)):
            group[i] = top[first]
    if not spans:
        gaps = [i for i in range(width) if not top[i] and sub[i]]
        alone = [i for i in range(width) if top[i] and not sub[i]]
        if not gaps or not alone:
            return None
        for i in gaps:
            j = i - 1
            while j >= 0 and not top[j]:
                j -= 1
            if j < 0 or not sub[j]:
                return None  # a blank with no group over it: an unnamed column, not a group
            group[i] = top[j]
    return [
        f"{g} / {n}" if g and n and g != n else (n or g) for g, n in zip(group, sub, strict=True)
    ]
