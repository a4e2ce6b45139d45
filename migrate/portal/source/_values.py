"""A source record's values written by meaning, so the target portal can match them.

* Dictionary values (``SOURCE_ID``, ``TYPE_ID``, ``COMPANY_TYPE``, a lead's ``STATUS_ID``…):
  a system id (``CALL``, ``CUSTOMER``, ``IN_PROCESS``) means the same on every portal and is
  written as it is; a custom one (``1``, ``UC_4Z1F``) is the portal's own number, so its name
  is written instead and the plan matches it by name.
* A deal's pipeline: the general pipeline is ``0`` on every portal; another is its name.
  Its stage: in the general pipeline a system id, else the stage's name (the plan matches
  stages by name within the deal's pipeline).
* Enumeration user fields: the item's label (ids differ between portals).
* A multiple user field (``MULTIPLE`` ``Y`` in the source's definition): its values one per
  line (:data:`MULTIPLE_SEPARATOR`), list items by label, each value escaped
  (:func:`mappings.escape.escape_value`: its own line breaks as ``\n``, backslashes doubled)
  so that a multi-line value stays one value; the mapping splits them back with
  ``separator: "\n", escaped: true`` and the target gets them as an array, each value as the
  source holds it.
* Owners and authors, and ``employee`` user fields: the employee's e-mail (the plan's owner
  map matches e-mails; map such a user field with ``owner:``).
* Not translated: ``crm`` user fields (links to records) hold the source's ids: leave them
  out of the mapping (runbook §7). A ``file`` user field's files are downloaded by the reader
  (:func:`._history.download_files`) and its value is their paths.

A value whose id the source's metadata does not know is written as it is, so the plan
refuses it by name rather than this reader guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mappings.escape import escape_value
from migrate.portal.source._meta import SourceMeta

__all__ = [
    "MULTIPLE_SEPARATOR",
    "MULTI_TYPES",
    "category_text",
    "field_text",
    "is_system_id",
    "multi_columns",
    "stage_text",
    "text",
]

_SYSTEM_ID = re.compile(r"[A-Z][A-Z_]*")
_STAGE_PREFIX = re.compile(r"^C\d+:")
MULTIPLE_SEPARATOR = "\n"
"""Between the values of a multiple user field in one cell; a value's own line breaks (a
multi-line text box) are escaped, so the cell's only real line breaks are this one."""
_USER_FIELDS = frozenset({"ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "AUTHOR_ID"})
MULTI_TYPES = {
    "PHONE": ("WORK", "MOBILE", "FAX", "HOME", "PAGER", "MAILING", "OTHER"),
    "EMAIL": ("WORK", "HOME", "MAILING", "OTHER"),
    "WEB": ("WORK", "HOME", "FACEBOOK", "VK", "LIVEJOURNAL", "TWITTER", "OTHER"),
    "IM": ("TELEGRAM", "WHATSAPP", "VIBER", "SKYPE", "VK", "INSTAGRAM", "OTHER"),
}
"""Multi-field value types (crm-contact-fields.md, «PHONE/EMAIL/WEB/IM»), one column each."""


def user_of(users: Mapping[str, str], value: Any) -> str:
    """A user id as a cell: the user's e-mail (``users``: id → e-mail) where known, else the id."""
    raw = text(value)
    return users.get(raw, raw) if raw else ""


def text(value: Any) -> str:
    """A REST value as a cell: ``""`` for null, lists joined with ``, ``."""
    if value is None or value is False:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value if v not in (None, ""))
    if isinstance(value, Mapping):
        return ""
    return str(value)


def is_system_id(status_id: str) -> bool:
    """``CALL``, ``IN_PROCESS``: the portal's built-in ids; ``1``, ``UC_X1Y2`` are custom."""
    return bool(_SYSTEM_ID.fullmatch(status_id)) and not status_id.startswith("UC_")


def field_text(meta: SourceMeta, entity: str, name: str, value: Any) -> str:
    """One field of ``entity`` by meaning (see the module docstring)."""
    items = meta.list_items.get(entity, {}).get(name)
    defined = meta.user_fields.get(entity, {}).get(name)
    if defined is not None and defined.multiple and defined.type in _SPLIT_TYPES:
        values = value if isinstance(value, list | tuple) else [value]
        texts = [(items or {}).get(text(v), text(v)) for v in values if text(v)]
        return MULTIPLE_SEPARATOR.join(escape_value(t) for t in texts)
    if items is not None:
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(items.get(text(v), text(v)) for v in values if text(v))
    dictionary = meta.status_fields.get(entity, {}).get(name)
    raw = text(value)
    if dictionary and raw and not dictionary.startswith("DEAL_STAGE"):
        return raw if is_system_id(raw) else meta.statuses.get((dictionary, raw), raw)
    employee = name in meta.employee_fields.get(entity, ())
    if (name in _USER_FIELDS or employee) and raw:
        return ", ".join(meta.users.get(v.strip(), v.strip()) for v in raw.split(","))
    return raw


#: Multiple user fields written one value per line (the others keep their joined text).
_SPLIT_TYPES = frozenset({"enumeration", "string", "integer", "double", "date", "datetime",
                          "url", "money"})  # fmt: skip


def category_text(meta: SourceMeta, category: Any) -> str:
    """A deal's pipeline: ``0`` for the general one, else its name."""
    raw = text(category) or meta.default_category
    if raw == meta.default_category:
        return "0"
    return meta.categories.get(raw, raw)


def stage_text(meta: SourceMeta, category: Any, stage: Any) -> str:
    """A deal's stage: a system id in the general pipeline, else the stage's name."""
    raw, pipeline = text(stage), text(category) or meta.default_category
    if not raw:
        return ""
    dictionary = "DEAL_STAGE" if pipeline in ("0", "") else f"DEAL_STAGE_{pipeline}"
    if pipeline == meta.default_category and is_system_id(raw):
        return raw
    return meta.statuses.get((dictionary, raw)) or _STAGE_PREFIX.sub("", raw)


def multi_columns(record: Mapping[str, Any]) -> dict[str, str]:
    """``PHONE WORK``, ``EMAIL HOME``…: the record's multi-field values by type, ``; ``-joined.

    A type outside :data:`MULTI_TYPES` goes to the field's ``OTHER`` column.
    """
    out: dict[str, str] = {}
    for name, kinds in MULTI_TYPES.items():
        found: dict[str, list[str]] = {k: [] for k in kinds}
        for item in record.get(name) or []:
            if not isinstance(item, Mapping) or not text(item.get("VALUE")):
                continue
            kind = str(item.get("VALUE_TYPE") or "OTHER").upper()
            found[kind if kind in found else "OTHER"].append(text(item.get("VALUE")))
        out.update({f"{name} {k}": "; ".join(v) for k, v in found.items()})
    return out
