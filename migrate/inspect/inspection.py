"""`inspect`: read one source table, profile its columns, propose a mapping."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mappings.schema import dump_mapping
from migrate.inspect.profile import TableProfile, profile_table
from migrate.inspect.propose import MappingProposal, propose_mapping
from migrate.sources import list_sheets, read_table

__all__ = ["Inspection", "inspect_source"]


@dataclass(frozen=True, slots=True)
class Inspection:
    """What `b24migrate inspect` shows: the file's sheets, the profile and the proposal."""

    sheets: tuple[str, ...]
    profile: TableProfile
    proposal: MappingProposal

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (``--json``)."""
        p = self.profile
        matches = {m.column: m for m in self.proposal.matches}
        return {
            "source": p.source,
            "sheet": p.sheet,
            "sheets": list(self.sheets),
            "header_row": p.header_row,
            "rows": p.rows,
            "entity": self.proposal.mapping.entity,
            "columns": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "fill_rate": round(c.fill_rate, 4),
                    "filled": c.filled,
                    "distinct": c.distinct,
                    "max_length": c.max_length,
                    "samples": list(c.samples),
                    "field": matches[c.name].field,
                    "match": matches[c.name].how,
                }
                for c in p.columns
            ],
            "mapping": dump_mapping(self.proposal.mapping),
        }


def inspect_source(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    entity: str | None = None,
) -> Inspection:
    """Read ``path`` (see :func:`migrate.sources.read_table`), profile it, propose a mapping."""
    table = read_table(
        path, sheet=sheet, header_row=header_row, encoding=encoding, delimiter=delimiter
    )
    profile = profile_table(table)
    return Inspection(
        sheets=tuple(list_sheets(path)),
        profile=profile,
        proposal=propose_mapping(profile, entity, hint=str(sheet or "")),
    )
