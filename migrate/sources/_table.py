"""RawTable and the one place that turns a grid of text cells into it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["ROW_COLUMN", "RawTable", "column_letter", "make_unique", "table_from_grid"]

ROW_COLUMN = "_row"


@dataclass(frozen=True, slots=True)
class RawTable:
    """A source table exactly as read: every cell text, nothing cleaned.

    Attributes:
        frame: one column per header text (stripped, made unique with `` (2)``, `` (3)``;
            a column with data but no header is named ``Column F`` after its spreadsheet
            letter), every cell ``str`` (``""`` when empty), plus ``_row``: the 1-based row
            number a spreadsheet shows (for XML: the element's 1-based ordinal).
        source: the file read.
        sheet: the sheet name; ``""`` for CSV and XML.
        header_row: the 1-based row number of the header (0 for XML, which has none).
    """

    frame: pd.DataFrame
    source: Path
    sheet: str
    header_row: int

    @property
    def columns(self) -> list[str]:
        """The data columns, without ``_row``."""
        return [c for c in self.frame.columns if c != ROW_COLUMN]

    def __len__(self) -> int:
        return len(self.frame)


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``: the spreadsheet name of a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def make_unique(names: Sequence[str]) -> list[str]:
    """Strip header texts, name blank ones after their letter and suffix repeats `` (2)``."""
    seen: dict[str, int] = {}
    taken = {str(n).strip() for n in names}
    out = []
    for i, raw in enumerate(names):
        name = " ".join(str(raw).split()) or f"Column {column_letter(i)}"
        if name in seen:
            n = seen[name] + 1
            while f"{name} ({n})" in taken:
                n += 1
            seen[name] = n
            name = f"{name} ({n})"
        else:
            seen[name] = 1
        taken.add(name)
        out.append(name)
    return out


def table_from_grid(
    header: Sequence[str],
    frame: pd.DataFrame,
    first_row: int,
    *,
    source: Path,
    sheet: str,
    header_row: int,
) -> RawTable:
    """Build a RawTable from a header and a positional frame of text cells.

    ``frame`` holds the rows below the header with integer column labels; its rows are
    numbered from ``first_row``. Fully empty rows are dropped (their numbers stay as gaps in
    ``_row``), and so are columns with neither a header nor any data.
    """
    width = max(len(header), frame.shape[1])
    header = [*header, *[""] * (width - len(header))]
    frame = frame.reindex(columns=range(width), fill_value="")
    frame = frame.fillna("").astype(str)
    filled = frame != ""
    keep = [i for i in range(width) if str(header[i]).strip() or bool(filled[i].any())]
    frame = frame[keep]
    rows = filled[keep].any(axis=1) if keep else filled.any(axis=1)
    row_numbers = pd.RangeIndex(first_row, first_row + len(frame))
    frame = frame[rows.to_numpy()]
    names = make_unique([str(header[i]).strip() or f"Column {column_letter(i)}" for i in keep])
    names = [f"{n} (2)" if n == ROW_COLUMN else n for n in names]
    frame.columns = pd.Index(names)
    frame = frame.reset_index(drop=True)
    frame.insert(len(names), ROW_COLUMN, row_numbers[rows.to_numpy()].to_numpy())
    frame = _drop_repeated_headers(frame, [str(header[i]) for i in keep])
    frame = _drop_total_rows(frame)
    return RawTable(frame=frame, source=source, sheet=sheet, header_row=header_row)


_TOTAL = re.compile(r"^(?:итого|итог|всего|total|grand total)(?![а-яёa-z])", re.I)
_NUMBER_LIKE = re.compile(r"^[\d\s.,:;/+\-()%₽$€]+(?:\s*(?:руб\.?|р\.|rub|шт\.?))?$", re.I)


def _drop_total_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the totals rows at the end of a report: ``Итого``/``Всего``/``Total`` in the
    first filled cell, then only numbers, and not every column filled."""
    columns = [c for c in frame.columns if c != ROW_COLUMN]
    drop = []
    for index in list(frame.index[-3:])[::-1]:
        cells = [str(frame.at[index, c]).strip() for c in columns]
        filled = [c for c in cells if c]
        if (
            filled
            and _TOTAL.match(filled[0])
            and len(filled) < len(columns)
            and all(_NUMBER_LIKE.match(c) for c in filled[1:])
        ):
            drop.append(index)
        elif filled:
            break
    return frame.drop(index=drop).reset_index(drop=True) if drop else frame


def _drop_repeated_headers(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """Drop rows that repeat the header (reports print it on every page; files get joined).

    A row is a repeat when each of its filled cells equals the header text of its column
    (a BOM or spaces aside) and it fills at least half of the named columns.
    """
    texts = [" ".join(h.replace("\ufeff", "").split()) for h in header]
    named = [i for i, t in enumerate(texts) if t]
    if len(named) < 2 or not len(frame):
        return frame
    first = frame.iloc[:, named[0]].str.replace("\ufeff", "", regex=False).str.strip()
    candidates = frame.index[(first == texts[named[0]]).to_numpy()]
    if not len(candidates):
        return frame
    repeats = []
    for index in candidates:
        cells = [" ".join(str(frame.iat[index, i]).replace("\ufeff", "").split()) for i in named]
        filled = [(c, texts[i]) for c, i in zip(cells, named, strict=True) if c]
        if len(filled) * 2 >= len(named) and all(c == t for c, t in filled):
            repeats.append(index)
    return frame.drop(index=repeats).reset_index(drop=True) if repeats else frame
