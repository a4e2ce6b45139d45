"""Reading whole lists fast: ``order[ID]=ASC``, ``filter[>ID]=last``, ``start=-1``.

``start=-1`` spares the portal its ``COUNT(*)``; each page asks for rows after the last ID
seen, and a page shorter than 50 rows is the last one. The chained form asks for up to 50
pages in one batch, each page's filter pointing at the previous page's 50th row through
``$result[pN][49][ID]`` (``[items]`` inside for ``crm.item.list``). Pages after a short page
point at a row that does not exist, so they are ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from loaders.batch import MAX_BATCH, Command, result_ref

if TYPE_CHECKING:
    from loaders.client import Bitrix24Client

__all__ = ["PAGE", "iter_pages"]

PAGE = 50


def _shape(method: str) -> tuple[str, str | None]:
    """(id field, wrapper key) of a list method: ``crm.item.list`` is camelCase in ``items``."""
    if method.lower().startswith("crm.item."):
        return "id", "items"
    return "ID", None


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
    id_field, _ = _shape(method)
    conditions = dict(filter or {})
    start = int(conditions.pop(f">{id_field}", 0) or 0)
    params: dict[str, Any] = {**(extra or {}), "order": {id_field: "ASC"}, "start": -1}
    params["filter"] = conditions
    if select:
        params["select"] = list(select) if id_field in select else [id_field, *select]
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
    id_field, wrapper = _shape(method)
    base, last = _params(method, filter, select, params)
    while True:
        if chained:
            pages = await _chained_pages(client, method, base, last, id_field, wrapper)
        else:
            reply = await client.call(method, _after(base, id_field, last))
            pages = [_rows(reply.result, wrapper)]
        for page in pages:
            if page:
                yield page
                last = int(page[-1][id_field])
        if not pages or len(pages[-1]) < PAGE:
            return


def _after(base: Mapping[str, Any], id_field: str, last: Any) -> dict[str, Any]:
    return {**base, "filter": {**base["filter"], f">{id_field}": last}}


async def _chained_pages(
    client: Bitrix24Client,
    method: str,
    base: Mapping[str, Any],
    last: int,
    id_field: str,
    wrapper: str | None,
) -> list[list[dict[str, Any]]]:
    path: tuple[str | int, ...] = (wrapper, PAGE - 1, id_field) if wrapper else (PAGE - 1, id_field)
    commands = [Command("p0", method, _after(base, id_field, last))]
    for i in range(1, MAX_BATCH):
        commands.append(
            Command(f"p{i}", method, _after(base, id_field, result_ref(f"p{i - 1}", *path)))
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
        if page and int(page[0][id_field]) <= previous:
            break  # a page after the end: its reference did not resolve
        pages.append(page)
        if len(page) < PAGE:
            break
        previous = int(page[-1][id_field])
    return pages
