"""Reconciliation look-ups: which of these records did the portal write?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loaders.entities._command import Command, UnexpectedResult, item_xml_id
from loaders.entities._specs import spec_for
from loaders.entities._writes import COMMENT_TAG_PREFIX, task_binding

__all__ = [
    "LOOKUP_CHUNK",
    "Lookup",
    "build_address_lookups",
    "build_comment_lookup",
    "build_lookups",
    "build_task_lookup",
    "parse_address_rows",
    "parse_lookup",
    "unwrap_rows",
]

LOOKUP_CHUNK = 50  # keys per `@` filter: a page holds 50 rows, so one page answers a chunk


@dataclass(frozen=True, slots=True)
class Lookup:
    """A list command asking for the records with some origin keys."""

    entity: str
    command: Command
    source_keys: tuple[str, ...]


def build_lookups(
    entity: str,
    originator: str,
    source_keys: Sequence[str],
    *,
    iblock: int | None = None,
    entity_type_id: int | None = None,
) -> list[Lookup]:
    """List commands that find the records of ``entity`` created under these keys.

    One command per 50 keys (``@`` = IN); select only the id and the key. A reply with more
    rows than keys means duplicates already exist: the caller pages on (``next``). Catalogue
    entities (products, sections) are listed within the catalogue ``iblock``, which their
    list method requires (catalog-product-list.md: filter and select need ``iblockId``); a
    smart process's items within its type, ``entity_type_id``, by ``xmlId``: the key scoped by
    the migration (``<originator>/<key>``) or, written by an older version, the plain key.
    """
    spec = spec_for(entity)
    if spec.origin in ("none", "comment_tag", "task_marker", "natural_key"):
        raise ValueError(f"{entity!r} records are not found by an origin key")
    if spec.catalog and iblock is None:
        raise ValueError(f"{entity!r} records are looked up within a catalogue: give its iblock")
    if spec.item and entity_type_id is None:
        raise ValueError(f"{entity!r} records are looked up within their type: give its id")
    lookups = []
    for start in range(0, len(source_keys), LOOKUP_CHUNK):
        chunk = tuple(source_keys[start : start + LOOKUP_CHUNK])
        if spec.catalog:
            params = _catalog_params(chunk, iblock)
        elif spec.item:
            params = _item_params(chunk, entity_type_id, originator)
        else:
            params = _crm_params(spec, originator, chunk)
        lookups.append(Lookup(entity, Command(spec.list, params), chunk))
    return lookups


def _crm_params(spec: Any, originator: str, chunk: tuple[str, ...]) -> dict[str, Any]:
    key_field = "ORIGIN_ID" if spec.origin == "origin_id" else "XML_ID"
    filter_: dict[str, Any] = {f"@{key_field}": list(chunk)}
    if spec.origin != "xml_id":
        filter_ = {"ORIGINATOR_ID": originator, **filter_}
    return {"filter": filter_, "select": ["ID", key_field], "order": {"ID": "ASC"}}


def _catalog_params(chunk: tuple[str, ...], iblock: int | None) -> dict[str, Any]:
    return {"filter": {"iblockId": iblock, "@xmlId": list(chunk)},
            "select": ["id", "iblockId", "xmlId"], "order": {"id": "ASC"}}  # fmt: skip


def _item_params(
    chunk: tuple[str, ...], entity_type_id: int | None, originator: str
) -> dict[str, Any]:
    values = [item_xml_id(originator, key) for key in chunk] + list(chunk)
    return {"entityTypeId": entity_type_id, "filter": {"@xmlId": values},
            "select": ["id", "xmlId"], "order": {"id": "ASC"}}  # fmt: skip


def build_address_lookups(requisite_ids: Sequence[int]) -> list[Command]:
    """The addresses of these requisites (crm-address-list.md: filter by ``ENTITY_TYPE_ID``
    8 and ``@ENTITY_ID``), 50 requisites a command; an address is found by its type there."""
    ids = sorted(set(requisite_ids))
    return [
        Command(
            "crm.address.list",
            {
                "filter": {"ENTITY_TYPE_ID": 8, "@ENTITY_ID": ids[start : start + LOOKUP_CHUNK]},
                "order": {"ENTITY_ID": "ASC"},
            },
        )
        for start in range(0, len(ids), LOOKUP_CHUNK)
    ]


def parse_address_rows(rows: Any) -> dict[tuple[int, int], dict[str, Any]]:
    """(requisite id, type id) → the address row, from ``crm.address.list`` rows."""
    found: dict[tuple[int, int], dict[str, Any]] = {}
    for row in unwrap_rows(rows):
        if not isinstance(row, Mapping) or "TYPE_ID" not in row or "ENTITY_ID" not in row:
            raise UnexpectedResult(f"crm.address.list: unexpected row {row!r}"[:200])
        found[(int(row["ENTITY_ID"]), int(row["TYPE_ID"]))] = dict(row)
    return found


def build_comment_lookup(owner_type: str, owner_id: int) -> Command:
    """The comments of one owner (a migrated comment is found by the tag in its text)."""
    return Command(
        "crm.timeline.comment.list",
        {
            "filter": {"ENTITY_ID": owner_id, "ENTITY_TYPE": owner_type.lower()},
            "select": ["ID", "COMMENT"],
            "order": {"ID": "ASC"},
        },
    )


def build_task_lookup(owner_type: str, owner_id: int) -> Command:
    """The tasks bound to one CRM record (tasks-task-list.md: filter ``UF_CRM_TASK``); a
    migrated task is found by its ``XML_ID`` or the tag ending its description."""
    return Command(
        "tasks.task.list",
        {
            "filter": {"UF_CRM_TASK": task_binding(owner_type, owner_id)},
            "select": ["ID", "XML_ID", "DESCRIPTION", "UF_CRM_TASK"],
            "order": {"ID": "asc"},
        },
    )


def parse_lookup(entity: str, originator: str, rows: Any) -> dict[str, list[int]]:
    """source key → portal ids found (ascending; more than one means a duplicate exists).

    ``rows`` is a list result, or a catalogue list's ``{"products": [...]}``."""
    spec = spec_for(entity)
    found: dict[str, list[int]] = {}
    for row in unwrap_rows(rows):
        row = _upper_keys(row) if isinstance(row, Mapping) else row
        if not isinstance(row, Mapping) or "ID" not in row:
            raise UnexpectedResult(f"{spec.list}: unexpected row {row!r}"[:200])
        key = _row_key(spec.origin, originator, row)
        if key is not None:
            found.setdefault(key, []).append(int(row["ID"]))
    return {key: sorted(ids) for key, ids in found.items()}


def unwrap_rows(result: Any) -> list[Any]:
    """The rows of a list result: a list, or the one list a catalogue reply wraps them in."""
    if isinstance(result, Mapping) and len(result) == 1:
        inner = next(iter(result.values()))
        if isinstance(inner, list):
            return inner
    return list(result) if isinstance(result, list | tuple) else [result]


def _upper_keys(row: Mapping[str, Any]) -> Mapping[str, Any]:
    """A catalogue or task row (``id``, ``xmlId``) named as a legacy one (``ID``, ``XML_ID``)."""
    if "id" in row and "ID" not in row:
        return {"ID": row["id"], "XML_ID": row.get("xmlId"), "DESCRIPTION": row.get("description")}
    return row


def _row_key(origin: str, originator: str, row: Mapping[str, Any]) -> str | None:
    if origin == "comment_tag":
        return _tagged_key(originator, row.get("COMMENT"))
    if origin == "task_marker":
        xml_id, own = str(row.get("XML_ID") or ""), f"{originator}/"
        return xml_id[len(own) :] if xml_id.startswith(own) else _tagged_key(
            originator, row.get("DESCRIPTION"))  # fmt: skip
    value = row.get("ORIGIN_ID" if origin == "origin_id" else "XML_ID")
    if value in (None, ""):
        return None
    own = item_xml_id(originator, "")
    if origin == "scoped_xml_id" and str(value).startswith(own):
        return str(value)[len(own) :]
    return str(value)


def _tagged_key(originator: str, text: Any) -> str | None:
    """The source key of the tag line ``b24migrate: <originator>/<key>`` in ``text``."""
    prefix = f"{COMMENT_TAG_PREFIX}{originator}/"
    for line in str(text or "").splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    return None
