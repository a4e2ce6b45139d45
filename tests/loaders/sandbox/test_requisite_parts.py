"""Bank details and addresses (crm.requisite.bankdetail.*, crm.address.*): the rules the
recorded replies (recorded/cases/crm.requisite.bankdetail.yaml, crm.address.yaml) do not show
on their own — one address per type and parent, who may own one, the anchor, what a deleted
requisite or company takes with it, paging."""

from __future__ import annotations


def _requisite(portal, owner_type: int = 4, preset: int = 1) -> tuple[int, int]:
    if owner_type == 4:
        owner = portal.result("crm.company.add", {"fields": {"TITLE": "ООО «Вектор»"}})
    else:
        owner = portal.result("crm.contact.add", {"fields": {"NAME": "Иван"}})
    fields = {"ENTITY_TYPE_ID": owner_type, "ENTITY_ID": owner, "PRESET_ID": preset, "NAME": "Р"}
    return owner, portal.result("crm.requisite.add", {"fields": fields})


def _error(reply) -> str:
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"] == ""
    return str(reply.json()["error_description"])


def _address(rid: int, type_id: int = 6, **more):
    return {"fields": {"TYPE_ID": type_id, "ENTITY_TYPE_ID": 8, "ENTITY_ID": rid, **more}}


def test_one_address_of_a_type_per_requisite(portal):
    company, rid = _requisite(portal)
    assert portal.result("crm.address.add", _address(rid, 6, CITY="Москва")) is True
    assert _error(portal.call("crm.address.add", _address(rid, 6))) == "TypeAddress exists."
    assert portal.result("crm.address.add", _address(rid, 1, CITY="Тула")) is True
    rows = portal.result("crm.address.list", {"filter": {"ENTITY_TYPE_ID": 8, "ENTITY_ID": rid}})
    assert [(r["TYPE_ID"], r["CITY"]) for r in rows] == [("6", "Москва"), ("1", "Тула")]
    assert {(r["ANCHOR_TYPE_ID"], r["ANCHOR_ID"]) for r in rows} == {("4", str(company))}
    assert rows[0]["ADDRESS_1"] is None
    assert rows[0]["LOC_ADDR_ID"] != rows[1]["LOC_ADDR_ID"]


def test_address_update_changes_only_the_fields_sent(portal):
    _, rid = _requisite(portal)
    portal.result("crm.address.add", _address(rid, 6, CITY="Москва", ADDRESS_1="Тверская, 1"))
    assert portal.result("crm.address.update", _address(rid, 6, CITY="Тверь")) is True
    (row,) = portal.result("crm.address.list", {"filter": {"ENTITY_ID": rid}})
    assert (row["CITY"], row["ADDRESS_1"]) == ("Тверь", "Тверская, 1")
    missing = portal.call("crm.address.update", _address(rid, 1, CITY="Тверь"))
    assert _error(missing) == "TypeAddress not found."


def test_who_may_own_an_address(portal):
    company, rid = _requisite(portal)
    by_company = {"fields": {"TYPE_ID": 1, "ENTITY_TYPE_ID": 4, "ENTITY_ID": company}}
    assert _error(portal.call("crm.address.add", by_company)) == (
        "ENTITY_TYPE_ID is not defined or invalid."
    )
    assert _error(portal.call("crm.address.add", _address(rid, 77))) == (
        "TYPE_ID is not defined or invalid."
    )
    assert _error(portal.call("crm.address.add", _address(rid + 1000))) == (
        "ENTITY_ID is not defined or invalid."
    )
    lead = portal.result("crm.lead.add", {"fields": {"TITLE": "Заявка"}})
    on_lead = {"fields": {"TYPE_ID": 1, "ENTITY_TYPE_ID": 1, "ENTITY_ID": lead, "CITY": "Омск"}}
    assert portal.result("crm.address.add", on_lead) is True
    (row,) = portal.result("crm.address.list", {"filter": {"ENTITY_TYPE_ID": 1}})
    assert (row["ANCHOR_TYPE_ID"], row["ANCHOR_ID"]) == ("1", str(lead))
    types = portal.result("crm.enum.addresstype")
    assert sorted(t["ID"] for t in types) == [1, 4, 6, 8, 9, 11]


def test_bank_detail_needs_a_requisite_and_a_name(portal):
    _, rid = _requisite(portal, owner_type=3, preset=3)
    no_name = portal.call("crm.requisite.bankdetail.add", {"fields": {"ENTITY_ID": rid}})
    assert _error(no_name) == "NAME is not defined or invalid."
    bid = portal.result(
        "crm.requisite.bankdetail.add",
        {"fields": {"ENTITY_ID": rid, "NAME": "Счёт", "RQ_ACC_NUM": "40702810938000060473"}},
    )
    got = portal.result("crm.requisite.bankdetail.get", {"id": bid})
    assert (got["ENTITY_ID"], got["COUNTRY_ID"], got["ACTIVE"]) == (str(rid), "1", "Y")
    assert "ENTITY_TYPE_ID" not in got
    moved = {"id": bid, "fields": {"ENTITY_ID": rid + 1, "RQ_BIK": "044525225"}}
    assert portal.result("crm.requisite.bankdetail.update", moved) is True
    got = portal.result("crm.requisite.bankdetail.get", {"id": bid})
    assert (got["ENTITY_ID"], got["RQ_BIK"]) == (str(rid), "044525225")  # ENTITY_ID immutable
    assert got["DATE_MODIFY"] != ""


def test_deleting_a_requisite_or_its_company_takes_the_parts(portal):
    company, rid = _requisite(portal)
    _, other = _requisite(portal)
    for r in (rid, other):
        portal.result("crm.requisite.bankdetail.add", {"fields": {"ENTITY_ID": r, "NAME": "Б"}})
        portal.result("crm.address.add", _address(r, 6))
    assert portal.result("crm.requisite.delete", {"id": rid}) is True
    banks = portal.result("crm.requisite.bankdetail.list")
    assert [b["ENTITY_ID"] for b in banks] == [str(other)]
    assert [a["ENTITY_ID"] for a in portal.result("crm.address.list")] == [str(other)]
    (owner,) = portal.result("crm.requisite.list", {"filter": {"ID": other}})
    assert portal.result("crm.company.delete", {"id": owner["ENTITY_ID"]}) is True
    assert portal.result("crm.requisite.list") == []
    assert portal.result("crm.requisite.bankdetail.list") == []
    assert portal.result("crm.address.list") == []
    assert company != int(owner["ENTITY_ID"])


def test_bank_detail_list_pages_by_50(portal):
    _, rid = _requisite(portal)
    for i in range(55):
        fields = {"ENTITY_ID": rid, "NAME": f"Счёт {i}"}
        portal.result("crm.requisite.bankdetail.add", {"fields": fields})
    first = portal.call("crm.requisite.bankdetail.list", {"order": {"ID": "ASC"}}).json()
    assert (len(first["result"]), first["total"], first["next"]) == (50, 55, 50)
    second = portal.call("crm.requisite.bankdetail.list", {"start": 50}).json()
    assert len(second["result"]) == 5
    picked = portal.result("crm.requisite.bankdetail.list", {"select": ["ID", "NAME"]})
    assert set(picked[0]) == {"ID", "NAME"}
