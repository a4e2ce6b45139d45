"""Deal contacts, timeline comments, activities, duplicate search and user fields."""

from __future__ import annotations

import re
from typing import Any

from loaders.sandbox._context import Ctx, Reply, format_dt, method
from loaders.sandbox._errors import RestError, legacy_error
from loaders.sandbox._files import activity_files, comment_files, drop_files, file_ids
from loaders.sandbox._lists import parse_select
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
        LAST_UPDATED=format_dt(ctx.now),  # crm-activity-list.md: set with CREATED on add
        AUTHOR_ID=ctx.user_id,
        EDITOR_ID=ctx.user_id,
        COMMUNICATIONS=_communications(ctx, fields, owner_type, owner),
        _FILE_IDS=file_ids(ctx, fields.get("FILES"), wrapped=True),
    )
    record.pop("FILES", None)
    ctx.touch()
    return Reply(ctx.store.insert("activity", record))


@method("crm.activity.update")
def activity_update(ctx: Ctx, params: dict[str, Any]) -> Reply:
    rid, record = ctx.existing("activity", params)
    fields = param_fields(params)
    changed = {k: v for k, v in fields.items() if k not in _ACTIVITY_FIXED}
    if "RESPONSIBLE_ID" in changed:
        changed["RESPONSIBLE_ID"] = as_int(changed["RESPONSIBLE_ID"]) or record["RESPONSIBLE_ID"]
    changed.update(LAST_UPDATED=format_dt(ctx.now), EDITOR_ID=ctx.user_id)
    ctx.store.put("activity", rid, {**record, **changed})
    ctx.touch()
    return Reply(True)


_ACTIVITY_FIXED = frozenset({"ID", "CREATED", "LAST_UPDATED", "OWNER_TYPE_ID", "OWNER_ID",
                             "TYPE_ID", "AUTHOR_ID"})  # fmt: skip


@method("crm.activity.list")
def activity_list(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Rows as crm.activity.get answers them; ``COMMUNICATIONS`` and ``FILES`` (or
    ``STORAGE_ELEMENT_IDS``) only when selected (crm-activity-list.md, "Retrieving
    COMMUNICATIONS" and "Retrieving Attachments": ``FILES`` as ``[{id, url}]``)."""
    select = {str(s).upper() for s in parse_select(params.get("select", params.get("SELECT")))}
    extras = {"COMMUNICATIONS"} & select
    if select & {"FILES", "STORAGE_ELEMENT_IDS"}:
        extras.add("FILES")
    return plain_list(ctx, "activity", params, lambda rec: _activity_row(ctx, rec, extras))


@method("crm.activity.get")
def activity_get(ctx: Ctx, params: dict[str, Any]) -> Reply:
    """Every field of the get page's example; ``FILES`` too when the activity has files (a
    reading: the example has none)."""
    _, record = ctx.existing("activity", params)
    extras = {"FILES"} if record.get("_FILE_IDS") else set()
    return Reply(_activity_row(ctx, record, extras))


#: An activity's fields as crm.activity.get answers them, in its order (crm-activity-get.md,
#: response example), with what the portal shows for one that does not set them.
_ACTIVITY_ROW: tuple[tuple[str, Any], ...] = (
    ("ID", None), ("OWNER_ID", None), ("OWNER_TYPE_ID", None), ("TYPE_ID", None),
    ("PROVIDER_ID", None), ("PROVIDER_TYPE_ID", None), ("PROVIDER_GROUP_ID", None),
    ("ASSOCIATED_ENTITY_ID", "0"), ("SUBJECT", ""), ("CREATED", None), ("LAST_UPDATED", None),
    ("START_TIME", ""), ("END_TIME", ""), ("DEADLINE", ""), ("COMPLETED", "N"),
    ("STATUS", None), ("RESPONSIBLE_ID", None), ("PRIORITY", "2"), ("NOTIFY_TYPE", "0"),
    ("NOTIFY_VALUE", "0"), ("DESCRIPTION", ""), ("DESCRIPTION_TYPE", "1"), ("DIRECTION", "0"),
    ("LOCATION", ""), ("SETTINGS", []), ("ORIGINATOR_ID", None), ("ORIGIN_ID", None),
    ("AUTHOR_ID", None), ("EDITOR_ID", None), ("PROVIDER_PARAMS", []),
    ("PROVIDER_DATA", None), ("RESULT_MARK", "0"), ("RESULT_VALUE", None),
    ("RESULT_SUM", None), ("RESULT_CURRENCY_ID", None), ("RESULT_STATUS", "0"),
    ("RESULT_STREAM", "0"), ("RESULT_SOURCE_ID", None), ("AUTOCOMPLETE_RULE", "0"),
)  # fmt: skip
#: The provider a REST-made activity of each type gets (crm-activity-get.md's call:
#: VOXIMPLANT_CALL/CALL; crm-activity-types.md for the others).
_PROVIDERS = {1: ("CRM_MEETING", "MEETING"), 2: ("VOXIMPLANT_CALL", "CALL"),
              3: ("TASKS", "TASK"), 4: ("CRM_EMAIL", "EMAIL")}  # fmt: skip
_COMM_TYPES = {2: "PHONE", 4: "EMAIL"}


def _activity_row(ctx: Ctx, rec: dict[str, Any], extras: set[str]) -> dict[str, Any]:
    stored = string_row({k: v for k, v in rec.items() if k not in ("COMMUNICATIONS", "FILES")})
    provider = _PROVIDERS.get(int(rec.get("TYPE_ID") or 0), (None, None))
    derived = {
        "PROVIDER_ID": rec.get("PROVIDER_ID") or provider[0],
        "PROVIDER_TYPE_ID": rec.get("PROVIDER_TYPE_ID") or provider[1],
        "STATUS": "2" if rec.get("COMPLETED") == "Y" else "1",  # completed / waiting
        "EDITOR_ID": stored.get("EDITOR_ID") or stored.get("AUTHOR_ID"),
    }
    row: dict[str, Any] = {}
    for key, default in _ACTIVITY_ROW:
        value = stored.get(key, derived.get(key))
        row[key] = (
            default if value is None or (value == "" and default not in ("", None)) else value
        )
    if "COMMUNICATIONS" in extras:
        row["COMMUNICATIONS"] = rec.get("COMMUNICATIONS") or []
    if "FILES" in extras:
        row["FILES"] = activity_files(ctx, rec.get("_FILE_IDS"))
    return row


def _communications(ctx: Ctx, fields: dict[str, Any], owner_type: int, owner: int
                    ) -> list[dict[str, Any]]:  # fmt: skip
    """The add's ``COMMUNICATIONS`` as the list answers them: ``{ID, TYPE, VALUE, ENTITY_ID,
    ENTITY_TYPE_ID, ENTITY_SETTINGS}`` (crm-activity-list.md, "Retrieving COMMUNICATIONS");
    the entity is the one named, else the owner; a contact's settings carry its name and
    company (as the example), another's are ``[]`` (a reading)."""
    out = []
    for item in as_list(fields.get("COMMUNICATIONS")):
        item = item if isinstance(item, dict) else {"VALUE": item}
        entity_type = as_int(item.get("ENTITY_TYPE_ID")) or owner_type
        entity_id = as_int(item.get("ENTITY_ID")) or owner
        kind = str(item.get("TYPE") or _COMM_TYPES.get(as_int(fields.get("TYPE_ID")) or 0, ""))
        out.append({"ID": str(ctx.store.next_id("activitycomm")), "TYPE": kind,
                    "VALUE": str(item.get("VALUE") or ""), "ENTITY_ID": str(entity_id),
                    "ENTITY_TYPE_ID": str(entity_type),
                    "ENTITY_SETTINGS": _comm_settings(ctx, entity_type, entity_id)})  # fmt: skip
    return out


def _comm_settings(ctx: Ctx, entity_type: int, entity_id: int) -> Any:
    if entity_type != 3:
        return []
    contact = ctx.store.get("contact", entity_id) or {}
    company_id = as_int(contact.get("COMPANY_ID"))
    company = ctx.store.get("company", company_id) if company_id else None
    return {"HONORIFIC": str(contact.get("HONORIFIC") or ""),
            "NAME": str(contact.get("NAME") or ""),
            "SECOND_NAME": str(contact.get("SECOND_NAME") or ""),
            "LAST_NAME": str(contact.get("LAST_NAME") or ""),
            "COMPANY_TITLE": str((company or {}).get("TITLE") or ""),
            "COMPANY_ID": str(company_id or "")}  # fmt: skip


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


#: The languages a ``userfield.get`` reply names every label in (crm-deal-userfield-get.md,
#: response example: the portal's installed languages, each ``""`` where no label was given).
UF_LANGUAGES = ("ar", "br", "de", "en", "fr", "hi", "id", "in", "it", "ja", "kz", "la", "ms",
                "pl", "ru", "sc", "tc", "th", "tr", "ua", "vn")  # fmt: skip

#: What the portal fills into a string field's SETTINGS (crm-deal-userfield-get.md's example
#: shows all six for a field whose add gave two).
_STRING_SETTINGS = {"SIZE": 20, "ROWS": 1, "REGEXP": "", "MIN_LENGTH": 0, "MAX_LENGTH": 0,
                    "DEFAULT_VALUE": ""}  # fmt: skip


def _userfield_row(rec: dict[str, Any], lang: str | None = "ru") -> dict[str, Any]:
    """A userfield.list row (recorded: crm-contact-userfield-list.md): labels in the language
    asked for (``filter[LANG]``), ``SETTINGS`` ``[]`` when empty, ``LIST`` for lists only.
    ``lang=None``: a ``userfield.get`` reply, every label a map of every language
    (crm-deal-userfield-get.md)."""
    out = string_row({k: v for k, v in rec.items() if k != "LIST"})
    for key in _UF_LABELS:
        label = rec.get(key)
        if lang is None:
            given = label if isinstance(label, dict) else {}
            text = "" if label is None or isinstance(label, dict) else str(label)
            label = {code: str(given.get(code) or text) for code in UF_LANGUAGES}
        elif isinstance(label, dict):
            label = label.get(lang) or label.get("en") or next(iter(label.values()), None)
        out[key] = label
    out["SETTINGS"] = rec.get("SETTINGS") or []
    if rec["USER_TYPE_ID"] == "enumeration":
        out["LIST"] = [string_row(item) for item in rec.get("LIST", [])]
    return out


def _no(value: Any) -> bool:
    return value is not None and not is_yes(value)


def _settings(utype: str, given: Any) -> dict[str, Any]:
    settings = dict(given) if isinstance(given, dict) else {}
    return {**_STRING_SETTINGS, **settings} if utype == "string" else settings


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
            # crm-requisite-userfield-add.md, error example (one text for every CRM entity)
            raise RestError(
                400, "ERROR_CORE", f"The field {name} for the {uf_entity} object already exists."
            )
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
            "SHOW_IN_LIST": "N" if _no(fields.get("SHOW_IN_LIST")) else "Y",
            "EDIT_IN_LIST": "N" if _no(fields.get("EDIT_IN_LIST")) else "Y",
            "IS_SEARCHABLE": "Y" if is_yes(fields.get("IS_SEARCHABLE", "N")) else "N",
            "SETTINGS": _settings(utype, fields.get("SETTINGS")),
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
