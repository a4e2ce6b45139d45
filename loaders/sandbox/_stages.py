"""``crm.status.add`` / ``crm.status.delete`` and ``crm.category.delete``: an integrator's
pipelines and stages, created and removed through REST.

Shapes from the official docs (bitrix24/b24restdocs, read 2026-12):

* ``api-reference/crm/status/crm-status-add.md``: ``fields`` with ``ENTITY_ID``*,
  ``STATUS_ID``*, ``NAME``*, ``SORT`` (default 10), ``COLOR``, ``SEMANTICS`` (``S`` success,
  ``F`` failure, empty in progress); replies the new entry's id (an integer). A stage of
  pipeline ``n`` (``DEAL_STAGE_n``) gets the ``C<n>:`` prefix unless it already has it. Stage
  codes are Latin letters, digits, ``-`` and ``_``, at most 22 characters for ``DEAL_STAGE``.
  Errors (HTTP 400), legacy-shaped as the docs' example at 5988ed13 shows (``{"error": "",
  "error_description": "The field STATUS_ID is required."}``; a later revision of the page
  shows ``Invalid parameters.`` as the code — the pinned recording wins): ``The field
  ENTITY_ID is required.``, ``The field STATUS_ID is required.``, ``Specified entity type is
  not supported.``, ``The field Title is required.``, ``Invalid parameters.``, ``ERROR_CORE``
  ``The specified status ID already exists.`` (the page's error table), and "Cannot create an
  intermediate stage after success" (the docs give no text; an in-progress stage sorted
  after the success stage, «Restrictions for SORT»). The docs do not say that a pipeline
  takes one success stage only; the sandbox does not refuse a second one.
* ``api-reference/crm/status/crm-status-delete.md``: ``id``*, ``params[FORCED]``; replies
  ``true``; recorded: ``{"error": "Invalid identifier.", "error_description": "An invalid
  identifier was passed."}``; the table's other texts (``Status is not found.``, a system
  entry only with ``FORCED=Y``, ``There are active items in this status.``) legacy-shaped.
* ``api-reference/crm/universal/category/crm-category-delete.md``: ``entityTypeId``*, ``id``*;
  replies ``null``; ``NOT_FOUND`` «Element not found», code ``0`` «Default deal category
  cannot be deleted», code ``0`` «Deals related to the funnel <name> found». The pipeline's
  stages go with it.
"""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, method
from loaders.sandbox._errors import RestError
from loaders.sandbox._params import as_dict, as_int, is_yes
from loaders.sandbox._refs import _category_type

__all__: list[str] = []

_CODE = re.compile(r"[A-Za-z0-9_-]+")
_STAGE_DICTIONARY = re.compile(r"DEAL_STAGE(?:_(\d+))?")
_COLORS = {"S": "#7BD500", "F": "#FF5752"}
_PROCESS_COLOR = "#39A8EF"


def _error(text: str) -> RestError:
    return RestError(400, "", text)


@method("crm.status.add")
def status_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = as_dict(params.get("fields"), "fields")
    entity = str(fields.get("ENTITY_ID") or "").strip()
    if not entity:
        raise _error("The field ENTITY_ID is required.")
    code = str(fields.get("STATUS_ID") or "").strip()
    if not code:
        raise _error("The field STATUS_ID is required.")
    if not str(fields.get("NAME") or "").strip():
        raise _error("The field Title is required.")
    category = _dictionary_category(ctx, entity)
    status_id = _prefixed(code, category)
    rows = [s for s in ctx.store.table("status").values() if s["ENTITY_ID"] == entity]
    if any(s["STATUS_ID"] == status_id for s in rows):
        raise RestError(400, "ERROR_CORE", "The specified status ID already exists.")
    semantics = str(fields.get("SEMANTICS") or "") or None
    sort = as_int(fields.get("SORT")) or 10
    _check_sort(rows, semantics, sort, category)
    color = str(fields.get("COLOR") or _COLORS.get(semantics or "", _PROCESS_COLOR))
    extra = {"S": "success", "F": "apology"}.get(semantics or "", "process")
    record = {
        "ENTITY_ID": entity, "STATUS_ID": status_id, "NAME": str(fields["NAME"]),
        "NAME_INIT": "", "SORT": sort, "SYSTEM": "N", "CATEGORY_ID": category or None,
        "COLOR": color, "SEMANTICS": semantics, "EXTRA": {"SEMANTICS": extra, "COLOR": color},
    }  # fmt: skip
    ctx.touch()
    return Reply(ctx.store.insert("status", record))


def _dictionary_category(ctx: Ctx, entity: str) -> int | None:
    """The pipeline of a stage dictionary (``None`` for other dictionaries); an unknown
    dictionary is refused."""
    found = _STAGE_DICTIONARY.fullmatch(entity)
    if found is None:
        if any(s["ENTITY_ID"] == entity for s in ctx.store.table("status").values()):
            return None
        raise _error("Specified entity type is not supported.")
    category = int(found.group(1) or 0)
    if ctx.store.get("category", category) is None:
        raise _error("Specified entity type is not supported.")
    return category


def _prefixed(code: str, category: int | None) -> str:
    if category is None:
        return code
    bare = code.removeprefix(f"C{category}:") if category else code
    if not _CODE.fullmatch(bare) or (category == 0 and len(bare) > 22):
        raise _error("Invalid parameters.")
    return f"C{category}:{bare}" if category else bare


def _check_sort(
    rows: list[dict[str, Any]], semantics: str | None, sort: int, category: int | None
) -> None:
    if category is None or semantics:
        return
    success = [s["SORT"] for s in rows if s.get("SEMANTICS") == "S"]
    if success and sort > min(success):
        raise RestError(400, "", "Cannot create an intermediate stage after success")


@method("crm.status.delete")
def status_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid = as_int(params.get("id", params.get("ID")))
    if rid is None or rid <= 0:
        raise RestError(400, "Invalid identifier.", "An invalid identifier was passed.")
    row = ctx.store.get("status", rid)
    if row is None:
        raise _error("Status is not found.")
    forced = is_yes(as_dict(params.get("params"), "params").get("FORCED", "N"))
    if row.get("SYSTEM") == "Y" and not forced:
        raise _error(
            "CRM System Status can be deleted only if parameter FORCED is specified and equal "
            'to "Y".'
        )
    if row["ENTITY_ID"].startswith("DEAL_STAGE") and any(
        d.get("STAGE_ID") == row["STATUS_ID"] for d in ctx.store.table("deal").values()
    ):
        raise _error("There are active items in this status.")
    ctx.store.delete("status", rid)
    ctx.touch()
    return Reply(True)


@method("crm.category.delete")
def category_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _category_type(params)
    rid = as_int(params.get("id"))
    row = ctx.store.get("category", rid) if rid is not None else None
    if row is None or rid is None:
        raise RestError(400, "NOT_FOUND", "Element not found")
    if row.get("IS_DEFAULT") == "Y":
        raise RestError(400, "0", "Default deal category cannot be deleted")
    if any(int(d.get("CATEGORY_ID") or 0) == rid for d in ctx.store.table("deal").values()):
        raise RestError(400, "0", f"Deals related to the funnel {row['NAME']} found")
    for sid, status in list(ctx.store.table("status").items()):
        if status["ENTITY_ID"] == f"DEAL_STAGE_{rid}":
            ctx.store.delete("status", sid)
    ctx.store.delete("category", rid)
    ctx.touch()
    return Reply(None)
