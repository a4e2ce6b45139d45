"""Finding the header row under title rows, blank rows and report banners."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["HEADER_SCAN_ROWS", "detect_header_row"]

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
    выгрузки: …") and blank rows above it are skipped. When no row qualifies, the first
    non-blank row is the header.
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
    return next(i for i, cells in enumerate(filled) if cells)
