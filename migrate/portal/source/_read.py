"""Reading each source table over REST into rows of text cells (one dict per raw-table row).

Every list is read with the client's fast paging (``order ID ASC``, ``>ID``, ``start=-1``),
chained 50 pages per batch; per-record reads (a deal's product rows and contacts, a company's
contacts, an owner's timeline comments) go 50 commands per batch. Only read methods are
called: the client is opened read-only, so a write here would be refused before it left.

Shapes read (bitrix24/b24restdocs, api-reference/crm/…): ``companies/crm-company-list.md``,
``contacts/crm-contact-list.md``, ``deals/crm-deal-list.md`` (every pipeline when no
``CATEGORY_ID`` filter is given), ``leads/crm-lead-list.md`` (``select`` ``*``, ``UF_*`` and
the multi-fields by name: ``*`` leaves them out), ``deals/crm-deal-productrows-get.md``,
``deals/contacts/crm-deal-contact-items-get.md``,
``companies/contacts/crm-company-contact-items-get.md``,
``requisites/universal/crm-requisite-list.md``, ``timeline/comments/
crm-timeline-comment-list.md`` (``ENTITY_ID`` and ``ENTITY_TYPE`` are required in its filter,
so comments are read per owner), ``products/crm-product-list.md``,
``product-section/crm-productsection-list.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from loaders.batch import Command
from loaders.client import Bitrix24Client
from migrate.portal.source._history import (
    ACTIVITY_COLUMNS,
    OWNER_TYPES,
    TASK_COLUMNS,
    download_files,
    read_activities,
    read_tasks,
)
from migrate.portal.source._meta import SourceMeta
from migrate.portal.source._requisites import PARTS_METHODS, RequisiteParts, address_columns
from migrate.portal.source._smart import SMART_COLUMNS, read_smart_items, smart_item_keys
from migrate.portal.source._values import (
    MULTI_TYPES,
    category_text,
    field_text,
    multi_columns,
    stage_text,
    text,
)

__all__ = ["LINE_FIELDS", "REQUISITE_FIELDS", "TableReader"]

_SELECT = {
    "company": ["*", "UF_*", "PHONE", "EMAIL", "WEB", "IM"],
    "contact": ["*", "UF_*", "PHONE", "EMAIL", "WEB", "IM"],
    "lead": ["*", "UF_*", "PHONE", "EMAIL", "WEB", "IM"],
    "deal": ["*", "UF_*"],
}
_SKIPPED = frozenset({"PHONE", "EMAIL", "WEB", "IM", "LINK", "CATEGORY_ID", "STAGE_ID"})
REQUISITE_FIELDS = ("RQ_COMPANY_NAME", "RQ_COMPANY_FULL_NAME", "RQ_INN", "RQ_KPP", "RQ_OGRN",
                    "RQ_OGRNIP", "RQ_OKPO", "RQ_DIRECTOR", "RQ_ACCOUNTANT")  # fmt: skip
LINE_FIELDS = ("PRODUCT_ID", "PRODUCT_NAME", "PRICE", "QUANTITY", "DISCOUNT_RATE",
               "DISCOUNT_SUM", "TAX_RATE", "MEASURE_CODE", "MEASURE_NAME")  # fmt: skip
_COMMENT_OWNERS = ("company", "contact", "deal", "lead")
_COMMENT_SELECT = ["ID", "CREATED", "ENTITY_ID", "ENTITY_TYPE", "AUTHOR_ID", "COMMENT", "FILES"]


class TableReader:
    """Reads the source tables through one read-only client, with the source's metadata."""

    def __init__(
        self,
        client: Bitrix24Client,
        meta: SourceMeta,
        files: Path | None = None,
        *,
        requisites: bool = False,
    ) -> None:
        """``files``: where downloaded files go (none: files are not read); ``requisites``:
        the ``requisite`` table is read too, so a company row carries none of them."""
        self.client, self.meta, self.files = client, meta, files
        self.with_requisites = requisites
        self.parts = RequisiteParts(self)
        #: table → records read whose data is not carried whole (a company's requisites
        #: beyond its first), so the run says so instead of dropping them quietly
        self.left_out: dict[str, int] = {}

    async def records(self, entity: str, since: str | None) -> list[dict[str, Any]]:
        """The CRM records of ``entity`` (modified at or after ``since`` when given)."""
        where = {">=DATE_MODIFY": since} if since else {}
        found = await self.client.list_all(f"crm.{entity}.list", where, _SELECT[entity],
                                           chained=True)  # fmt: skip
        fields = [(r, n) for r in found for n in self.meta.file_fields.get(entity, ()) if r.get(n)]
        paths = await asyncio.gather(*(download_files(self, entity, str(r["ID"]),
                                       _file_links(r[n])) for r, n in fields))  # fmt: skip
        for (record, name), found_paths in zip(fields, paths, strict=True):
            record[name] = found_paths  # a file field's value: its files' paths
        return found

    async def ids(self, table: str) -> set[str]:
        """Every record of ``table`` the portal holds now, as the snapshot keys it
        (:func:`snapshot_key`), by the cheapest list there is (``select: [ID]``, 2,500 ids a
        request): an activity of a CRM owner, any task, an item of any smart process."""
        if table == "activity":
            where = {"@OWNER_TYPE_ID": [int(k) for k in OWNER_TYPES]}
            found = await self.client.list_all("crm.activity.list", where, ["ID"], chained=True)
        elif table == "task":
            found = await self.client.list_all("tasks.task.list", select=["ID"], chained=True)
            return {text(t.get("id")) for t in found}
        elif table == "smart_process":
            return await smart_item_keys(self)
        elif table in PARTS_METHODS:
            where = {"@ENTITY_TYPE_ID": [3, 4]} if table == "requisite" else {}
            found = await self.client.list_all(PARTS_METHODS[table], where, ["ID"], chained=True)
        else:
            found = await self.client.list_all(f"crm.{table}.list", select=["ID"], chained=True)
        return {text(r.get("ID")) for r in found}

    async def per_record(
        self, method: str, ids: Sequence[str], params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """``method`` once per id (``{"id": id}``), 50 to a batch: id → result."""
        commands = [Command(f"r{i}", method, {"id": rid, **(params or {})}) for i, rid in
                    enumerate(ids)]  # fmt: skip
        results = await self.client.batch(commands)
        out = {}
        for rid, item in zip(ids, results, strict=True):
            if item.error is not None:
                raise item.error
            out[rid] = item.result
        return out

    # ------------------------------------------------------------------ the tables

    async def company(self, since: str | None) -> list[dict[str, str]]:
        records = await self.records("company", since)
        if self.with_requisites:  # read whole into their own table: none flattened here
            return [self._crm_row("company", r) for r in records]
        requisites, more = await self._requisites()
        self.left_out["company"] = sum(more.get(str(r["ID"]), 0) for r in records)
        none = requisites[""]
        return [{**self._crm_row("company", r), **requisites.get(str(r["ID"]), none)}
                for r in records]  # fmt: skip

    async def contact(self, since: str | None) -> list[dict[str, str]]:
        records = await self.records("contact", since)
        ids = [str(r["ID"]) for r in records]
        links = await self.per_record("crm.contact.company.items.get", ids)
        rows = []
        for record in records:
            row = self._crm_row("contact", record)
            row["COMPANY_IDS"] = _linked(links[str(record["ID"])], "COMPANY_ID")
            rows.append(row)
        return rows

    async def lead(self, since: str | None) -> list[dict[str, str]]:
        return [self._crm_row("lead", r) for r in await self.records("lead", since)]

    async def deal(self, since: str | None) -> list[dict[str, str]]:
        """One row per product row of a deal (one row when it has none), as `lines:` reads."""
        records = await self.records("deal", since)
        ids = [str(r["ID"]) for r in records]
        contacts = await self.per_record("crm.deal.contact.items.get", ids)
        lines = await self.per_record("crm.deal.productrows.get", ids)
        rows = []
        for record in records:
            row = self._crm_row("deal", record)
            row["CATEGORY"] = category_text(self.meta, record.get("CATEGORY_ID"))
            row["STAGE"] = stage_text(self.meta, record.get("CATEGORY_ID"), record.get("STAGE_ID"))
            row["CONTACT_IDS"] = _linked(contacts[str(record["ID"])], "CONTACT_ID")
            rows.extend(_with_lines(row, lines[str(record["ID"])] or []))
        return rows

    async def product_section(self, since: str | None) -> list[dict[str, str]]:
        del since  # sections carry no modification date: always read whole
        sections = await self.client.list_all("crm.productsection.list", chained=True)
        return [{k: text(s.get(k)) for k in ("ID", "NAME", "SECTION_ID", "XML_ID")}
                for s in sections]  # fmt: skip

    async def product(self, since: str | None) -> list[dict[str, str]]:
        del since  # read whole: crm.product.list has no reliable modification filter
        products = await self.client.list_all("crm.product.list", select=["*"], chained=True)
        return [self._product_row(p) for p in products]

    async def note(self, since: str | None) -> list[dict[str, str]]:
        """Timeline comments of every company, contact, deal and lead (read per owner)."""
        del since  # no doc says a new comment changes its owner's DATE_MODIFY: read whole
        rows = []
        for owner in _COMMENT_OWNERS:
            ids = [str(r["ID"]) for r in await self.client.list_all(
                f"crm.{owner}.list", select=["ID"], chained=True)]  # fmt: skip
            rows.extend(await self._comments(owner, ids))
        return rows

    async def activity(self, since: str | None) -> list[dict[str, str]]:
        """Calls, e-mails and meetings with their times and files (:mod:`._history`)."""
        return await read_activities(self, since)

    async def task(self, since: str | None) -> list[dict[str, str]]:
        """Tasks bound to a CRM record (:mod:`._history`)."""
        return await read_tasks(self, since)

    async def smart_process(self, since: str | None) -> list[dict[str, str]]:
        """Items of every smart process, pipelines and stages by name (:mod:`._smart`)."""
        return await read_smart_items(self, since)

    async def requisite(self, since: str | None) -> list[dict[str, str]]:
        """Every requisite of a company or contact, its preset by name (:mod:`._requisites`)."""
        return await self.parts.requisites(since)

    async def bank_detail(self, since: str | None) -> list[dict[str, str]]:
        """Every requisite's bank details (:mod:`._requisites`)."""
        return await self.parts.bank_details(since)

    async def address(self, since: str | None) -> list[dict[str, str]]:
        """Every address of a requisite or lead (read whole: :mod:`._requisites`)."""
        del since  # addresses carry no date
        return await self.parts.addresses()

    def columns(self, table: str) -> list[str]:
        """The columns ``table`` has even when the portal holds no record of it."""
        parts = self.parts.fields
        extra = {
            "company": [*_multi_names(), *([] if self.with_requisites else REQUISITE_FIELDS)],
            "contact": [*_multi_names(), "COMPANY_IDS"],
            "lead": _multi_names(),
            "deal": ["CATEGORY", "STAGE", "CONTACT_IDS", *(f"LINE {k}" for k in LINE_FIELDS)],
            "product_section": ["ID", "NAME", "SECTION_ID", "XML_ID"],
            "product": ["ID", "NAME", "SECTION_ID", "PRICE", "CURRENCY_ID", "DESCRIPTION",
                        "XML_ID", "ACTIVE", "MEASURE", "VAT_RATE"],
            "note": ["ID", "ENTITY_TYPE", "ENTITY_ID", "COMMENT", "CREATED", "AUTHOR_ID", "FILES"],
            "activity": list(ACTIVITY_COLUMNS),
            "task": list(TASK_COLUMNS),
            "smart_process": [*SMART_COLUMNS, "PARENT_ID_2"],
            "requisite": [*parts.get("requisite", ()), "ENTITY_TYPE", "PRESET"],
            "bank_detail": [*parts.get("bank_detail", ()), "ENTITY_TYPE"],
            "address": address_columns(parts.get("address", ())),
        }[table]  # fmt: skip
        fields = [k for k in self.meta.field_names.get(table, ()) if k not in _SKIPPED]
        return list(dict.fromkeys([*fields, *extra]))

    # ------------------------------------------------------------------ pieces

    def _crm_row(self, entity: str, record: Mapping[str, Any]) -> dict[str, str]:
        """Every field the portal describes (``""`` when the record has none), by meaning."""
        row = {k: "" for k in self.meta.field_names.get(entity, ()) if k not in _SKIPPED}
        row.update({str(k): field_text(self.meta, entity, str(k), v) for k, v in
                    record.items() if k not in _SKIPPED})  # fmt: skip
        if entity != "deal":
            row.update(multi_columns(record))
        return row

    def _product_row(self, product: Mapping[str, Any]) -> dict[str, str]:
        row = {k: text(product.get(k)) for k in ("ID", "NAME", "SECTION_ID", "PRICE",
               "CURRENCY_ID", "DESCRIPTION", "XML_ID", "ACTIVE")}  # fmt: skip
        measure, vat = text(product.get("MEASURE")), text(product.get("VAT_ID"))
        row["MEASURE"] = self.meta.measures.get(measure, measure)
        row["VAT_RATE"] = self.meta.vats.get(vat, "") if vat else ""
        return row

    async def _requisites(self) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
        """The first requisite of each company (by ID): what a company row can carry; and
        how many more each company has (not carried: the run reports them)."""
        rows = await self.client.list_all(
            "crm.requisite.list", {"ENTITY_TYPE_ID": 4}, ["ENTITY_ID", *REQUISITE_FIELDS],
            chained=True,
        )  # fmt: skip
        out: dict[str, dict[str, str]] = {"": dict.fromkeys(REQUISITE_FIELDS, "")}
        more: dict[str, int] = {}
        for row in rows:
            owner = text(row.get("ENTITY_ID"))
            if owner in out:
                more[owner] = more.get(owner, 0) + 1
            out.setdefault(owner, {k: text(row.get(k)) for k in REQUISITE_FIELDS})
        return out, more

    async def _comments(self, owner: str, ids: Sequence[str]) -> list[dict[str, str]]:
        """Every comment of each owner: the first page in batches, further pages (``next``:
        an owner with more than 50 comments) one call each."""
        calls = [{"filter": {"ENTITY_ID": rid, "ENTITY_TYPE": owner}, "select": _COMMENT_SELECT}
                 for rid in ids]  # fmt: skip
        commands = [Command(f"c{i}", "crm.timeline.comment.list", p) for i, p in enumerate(calls)]
        rows: list[dict[str, str]] = []
        links: list[list[dict[str, Any]]] = []
        for item, params in zip(await self.client.batch(commands), calls, strict=True):
            if item.error is not None:
                raise item.error
            found, start = list(item.result or []), item.next
            while start:
                page = await self.client.call("crm.timeline.comment.list", {**params,
                                              "start": start})  # fmt: skip
                found, start = found + list(page.result or []), page.next
            rows.extend(self._comment_row(owner, c) for c in found)
            links.extend(_comment_links(c) for c in found)
        # files at once: the client's connection slots bound how many go together
        pairs = zip(rows, links, strict=True)
        paths = await asyncio.gather(*(download_files(self, "note", r["ID"], f) for r, f in pairs))
        for row, found_paths in zip(rows, paths, strict=True):
            row["FILES"] = found_paths
        return rows

    def _comment_row(self, owner: str, comment: Mapping[str, Any]) -> dict[str, str]:
        return {
            "ID": text(comment.get("ID")),
            "ENTITY_TYPE": owner,
            "ENTITY_ID": text(comment.get("ENTITY_ID")),
            "COMMENT": text(comment.get("COMMENT")),
            "CREATED": text(comment.get("CREATED")),
            "AUTHOR_ID": field_text(self.meta, owner, "AUTHOR_ID", comment.get("AUTHOR_ID")),
        }


def _comment_links(comment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A comment's ``FILES`` (``{file id: {id, name, size, urlDownload, …}}``,
    crm-timeline-comment-get.md) as ``[{"id", "url"}]``."""
    files = comment.get("FILES")
    files = files if isinstance(files, Mapping) else {}
    return [{"id": k, "url": f.get("urlDownload")} for k, f in files.items()
            if isinstance(f, Mapping)]  # fmt: skip


def _file_links(value: Any) -> list[dict[str, Any]]:
    """A file field's value (``{"id", "showUrl", "downloadUrl"}``, a list when multiple;
    ``urlMachine`` through ``crm.item.*``) as ``[{"id", "url"}]``."""
    files = value if isinstance(value, list) else [value]
    return [{"id": f.get("id"), "url": f.get("downloadUrl") or f.get("urlMachine")}
            for f in files if isinstance(f, Mapping)]  # fmt: skip


def _multi_names() -> list[str]:
    return [f"{name} {kind}" for name, kinds in MULTI_TYPES.items() for kind in kinds]


def _linked(result: Any, key: str) -> str:
    """Ids from a ``*.items.get`` reply (the primary one first), ``,``-joined."""
    rows = [r for r in result or [] if isinstance(r, Mapping)]
    rows.sort(key=lambda r: (r.get("IS_PRIMARY") not in ("Y", True), int(r.get("SORT") or 0)))
    return ",".join(text(r.get(key)) for r in rows if text(r.get(key)))


def _with_lines(row: dict[str, str], lines: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The deal's row repeated once per product row, with the row's ``LINE …`` columns."""
    empty = {f"LINE {k}": "" for k in LINE_FIELDS}
    if not lines:
        return [{**row, **empty}]
    out = []
    for line in lines:
        cells = {f"LINE {k}": text(line.get(k)) for k in LINE_FIELDS}
        if cells["LINE PRODUCT_ID"] == "0":
            cells["LINE PRODUCT_ID"] = ""  # a free-text row, not a catalogue product
        out.append({**row, **cells})
    return out
