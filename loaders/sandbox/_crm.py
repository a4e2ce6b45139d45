"""Writing CRM records (lead, deal, contact, company): fields, multi-fields, user fields, the
portal's required fields, and the values a portal stamps on save.

Records are stored with UPPER_CASE legacy keys and typed values; multi-fields are lists of
``{"ID", "TYPE_ID", "VALUE_TYPE", "VALUE"}`` in the order they were sent. The legacy dialect
answers errors with an empty code (``ERROR_CORE`` for core validation); the crm.item dialect
with ``CRM_FIELD_ERROR_*``. Reading them back is :mod:`._render`.
"""

from __future__ import annotations

from typing import Any

from loaders.sandbox._cascade import drop_requisites_of
from loaders.sandbox._context import Ctx, format_dt
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._files import drop_files, file_ids
from loaders.sandbox._params import as_int, as_list, is_yes
from loaders.sandbox._schema import MULTIFIELDS, VALUE_TYPES, EntityDef, FieldDef
from loaders.sandbox._seed import required_fields
from loaders.sandbox._values import EMAIL_RE, BadValue, parse_value

__all__ = [
    "apply_fields",
    "apply_fm",
    "apply_multifields",
    "check_required",
    "finish_record",
    "required_names",
    "userfields",
]

IMPORT_FIELDS = (
    "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID", "MOVED_TIME", "MOVED_BY_ID",
)  # fmt: skip
#: Written by the portal itself whatever the client sends (TAX_VALUE: the tax of the product
#: rows; recorded: crm-deal-get.md answers "0.00" to an add that sent 0.10).
_COMPUTED = frozenset({"TAX_VALUE"})
#: Read-only in the legacy dialect, written by crm.item (recorded: crm-item-add.md leadId).
_ITEM_WRITABLE = frozenset({"LEAD_ID"})
_EMAIL_LABELS = {
    "WORK": "Work e-mail",
    "HOME": "Private e-mail",
    "MAILING": "E-mail for newsletters",
}
#: crm.item names a field by its item title in CRM_FIELD_ERROR_REQUIRED (recorded:
#: crm-item-batch-import.md 'The "Name" field is required').
_ITEM_TITLES = {"NAME": "Name", "LAST_NAME": "Last name", "SECOND_NAME": "Second name",
                "TITLE": "Name", "PHONE": "Phone", "EMAIL": "E-mail"}  # fmt: skip
_UF_BASE = {"integer": "integer", "double": "double", "boolean": "char", "date": "date",
            "datetime": "datetime", "employee": "integer"}  # fmt: skip


def userfields(ctx: Ctx, edef: EntityDef) -> dict[str, FieldDef]:
    """User fields defined for the entity, as field definitions."""
    out = {}
    for uf in ctx.store.table("userfield").values():
        if uf["ENTITY_ID"] == edef.uf_entity:
            flags = "M" if uf.get("MULTIPLE") == "Y" else ""
            label = uf.get("EDIT_FORM_LABEL") or uf["FIELD_NAME"]
            title = label if isinstance(label, str) else uf["FIELD_NAME"]
            out[uf["FIELD_NAME"]] = FieldDef("uf:" + uf["USER_TYPE_ID"], title, flags)
    return out


def delete_record(ctx: Ctx, edef: EntityDef, rid: int) -> None:
    """Delete a CRM record, and the files of its file user fields with it; a company or
    contact takes its requisites (with their bank details and addresses), a lead its addresses."""
    record = ctx.store.get(edef.name, rid) or {}
    for name, fdef in userfields(ctx, edef).items():
        if fdef.type == "uf:file":
            drop_files(ctx, record.get(name))
    if edef.type_id in (1, 3, 4):
        drop_requisites_of(ctx.store, edef.type_id, rid)
    ctx.store.delete(edef.name, rid)


def required_names(ctx: Ctx, edef: EntityDef) -> list[str]:
    """Fields this portal requires on add: the admin's settings (``required_fields``, set by a
    fixture or ``SandboxConfig``) and user fields created with ``MANDATORY=Y``."""
    names = list(required_fields(ctx.store).get(edef.name, ()))
    for uf in ctx.store.table("userfield").values():
        if uf["ENTITY_ID"] == edef.uf_entity and uf.get("MANDATORY") == "Y":
            names.append(uf["FIELD_NAME"])
    if edef.name == "company":
        names.append("TITLE")
    return list(dict.fromkeys(names))


def _bad(dialect: str, fdef: FieldDef, name: str, value: Any) -> RestError:
    text = str(value)[:80]
    if dialect == "item":
        return RestError(
            400, "CRM_FIELD_ERROR_VALUE_NOT_VALID", f'Invalid value for field "{name}"'
        )
    return RestError(400, "ERROR_CORE", f'The field "{fdef.title}" has an invalid value "{text}".')


def _store_value(fdef: FieldDef, value: Any) -> Any:
    if fdef.type.startswith("uf:"):
        base = _UF_BASE.get(fdef.type[3:], "string")
        if fdef.multiple:
            return [parse_value(base, v) for v in as_list(value)]
        if base == "char":
            return None if value in (None, "") else ("1" if is_yes(value) else "0")
        return parse_value(base, value)
    if fdef.multiple:
        values = [parse_value(fdef.type, v) for v in as_list(value)]
        return [v for v in values if v is not None]
    return parse_value(fdef.type, value)


def _store_files(ctx: Ctx, fdef: FieldDef, value: Any, current: Any) -> Any:
    """A file field's new value: new files stored on the portal's drive (how-to-upload-files.md:
    ``fileData`` objects, or a bare ``[name, base64]`` pair as crm.item.update takes it), the
    ones it holds kept when named ``{"id": …}`` (how-to-update-files.md, "Update File in a
    Multiple Field": files whose ids are not in the request are deleted). A single field keeps
    the last new file; a bare pair there is the file itself (``[name, base64]``)."""
    if not fdef.multiple and _is_pair(value):
        value = [value]
    items = value if isinstance(value, list) else [value]
    had = {int(i) for i in (current if isinstance(current, list) else [current]) if i}
    kept = [int(v["id"]) for v in items if _kept(v) and int(v["id"]) in had]
    new = [{"fileData": v} if _is_pair(v) else v for v in items
           if v not in (None, "") and not _kept(v)]  # fmt: skip
    ids = file_ids(ctx, new, wrapped=True)
    if fdef.multiple:
        drop_files(ctx, sorted(had - set(kept)))
        return kept + ids
    if ids:
        drop_files(ctx, sorted(had))
    return ids[-1] if ids else (kept[-1] if kept else None)


def _kept(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "fileData" not in value


def _is_pair(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, str) for v in value))  # fmt: skip


def apply_fields(
    ctx: Ctx,
    edef: EntityDef,
    record: dict[str, Any],
    fields: dict[str, Any],
    *,
    creating: bool,
    historical: bool = False,
    dialect: str = "legacy",
    names: dict[str, str] | None = None,
) -> None:
    """Copy known, writable ``fields`` into ``record``; unknown keys are silently ignored.

    ``historical`` unlocks DATE_CREATE/DATE_MODIFY/CREATED_BY_ID/MODIFY_BY_ID (IMPORT=Y or
    crm.item.import). ``names`` maps the keys the client used (camelCase) to legacy names.
    """
    ufs = userfields(ctx, edef)
    for key, value in fields.items():
        legacy = names.get(key, "") if names is not None else key
        fdef = edef.fields.get(legacy) or ufs.get(legacy)
        if fdef is None or legacy in MULTIFIELDS or legacy in _COMPUTED:
            continue
        unlocked = (historical and legacy in IMPORT_FIELDS) or (
            dialect == "item" and legacy in _ITEM_WRITABLE
        )
        if fdef.read_only and not unlocked:
            continue
        if "I" in fdef.flags and not creating:
            continue
        if fdef.type == "uf:file":  # {"fileData": [name, base64]} (a list when multiple)
            record[legacy] = _store_files(ctx, fdef, value, record.get(legacy))
            continue
        try:
            record[legacy] = _store_value(fdef, value)
        except BadValue:
            raise _bad(dialect, fdef, key, value) from None


def check_required(ctx: Ctx, edef: EntityDef, record: dict[str, Any], dialect: str) -> None:
    """Refuse an add that leaves a required field empty, with the portal's own text
    (recorded: "The required field 'Lead Name' is missing.<br />", mesilov/bitrix24-php-sdk
    issue 59; crm.item: CRM_FIELD_ERROR_REQUIRED, crm-item-batch-import.md)."""
    fields = {**edef.fields, **userfields(ctx, edef)}
    for name in required_names(ctx, edef):
        value = record.get(name)
        if value not in (None, "", []) and str(value).strip():
            continue
        fdef = fields.get(name)
        title = fdef.title if fdef else name
        if dialect == "item":
            label = _ITEM_TITLES.get(name, title)
            raise RestError(400, "CRM_FIELD_ERROR_REQUIRED", f'The "{label}" field is required')
        raise RestError(400, "ERROR_CORE", f"The required field '{title}' is missing.<br />")


def _check_email(value: str, value_type: str) -> None:
    if not EMAIL_RE.match(value):
        label = _EMAIL_LABELS.get(value_type, "E-mail")
        raise RestError(400, "ERROR_CORE", f'The field "{label}" contains an invalid address<br>')


def _new_entry(ctx: Ctx, type_id: str, value_type: Any, value: Any) -> dict[str, Any] | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    vtype = str(value_type or VALUE_TYPES[type_id][0]).upper()
    if type_id == "EMAIL":
        _check_email(text, vtype)
    return {"ID": ctx.store.next_id("fm"), "TYPE_ID": type_id, "VALUE_TYPE": vtype, "VALUE": text}


def apply_multifields(ctx: Ctx, record: dict[str, Any], fields: dict[str, Any]) -> None:
    """Legacy PHONE/EMAIL/WEB/IM: items with ID change or delete that entry, others are added;
    entries keep the order they were sent in."""
    for type_id in MULTIFIELDS:
        if type_id not in fields:
            continue
        entries = [dict(e) for e in record.get(type_id, [])]
        for item in as_list(fields[type_id]):
            if not isinstance(item, dict):
                raise legacy_error(f"Parameter '{type_id}' must be array.")
            _apply_entry(ctx, type_id, entries, item)
        record[type_id] = entries


def _apply_entry(
    ctx: Ctx, type_id: str, entries: list[dict[str, Any]], item: dict[str, Any]
) -> None:
    rid = as_int(item.get("ID"))
    if rid is None:
        entry = _new_entry(ctx, type_id, item.get("VALUE_TYPE"), item.get("VALUE"))
        if entry:
            entries.append(entry)
        return
    old = next((e for e in entries if e["ID"] == rid), None)
    if old is None:
        return
    value = item.get("VALUE")
    if is_yes(item.get("DELETE", "N")) or value is None or str(value).strip() == "":
        entries.remove(old)
        return
    old["VALUE"] = str(value).strip()
    old["VALUE_TYPE"] = str(item.get("VALUE_TYPE") or old["VALUE_TYPE"]).upper()
    if type_id == "EMAIL":
        _check_email(old["VALUE"], old["VALUE_TYPE"])


def apply_fm(ctx: Ctx, record: dict[str, Any], fm: Any, *, creating: bool) -> None:
    """crm.item ``fm``: a list on add; on update a map ``n0``/id → entry (empty value deletes)."""
    items = fm.items() if isinstance(fm, dict) and not creating else enumerate(as_list(fm))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for key, item in items:
        if not isinstance(item, dict) or str(item.get("typeId", "")).upper() not in MULTIFIELDS:
            continue  # typeId is mandatory; without it the entry is silently ignored
        type_id = str(item["typeId"]).upper()
        rid = None if creating else as_int(key)
        entry: dict[str, Any] = {"VALUE": item.get("value"), "VALUE_TYPE": item.get("valueType")}
        if rid is not None:
            entry["ID"] = rid
        by_type.setdefault(type_id, []).append(entry)
    apply_multifields(ctx, record, by_type)


def finish_record(ctx: Ctx, edef: EntityDef, record: dict[str, Any], *, creating: bool) -> None:
    """Timestamps, authors, the last-activity and moved-at stamps and the HAS_* flags, after
    fields were applied (as a real portal stamps them on save)."""
    stamp = format_dt(ctx.now)
    if creating:
        record["DATE_CREATE"] = record.get("DATE_CREATE") or stamp
        record["CREATED_BY_ID"] = record.get("CREATED_BY_ID") or ctx.user_id
        record["OPENED"] = record.get("OPENED") or "Y"
        record["ASSIGNED_BY_ID"] = record.get("ASSIGNED_BY_ID") or ctx.user_id
        record["LAST_ACTIVITY_TIME"] = record["DATE_CREATE"]
        record["LAST_ACTIVITY_BY"] = record["CREATED_BY_ID"]
        if "MOVED_TIME" in edef.fields:
            record["MOVED_TIME"] = record.get("MOVED_TIME") or record["DATE_CREATE"]
            record["MOVED_BY_ID"] = record.get("MOVED_BY_ID") or record["CREATED_BY_ID"]
    if not (creating and record.get("DATE_MODIFY")):
        record["DATE_MODIFY"] = record["DATE_CREATE"] if creating else stamp
    if not (creating and record.get("MODIFY_BY_ID")):
        record["MODIFY_BY_ID"] = ctx.user_id
    record["HAS_PHONE"] = "Y" if record.get("PHONE") else "N"
    record["HAS_EMAIL"] = "Y" if record.get("EMAIL") else "N"
    # HAS_IMOL is Y only for a live open-line chat (recorded: a lead with an OPENLINE address
    # reads HAS_IMOL N, crm-lead-get.md); the sandbox has no chats.
    live = any(e["VALUE_TYPE"] == "IMOL" for e in record.get("IM", []))
    record["HAS_IMOL"] = "Y" if live else "N"


def mark_moved(ctx: Ctx, record: dict[str, Any]) -> None:
    """A stage change: MOVED_TIME/MOVED_BY_ID follow it."""
    record["MOVED_TIME"] = format_dt(ctx.now)
    record["MOVED_BY_ID"] = ctx.user_id
