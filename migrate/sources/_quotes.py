"""A quote opened by mistake in a CSV: the cell it opens runs over the line ends and swallows
the records after it. Two ways to see it after the fast parse (which accepts anything):
:func:`runaway_quote` looks for whole records inside one cell; :func:`unclosed_quote` re-reads
the file strictly, which catches a runaway whose swallowed lines do not look like records.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

__all__ = ["runaway_quote", "unclosed_quote"]


def runaway_quote(frame: pd.DataFrame, delimiter: str, width: int) -> tuple[int, str] | None:
    """The first cell that swallowed whole records after an unclosed quote: (index, text).

    A line inside a cell is a swallowed record when it splits into exactly ``width`` fields
    and, where the first column holds numbers (ids), starts with a number too, so that notes
    with commas on their second line are not mistaken for records.
    """
    if width < 3 or len(frame) < 2:
        return None
    first = frame.iloc[1:, 0].head(200)
    numeric_ids = bool(len(first)) and bool(first.str.fullmatch(r"\s*\d+\s*").mean() > 0.9)
    for column in frame.columns:
        values = frame[column]
        if not _has_line_break(values):
            continue
        multi = values[values.str.contains("\n", regex=False)]
        for index, value in multi.head(1000).items():
            rest = [line for line in str(value).splitlines()[1:] if line.strip()]
            for line in rest:
                fields = next(csv.reader([line], delimiter=delimiter), [])
                if len(fields) != width:
                    continue
                if not numeric_ids or fields[0].strip().isdigit():
                    return int(str(index)), line
    return None


def unclosed_quote(
    frame: pd.DataFrame, source: Path, encoding: str, delimiter: str, header: int
) -> tuple[int, str] | None:
    """A quote that ran over line ends, found by a strict reading: (index in ``frame``, text).

    Runs only when some cell holds a line break (the only way a runaway shows). A quoted field
    must end with its quote right before a delimiter or the line end; a record that spans
    lines and breaks that rule, or that runs to the end of the file, had its quote opened by
    mistake and swallowed what followed, whatever the width of those lines.
    """
    if not any(_has_line_break(frame[c]) for c in frame.columns):
        return None
    with source.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        number, start = -1, 0
        try:
            for number, _row in enumerate(reader):  # noqa: B007  (number is read after)
                start = reader.line_num
        except csv.Error as exc:
            if reader.line_num - start <= 1 and "end of data" not in str(exc):
                return None
            at = number + 1 - header
            cells = [str(v) for v in frame.iloc[min(at, len(frame) - 1)] if "\n" in str(v)]
            return at, (cells[0].split("\n", 1)[1] if cells else "")
    return None


def _has_line_break(values: pd.Series) -> bool:
    """Whether a cell of ``values`` holds a line break: one joined string searched in C (the
    per-cell ``str.contains`` costs a Python call per cell), per cell if a cell is no text."""
    try:
        return "\n" in "".join(values.tolist())
    except TypeError:
        return bool(values.str.contains("\n", regex=False).any())
