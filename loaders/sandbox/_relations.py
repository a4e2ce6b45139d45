"""Deal contacts, timeline comments, activities, duplicate search and user fields."""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._files import activity_files, comment_files, drop_files, file_ids
from loaders.sandbox._params import as_dict, as_int, as_list, is_yes, param_fields
from loaders.sandbox._refs import plain_list, string_row
from loaders.sandbox._schema import ENTITIES, FieldDef, describe_field

__all__ = ["normalize_phone"]

_ENTITY_TYPES = {"lead": 1, "deal": 2, "contact": 3, "company": 4}


# -- history ---------------------------------------------------------------------------------------
def _owner_kind(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text not in _ENTITY_TYPES:
        raise RestError(400, "INVALID_ARG_VALUE", "Invalid value of ENTITY_TYPE.")
    return text


@method("crm.timeline.comment.add")
def comment_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = as_dict(params.get("fields"), "fields")
    kind = _owner_kind(fields.get("ENTITY_TYPE"))
    owner = as_int(fields.get("ENTITY_ID"))
    if owner is None or ctx.store.get(kind, owner) is None:
        raise _COMMENT_MISSING  # recorded: crm-timeline-comment-add.md
    text = str(fields.get("COMMENT") or "").strip()
    if not text:
        raise RestError(400, "INVALID_ARG_VALUE", "Empty comment.")
    record = {
        "ENTITY_TYPE": kind,
        "ENTITY_ID": owner,
        "COMMENT": text,
        "AUTHOR_ID": as_int(fields.get("AUTHOR_ID")) or ctx.user_id,
        "CREATED": format_dt(ctx.now),
        "FILES": {},
        "_FILE_IDS": file_ids(ctx, fields.get("FILES"), wrapped=False),
    }
    ctx.touch()
    return Reply(ctx.store.insert("comment", record))


_COMMENT_MISSING = RestError(400, "NOT_FOUND", "Not found.")
#: crm.timeline.comment.fields (the names the PHP SDK's live test pins; types a reading)
_COMMENT_FIELDS = {"ID": ("integer", "O"), "CREATED": ("datetime", "O"),
                   "ENTITY_ID": ("integer", "RI"), "ENTITY_TYPE": ("string", "RI"),
                   "AUTHOR_ID": ("user", "I"), "COMMENT": ("string", "R"),
                   "FILES": ("attached_diskfile", "M")}  # fmt: skip


def _comment(ctx: Ctx, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    rid = as_int(params.get("id", params.get("ID")))
    record = ctx.store.get("comment", rid) if rid is not None else None
    if rid is None or record is None:
        raise _COMMENT_MISSING
    return rid, record


@method("crm.timeline.comment.list")
def comment_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Rows with ``FILES`` by file id (``{}`` without files; crm-timeline-comment-get.md).

    The filter must name the owner: ``ENTITY_ID`` and ``ENTITY_TYPE`` are its two mandatory
    fields (crm-timeline-comment-list.md, «filter*»), so a list of every comment is refused.
    """
    where = as_dict(params.get("filter") or {}, "filter")
    kind = str(where.get("ENTITY_TYPE") or "").strip().lower()
    if kind not in _ENTITY_TYPES or as_int(where.get("ENTITY_ID")) is None:
        # the documented rule; the reply's text is a reading (no recorded reply found)
        raise legacy_error("The filter must contain ENTITY_ID and ENTITY_TYPE.")
    return plain_list(ctx, "comment", params, lambda rec: _comment_row(ctx, rec))


@method("crm.timeline.comment.get")
def comment_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _, record = _comment(ctx, params)
    return Reply(_comment_row(ctx, record))


def _comment_row(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {**string_row(rec), "FILES": comment_files(ctx, rec.get("_FILE_IDS"))}


@method("crm.timeline.comment.update")
def comment_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Replaces the text; answers the comment's id (recorded: crm-timeline-comment-update.md)."""
    rid, record = _comment(ctx, params)
    fields = as_dict(params.get("fields"), "fields")
    text = str(fields.get("COMMENT") or "").strip()
    if not text:
        raise RestError(400, "INVALID_ARG_VALUE", "Empty comment.")
    ctx.store.put("comment", rid, {**record, "COMMENT": text})
    ctx.touch()
    return Reply(rid)


@method("crm.timeline.comment.delete")
def comment_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """``id`` (``ownerTypeId``/``ownerId`` accepted) → ``null`` (recorded)."""
    rid, record = _comment(ctx, params)
    drop_files(ctx, record.get("_FILE_IDS"))
    ctx.store.delete("comment", rid)
    ctx.touch()
    return Reply(None)


@method("crm.timeline.comment.fields")
def comment_fields(ctx: Ctx, params: dict[str, Any]) -> Reply:
    return Reply({name: describe_field(FieldDef(ftype, name, flags))
                  for name, (ftype, flags) in _COMMENT_FIELDS.items()})  # fmt: skip


@method("crm.activity.add")
def activity_add(ctx: Ctx, params: dict[str, Any]) -> Reply:
    fields = param_fields(params)
    owner_type, owner = as_int(fields.get("OWNER_TYPE_ID")), as_int(fields.get("OWNER_ID"))
    kinds = {v: k for k, v in _ENTITY_TYPES.items()}
    if owner_type not in kinds or owner is None or not ctx.store.get(kinds[owner_type], owner):
        raise legacy_error("OWNER_ID is not defined or invalid.")
    if as_int(fields.get("TYPE_ID")) not in range(1, 7):
        raise legacy_error("TYPE_ID is not defined or invalid.")
    if not as_list(fields.get("COMMUNICATIONS")):
        raise legacy_error("COMMUNICATIONS is not defined or invalid.")
    # the add page's error list (crm-activity-add.md): a subject and a responsible user
    if not str(fields.get("SUBJECT") or "").strip():
        raise legacy_error("The field SUBJECT is not defined or empty")
    # recorded cases add without RESPONSIBLE_ID: the calling user is then responsible
    responsible = as_int(fields.get("RESPONSIBLE_ID")) or ctx.user_id
    if ctx.store.get("user", responsible) is None:
        raise legacy_error("The field RESPONSIBLE_ID is not defined or invalid")
    record = {k: v for k, v in fields.items() if k not in ("ID", "CREATED", "LAST_UPDATED")}
    record.update(
        OWNER_TYPE_ID=owner_type,
        OWNER_ID=owner,
        TYPE_ID=as_int(fields["TYPE_ID"]),
        RESPONSIBLE_ID=responsible,
        COMPLETED="Y" if is_yes(fields.get("COMPLETED", "N")) else "N",
        CREATED=format_dt(ctx.now),
        AUTHOR_ID=ctx.user_id,
        FILES=[],
        _FILE_IDS=file_ids(ctx, fields.get("FILES"), wrapped=True),
    )
    ctx.touch()
    return Reply(ctx.store.insert("activity", record))


@method("crm.activity.update")
def activity_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = ctx.existing("activity", params)
    fields = param_fields(params)
    changed = {k: v for k, v in fields.items() if k not in _ACTIVITY_FIXED}
    if "RESPONSIBLE_ID" in changed:
        changed["RESPONSIBLE_ID"] = as_int(changed["RESPONSIBLE_ID"]) or record["RESPONSIBLE_ID"]
    ctx.store.put("activity", rid, {**record, **changed, "LAST_UPDATED": format_dt(ctx.now)})
    ctx.touch()
    return Reply(True)


_ACTIVITY_FIXED = frozenset({"ID", "CREATED", "LAST_UPDATED", "OWNER_TYPE_ID", "OWNER_ID",
                             "TYPE_ID", "AUTHOR_ID"})  # fmt: skip


@method("crm.activity.list")
def activity_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Rows with ``FILES`` as ``[{id, url}]`` (crm-activity-list.md, "Retrieving Attachments")."""
    return plain_list(ctx, "activity", params, lambda rec: _activity_row(ctx, rec))


@method("crm.activity.get")
def activity_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    _, record = ctx.existing("activity", params)
    return Reply(_activity_row(ctx, record))


def _activity_row(ctx: Ctx, rec: dict[str, Any]) -> dict[str, Any]:
    return {**string_row(rec), "FILES": activity_files(ctx, rec.get("_FILE_IDS"))}


@method("crm.activity.delete")
def activity_delete(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = ctx.existing("activity", params)
    drop_files(ctx, record.get("_FILE_IDS"))
    ctx.store.delete("activity", rid)
    ctx.touch()
    return Reply(True)


# -- duplicates ------------------------------------------------------------------------------------
def normalize_phone(value: str) -> str:
    """Digits of a phone without the extension: ``+7 (900) 123-45-67 доб. 12`` → ``79001234567``."""
    main = re.split(r"(?i)(доб|ext|#|x)", value)[0]
    return re.sub(r"\D", "", main)


@method("crm.duplicate.findbycomm")
def findbycomm(ctx: Ctx, params: dict[str, Any]) -> Reply:
    comm = str(params.get("type") or "").upper()
    if not comm:  # as a portal answered it (b24-rest-docs issue 223); the docs show another
        raise RestError(400, "", "Communication type is not defined.")
    if comm not in ("PHONE", "EMAIL"):
        raise RestError(
            400,
            f"Communication type '{comm}' is not supported in current context",
            "Parameter 'type' is invalid.",
        )
    values = params.get("values")
    if not isinstance(values, list | dict) or not as_list(values):
        raise RestError(
            400, "Communication values is not defined", "Parameter 'values' must be array."
        )
    norm = normalize_phone if comm == "PHONE" else (lambda v: v.strip().lower())
    wanted = {norm(str(v)) for v in as_list(values)[:20]} - {""}
    entity = str(params.get("entity_type") or "").upper()
    kinds = [entity.lower()] if entity else ["lead", "contact", "company"]
    out: dict[str, list[int]] = {}
    for kind in kinds:
        if kind not in ("lead", "contact", "company"):
            raise RestError(400, "", "Parameter 'entity_type' is invalid.")
        hits = [
            rid
            for rid, rec in ctx.store.table(kind).items()
            if any(norm(e["VALUE"]) in wanted for e in rec.get(comm, []))
        ]
        ctx.touch(max(len(hits), 1))
        if hits:
            out[kind.upper()] = hits[:20]
            if len(hits) >= 20:
                break
    return Reply(out or [])


# -- user fields -----------------------------------------------------------------------------------
_UF_TYPES = (
    "string",
    "integer",
    "double",
    "boolean",
    "date",
    "datetime",
    "money",
    "url",
    "address",
    "enumeration",
    "file",
    "employee",
    "crm_status",
    "crm",
    "iblock_section",
    "iblock_element",
)


def _enum_items(ctx: Ctx, raw: Any) -> list[dict[str, Any]]:
    """Enumeration values get ids (``crm.*.userfield.list`` answers ``LIST`` with them)."""
    items = []
    for i, item in enumerate(as_list(raw)):
        item = item if isinstance(item, dict) else {"VALUE": item}
        if not str(item.get("VALUE") or "").strip():
            continue
        items.append(
            {
                "ID": ctx.store.next_id("ufenum"),
                "SORT": as_int(item.get("SORT")) or (i + 1) * 10,
                "VALUE": str(item["VALUE"]),
                "DEF": "Y" if is_yes(item.get("DEF", "N")) else "N",
                "XML_ID": item.get("XML_ID") or str(i + 1),
            }
        )
    return items


_UF_LABELS = ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL", "ERROR_MESSAGE",
              "HELP_MESSAGE")  # fmt: skip


def _userfield_row(rec: dict[str, Any], lang: str = "ru") -> dict[str, Any]:
    """A userfield.list row (recorded: crm-contact-userfield-list.md): labels in the language
    asked for (``filter[LANG]``), ``SETTINGS`` ``[]`` when empty, ``LIST`` for lists only."""
    out = string_row({k: v for k, v in rec.items() if k != "LIST"})
    for key in _UF_LABELS:
        label = rec.get(key)
        if isinstance(label, dict):
            label = label.get(lang) or label.get("en") or next(iter(label.values()), None)
        out[key] = label
    out["SETTINGS"] = rec.get("SETTINGS") or []
    if rec["USER_TYPE_ID"] == "enumeration":
        out["LIST"] = [string_row(item) for item in rec.get("LIST", [])]
    return out


def _uf_name(raw: str) -> str:
    name = raw.strip().upper()
    name = name.removeprefix("UF_CRM_").removeprefix("UF_")
    return "UF_CRM_" + name


def _make_userfield(entity: str) -> None:
    uf_entity = ENTITIES[entity].uf_entity

    @method(f"crm.{entity}.userfield.add")
    def add(ctx: Ctx, params: dict[str, Any]) -> Reply:
        fields = param_fields(params)
        utype = str(fields.get("USER_TYPE_ID") or "")
        if utype not in _UF_TYPES:
            raise legacy_error("The 'USER_TYPE_ID' field is not found.")
        raw = str(fields.get("FIELD_NAME") or "")
        if not raw or not re.fullmatch(r"[A-Za-z0-9_]+", raw):
            raise legacy_error("The 'FIELD_NAME' field is not found.")
        name = _uf_name(raw)
        if len(name) > 50:
            raise RestError(400, "ERROR_CORE", "Field name is too long (more than 50 characters).")
        if any(
            u["FIELD_NAME"] == name and u["ENTITY_ID"] == uf_entity
            for u in ctx.store.table("userfield").values()
        ):
            raise RestError(400, "ERROR_CORE", f"The field {name} already exists.")
        multiple = (
            "N" if utype == "boolean" else ("Y" if is_yes(fields.get("MULTIPLE", "N")) else "N")
        )
        record = {
            "ENTITY_ID": uf_entity,
            "FIELD_NAME": name,
            "USER_TYPE_ID": utype,
            "XML_ID": fields.get("XML_ID"),
            "SORT": as_int(fields.get("SORT")) or 100,
            "MULTIPLE": multiple,
            "MANDATORY": "Y" if is_yes(fields.get("MANDATORY", "N")) else "N",
            "SHOW_FILTER": str(fields.get("SHOW_FILTER") or "N"),
            "SHOW_IN_LIST": "Y",
            "EDIT_IN_LIST": "Y",
            "IS_SEARCHABLE": "N",
            "SETTINGS": fields.get("SETTINGS") or {},
            "EDIT_FORM_LABEL": fields.get("EDIT_FORM_LABEL") or fields.get("LABEL") or name,
            "LIST_COLUMN_LABEL": fields.get("LIST_COLUMN_LABEL") or fields.get("LABEL"),
            "LIST_FILTER_LABEL": fields.get("LIST_FILTER_LABEL") or fields.get("LABEL"),
            "ERROR_MESSAGE": fields.get("ERROR_MESSAGE"),
            "HELP_MESSAGE": fields.get("HELP_MESSAGE"),
            "LIST": _enum_items(ctx, fields.get("LIST")) if utype == "enumeration" else [],
        }
        ctx.touch()
        return Reply(ctx.store.insert("userfield", record))

    @method(f"crm.{entity}.userfield.list")
    def list_(ctx: Ctx, params: dict[str, Any]) -> Reply:
        raw = as_dict(params.get("filter"), "filter")
        lang = str(raw.get("LANG") or "ru")
        filt = {k: v for k, v in raw.items() if k != "LANG"}
        merged = {**filt, "ENTITY_ID": uf_entity}
        return plain_list(ctx, "userfield", {**params, "filter": merged},
                          lambda rec: _userfield_row(rec, lang))  # fmt: skip


for _entity in ("contact", "company", "deal", "lead"):
    _make_userfield(_entity)
