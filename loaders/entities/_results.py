"""Reading a write command's result: the new id of a create, the ``true`` of an update."""

from __future__ import annotations

from typing import Any

from loaders.entities._command import UnexpectedResult, WriteOp

__all__ = ["parse_write_result"]


#: What the catalogue methods wrap their record in (catalog-product-add.md: ``element``), and
#: the tasks methods (tasks-task-add.md: ``{"task": {"id": "3711", …}}``) and crm.item.add /
#: update (crm-item-add.md: ``{"item": {"id": 342, …}}``).
_WRAPPERS = ("element", "section", "prices", "task", "item")


def parse_write_result(method: str, op: WriteOp, result: Any) -> int | None:
    """The portal id a create returned, or ``None`` for an update/set that returned ``true``.

    Legacy adds return the new id as an integer (some proxies turn it into text);
    updates and relation sets return ``true``. The catalogue answers the record itself
    (``{"element": {"id": 5, …}}``; ``{"prices": [...]}`` for a price set).
    """
    if isinstance(result, dict) and len(result) == 1 and next(iter(result)) in _WRAPPERS:
        inner = next(iter(result.values()))
        if op != "create" and isinstance(inner, dict | list):
            return None
        result = inner.get("id") if isinstance(inner, dict) else None
    if op == "create":
        if isinstance(result, int) and not isinstance(result, bool) and result > 0:
            return result
        if isinstance(result, str) and result.isdigit() and int(result) > 0:
            return int(result)
    elif result is True:
        return None
    raise UnexpectedResult(f"{method}: unexpected result {result!r} for {op}"[:200])
