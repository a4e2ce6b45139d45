"""Reading a write command's result: the new id of a create, the ``true`` of an update."""

from __future__ import annotations

from typing import Any

from loaders.entities._command import UnexpectedResult, WriteOp

__all__ = ["parse_write_result"]


def parse_write_result(method: str, op: WriteOp, result: Any) -> int | None:
    """The portal id a create returned, or ``None`` for an update/set that returned ``true``.

    Legacy adds return the new id as an integer (some proxies turn it into text);
    updates and relation sets return ``true``.
    """
    if op == "create":
        if isinstance(result, int) and not isinstance(result, bool) and result > 0:
            return result
        if isinstance(result, str) and result.isdigit() and int(result) > 0:
            return int(result)
    elif result is True:
        return None
    raise UnexpectedResult(f"{method}: unexpected result {result!r} for {op}"[:200])
