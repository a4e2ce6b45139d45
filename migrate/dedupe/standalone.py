"""Dedupe any CSV/XLSX outside a workspace: ``record_id,cluster_id`` for every input record.

The file is read with :func:`migrate.sources.read_table` (encoding, delimiter and header row
detected; every cell text). There is no mapping, so the comparisons clean their own columns:
``kind: phone`` reads ``8 (916) 123-45-67`` as ``+79161234567``, ``kind: date`` reads
``19.03.1985`` and ``1985-03-19`` alike, and so on. A record without a key gets ``row:<n>``;
records sharing one key are the same record and land in one cluster.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from migrate.dedupe.engine import DedupeResult, dedupe_table
from migrate.dedupe.infer import infer_rules
from migrate.dedupe.rules import Rules, default_rules, load_rules
from migrate.errors import ConfigError, MappingError
from migrate.workspace.cells import formula_safe_text

__all__ = [
    "StandaloneRun",
    "check_columns",
    "dedupe_file",
    "describe_rules",
    "match_columns",
    "resolve_rules",
    "write_clusters",
]

_KEY = "_dedupe_key"


@dataclass(frozen=True, slots=True)
class StandaloneRun:
    """The dedupe result and where the clusters were written."""

    result: DedupeResult
    out: Path
    records: int


AUTO = "auto"


def resolve_rules(spec: str | None) -> Rules | None:
    """``--rules``: a RULES.yaml path, a preset name, or ``auto``/none (``None``: infer them)."""
    if spec is None or spec == AUTO:
        return None
    if Path(spec).exists():
        return load_rules(Path(spec))
    return default_rules(spec)


def match_columns(rules: Rules, columns: list[str]) -> dict[str, str]:
    """File column → the rules' spelling, for columns that differ only in case or spaces."""
    wanted = {c for comparison in rules.comparisons for c in comparison.columns}
    wanted |= {c for key in rules.blocking for c in key.columns}
    loose: dict[str, list[str]] = {}
    for column in columns:
        loose.setdefault(column.strip().casefold(), []).append(column)
    renames = {}
    for name in wanted - set(columns):
        found = loose.get(name.strip().casefold(), [])
        if len(found) == 1:
            renames[found[0]] = name
    return renames


def check_columns(rules: Rules, columns: list[str], where: str) -> None:
    """Every column a rule names must exist; raise listing all that do not."""
    known = set(columns)
    problems = [
        f"comparison `{c.name}`: column `{col}` is not in the file"
        for c in rules.comparisons for col in c.columns if col not in known
    ] + [
        f"blocking key `{b.name}`: column `{col}` is not in the file"
        for b in rules.blocking for col in b.columns if col not in known
    ]  # fmt: skip
    if problems:
        raise MappingError(
            f"the rules do not fit `{where}`",
            [*problems, f"the file's columns: {', '.join(columns)[:300]}"],
            next_step="fix the column names in the rules file (case does not matter), or "
            "leave `--rules` out to infer rules from the columns",
        )


def dedupe_file(
    path: Path,
    rules: Rules | None,
    out: Path,
    *,
    key: str | None = None,
    sheet: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> StandaloneRun:
    """Read ``path``, dedupe it with ``rules``, write ``record_id,cluster_id`` to ``out``.

    Without rules (``None``), they are inferred from the columns (:func:`infer_rules`).
    """
    from migrate.sources import read_table

    table = read_table(path, sheet=sheet)
    frame = table.frame
    columns = [str(c) for c in frame.columns if c != "_row"]
    if rules is None:
        rules = infer_rules(frame[columns], _resolve_key(key, columns) if key else None)
        say = progress or (lambda _line: None)
        say(f"auto rules: {describe_rules(rules)}")
    key = _resolve_key(key, columns) if key else _resolve_key(rules.key, columns, strict=False)
    if key is not None and key not in frame.columns:
        raise ConfigError(
            f"`{path}`: there is no key column `{key}`",
            next_step=f"pass --key with one of: {', '.join(columns)[:300]}",
        )
    renames = match_columns(rules, columns)
    frame = frame.rename(columns=renames)
    check_columns(rules, [renames.get(c, c) for c in columns], str(path))
    rows = frame["_row"].astype(str) if "_row" in frame.columns else pd.Series(
        [str(i + 2) for i in range(len(frame))], index=frame.index)  # fmt: skip
    keys = frame[key].astype(str).str.strip() if key else pd.Series("", index=frame.index)
    frame[_KEY] = keys.where(keys != "", "row:" + rows)
    result = dedupe_table(frame, rules, key=_KEY, progress=progress)
    write_clusters(result, out)
    return StandaloneRun(result, out, len(frame))


def _resolve_key(key: str | None, columns: list[str], *, strict: bool = True) -> str | None:
    """The file's spelling of ``key`` (case, spaces ignored); a rules file's key may be absent."""
    if key is None or key in columns:
        return key
    found = [c for c in columns if c.strip().casefold() == key.strip().casefold()]
    if len(found) == 1:
        return found[0]
    return key if strict else None


def describe_rules(rules: Rules) -> str:
    """One line: each comparison with its kind and columns, then the blocking keys."""
    parts = [f"{c.name} ({c.kind}: {', '.join(c.columns)})" for c in rules.comparisons]
    return "; ".join(parts) + f"; blocking: {', '.join(b.name for b in rules.blocking)}"


def write_clusters(result: DedupeResult, out: Path) -> None:
    """``record_id,cluster_id``: one line per record in input order, clusters numbered from 1.

    An id that Excel would read as a formula (``=HYPERLINK(…)``) is written with a leading
    ``'`` (:func:`~migrate.workspace.cells.formula_safe_text`).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "cluster_id"])
        for record, cluster in zip(result.clusters["_key"], result.clusters["cluster"],
                                   strict=True):  # fmt: skip
            writer.writerow([formula_safe_text(record), int(cluster) + 1])
