"""The `import` route: `crm.item.batchImport` commands (no automation rules fire)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from loaders.entities._command import (
    MULTI_FIELDS,
    Command,
    UnexpectedResult,
    WriteRequest,
    entity_type_of,
    item_xml_id,
    legacy_multi,
)
from loaders.entities._specs import spec_for

__all__ = [
    "IMPORT_BATCH_SIZE",
    "ImportCommand",
    "build_imports",
    "camel_field",
    "import_item",
    "parse_import_result",
]

IMPORT_BATCH_SIZE = 20  # MAX_IMPORT_BATCH_SIZE_EXCEEDED above this

# Legacy names whose crm.item name is not the plain camelCase of the legacy one.
_RENAMED = {
    "DATE_CREATE": "createdTime",
    "DATE_MODIFY": "updatedTime",
    "CREATED_BY_ID": "createdBy",
    "MODIFY_BY_ID": "updatedBy",
    "STATUS_ID": "stageId",  # a lead's status is its stage in crm.item [unverified on a portal]
}


@dataclass(frozen=True, slots=True)
class ImportCommand:
    """One `crm.item.batchImport` command and the source keys of its items, in order."""

    command: Command
    source_keys: tuple[str, ...]


def camel_field(name: str) -> str:
    """A legacy field name as crm.item names it: ``UF_CRM_MY_FIELD`` → ``ufCrmMyField``.

    ``UF_CRM_2_1639669411830`` → ``ufCrm2_1639669411830``: parts are joined in camelCase, and
    an underscore stays between two digit parts, as the portal names smart-process fields.
    """
    if name in _RENAMED:
        return _RENAMED[name]
    parts = [p for p in name.lower().split("_") if p]
    result = parts[0]
    for part in parts[1:]:
        if result[-1].isdigit() and part[0].isdigit():
            result += "_" + part
        else:
            result += part[0].upper() + part[1:]
    return result


def import_item(request: WriteRequest, originator: str) -> dict[str, Any]:
    """One record as a `crm.item.batchImport` data item (camelCase, multi-fields in ``fm``)."""
    item: dict[str, Any] = {}
    fm: list[dict[str, Any]] = []
    for name, value in request.fields.items():
        if name.startswith("_"):
            continue
        if name in MULTI_FIELDS:
            fm.extend(
                {"typeId": name, "valueType": e["VALUE_TYPE"], "value": e["VALUE"]}
                for e in legacy_multi(value)
            )
        else:
            item[camel_field(name)] = value
    if fm:
        item["fm"] = fm
    if spec_for(request.entity).item:  # a smart process: no originId, found by xmlId
        item["xmlId"] = item_xml_id(originator, request.source_key)
    else:
        item.update(originatorId=originator, originId=request.source_key)
    return item


def build_imports(
    entity: str, requests: Sequence[WriteRequest], originator: str
) -> list[ImportCommand]:
    """Creates of one CRM entity (or a smart process's items: their ``entityTypeId`` from the
    plan, ``xmlId`` the source key scoped by the migration) as `crm.item.batchImport`
    commands of ≤ 20 items.

    Items go in ascending ``createdTime`` (the portal refuses a record dated earlier than
    one it already has); records without a date go last, as they are created "now".
    """
    spec = spec_for(entity)
    if spec.entity_type_id is None and not spec.item:
        raise ValueError(f"{entity!r} cannot be loaded by crm.item.batchImport")
    if any(r.op != "create" or r.entity != entity for r in requests):
        raise ValueError(f"crm.item.batchImport only creates {entity!r} records")
    type_ids = {spec.entity_type_id or entity_type_of(r.fields) for r in requests}
    if len(type_ids) > 1:
        raise ValueError(f"{entity!r} records of several smart processes: {sorted(type_ids)}")
    ordered = sorted(requests, key=_created_order)
    commands = []
    for start in range(0, len(ordered), IMPORT_BATCH_SIZE):
        chunk = ordered[start : start + IMPORT_BATCH_SIZE]
        data = [import_item(request, originator) for request in chunk]
        command = Command("crm.item.batchImport", {"entityTypeId": next(iter(type_ids)),
                                                   "data": data})  # fmt: skip
        commands.append(ImportCommand(command, tuple(r.source_key for r in chunk)))
    return commands


def _created_order(request: WriteRequest) -> tuple[bool, datetime]:
    value = request.fields.get("DATE_CREATE")
    if not value:
        return (True, datetime.min.replace(tzinfo=UTC))
    moment = datetime.fromisoformat(str(value))
    return (False, moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def parse_import_result(result: Any, expected: int) -> list[int | str]:
    """Per item of a batchImport reply: the new id, or the error text (``CODE: description``).

    The reply is ``{"items": [{"item": {"id": 15}}, {"error": …, "error_description": …}]}``,
    aligned with the data sent.
    """
    items = result.get("items") if isinstance(result, Mapping) else None
    if not isinstance(items, list) or len(items) != expected:
        raise UnexpectedResult(
            f"crm.item.batchImport: expected {expected} items, got {result!r}"[:200]
        )
    return [_import_outcome(entry) for entry in items]


def _import_outcome(entry: Any) -> int | str:
    if isinstance(entry, Mapping) and isinstance(entry.get("item"), Mapping):
        return int(entry["item"]["id"])
    if isinstance(entry, Mapping) and ("error" in entry or "error_description" in entry):
        code, text = str(entry.get("error") or ""), str(entry.get("error_description") or "")
        return ": ".join(part for part in (code, _strip_br(text)) if part) or "unknown error"
    raise UnexpectedResult(f"crm.item.batchImport: unexpected item {entry!r}"[:200])


def _strip_br(text: str) -> str:
    return re.sub(r"(<br\s*/?>)+$", "", text.strip())
