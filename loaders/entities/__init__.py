"""Pure builders: a record to write → the REST commands that write it, and back.

Nothing here does I/O. The load engine hands a :class:`WriteRequest` (legacy UPPER_CASE fields,
references already resolved to portal ids) to a builder and gets a :class:`Command`
(method + params) to put into a `batch`:

* :func:`build_write` — the legacy route: ``crm.<entity>.add`` / ``update`` (``params[IMPORT]=Y``
  for contacts and companies that carry historical dates), ``crm.product.add`` and
  ``crm.productsection.add`` with ``XML_ID``, ``crm.requisite.add``, relation sets
  (``crm.deal.productrows.set``, ``crm.deal.contact.items.set``,
  ``crm.contact.company.items.set``), ``crm.timeline.comment.add`` and ``crm.activity.add``
  with the original date and author in the text (and their attachments as base64),
  ``tasks.task.add`` bound through ``UF_CRM_TASK``; a smart process's items by
  ``crm.item.add`` / ``update`` (camelCase, ``xmlId`` = the source key, the ``entityTypeId``
  from the record's ``_ENTITY_TYPE_ID`` hint);
* :func:`build_imports` — the import route: ``crm.item.batchImport``, ≤ 20 camelCase items per
  command in ascending ``createdTime``;
* :func:`build_lookups` / :func:`build_comment_lookup` / :func:`build_task_lookup` +
  :func:`parse_lookup` — reconciliation: which records did the portal write under our
  ``ORIGINATOR_ID`` + ``ORIGIN_ID`` (or ``XML_ID``, the comment tag, a task's ``XML_ID``)?
* :func:`parse_write_result`, :func:`parse_import_result` — a command's result → portal id;
* :func:`build_structure_add` / :func:`build_structure_lookup` / :func:`find_structure` /
  :func:`build_structure_delete` (+ list items) — user fields, pipelines and stages the plan
  proposed, found again by FIELD_NAME, name or STATUS_ID.

Every created record carries its origin key, so a look-up can find it after a crash.
"""

from loaders.entities._catalog import catalog_names
from loaders.entities._command import (
    ENTITY_TYPE_HINT,
    MULTI_FIELDS,
    Command,
    MultiValue,
    UnexpectedResult,
    WriteOp,
    WriteRequest,
    appended_values,
    entity_type_of,
    item_xml_id,
    legacy_multi,
)
from loaders.entities._import import (
    IMPORT_BATCH_SIZE,
    ImportCommand,
    build_imports,
    camel_field,
    import_item,
    parse_import_result,
)
from loaders.entities._lookup import (
    LOOKUP_CHUNK,
    Lookup,
    build_address_lookups,
    build_comment_lookup,
    build_lookups,
    build_task_lookup,
    parse_address_rows,
    parse_lookup,
    unwrap_rows,
)
from loaders.entities._requisites import RequisitePresets, choose_preset, presets_from_rows
from loaders.entities._results import parse_write_result
from loaders.entities._specs import SPECS, EntitySpec, spec_for
from loaders.entities._structure import (
    build_item_add,
    build_item_read,
    build_structure_add,
    build_structure_delete,
    build_structure_lookup,
    find_structure,
    list_item_ids,
    parse_structure_id,
)
from loaders.entities._writes import (
    ADDRESS_KEY,
    ATTACHMENTS,
    FIELD_FILES,
    FILE_DATA,
    FILE_FIELDS_SET,
    HISTORY_FIELDS,
    address_written,
    build_address_delete,
    build_write,
    comment_tag,
    history_header,
    task_binding,
    task_xml_id,
)

__all__ = [
    "ADDRESS_KEY",
    "ATTACHMENTS",
    "ENTITY_TYPE_HINT",
    "FIELD_FILES",
    "FILE_DATA",
    "FILE_FIELDS_SET",
    "HISTORY_FIELDS",
    "IMPORT_BATCH_SIZE",
    "LOOKUP_CHUNK",
    "MULTI_FIELDS",
    "SPECS",
    "Command",
    "EntitySpec",
    "ImportCommand",
    "Lookup",
    "MultiValue",
    "RequisitePresets",
    "UnexpectedResult",
    "WriteOp",
    "WriteRequest",
    "address_written",
    "appended_values",
    "build_address_delete",
    "build_address_lookups",
    "build_comment_lookup",
    "build_imports",
    "build_item_add",
    "build_item_read",
    "build_lookups",
    "build_structure_add",
    "build_structure_delete",
    "build_structure_lookup",
    "build_task_lookup",
    "build_write",
    "camel_field",
    "catalog_names",
    "choose_preset",
    "comment_tag",
    "entity_type_of",
    "find_structure",
    "history_header",
    "import_item",
    "item_xml_id",
    "legacy_multi",
    "list_item_ids",
    "parse_address_rows",
    "parse_import_result",
    "parse_lookup",
    "parse_structure_id",
    "parse_write_result",
    "presets_from_rows",
    "spec_for",
    "task_binding",
    "task_xml_id",
    "unwrap_rows",
]
