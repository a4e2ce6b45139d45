"""Bindings: a deal's contacts and a contact's companies, with their sort and primary flag.

A binding is ``[linked id, SORT, primary]`` kept on the owner (``_LINKS``, in SORT order);
``CONTACT_IDS``/``CONTACT_ID`` of a deal and ``COMPANY_IDS``/``COMPANY_ID`` of a contact are
derived from it. Both sides read the same rows (recorded: crm-deal-contact-items-get.md,
crm-company-contact-items-get.md, and fast_bitrix24's captured
crm.company.contact.items.get: SORT and IS_PRIMARY are stored as sent; a contact bound by
its COMPANY_ID reads SORT 10, IS_PRIMARY Y).
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._context import Ctx, Reply, method
from loaders.sandbox._errors import legacy_error
from loaders.sandbox._params import as_int, as_list, is_yes

__all__ = ["links_from_ids", "set_links"]

Link = list[Any]  # [linked id, sort, primary]
_FIELDS = {"deal": ("CONTACT_ID", "CONTACT_IDS"), "contact": ("COMPANY_ID", "COMPANY_IDS")}
_OWNER_ID = "The parameter ownerEntityID is invalid or not defined."
_ITEMS = "The parameter items must be array."


def links_from_ids(ids: list[int]) -> list[Link]:
    """Bindings made by an ``..._IDS`` field: sort 10, 20…, the first one primary."""
    return [[linked, (i + 1) * 10, i == 0] for i, linked in enumerate(ids)]


def set_links(record: dict[str, Any], kind: str, links: list[Link]) -> None:
    """Store bindings on ``record`` and derive its id fields (primary one first)."""
    links = sorted(links, key=lambda link: link[1])
    one, many = _FIELDS[kind]
    record["_LINKS"] = links
    record[many] = [link[0] for link in links]
    primary = [link[0] for link in links if link[2]] + record[many]
    record[one] = primary[0] if primary else None


def _items(ctx: Ctx, params: dict[str, Any], key: str, target: str) -> list[Link]:
    raw = params.get("items")
    if not isinstance(raw, list | dict):
        raise legacy_error(_ITEMS)
    links = []
    for i, item in enumerate(as_list(raw)):
        linked = as_int(item.get(key)) if isinstance(item, dict) else None
        if linked is None or ctx.store.get(target, linked) is None:
            raise legacy_error(f"{key} is not defined or invalid.")
        sort = as_int(item.get("SORT")) or (i + 1) * 10
        links.append([linked, sort, is_yes(item.get("IS_PRIMARY", "N"))])
    return links


def _row(key: str, link: Link) -> dict[str, Any]:
    return {key: link[0], "SORT": link[1], "ROLE_ID": 0, "IS_PRIMARY": "Y" if link[2] else "N"}


def _owner(ctx: Ctx, kind: str, params: dict[str, Any], missing: str) -> tuple[int, dict[str, Any]]:
    rid = as_int(params.get("id", params.get("ID")))
    if rid is None or rid <= 0:
        raise legacy_error(_OWNER_ID)
    record = ctx.store.get(kind, rid)
    if record is None:
        raise legacy_error(missing)
    return rid, record


def _register(owner: str, target: str, missing: str) -> None:
    """``crm.<owner>.<target>.items.{get,set}`` on the owner's bindings."""
    key = f"{target.upper()}_ID"

    @method(f"crm.{owner}.{target}.items.set")
    def items_set(ctx: Ctx, params: dict[str, Any]) -> Reply:
        rid, record = _owner(ctx, owner, params, missing)
        links = _items(ctx, params, key, target)
        record = dict(record)
        set_links(record, owner, links)
        ctx.store.put(owner, rid, record)
        ctx.touch(max(len(links), 1))
        return Reply(True)

    @method(f"crm.{owner}.{target}.items.get")
    def items_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
        _, record = _owner(ctx, owner, params, missing)
        links = record.get("_LINKS") or []
        ctx.touch(max(len(links), 1))
        return Reply([_row(key, link) for link in links])


# deal contacts answer "Not found." (recorded: crm-deal-contact-items-get.md)
_register("deal", "contact", "Not found.")
_register("contact", "company", "Not found")


def _company_rows(ctx: Ctx, company: int) -> list[tuple[int, Link]]:
    rows = []
    for cid, contact in ctx.store.table("contact").items():
        for link in contact.get("_LINKS") or []:
            if link[0] == company:
                rows.append((cid, link))
    return sorted(rows, key=lambda row: (row[1][1], row[0]))


@method("crm.company.contact.items.get")
def company_contacts_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """The contacts bound to a company: each contact's binding to it (its SORT and whether
    this company is that contact's primary one)."""
    company, _ = _owner(ctx, "company", params, "Not found")
    rows = _company_rows(ctx, company)
    ctx.touch(max(len(rows), 1))
    return Reply([_row("CONTACT_ID", [cid, link[1], link[2]]) for cid, link in rows])


@method("crm.company.contact.items.set")
def company_contacts_set(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Bind exactly these contacts to the company, with the SORT and IS_PRIMARY sent."""
    company, _ = _owner(ctx, "company", params, "Not found")
    wanted = {link[0]: link for link in _items(ctx, params, "CONTACT_ID", "contact")}
    for cid, contact in list(ctx.store.table("contact").items()):
        old = contact.get("_LINKS") or []
        links = [list(link) for link in old if link[0] != company]
        if cid in wanted:
            _, sort, primary = wanted[cid]
            if primary:
                for link in links:
                    link[2] = False
            links.append([company, sort, primary])
        if links != old:
            updated = dict(contact)
            set_links(updated, "contact", links)
            ctx.store.put("contact", cid, updated)
    ctx.touch(max(len(wanted), 1))
    return Reply(True)
