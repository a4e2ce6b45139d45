"""What deleting an owner takes with it: a requisite's bank details and addresses, an owner's
requisites.

crm-requisite-delete.md: "deletes a requisite and all associated objects (links to other
entities, addresses, bank details)"; a company or contact takes its requisites with it (the
portal deletes them with the owner), and a lead its addresses.
"""

from __future__ import annotations

from loaders.sandbox._store import Store

__all__ = ["drop_addresses", "drop_requisite", "drop_requisites_of"]

REQUISITE_TYPE = 8


def drop_addresses(store: Store, entity_type: int, entity_id: int) -> None:
    """Delete the addresses whose parent is (``entity_type``, ``entity_id``)."""
    for aid, rec in list(store.table("address").items()):
        if rec["ENTITY_TYPE_ID"] == entity_type and rec["ENTITY_ID"] == entity_id:
            store.delete("address", aid)


def drop_requisite(store: Store, rid: int) -> None:
    """Delete a requisite with its bank details and addresses."""
    for bid, rec in list(store.table("bankdetail").items()):
        if rec["ENTITY_ID"] == rid:
            store.delete("bankdetail", bid)
    drop_addresses(store, REQUISITE_TYPE, rid)
    store.delete("requisite", rid)


def drop_requisites_of(store: Store, entity_type: int, owner: int) -> None:
    """Delete the requisites (and their parts) of a company (4) or contact (3), and the
    addresses a lead (1) owns."""
    if entity_type == 1:
        drop_addresses(store, 1, owner)
        return
    for rid, rec in list(store.table("requisite").items()):
        if rec["ENTITY_TYPE_ID"] == entity_type and rec["ENTITY_ID"] == owner:
            drop_requisite(store, rid)
