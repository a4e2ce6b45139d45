"""The source's requisites, their bank details and addresses: every one, not a company's first.

Shapes read (bitrix24/b24restdocs, api-reference/crm/requisites/…):

* ``universal/crm-requisite-list.md``: every requisite of companies (``ENTITY_TYPE_ID`` 4)
  and contacts (3), ``PRESET_ID`` one of ``presets/crm-requisite-preset-list.md`` (written by
  the preset's ``NAME``: ids differ between portals), ``DATE_CREATE``/``DATE_MODIFY``
  (the latter empty until the requisite is changed);
* ``bank-detail/crm-requisite-bankdetail-list.md``: a bank detail's parent is always a
  requisite (``ENTITY_ID``; no ``ENTITY_TYPE_ID``), ``DATE_CREATE``/``DATE_MODIFY`` likewise;
* ``addresses/crm-address-list.md``: an address has no id — ``TYPE_ID`` (one of
  ``auxiliary/enum/crm-enum-address-type.md``), ``ENTITY_TYPE_ID`` (8 a requisite, 1 a lead;
  3/4 on old portals) and ``ENTITY_ID`` name it; ``ANCHOR_TYPE_ID``/``ANCHOR_ID`` the
  requisite's owner. Its list pages by ``start`` only (``(N-1)*50``), so it is read in the
  order of that natural key, the first page first and the rest in batches.

Each table keeps the portal's own columns and adds ``ENTITY_TYPE`` (``company``,
``contact``, ``requisite``, ``lead``: the owner as a word) and, for requisites, ``PRESET``
(the preset's name), for addresses ``TYPE`` (the type's name), ``ANCHOR_TYPE`` and an ``ID``
made of the natural key (``requisite:12:6``). A second read of requisites and bank details
asks for those created or changed since the watermark (two lists: ``DATE_MODIFY`` stays
empty until a change); addresses carry no date and are read whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from loaders.batch import Command
from migrate.portal.read import read_all
from migrate.portal.source._values import text

if TYPE_CHECKING:
    from migrate.portal.source._read import TableReader

__all__ = ["PARTS_METHODS", "RequisiteParts", "address_columns"]

PARTS_METHODS = {"requisite": "crm.requisite.list", "bank_detail": "crm.requisite.bankdetail.list"}
"""The list method of each table with ids and dates (addresses have neither)."""
OWNERS = {"1": "lead", "3": "contact", "4": "company", "8": "requisite"}
_PAGE = 50
_ADDRESS_ORDER = {"ENTITY_TYPE_ID": "ASC", "ENTITY_ID": "ASC", "TYPE_ID": "ASC"}
_ADDRESS_EXTRA = ("ID", "ENTITY_TYPE", "TYPE", "ANCHOR_TYPE")


def address_columns(fields: Sequence[str]) -> list[str]:
    """An address table's columns: the portal's fields and what this reader adds."""
    return list(dict.fromkeys([*_ADDRESS_EXTRA, *fields]))


class RequisiteParts:
    """Reads the three tables with one reader's client (presets and address types once)."""

    def __init__(self, reader: TableReader) -> None:
        self.reader = reader
        self._presets: dict[str, str] | None = None
        self._types: dict[str, str] = {}
        self.fields: dict[str, tuple[str, ...]] = {}

    async def load(self) -> None:
        """Presets, address types and the three tables' fields, in one batch (once)."""
        if self._presets is not None:
            return
        presets, types, *fields = await read_all(self.reader.client, [
            ("crm.requisite.preset.list", {"select": ["ID", "NAME"]}),
            ("crm.enum.addresstype", {}),
            ("crm.requisite.fields", {}),
            ("crm.requisite.bankdetail.fields", {}),
            ("crm.address.fields", {}),
        ])  # fmt: skip
        self._presets = {text(p.get("ID")): text(p.get("NAME")) for p in _rows(presets)}
        self._types = {text(t.get("ID")): text(t.get("NAME")) for t in _rows(types)}
        names = [tuple(str(k) for k in (f if isinstance(f, Mapping) else {})) for f in fields]
        self.fields = dict(zip(("requisite", "bank_detail", "address"), names, strict=True))

    async def requisites(self, since: str | None) -> list[dict[str, str]]:
        """Every requisite of a company or a contact (created or changed since ``since``)."""
        await self.load()
        where = {"@ENTITY_TYPE_ID": [3, 4]}
        found = await self._changed("requisite", where, since)
        presets = self._presets or {}
        rows = []
        for record in found:
            row = _cells(record)
            row["ENTITY_TYPE"] = OWNERS.get(row.get("ENTITY_TYPE_ID", ""), "")
            preset = row.get("PRESET_ID", "")
            row["PRESET"] = presets.get(preset, preset)  # unknown: the id, refused by the plan
            rows.append(row)
        return rows

    async def bank_details(self, since: str | None) -> list[dict[str, str]]:
        """Every bank detail (created or changed since ``since``); its owner a requisite."""
        await self.load()
        found = await self._changed("bank_detail", {}, since)
        return [{**_cells(r), "ENTITY_TYPE": "requisite"} for r in found]

    async def addresses(self) -> list[dict[str, str]]:
        """Every address of a requisite or a lead (read whole: addresses carry no date)."""
        await self.load()
        params = {"order": _ADDRESS_ORDER, "select": ["*"]}
        client = self.reader.client
        first = await client.call("crm.address.list", {**params, "start": 0})
        found = _rows(first.result)
        if first.next and len(found) == _PAGE:  # the other pages at once, 50 to a batch
            starts = range(_PAGE, int(first.total or 0), _PAGE)
            commands = [Command(f"a{s}", "crm.address.list", {**params, "start": s})
                        for s in starts]  # fmt: skip
            for item in await client.batch(commands):
                if item.error is not None:
                    raise item.error
                found += _rows(item.result)
        return [self._address_row(r) for r in found]

    def _address_row(self, record: Mapping[str, Any]) -> dict[str, str]:
        row = _cells(record)
        owner = OWNERS.get(row.get("ENTITY_TYPE_ID", ""), row.get("ENTITY_TYPE_ID", ""))
        type_id = row.get("TYPE_ID", "")
        row.update(ID=f"{owner}:{row.get('ENTITY_ID', '')}:{type_id}", ENTITY_TYPE=owner,
                   TYPE=self._types.get(type_id, type_id),
                   ANCHOR_TYPE=OWNERS.get(row.get("ANCHOR_TYPE_ID", ""), ""))  # fmt: skip
        return row

    async def _changed(
        self, table: str, where: Mapping[str, Any], since: str | None
    ) -> list[dict[str, Any]]:
        """The table's records (with ``since``: created or changed at or after it, by ID)."""
        method, client = PARTS_METHODS[table], self.reader.client
        if since is None:
            return await client.list_all(method, where, ["*"], chained=True)
        found: dict[str, dict[str, Any]] = {}
        for stamp in (">=DATE_CREATE", ">=DATE_MODIFY"):
            rows = await client.list_all(method, {**where, stamp: since}, ["*"], chained=True)
            found.update((text(r.get("ID")), r) for r in rows)
        return [found[k] for k in sorted(found, key=lambda k: int(k) if k.isdigit() else 0)]


def _cells(record: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): text(v) for k, v in record.items()}


def _rows(result: Any) -> list[Mapping[str, Any]]:
    if isinstance(result, Mapping):
        result = list(result.values())
    return [r for r in result or [] if isinstance(r, Mapping)]
