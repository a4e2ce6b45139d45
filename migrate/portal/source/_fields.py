"""The source portal's user-field definitions, kept beside the snapshots for the plan.

``crm.<entity>.userfield.list`` (api-reference/crm/deals/user-defined-fields/
crm-deal-userfield-list.md, the same for contacts, companies and leads) answers each field
with ``FIELD_NAME``, ``USER_TYPE_ID``, ``MULTIPLE`` and ``MANDATORY`` (``Y``/``N``),
``SETTINGS`` (an object, ``[]`` when empty), the labels in the language asked for
(``filter[LANG]``) and, for a list, ``LIST`` items ``{ID, SORT, VALUE, DEF, XML_ID}``. The
reader keeps them as :class:`SourceUserField` in ``.b24migrate/source_portal/user_fields.json``
so the plan proposes a field the target lacks with the source's own type, multiplicity and
list items instead of guessing them from values (:mod:`migrate.plan._structure`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SourceUserField", "read_user_fields", "user_fields_from_rows", "write_user_fields"]

FILE = "user_fields.json"
_LABELS = ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL")


@dataclass(frozen=True, slots=True)
class SourceUserField:
    """One user field as the source portal defines it.

    Attributes:
        entity: ``company`` | ``contact`` | ``deal`` | ``lead``.
        name: ``UF_CRM_…``; type: its ``USER_TYPE_ID``.
        multiple, mandatory: its ``MULTIPLE`` and ``MANDATORY`` flags.
        label: its form label (the field name when it has none).
        items: a list's item labels in the source's ``SORT`` order.
        settings: its ``SETTINGS`` (``{}`` when none).
    """

    entity: str
    name: str
    type: str
    multiple: bool = False
    mandatory: bool = False
    label: str = ""
    items: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)


def user_fields_from_rows(entity: str, rows: Any) -> dict[str, SourceUserField]:
    """``userfield.list`` rows of ``entity`` → field name → definition."""
    out = {}
    for row in rows or []:
        if not isinstance(row, Mapping) or not row.get("FIELD_NAME"):
            continue
        name = str(row["FIELD_NAME"])
        label = next((str(row[k]) for k in _LABELS if isinstance(row.get(k), str) and row[k]),
                     name)  # fmt: skip
        listed = [i for i in row.get("LIST") or [] if isinstance(i, Mapping)]
        listed.sort(key=lambda i: (int(i.get("SORT") or 0), int(i.get("ID") or 0)))
        settings = row.get("SETTINGS")
        out[name] = SourceUserField(
            entity, name, str(row.get("USER_TYPE_ID") or ""),
            multiple=row.get("MULTIPLE") in ("Y", True), mandatory=row.get("MANDATORY") in
            ("Y", True), label=label, items=tuple(str(i.get("VALUE") or "") for i in listed),
            settings=dict(settings) if isinstance(settings, Mapping) else {},
        )  # fmt: skip
    return out


def write_user_fields(folder: Path, fields: Mapping[str, Mapping[str, SourceUserField]]) -> None:
    """Keep the definitions in ``folder`` (written atomically, replacing the last read's)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {e: [asdict(f) for f in found.values()] for e, found in fields.items()}
    temp = folder / f"{FILE}.tmp"
    temp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    os.replace(temp, folder / FILE)


def read_user_fields(folder: Path) -> dict[str, dict[str, SourceUserField]]:
    """The definitions the last read kept (``{}`` before any read, or when unreadable: the
    plan then guesses from the values as for a file source)."""
    try:
        data = json.loads((folder / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, dict[str, SourceUserField]] = {}
    for entity, rows in data.items():
        found = {}
        for row in rows if isinstance(rows, list) else []:
            try:
                one = SourceUserField(**{**row, "items": tuple(row.get("items") or ())})
            except TypeError:
                continue
            found[one.name] = one
        out[str(entity)] = found
    return out
