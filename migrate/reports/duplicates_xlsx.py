"""`reports/duplicates.xlsx`: the duplicates a client reviews, and reading the decisions back.

One sheet per entity. Records are grouped: a group is a cluster that will be merged plus any
record linked to it by a doubtful pair (probability between the review and match thresholds).
One row per record: the group, a **decision** cell with a dropdown (merge / keep separate /
choose master), what the tool proposes, the probability and the reason in words, the
record's compared fields, file and row. An empty decision accepts the proposal.

Reading back (:func:`read_decisions`): in a group, ``keep separate`` keeps that record apart
from every other record of the group; ``merge`` joins the record to the group's master (the
row marked ``choose master`` if any, else the proposed master); ``choose master`` makes the
record the survivor and merges it with the group's proposed members and the rows marked merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from mappings.entities import REGISTRY, where
from migrate.dedupe.decisions import Decisions
from migrate.dedupe.engine import DedupeResult
from migrate.errors import ConfigError, SourceReadError, shorten
from migrate.reports._xlsx import column_of, keep_aside, write_table
from migrate.sources import check_workbook

__all__ = ["DECISION_LABELS", "read_decisions", "unread_decisions", "write_duplicates_xlsx"]

DECISION_LABELS = {
    "ru": {"merge": "объединить", "separate": "не объединять", "master": "основная запись"},
    "en": {"merge": "merge", "separate": "keep separate", "master": "choose master"},
}
_HEADERS = {
    "ru": ("Группа", "Решение", "Предложение", "Ключ", "Вероятность, %", "Причина", "Файл",
           "Строка"),
    "en": ("Group", "Decision", "Proposal", "Key", "Probability, %", "Reason", "File", "Row"),
}  # fmt: skip
_PROPOSALS = {
    "ru": {"master": "основная запись", "merge": "объединить с {0}", "review": "проверить"},
    "en": {"master": "master record", "merge": "merge into {0}", "review": "to review"},
}
_SHEETS = {e: (REGISTRY[e].label("ru"), REGISTRY[e].label("en")) for e in where(dedupe=True)}


def _sheet_title(entity: str, language: str) -> str:
    titles = _SHEETS.get(entity)
    return (titles[0] if language == "ru" else titles[1]) if titles else entity[:31]


def _entity_of(title: str) -> str:
    for entity, titles in _SHEETS.items():
        if title in titles or title == entity:
            return entity
    return title


def write_duplicates_xlsx(
    path: Path,
    results: Mapping[str, DedupeResult],
    tables: Mapping[str, pd.DataFrame],
    *,
    language: str = "ru",
) -> Path:
    """Write the review workbook for ``results`` (rows shown from ``tables``); return ``path``."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for entity, result in results.items():
        sheet = book.create_sheet(_sheet_title(entity, language))
        table = tables[entity].reset_index(drop=True)
        header, rows = _rows(result, table, language)
        count = write_table(sheet, header, rows)
        if count:
            labels = ",".join(DECISION_LABELS[language].values())
            check = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            check.add(f"B2:B{count + 1}")
            sheet.add_data_validation(check)
    if not book.sheetnames:
        book.create_sheet("—")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _rows(
    result: DedupeResult, table: pd.DataFrame, language: str
) -> tuple[list[str], list[list[Any]]]:
    labels = _HEADERS[language]
    fields = [f for f in result.fields if f in table.columns]
    header = [*labels[:6], *fields, *labels[6:]]
    group, sizes = result.review_groups()
    clusters = result.clusters
    best = _best_pairs(result)
    proposals = _PROPOSALS[language]
    order = np.lexsort((np.arange(len(group)), group))
    numbers: dict[int, int] = {}
    rows: list[list[Any]] = []
    for index in order.tolist():
        if sizes[group[index]] < 2:
            continue
        number = numbers.setdefault(int(group[index]), len(numbers) + 1)
        key = str(clusters["_key"].iat[index])
        master = str(clusters["master"].iat[index])
        in_cluster = int((clusters["master"] == master).sum()) > 1
        if not in_cluster:
            proposal = proposals["review"]
        else:
            proposal = proposals["master"] if master == key else proposals["merge"].format(master)
        prob, reason = best.get(key, (None, ""))
        row = table.iloc[index]
        rows.append([
            number, None, proposal, key, None if prob is None else round(prob * 100, 1), reason,
            *[_show(row[f]) for f in fields],
            _show(row.get("_source", "")), _show(row.get("_row", "")),
        ])  # fmt: skip
    return header, rows


def _best_pairs(result: DedupeResult) -> dict[str, tuple[float, str]]:
    """For every record in a pair: the probability and reason of its strongest pair."""
    best: dict[str, tuple[float, str]] = {}
    pairs = result.pairs.sort_values("probability", ascending=False)
    for a, b, p, reason in zip(pairs["key_a"], pairs["key_b"], pairs["probability"],
                               pairs["reason"], strict=True):  # fmt: skip
        for key in (a, b):
            best.setdefault(str(key), (float(p), str(reason)))
    return best


def _show(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return ", ".join(str(v[0]) if isinstance(v, tuple | list) else str(v) for v in value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value if isinstance(value, int | float) else str(value)


def read_decisions(path: Path) -> dict[str, Decisions]:
    """The client's decisions from an edited duplicates workbook, by entity.

    Raises:
        ConfigError: the file is missing, not a workbook, damaged, or a decision cell holds
            something that is not a decision (every such cell listed).
        SourceReadError: a workbook that would expand beyond the bounds of
            :func:`migrate.sources.check_workbook`.
    """
    out: dict[str, Decisions] = {}
    problems: list[str] = []
    if path.is_file():
        check_workbook(path)  # before openpyxl expands it (SourceReadError: one line)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                rows = list(sheet.iter_rows(values_only=True))
                where = f"`{path.name}` sheet `{sheet.title}`"
                decided = _sheet_decisions(rows, where, problems) if rows else None
                if decided is not None:
                    out[_entity_of(sheet.title)] = decided
        finally:
            book.close()
    except Exception as exc:  # an untrusted file: whatever the parser trips on, say so plainly
        raise ConfigError(
            f"`{path}` cannot be read as the duplicates workbook ({type(exc).__name__}: "
            f"{shorten(exc, 120)})",
            next_step="pass the reports/duplicates.xlsx that `b24migrate dedupe` wrote, saved "
            "from Excel as .xlsx",
        ) from None
    if problems:
        raise ConfigError(
            f"`{path}`: {len(problems)} decision cell(s) cannot be read:\n"
            + "\n".join(f"  - {p}" for p in problems),
            next_step="choose a value from the dropdown (or leave the cell empty) and run again",
        )
    return out


def unread_decisions(
    path: Path, stored: Mapping[str, Decisions]
) -> tuple[dict[str, Decisions], Path | None]:
    """Decisions in the workbook at ``path`` that ``stored`` does not hold yet, by entity.

    A workbook that cannot be read (damaged, a cell that is not a decision) is renamed to
    `duplicates.kept-<time>.xlsx` beside it, and that path returned: the client's edits stay.
    """
    if not path.is_file():
        return {}, None
    try:
        read = read_decisions(path)
    except (ConfigError, SourceReadError):
        return {}, keep_aside(path)
    new = {}
    for entity, decisions in read.items():
        before = stored.get(entity, Decisions())
        if before.updated_by(decisions) != before:
            new[entity] = decisions
    return new, None


def _sheet_decisions(
    rows: list[tuple[Any, ...]], where: str, problems: list[str]
) -> Decisions | None:
    header = [str(h or "").strip() for h in rows[0]]
    cols = [
        column_of(header, (ru, en)) for ru, en in zip(_HEADERS["ru"], _HEADERS["en"], strict=True)
    ]
    group_col, decision_col, proposal_col, key_col = cols[:4]
    if group_col is None or decision_col is None or key_col is None or proposal_col is None:
        return None
    verdicts = {label.lower(): code for table in DECISION_LABELS.values()
                for code, label in table.items()}  # fmt: skip
    groups: dict[Any, list[tuple[str, str | None, str]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        key = row[key_col]
        if key is None or str(key).strip() == "":
            continue
        raw = row[decision_col]
        verdict = None
        if raw is not None and str(raw).strip():
            verdict = verdicts.get(str(raw).strip().lower())
            if verdict is None:
                problems.append(f"{where} row {number}: `{str(raw)[:80]}` is not a decision")
        proposal = _proposal_kind(str(row[proposal_col] or ""))
        groups.setdefault(row[group_col], []).append((str(key).strip(), verdict, proposal))
    merge: list[tuple[str, str]] = []
    separate: list[tuple[str, str]] = []
    chosen: list[str] = []
    for members in groups.values():
        _group_decisions(members, merge, separate, chosen)
    return Decisions.build(merge, separate, chosen)


def _proposal_kind(text: str) -> str:
    for table in _PROPOSALS.values():
        if text == table["master"]:
            return "master"
        if text.startswith(table["merge"].split("{")[0]):
            return "merge"
    return "review"


def _group_decisions(
    members: list[tuple[str, str | None, str]],
    merge: list[tuple[str, str]],
    separate: list[tuple[str, str]],
    chosen: list[str],
) -> None:
    keys = [k for k, _, _ in members]
    apart = [k for k, v, _ in members if v == "separate"]
    for k in apart:
        separate.extend((k, other) for other in keys if other != k)
    master = next((k for k, v, _ in members if v == "master"), None)
    if master is not None:
        chosen.append(master)
        together = [k for k, v, proposal in members if k not in apart and (
            v in ("merge", "master") or (v is None and proposal != "review"))]  # fmt: skip
    else:
        master = next((k for k, _, p in members if p == "master" and k not in apart), None)
        together = [k for k, v, _ in members if v == "merge"]
        if master is None:  # a doubtful group: «merge» joins the group's first record
            master = next((k for k in keys if k not in apart), None)
    if master is not None:
        merge.extend((master, k) for k in together if k != master)
