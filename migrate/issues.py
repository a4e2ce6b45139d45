"""Issues: every problem found in a row of data, as one long table with fixed columns.

A problem in a row never raises; it becomes an :class:`Issue` (or a row of the issues
frame, which is how the pipeline builds them in bulk). ``error`` keeps the row out of the
load, ``warning`` loads the cleaned value. Messages are written in the report language
(``ru`` by default, ``en``) from the templates in :data:`MESSAGES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any, Literal

import pandas as pd

from migrate.errors import shorten

__all__ = [
    "ISSUE_COLUMNS",
    "MESSAGES",
    "SEVERITIES",
    "Issue",
    "at_or_above",
    "concat_issues",
    "empty_issues",
    "issues_frame",
    "issues_from_frame",
    "message",
]

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one cell (or, with ``row=None``, in a whole entity).

    Attributes:
        entity: `contact`, `company`, …
        source: the source file name; ``sheet`` its sheet (`""` for CSV).
        row: 1-based row number as a spreadsheet shows it, ``None`` for entity-wide issues.
        key: the row's source key (`""` when unknown).
        column: the source column(s) the value came from; ``field`` the Bitrix24 field.
        rule: stable machine code (`key.duplicate`, `phone.invalid`, …).
        value: the ORIGINAL source value, cut to 200 characters.
        severity: `error` (row kept out) or `warning` (cleaned value loaded).
        message: human text in the report language; ``suggestion`` a proposed fix or `""`.
    """

    entity: str
    source: str
    sheet: str
    row: int | None
    key: str
    column: str
    field: str
    rule: str
    value: str
    severity: Severity
    message: str
    suggestion: str = ""


ISSUE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Issue))

MESSAGES: dict[str, dict[str, str]] = {
    "key.empty": {
        "ru": "Пустой ключ записи (колонка `{column}`): строку нельзя загрузить",
        "en": "Empty record key (column `{column}`): the row cannot be loaded",
    },
    "key.duplicate": {
        "ru": "Ключ `{value}` уже встречался в строке {first_row}: повтор не загружается",
        "en": "Key `{value}` already used in row {first_row}: the repeat is not loaded",
    },
    "field.required": {
        "ru": "Обязательное поле `{field}` не заполнено",
        "en": "Required field `{field}` is empty",
    },
    "field.unmapped_required": {
        "ru": "Поле `{field}` обязательно на портале, но не сопоставлено в маппинге",
        "en": "Field `{field}` is required by the portal but not mapped",
    },
    "field.read_only": {
        "ru": "Поле `{field}` только для чтения на портале: значения не будут загружены",
        "en": "Field `{field}` is read-only on the portal: its values will not be loaded",
    },
    "map.unknown": {
        "ru": "Значение «{value}» нет в справочнике поля `{field}`",
        "en": "Value “{value}” is not in the value map of `{field}`",
    },
    "value.escape": {
        "ru": "Значение «{value}» поля `{field}` содержит «{sequence}»: так разделённые значения "
        "не записываются (ожидались только \\n, \\r, \\\\); исправьте ячейку",
        "en": "Value “{value}” of `{field}` holds “{sequence}”, which escaped values never "
        "contain (only \\n, \\r, \\\\); fix the cell",
    },
    "map.default": {
        "ru": "Значение «{value}» нет в справочнике поля `{field}`: подставлено «{default}»",
        "en": "Value “{value}” is not in the value map of `{field}`: “{default}” used",
    },
    "enum.unknown": {
        "ru": "Значения «{value}» нет среди вариантов поля `{field}` на портале",
        "en": "Value “{value}” is not one of the portal's options for `{field}`",
    },
    "text.too_long": {
        "ru": "Текст длиннее {limit} символов ({length}): будет обрезан",
        "en": "Text longer than {limit} characters ({length}): it will be cut",
    },
    "ref.unresolved": {
        "ru": "Ссылка «{value}» ({ref}) не найдена ни по ключу, ни по названию",
        "en": "Reference “{value}” ({ref}) matches no key and no name",
    },
    "ref.ambiguous": {
        "ru": "Название «{value}» ({ref}) есть у нескольких записей: выбрана первая",
        "en": "Name “{value}” ({ref}) belongs to several records: the first is used",
    },
    "name.words_left": {
        "ru": "Слова «{words}» из полного имени не попали ни в одно поле имени (проверьте имя)",
        "en": "Words “{words}” of the full name fit no name field (check the name)",
    },
    "route.unplaced": {
        "ru": "Строка не отнесена ни к одной сущности: «{value}» в колонке `{column}` "
        "не указано ни в одном маппинге (`rows:`)",
        "en": "The row belongs to no entity: “{value}” in column `{column}` is named by no "
        "mapping (`rows:`)",
    },
    "lines.total_mismatch": {
        "ru": "Сумма `{field}` в файле ({stated}) не равна сумме товарных строк ({computed}): "
        "загружена сумма строк",
        "en": "Stated `{field}` ({stated}) differs from the sum of the product lines "
        "({computed}): the sum of the lines is loaded",
    },
    "lines.differ": {
        "ru": "Строки одной записи расходятся в поле `{field}`: взято «{kept}», "
        "другие значения: {others}",
        "en": "Lines of one record disagree on `{field}`: “{kept}” kept, other values: {others}",
    },
    "cleaner.failed": {
        "ru": "Очистка `{cleaner}` не справилась со значением «{value}»: {error}",
        "en": "Cleaner `{cleaner}` failed on “{value}”: {error}",
    },
}


def message(rule: str, language: str, **params: Any) -> str:
    """The message of ``rule`` in ``language`` with ``params`` filled in."""
    templates = MESSAGES.get(rule, {})
    template = templates.get(language) or templates.get("ru") or rule
    values = {k: shorten(v) if isinstance(v, str) else v for k, v in params.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


_DTYPES: Mapping[str, str] = {"row": "Int64"}


def empty_issues() -> pd.DataFrame:
    """An issues frame with no rows and the fixed columns."""
    return _typed(pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS}))


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """The long issues table for ``issues``."""
    rows = [astuple(i) for i in issues]
    if not rows:
        return empty_issues()
    return _typed(pd.DataFrame(rows, columns=list(ISSUE_COLUMNS), dtype=object))


def issues_from_frame(frame: pd.DataFrame) -> list[Issue]:
    """Back from the table to :class:`Issue` objects."""
    out = []
    for record in frame.loc[:, list(ISSUE_COLUMNS)].itertuples(index=False, name=None):
        values = list(record)
        values[3] = None if pd.isna(values[3]) else int(values[3])
        out.append(Issue(*values))
    return out


def concat_issues(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack issue frames, keeping the fixed columns and types."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_issues()
    return _typed(pd.concat([f.loc[:, list(ISSUE_COLUMNS)] for f in frames], ignore_index=True))


def at_or_above(issues: pd.DataFrame, threshold: str) -> pd.DataFrame:
    """Issues whose severity is ``threshold`` or worse (`never` → none)."""
    if threshold == "never":
        return issues.iloc[0:0]
    allowed = SEVERITIES[: [str(s) for s in SEVERITIES].index(threshold) + 1]
    return issues[issues["severity"].isin(allowed)]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({c: object for c in ISSUE_COLUMNS if c not in _DTYPES})
    return frame.astype(dict(_DTYPES))
