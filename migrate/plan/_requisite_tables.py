"""Requisite tables → ledger records: requisites, their bank details and addresses.

A row of the ``requisite`` table is a requisite of the company or contact it names
(``ENTITY_TYPE`` + ``ENTITY_ID``); its ledger key is ``rq/<key>`` (:func:`requisite_key`), so it
never meets the requisite a company row's ``RQ_*`` columns derive (keyed by the company's own
key). A ``bank_detail`` row belongs to a requisite of that table (``ENTITY_ID``: its source
key). An ``address`` has no id of its own: the portal names it by (type, requisite), one address
of a type per requisite (crm-address-add.md), so its ledger key is ``<requisite key>/<TYPE_ID>``.

What needs more than one row is decided after every row is planned (:func:`settle_requisites`):
a company or contact the requisite table names gets only the table's requisites (its derived
one is dropped, with a warning); an address given to a company or contact goes to its one
requisite; two addresses of one type on one requisite refuse the second; a bank detail or
address of a requisite that is refused (and was not loaded before) is refused too, naming it,
never left waiting for a requisite that will not come.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from cleaners import account_key_ok, bank_digits
from loaders.client import Bitrix24Client
from loaders.entities import (
    build_address_lookups,
    choose_preset,
    parse_address_rows,
    presets_from_rows,
    unwrap_rows,
)
from mappings.entities import REQUISITE_TABLE_PREFIX
from migrate.ledger import Op, PlanIssue, PlannedRecord, Ref
from migrate.portal.read import read_all

if TYPE_CHECKING:
    from migrate.plan._records import _Row

__all__ = [
    "ADDRESS_TYPES",
    "TABLE_PREFIX",
    "address_type",
    "addresses_on_portal_requisites",
    "part_keys",
    "plan_address",
    "plan_bank_detail",
    "plan_requisite",
    "requisite_key",
    "reuse_portal_requisites",
    "settle_requisites",
]

TABLE_PREFIX = REQUISITE_TABLE_PREFIX
"""Ledger keys of the requisite table's records: ``rq/<its source key>``."""
OWNER_HINT = "_OWNER"
"""An address's hint while its requisite is not decided: ``[owner entity, owner key]``."""
_OWNER_TYPES = {"company": 4, "contact": 3}
REQUISITE_TYPE_ID = 8  # crm.enum.ownertype: a requisite

#: crm.enum.addresstype (crm-enum-address-type.md): id → names a table may give for it (the
#: Russian and English portal names, and the short words people write).
ADDRESS_TYPES: dict[int, tuple[str, ...]] = {
    1: ("фактический адрес", "physical address", "фактический", "физический адрес",
        "primary", "actual"),
    4: ("адрес регистрации", "registered address", "регистрации", "home"),
    6: ("юридический адрес", "legal address", "юридический", "registered", "legal"),
    8: ("адрес для корреспонденции", "mailing address", "почтовый адрес", "почтовый",
        "для корреспонденции", "post", "mailing"),
    9: ("адрес бенефициара", "beneficiary address", "бенефициара", "beneficiary"),
    11: ("адрес доставки", "shipping address", "доставки", "delivery", "shipping"),
}  # fmt: skip
_TYPE_BY_NAME = {name: tid for tid, names in ADDRESS_TYPES.items() for name in names}
_ADDRESS_TEXT = ("ADDRESS_1", "ADDRESS_2", "CITY", "POSTAL_CODE", "REGION", "PROVINCE",
                 "COUNTRY", "COUNTRY_CODE")  # fmt: skip

_MESSAGES = {
    "requisite.preset": (
        "на портале нет шаблона реквизитов для этой записи — реквизит не загрузится",
        "the portal has no requisite preset for this record; the requisite will not load",
    ),
    "requisite.owner": (
        "реквизит относится к записи «{value}», которой нет в загрузке",
        "the requisite belongs to “{value}”, which is not being loaded",
    ),
    "requisite.preset_unknown": (
        "шаблона реквизитов «{value}» на портале нет — шаблон выбран по ИНН",
        "the portal has no requisite preset “{value}”; the preset is chosen from the INN",
    ),
    "requisite.table_wins": (
        "у записи есть строки в таблице реквизитов: загружаются они, а реквизиты из колонок "
        "RQ_* её строки ({value}) не загружаются отдельным реквизитом",
        "the record has rows in the requisite table: those are loaded, and its row's RQ_* "
        "columns ({value}) are not loaded as another requisite",
    ),
    "bank_detail.requisite": (
        "банковские реквизиты относятся к реквизиту «{value}», которого нет в загрузке",
        "the bank details belong to requisite “{value}”, which is not being loaded",
    ),
    "bank_detail.requisite_refused": (
        "банковские реквизиты не загрузятся: их реквизит «{value}» отклонён (причина — в строке "
        "этого реквизита)",
        "the bank details will not load: their requisite “{value}” is refused (its row says why)",
    ),
    "bank_detail.bik": (
        "БИК «{value}» должен состоять из 9 цифр",
        "BIK “{value}” must be 9 digits",
    ),
    "bank_detail.account": (
        "{field}: счёт «{value}» должен состоять из 20 цифр",
        "{field}: account “{value}” must be 20 digits",
    ),
    "bank_detail.account_key": (
        "{field}: контрольная цифра счёта «{value}» не сходится с БИК — проверьте счёт и БИК",
        "{field}: the control digit of account “{value}” does not match the BIK; check both",
    ),
    "address.type": (
        "тип адреса «{value}» неизвестен: 1 (фактический), 4 (регистрации), 6 (юридический), "
        "8 (для корреспонденции), 9 (бенефициара), 11 (доставки)",
        "unknown address type “{value}”: 1 (physical), 4 (registered), 6 (legal), "
        "8 (mailing), 9 (beneficiary), 11 (shipping)",
    ),
    "address.owner": (
        "адрес относится к «{value}», которого нет в загрузке",
        "the address belongs to “{value}”, which is not being loaded",
    ),
    "address.owner_requisites": (
        "адрес «{value}»: в облачном Битрикс24 адрес хранится в реквизите, а у владельца "
        "реквизитов не один — укажите реквизит (`ENTITY_TYPE: requisite`)",
        "address of “{value}”: a cloud portal keeps an address in a requisite, and the owner "
        "has not exactly one; name the requisite (`ENTITY_TYPE: requisite`)",
    ),
    "address.requisite_refused": (
        "адрес не загрузится: его реквизит «{value}» отклонён (причина — в строке этого реквизита)",
        "the address will not load: its requisite “{value}” is refused (its row says why)",
    ),
    "address.twice": (
        "второй адрес этого типа у реквизита «{value}»: у реквизита один адрес каждого типа",
        "a second address of this type for requisite “{value}”: a requisite has one address "
        "of each type",
    ),
}


def requisite_key(key: str) -> str:
    """The ledger key of the requisite table's row ``key``."""
    return f"{TABLE_PREFIX}{key}"


def address_type(value: Any) -> int | None:
    """An address type id from a code (``6``, ``"6"``) or a name («Юридический адрес»)."""
    text = " ".join(str(value or "").split()).casefold()
    if text.isdigit():
        return int(text) if int(text) in ADDRESS_TYPES else None
    return _TYPE_BY_NAME.get(text)


def text_of(rule: str, language: str, **values: str) -> str:
    ru, en = _MESSAGES[rule]
    return (en if language == "en" else ru).format(**values)


def _say(row: _Row, rule: str, severity: str, field: str, value: Any) -> None:
    text = text_of(rule, row.language, field=field, value=str(value or ""))
    row._issue(rule, text, severity, field, str(value or ""))


def plan_requisite(row: _Row) -> list[PlannedRecord]:
    """One requisite of the company or contact the row names."""
    values = row.values
    owner_type = str(values.get("ENTITY_TYPE") or "").strip().lower()
    owner_key = values.get("ENTITY_ID")
    resolved = row.index.resolve("ENTITY_ID", owner_type, owner_key)
    if owner_type not in _OWNER_TYPES or not resolved.refs:
        _say(row, "requisite.owner", "error", "ENTITY_ID", f"{owner_type} {owner_key or ''}")
        return []
    preset = _preset(row)
    if preset is None:
        _say(row, "requisite.preset", "error", "PRESET", values.get("PRESET"))
        return []
    body = {k: v for k, v in values.items() if v is not None and k.startswith("RQ_")}
    for name in ("NAME", "ACTIVE", "SORT"):
        if values.get(name) is not None:
            body[name] = values[name]
    body.update(PRESET_ID=preset, ENTITY_TYPE_ID=_OWNER_TYPES[owner_type])
    refs = (Ref("ENTITY_ID", owner_type, resolved.refs[0].source_key),)
    return [PlannedRecord("requisite", requisite_key(row.key), Op.CREATE, body, refs)]


def _preset(row: _Row) -> int | None:
    """The preset the row names (by the portal's name, or a standard one's kind), else the one
    its INN's shape says."""
    meta, name = row.meta, " ".join(str(row.values.get("PRESET") or "").split())
    if name:
        found = meta.preset_names.get(name.casefold())
        if found is not None:
            return found
        kind = presets_from_rows([{"NAME": name, "ID": 0}])
        if kind.organization is not None and meta.presets.organization is not None:
            return meta.presets.organization
        if kind.sole_proprietor is not None and meta.presets.sole_proprietor is not None:
            return meta.presets.sole_proprietor
        if kind.person is not None and meta.presets.person is not None:
            return meta.presets.person
        _say(row, "requisite.preset_unknown", "warning", "PRESET", name)
    title = str(row.values.get("RQ_COMPANY_NAME") or row.values.get("NAME") or "")
    return choose_preset(meta.presets, row.values.get("RQ_INN"), title)


def _requisite_ref(row: _Row, field: str, key: Any) -> Ref | None:
    """The requisite table's record with source key ``key`` (or, loaded before, its ledger
    key), as a reference at ``field``."""
    if key in (None, ""):
        return None
    found = row.index.resolve(field, "requisite", str(key))
    if not found.refs:
        found = row.index.resolve(field, "requisite", requisite_key(str(key)))
    if not found.refs:
        return None
    target = found.refs[0].source_key
    if not target.startswith(TABLE_PREFIX):
        target = requisite_key(target)
    return Ref(field, "requisite", target)


def plan_bank_detail(row: _Row) -> list[PlannedRecord]:
    """One bank detail of a requisite of the table; its BIK and accounts checked (warnings)."""
    values = row.values
    ref = _requisite_ref(row, "ENTITY_ID", values.get("ENTITY_ID"))
    if ref is None:
        _say(row, "bank_detail.requisite", "error", "ENTITY_ID", values.get("ENTITY_ID"))
        return []
    body = {k: v for k, v in values.items() if v is not None and k != "ENTITY_ID"}
    for name in ("RQ_BIK", "RQ_ACC_NUM", "RQ_COR_ACC_NUM"):
        if body.get(name) is not None:
            body[name] = bank_digits(str(body[name]))
    body.setdefault("NAME", body.get("RQ_BANK_NAME") or row.key)
    _check_bank(row, body)
    return [PlannedRecord("bank_detail", row.key, Op.CREATE, body, (ref,))]


def _check_bank(row: _Row, body: Mapping[str, Any]) -> None:
    bik = str(body.get("RQ_BIK") or "")
    bik_ok = len(bik) == 9 and bik.isdigit()
    if bik and not bik_ok:
        _say(row, "bank_detail.bik", "warning", "RQ_BIK", bik)
    for name, correspondent in (("RQ_ACC_NUM", False), ("RQ_COR_ACC_NUM", True)):
        account = str(body.get(name) or "")
        if not account:
            continue
        if not (len(account) == 20 and account.isdigit()):
            _say(row, "bank_detail.account", "warning", name, account)
        elif bik_ok and not account_key_ok(account, bik, correspondent=correspondent):
            _say(row, "bank_detail.account_key", "warning", name, account)


def plan_address(row: _Row) -> list[PlannedRecord]:
    """One address of a requisite (or of a company's or contact's one requisite, decided by
    :func:`settle_requisites`)."""
    values = row.values
    type_id = address_type(values.get("TYPE_ID"))
    if type_id is None:
        _say(row, "address.type", "error", "TYPE_ID", values.get("TYPE_ID"))
        return []
    body: dict[str, Any] = {k: str(values[k]) for k in _ADDRESS_TEXT if values.get(k) is not None}
    body.update(TYPE_ID=type_id, ENTITY_TYPE_ID=REQUISITE_TYPE_ID)
    owner_type = str(values.get("ENTITY_TYPE") or "requisite").strip().lower()
    owner_key = values.get("ENTITY_ID")
    if owner_type == "requisite":
        ref = _requisite_ref(row, "ENTITY_ID", owner_key)
        if ref is None:
            _say(row, "address.owner", "error", "ENTITY_ID", f"requisite {owner_key or ''}")
            return []
        key = f"{ref.source_key}/{type_id}"
        return [PlannedRecord("address", key, Op.CREATE, body, (ref,))]
    resolved = row.index.resolve("ENTITY_ID", owner_type, owner_key)
    if owner_type not in _OWNER_TYPES or not resolved.refs:
        _say(row, "address.owner", "error", "ENTITY_ID", f"{owner_type} {owner_key or ''}")
        return []
    body[OWNER_HINT] = [owner_type, resolved.refs[0].source_key]
    return [PlannedRecord("address", f"{owner_type}/{owner_key}/{type_id}", Op.CREATE, body)]


def part_keys(tables: Mapping[str, pd.DataFrame]) -> dict[str, set[str]]:
    """The ledger keys the requisite tables' rows stand for, whatever this plan made of them
    (for the cut-over: a row still in the source is never gone): a requisite ``rq/<key>``, a
    bank detail its key, an address ``<requisite>/<type>`` — of every type when its type is
    not one the plan knows, and on each requisite its company or contact may have."""
    out: dict[str, set[str]] = {}
    requisites = tables.get("requisite")
    owned: dict[tuple[str, str], set[str]] = {}
    if requisites is not None:
        out["requisite"] = {requisite_key(str(k)) for k in requisites["_key"]}
        for owner_type, owner, key in _columns(requisites, "ENTITY_TYPE", "ENTITY_ID", "_key"):
            owned.setdefault((owner_type.lower(), owner), set()).add(requisite_key(key))
    if "bank_detail" in tables:
        out["bank_detail"] = {str(k) for k in tables["bank_detail"]["_key"]}
    if "address" in tables:
        out["address"] = set()
        for owner_type, owner, kind in _columns(tables["address"], "ENTITY_TYPE", "ENTITY_ID",
                                                "TYPE_ID"):  # fmt: skip
            if owner_type.lower() in ("", "requisite"):
                on = {owner if owner.startswith(TABLE_PREFIX) else requisite_key(owner)}
            else:
                on = {owner, *owned.get((owner_type.lower(), owner), ())}
            found = address_type(kind)
            types = ADDRESS_TYPES if found is None else (found,)
            out["address"] |= {f"{r}/{t}" for r in on for t in types}
    return out


def _columns(table: pd.DataFrame, *names: str) -> Iterable[tuple[str, ...]]:
    """The named columns' values as stripped text (a missing column: empty)."""
    columns = [table[n] if n in table else pd.Series([""] * len(table)) for n in names]
    for values in zip(*columns, strict=True):
        yield tuple("" if _blank(v) else str(v).strip() for v in values)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float | type(pd.NA)) and bool(pd.isna(value)))


def settle_requisites(
    records: Iterable[PlannedRecord],
    issues: list[PlanIssue],
    language: str,
    loaded: Collection[str] = (),
) -> list[PlannedRecord]:
    """The rules that span rows (module docstring); ``issues`` gets their warnings/errors.
    ``loaded``: ledger keys of requisites loaded before (their parts may still go onto them)."""
    records = list(records)
    tabled = {_owner(r) for r in records if _is_table_requisite(r)}
    out: list[PlannedRecord] = []
    for record in records:
        owner = _owner(record)
        if record.entity == "requisite" and not _is_table_requisite(record) and owner in tabled:
            columns = ", ".join(sorted(k for k in record.fields if k.startswith("RQ_")))
            issues.append(_issue(record, "requisite.table_wins", "warning", "RQ_*", columns,
                                 language, owner))  # fmt: skip
            continue
        out.append(record)
    by_owner: dict[tuple[str, str], list[str]] = {}
    for record in out:
        if record.entity == "requisite":
            by_owner.setdefault(_owner(record), []).append(record.source_key)
    out = _addresses(out, by_owner, issues, language)
    return _orphans(out, {*loaded, *(r.source_key for r in out)}, issues, language)


def _orphans(
    records: list[PlannedRecord], requisites: Collection[str], issues: list[PlanIssue],
    language: str,
) -> list[PlannedRecord]:  # fmt: skip
    """Bank details and addresses of a table requisite that is neither planned nor loaded
    (refused: its row's issue says why) are refused, naming it."""
    out: list[PlannedRecord] = []
    for record in records:
        target = next((r.source_key for r in record.refs if r.entity == "requisite"), None)
        if (record.entity in ("bank_detail", "address") and target is not None
                and target.startswith(TABLE_PREFIX) and target not in requisites):  # fmt: skip
            rule = f"{record.entity}.requisite_refused"
            value = target.removeprefix(TABLE_PREFIX)
            issues.append(_issue(record, rule, "error", "ENTITY_ID", value, language))
            continue
        out.append(record)
    return out


def _addresses(
    records: list[PlannedRecord],
    by_owner: Mapping[tuple[str, str], list[str]],
    issues: list[PlanIssue],
    language: str,
) -> list[PlannedRecord]:
    out: list[PlannedRecord] = []
    seen: set[str] = set()
    for record in records:
        if record.entity == "address" and OWNER_HINT in record.fields:
            owner_type, owner_key = record.fields[OWNER_HINT]
            requisites = by_owner.get((owner_type, owner_key), [])
            if len(requisites) != 1:
                issues.append(_issue(record, "address.owner_requisites", "error", "ENTITY_ID",
                                     f"{owner_type} {owner_key}", language))  # fmt: skip
                continue
            fields = {k: v for k, v in record.fields.items() if k != OWNER_HINT}
            ref = Ref("ENTITY_ID", "requisite", requisites[0])
            key = f"{requisites[0]}/{fields['TYPE_ID']}"
            record = dataclasses.replace(record, source_key=key, fields=fields, refs=(ref,))
        if record.entity == "address":
            if record.source_key in seen:
                issues.append(_issue(record, "address.twice", "error", "TYPE_ID",
                                     record.source_key.rsplit("/", 1)[0], language))  # fmt: skip
                continue
            seen.add(record.source_key)
        out.append(record)
    return out


def _is_table_requisite(record: PlannedRecord) -> bool:
    return record.entity == "requisite" and record.source_key.startswith(TABLE_PREFIX)


def _owner(record: PlannedRecord) -> tuple[str, str]:
    ref = next((r for r in record.refs if r.path == "ENTITY_ID"), None)
    return (ref.entity, ref.source_key) if ref is not None else ("", "")


def _issue(
    record: PlannedRecord,
    rule: str,
    severity: str,
    field: str,
    value: str,
    language: str,
    owner: tuple[str, str] | None = None,
) -> PlanIssue:
    """An issue of a record found after its row was planned (its provenance hints say where)."""
    entity, key = owner if owner is not None else (record.entity, record.source_key)
    hints = record.fields
    row = hints.get("_row")
    text = text_of(rule, language, field=field, value=value)
    source, sheet = str(hints.get("_source") or ""), str(hints.get("_sheet") or "")
    line = int(row) if row is not None else None
    return PlanIssue(entity, key, rule, text, severity, field, value[:80], source, sheet, line)


class _Match(Protocol):
    """What :func:`reuse_portal_requisites` needs of a matched record: the portal's record
    (with its requisites by INN), if it was read."""

    @property
    def portal(self) -> Any: ...


def reuse_portal_requisites(
    records: list[PlannedRecord],
    matches: Mapping[str, Mapping[str, _Match]],
    skipped: set[tuple[str, str]],
) -> list[PlannedRecord]:
    """A requisite table's row of a matched company takes the portal's requisite of the same
    INN (the first such row does: it is skipped with that id, so its bank details and
    addresses go onto it; the others are created); the table's requisites of a skipped company
    are left out with their parts. Other records pass unchanged."""
    dropped = {r.source_key for r in records if _is_table_requisite(r) and _owner(r) in skipped}
    taken: set[int] = set()
    out: list[PlannedRecord] = []
    for record in records:
        if record.source_key in dropped and _is_table_requisite(record):
            continue
        if record.entity in ("bank_detail", "address") and any(
            r.source_key in dropped for r in record.refs
        ):
            continue
        if _is_table_requisite(record):
            owner = _owner(record)
            found = matches.get(owner[0], {}).get(owner[1])
            inn = str(record.fields.get("RQ_INN") or "")
            held = found.portal.requisites if found is not None and found.portal else {}
            existing = held.get(inn)
            if existing is not None and existing not in taken:
                taken.add(existing)
                out.append(dataclasses.replace(record, op=Op.SKIP, b24_id=existing))
                continue
        out.append(record)
    return out


async def addresses_on_portal_requisites(
    client: Bitrix24Client, records: list[PlannedRecord]
) -> list[PlannedRecord]:
    """An address planned onto a requisite the portal already holds (a matched company's,
    skipped with its id) whose type that requisite already has is an update of it, not an
    add the portal would refuse ("TypeAddress exists."): the portal's addresses of those
    requisites are read (crm.address.list by ``@ENTITY_ID``)."""
    held_by = {r.source_key: r.b24_id for r in records
               if r.entity == "requisite" and r.op is Op.SKIP and r.b24_id is not None}  # fmt: skip
    onto = {
        i: held_by[r.refs[0].source_key]
        for i, r in enumerate(records)
        if r.entity == "address" and r.op is Op.CREATE and r.refs
        and r.refs[0].source_key in held_by
    }  # fmt: skip
    if not onto:
        return records
    commands = build_address_lookups([rid for rid in onto.values() if rid is not None])
    pages = await read_all(client, [(c.method, c.params) for c in commands])
    held = parse_address_rows([row for page in pages for row in unwrap_rows(page or [])])
    out = list(records)
    for i, requisite_id in onto.items():
        if requisite_id is not None and (requisite_id, out[i].fields["TYPE_ID"]) in held:
            out[i] = dataclasses.replace(out[i], op=Op.UPDATE, b24_id=requisite_id)
    return out
