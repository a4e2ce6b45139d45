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
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from migrate.dedupe.engine import DedupeResult, dedupe_table
from migrate.dedupe.infer import infer_roles, infer_rules
from migrate.dedupe.rules import Rules, default_rules, load_rules
from migrate.errors import ConfigError, MappingError
from migrate.progress import ProgressCallback, emit
from migrate.workspace.cells import formula_safe_text

__all__ = [
    "KEY",
    "StandaloneRun",
    "dedupe_file",
    "describe_rules",
    "fit_columns",
    "load_input",
    "match_columns",
    "resolve_rules",
    "write_clusters",
]

KEY = "_dedupe_key"


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


def fit_columns(
    rules: Rules, columns: list[str], where: str, say: Callable[[str], None] | None = None
) -> Rules:
    """Shipped rules without what reads columns the file lacks; a user's rules must fit.

    For a preset (``--rules person``), a comparison with some of its columns present keeps
    those; one with none of them is dropped with a notice (optional evidence: ``person``
    without an SSN), unless it is ``required``; a blocking key reading a missing column is
    dropped with a notice. If no comparison or no blocking key is left, a required comparison
    has no column, or the rules are the user's own (a missing column there is a typo), the
    rules do not fit the file: :class:`MappingError` lists every missing column.
    """
    notes: list[str] = []
    notice = notes.append
    known = set(columns)
    missing = [f"comparison `{c.name}`: column `{col}` is not in the file"
               for c in rules.comparisons for col in c.columns if col not in known]  # fmt: skip
    missing += [f"blocking key `{b.name}`: column `{col}` is not in the file"
                for b in rules.blocking for col in b.columns if col not in known]  # fmt: skip
    if not missing:
        return rules
    kept = []
    for c in rules.comparisons:
        present = tuple(col for col in c.columns if col in known)
        if present and present != c.columns:
            absent = ", ".join(x for x in c.columns if x not in known)
            notice(f"comparison `{c.name}`: reads only {', '.join(present)} "
                   f"(not in the file: {absent})")  # fmt: skip
        if present:
            kept.append(replace(c, columns=present))
        elif not c.required:
            notice(f"comparison `{c.name}` dropped: {', '.join(c.columns)} not in the file")
    blocking = tuple(b for b in rules.blocking if set(b.columns) <= known)
    for b in rules.blocking:
        if b not in blocking:
            absent = ", ".join(x for x in b.columns if x not in known)
            notice(f"blocking key `{b.name}` dropped: {absent} not in the file")
    lost_required = any(c.required and not set(c.columns) & known for c in rules.comparisons)
    if not rules.preset or not kept or not blocking or lost_required:
        raise MappingError(
            f"the rules do not fit `{where}`",
            [*missing, f"the file's columns: {', '.join(columns)[:300]}"],
            next_step="fix the column names in the rules file (case does not matter), or "
            "leave `--rules` out to infer rules from the columns",
        )
    for line in notes:
        (say or (lambda _line: None))(line)
    return replace(rules, comparisons=tuple(kept), blocking=blocking)


def dedupe_file(
    path: Path,
    rules: Rules | None,
    out: Path,
    *,
    key: str | None = None,
    sheet: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> StandaloneRun:
    """Read ``path``, dedupe it with ``rules``, write ``record_id,cluster_id`` to ``out``.

    Without rules (``None``), they are inferred from the columns (:func:`infer_rules`). Only
    the clusters are written: the pairs carry no reason text and no survivor row is merged
    (``result.survivors`` is empty).
    """
    frame, rules = load_input(path, rules, key=key, sheet=sheet, on_progress=on_progress)
    result = dedupe_table(frame, rules, key=KEY, on_progress=on_progress, explain=False,
                          survive=False)  # fmt: skip
    write_clusters(result, out)
    return StandaloneRun(result, out, len(frame))


def load_input(
    path: Path,
    rules: Rules | None,
    *,
    key: str | None = None,
    sheet: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> tuple[pd.DataFrame, Rules]:
    """The file as a table keyed by :data:`KEY`, and the rules fitted to its columns."""
    from migrate.sources import read_table

    table = read_table(path, sheet=sheet)
    frame = table.frame
    columns = [str(c) for c in frame.columns if c != "_row"]
    if rules is None:
        inferred_key = _resolve_key(key, columns) if key else None
        roles = infer_roles(frame[columns], inferred_key)
        rules = infer_rules(frame[columns], inferred_key, roles=roles)
        emit(on_progress, "rules", 1, 1, unit="files", note=f"auto rules: {describe_rules(rules)}")
        left = [r.column for r in roles if r.role == "skip"]
        if left:  # record metadata, row ids, empty columns: say so, the user may disagree
            emit(on_progress, "rules", 1, 1, unit="files",
                 note="auto rules leave out (record metadata, row ids, empty, sparse "
                      f"describing columns): {', '.join(left)}")  # fmt: skip
    key = _resolve_key(key, columns) if key else _resolve_key(rules.key, columns, strict=False)
    if key is not None and key not in frame.columns:
        raise ConfigError(
            f"`{path}`: there is no key column `{key}`",
            next_step=f"pass --key with one of: {', '.join(columns)[:300]}",
        )
    renames = match_columns(rules, columns)
    frame = frame.rename(columns=renames)
    rules = fit_columns(
        rules, [renames.get(c, c) for c in columns], str(path),
        lambda line: emit(on_progress, "rules", 1, 1, unit="files", note=line),
    )  # fmt: skip
    rows = frame["_row"].astype(str) if "_row" in frame.columns else pd.Series(
        [str(i + 2) for i in range(len(frame))], index=frame.index)  # fmt: skip
    keys = frame[key].astype(str).str.strip() if key else pd.Series("", index=frame.index)
    frame[KEY] = keys.where(keys != "", "row:" + rows)
    return frame, rules


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
        keys = [formula_safe_text(record) for record in result.clusters["_key"]]
        writer.writerows(zip(keys, (result.clusters["cluster"].to_numpy() + 1).tolist(),
                             strict=True))  # fmt: skip
