"""Fixtures for the map/clean/validate tests: tiny cleaners and hand-made raw tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from cleaners import CleanerError, handle_error, register

_MESSAGES = {"ru": "плохое значение «{value}»", "en": "bad value “{value}”"}


@register("t_upper")
def t_upper(value: str, *, on_error: str = "raise") -> str | None:
    """Upper-case; a value with `!` is an error, one with `?` a warning (cleaned: no `?`)."""
    try:
        if "!" in value:
            raise CleanerError("t.bang", value, _MESSAGES, suggestion=value.replace("!", ""))
        if "?" in value:
            raise CleanerError(
                "t.question",
                value,
                _MESSAGES,
                severity="warning",
                cleaned=value.replace("?", "").upper(),
            )
    except CleanerError as error:
        return handle_error(error, on_error)  # type: ignore[arg-type]
    return value.upper()


@register("t_list")
def t_list(value: str, *, on_error: str = "raise") -> list[str]:
    """Split on commas (a multi-valued cleaner)."""
    return [part.strip() for part in value.split(",") if part.strip()]


@register("t_pad")
def t_pad(value: str, *, on_error: str = "raise", width: int = 5) -> str:
    """Left-pad with zeros to ``width`` (a cleaner with an option)."""
    return value.zfill(width)


@dataclass(frozen=True)
class Raw:
    """A RawTable look-alike: every cell text, `_row` as a spreadsheet shows it."""

    frame: pd.DataFrame
    source: Path
    sheet: str = ""
    header_row: int = 1


def make_raw(columns: dict[str, list[str]], name: str = "t.csv", sheet: str = "") -> Raw:
    frame = pd.DataFrame(columns, dtype=object)
    frame["_row"] = range(2, len(frame) + 2)
    return Raw(frame, Path(name), sheet)


def read_csv(path: Path, **_: object) -> Raw:
    """A minimal reader for workspace tests (the real one is migrate.sources.read_table)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).astype(object)
    frame["_row"] = range(2, len(frame) + 2)
    return Raw(frame, Path(path))


@pytest.fixture
def raw_factory():
    return make_raw
