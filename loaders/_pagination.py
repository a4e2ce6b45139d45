"""Reading whole lists fast: ``order[ID]=ASC``, ``filter[>ID]=last``, ``start=-1``.

``start=-1`` spares the portal its ``COUNT(*)``; each page asks for rows after the last ID
seen, and a page shorter than 50 rows is the last one. The chained form asks for up to 50
pages in one batch, each page's filter pointing at the previous page's 50th row through
``$result[pN][49][ID]`` (``[items]`` inside for ``crm.item.list``). Pages after a short page
point at a row that does not exist, so they are ignored.

``tasks.task.list`` pages the same way with its own shape (b24restdocs api-reference/tasks/
tasks-task-list.md): ``order`` and ``filter`` take ``ID`` (the filter with the ``>`` prefix),
the rows come in ``{"tasks": [...]}`` with a lowerCamel ``id``, and a page is always 50 rows.
Its ``start`` is documented only as ``(N - 1) * 50``, so it stays ``0``: each page is the first
page of the tasks after the last ID seen (the portal counts them; nothing is skipped or read
twice when tasks are added or deleted meanwhile, which offsets could not promise).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loaders.batch import MAX_BATCH, Command, result_ref

if TYPE_CHECKING:
    from loaders.client import Bitrix24Client

__all__ = ["PAGE", "iter_pages"]

PAGE = 50


@dataclass(frozen=True, slots=True)
class _Shape:
    """How a list method pages: the id in ``order``/``filter``, the id in its rows, the key
    its rows come under (none: the result is the list) and its ``start``."""

    key: str
    row_key: str
    wrapper: str | None = None
    start: int = -1


def _shape(method: str) -> _Shape:
    """``crm.item.list`` is camelCase in ``items``; ``tasks.task.list`` filters by ``ID`` and
    answers lowerCamel rows in ``tasks`` (no ``start=-1``: not documented for it)."""
    name = method.lower()
    if name.startswith("crm.item."):
        return _Shape("id", "id", "items")
    if name == "tasks.task.list":
        return _Shape("ID", "id", "tasks", 0)
    return _Shape("ID", "ID")


def _rows(result: Any, wrapper: str | None) -> list[dict[str, Any]]:
    if wrapper is not None and isinstance(result, Mapping):
        result = result.get(wrapper)
    if isinstance(result, Mapping):  # PHP list with non-sequential keys
        result = list(result.values())
    return [dict(row) for row in result or [] if isinstance(row, Mapping)]


def _params(
    method: str,
    filter: Mapping[str, Any] | None,
    select: Sequence[str] | None,
    extra: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], int]:
    shape = _shape(method)
    conditions = dict(filter or {})
    start = int(conditions.pop(f">{shape.key}", 0) or 0)
    params: dict[str, Any] = {**(extra or {}), "order": {shape.key: "ASC"}, "start": shape.start}
    params["filter"] = conditions
    if select:
        params["select"] = list(select) if shape.key in select else [shape.key, *select]
    return params, start


async def iter_pages(
    client: Bitrix24Client,
    method: str,
    filter: Mapping[str, Any] | None = None,
    select: Sequence[str] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    chained: bool = False,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the pages of a list method in ID order (see :meth:`Bitrix24Client.list_all`)."""
    shape = _shape(method)
    base, last = _params(method, filter, select, params)
    while True:
        if chained:
            pages = await _chained_pages(client, method, base, last, shape)
        else:
            reply = await client.call(method, _after(base, shape.key, last))
            pages = [_rows(reply.result, shape.wrapper)]
        for page in pages:
            if page:
                yield page
                last = int(page[-1][shape.row_key])
        if not pages or len(pages[-1]) < PAGE:
            return


def _after(base: Mapping[str, Any], id_field: str, last: Any) -> dict[str, Any]:
    return {**base, "filter": {**base["filter"], f">{id_field}": last}}


async def _chained_pages(
    client: Bitrix24Client,
    method: str,
    base: Mapping[str, Any],
    last: int,
    shape: _Shape,
) -> list[list[dict[str, Any]]]:
    wrapper, row_key = shape.wrapper, shape.row_key
    path: tuple[str | int, ...] = (wrapper, PAGE - 1, row_key) if wrapper else (PAGE - 1, row_key)
    commands = [Command("p0", method, _after(base, shape.key, last))]
    for i in range(1, MAX_BATCH):
        commands.append(
            Command(f"p{i}", method, _after(base, shape.key, result_ref(f"p{i - 1}", *path)))
        )
    result = await client.send_batch(commands)
    pages: list[list[dict[str, Any]]] = []
    previous = last
    for item in result:
        if not item.ok:
            if item.error is not None:
                raise item.error
            break
        page = _rows(item.result, wrapper)
        if page and int(page[0][row_key]) <= previous:
            break  # a page after the end: its reference did not resolve
        pages.append(page)
        if len(page) < PAGE:
            break
        previous = int(page[-1][row_key])
    return pages
