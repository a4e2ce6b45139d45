"""Compare a source portal with the target it was migrated into, record by record.

Used by the portal-to-portal tests (tests/migrate/portal_source/) and `b24migrate demo
--from-portal`; both portals are opened read-only.

Every target record is found by ``ORIGIN_ID`` (the source's id). Values are compared by
meaning: list items by label (every user field the source defines, a multiple one as the set
of its values), pipelines and stages by name, links and owners by the source
ids / e-mails they stand for. Documented differences (not compared): ids, creation dates
(the `add` route cannot set them: the plan's `date.moved` puts them in a comment), the
comment's own creation time and author (the target writes the comment now, by the webhook's
user). Requisites of companies and contacts: every one, by preset name and fields, each with
its bank accounts (bank, BIK, accounts, currency) and its addresses (the type by its name —
``crm.enum.addresstype`` is the same list on every portal —, street, office, city, postal
code, region, country).

History: each activity is found by ``ORIGIN_ID`` and compared by owner (the source record it
stands for), type and direction, subject, text (without the ``[i]date · author[/i]`` line the
load puts first), start and end as instants, completion, responsible by e-mail and its files
by name, size and SHA-256 (both downloaded), as a deal's file field ``UF_CRM_DOCS``; each
task bound to a record by ``xmlId`` (``<migration>/<source id>``) — title, status, deadline
as an instant, responsible by e-mail, its first binding, text, its files by name, size and
SHA-256 (on the target: the task's own, else those of the comment «Файлы задачи «…»» the load
puts on the task's record, which the comments' comparison leaves out); each item of a smart process
both portals have (by title) by ``xmlId`` (``<migration>/<source id>``) — title, pipeline and
stage by name, amount, responsible by e-mail, company, contacts and deal (``parentId2``) by
the source ids they stand for. Not compared: an activity's and a task's own creation date and
author (read-only on the target: in the text), a task's second binding (the load binds the
first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime
from typing import Any

from loaders import Bitrix24Client

__all__ = ["compare_portals"]

_FIELDS = {
    "company": ("TITLE", "COMPANY_TYPE", "COMMENTS", "ASSIGNED_BY_ID"),
    "contact": ("NAME", "LAST_NAME", "POST", "SOURCE_ID", "ASSIGNED_BY_ID"),
    "deal": ("TITLE", "OPPORTUNITY", "CURRENCY_ID", "SOURCE_ID", "ASSIGNED_BY_ID"),
    "lead": ("TITLE", "NAME", "STATUS_ID", "SOURCE_ID", "OPPORTUNITY"),
}
_SELECT = ["*", "UF_*", "PHONE", "EMAIL"]


class _Side:
    """One portal's records and the dictionaries that give their values a meaning."""

    def __init__(self, client: Bitrix24Client) -> None:
        self.client = client

    async def load(self) -> None:
        self.users = {u["ID"]: u["EMAIL"] for u in (await self.client.call("user.get")).result}
        cats = (await self.client.call("crm.category.list", {"entityTypeId": 2})).result
        self.pipelines = {str(c["id"]): c["name"] for c in cats["categories"]}
        self.stages = {
            s["STATUS_ID"]: s["NAME"]
            for s in await self.client.list_all("crm.status.list")
            if s["ENTITY_ID"].startswith("DEAL_STAGE")
        }
        ufs = (await self.client.call("crm.deal.userfield.list")).result
        self.kinds = {i["ID"]: i["VALUE"] for f in ufs for i in f.get("LIST") or []}
        self.user_fields: dict[str, dict[str, dict[str, str]]] = {}  # entity → field → items
        for entity in _FIELDS:
            rows = (await self.client.call(f"crm.{entity}.userfield.list")).result
            self.user_fields[entity] = {  # file fields: compared by their files below
                f["FIELD_NAME"]: {i["ID"]: i["VALUE"] for i in f.get("LIST") or []}
                for f in rows
                if f["USER_TYPE_ID"] != "file"
            }
        self.records = {
            e: {r["ID"]: r for r in await self.client.list_all(f"crm.{e}.list", select=_SELECT)}
            for e in _FIELDS
        }
        presets = (await self.client.call("crm.requisite.preset.list", {})).result
        self.presets = {str(p["ID"]): p["NAME"] for p in presets}
        types = (await self.client.call("crm.enum.addresstype")).result
        self.address_types = {str(t["ID"]): t["NAME"] for t in types}

    def value(self, entity: str, record: dict[str, Any], name: str) -> Any:
        raw = record.get(name)
        if name in self.user_fields[entity]:  # by label; a multiple field: its set of values
            items = self.user_fields[entity][name]
            values = raw if isinstance(raw, list) else [raw]
            found = sorted(items.get(str(v), str(v)) for v in values if v not in (None, ""))
            return found if isinstance(raw, list) else (found[0] if found else None)
        if name == "ASSIGNED_BY_ID":
            return self.users.get(str(raw))
        if name == "OPPORTUNITY":
            return float(raw or 0)
        return raw or None


def _digits(record: dict[str, Any]) -> list[str]:
    """Phones by their digits (the target holds them cleaned to E.164)."""
    return sorted("".join(c for c in p["VALUE"] if c.isdigit()) for p in record.get("PHONE") or [])


async def _rows(client: Bitrix24Client, deal: str) -> list[tuple[Any, ...]]:
    rows = (await client.call("crm.deal.productrows.get", {"id": deal})).result
    return sorted((r["PRODUCT_NAME"], float(r["PRICE"]), float(r["QUANTITY"])) for r in rows)


_RQ = ("NAME", "RQ_INN", "RQ_KPP", "RQ_OGRN", "RQ_OGRNIP", "RQ_COMPANY_NAME", "RQ_DIRECTOR",
       "RQ_LAST_NAME", "RQ_FIRST_NAME", "RQ_IDENT_DOC_SER", "RQ_IDENT_DOC_NUM")  # fmt: skip
_BANK = ("NAME", "RQ_BANK_NAME", "RQ_BIK", "RQ_ACC_NUM", "RQ_COR_ACC_NUM", "RQ_ACC_CURRENCY")
_ADDRESS = ("ADDRESS_1", "ADDRESS_2", "CITY", "POSTAL_CODE", "REGION", "COUNTRY")


async def _requisites(side: _Side, owner_type: int, owner: str) -> list[tuple[Any, ...]]:
    """An owner's requisites by what they say — the preset by name, the fields, each with its
    bank accounts and its addresses (the type by its name) —, not by their ids."""
    client = side.client
    rows = await client.list_all(
        "crm.requisite.list", {"ENTITY_TYPE_ID": owner_type, "ENTITY_ID": owner}, ["*"]
    )
    out = []
    for row in rows:
        banks = await client.list_all(
            "crm.requisite.bankdetail.list", {"ENTITY_ID": row["ID"]}, ["*"]
        )
        places = (
            await client.call(
                "crm.address.list", {"filter": {"ENTITY_TYPE_ID": 8, "ENTITY_ID": row["ID"]}}
            )
        ).result
        out.append((
            side.presets.get(str(row.get("PRESET_ID"))),
            *(row.get(k) or None for k in _RQ),
            sorted(tuple(b.get(k) or None for k in _BANK) for b in banks),
            sorted((side.address_types.get(str(a["TYPE_ID"])),
                    *(a.get(k) or None for k in _ADDRESS)) for a in places),
        ))  # fmt: skip
    return sorted(out, key=repr)


async def _links(client: Bitrix24Client, method: str, rid: str, key: str) -> list[str]:
    return [str(r[key]) for r in (await client.call(method, {"id": rid})).result]


async def _comments(client: Bitrix24Client, owner: str, rid: str) -> list[Any]:
    """An owner's comments by text, each with its files (name, size, SHA-256: downloaded)."""
    found = await client.call(
        "crm.timeline.comment.list", {"filter": {"ENTITY_ID": rid, "ENTITY_TYPE": owner}}
    )
    out = []
    for comment in found.result or []:
        links = [{"url": f["urlDownload"]} for f in (comment.get("FILES") or {}).values()]
        out.append((_body(comment["COMMENT"]), await _files(client, links)))
    return sorted(out)


def _body(text: str) -> str:
    """A comment without what the load adds around it: the original date and author
    (``[i]…[/i]``, the documented way a date the target cannot take is kept) and the
    ``b24migrate: <migration>/<key>`` provenance line."""
    lines = [
        ln
        for ln in text.splitlines()
        if not (ln.startswith("[i]") and ln.endswith("[/i]")) and not ln.startswith("b24migrate:")
    ]
    return "\n".join(lines).strip()


async def compare_portals(
    source_url: str, target_url: str, unmapped: Collection[str] = ()
) -> list[str]:
    """Every difference between the portals, as one line each (empty: none); fields in
    ``unmapped`` (``contact.UF_CRM_HOBBY``) were left out of the migration on purpose."""
    async with (
        Bitrix24Client(source_url, plan="unlimited", read_only=True) as src,
        Bitrix24Client(target_url, plan="unlimited", read_only=True) as dst,
    ):
        source, target = _Side(src), _Side(dst)
        await source.load()
        await target.load()
        out = await _differences(source, target, frozenset(unmapped))
        out += await _activity_differences(source, target)
        out += await _task_differences(source, target)
        return out + await _smart_differences(source, target)


async def _differences(source: _Side, target: _Side, unmapped: frozenset[str]) -> list[str]:
    out = []
    for entity, every in _FIELDS.items():
        every = (*every, *source.user_fields[entity])
        names = [n for n in every if f"{entity}.{n}" not in unmapped]
        by_origin = {r.get("ORIGIN_ID"): r for r in target.records[entity].values()}
        if len(by_origin) != len(target.records[entity]):
            out.append(f"{entity}: two target records share an ORIGIN_ID")
        for sid, record in source.records[entity].items():
            twin = by_origin.get(sid)
            if twin is None:
                out.append(f"{entity} {sid}: not in the target")
                continue
            out += [
                f"{entity} {sid} {n}: {source.value(entity, record, n)!r} → "
                f"{target.value(entity, twin, n)!r}"
                for n in names
                if source.value(entity, record, n) != target.value(entity, twin, n)
            ]
            out += await _specifics(entity, sid, record, twin, source, target, unmapped)
    return out


async def _specifics(
    entity: str,
    sid: str,
    record: dict[str, Any],
    twin: dict[str, Any],
    source: _Side,
    target: _Side,
    unmapped: frozenset[str] = frozenset(),
) -> list[str]:
    """Links, list values by meaning, product rows, phones and comments of one record."""

    def origin(kind: str, tid: str) -> str | None:
        return target.records[kind].get(str(tid), {}).get("ORIGIN_ID")

    facts: list[tuple[str, Any, Any]] = []
    if entity in ("company", "contact", "lead"):
        facts.append(("PHONE", _digits(record), _digits(twin)))
    if entity in ("company", "contact"):
        kind = 4 if entity == "company" else 3
        facts.append(
            (
                "requisites",
                await _requisites(source, kind, sid),
                await _requisites(target, kind, twin["ID"]),
            )
        )
    if entity == "contact":
        mine = await _links(source.client, "crm.contact.company.items.get", sid, "COMPANY_ID")
        theirs = await _links(
            target.client, "crm.contact.company.items.get", twin["ID"], "COMPANY_ID"
        )
        facts.append(("companies", sorted(mine), sorted(origin("company", t) for t in theirs)))
    if entity == "deal":
        facts += [
            (
                "pipeline",
                source.pipelines[record["CATEGORY_ID"]],
                target.pipelines[twin["CATEGORY_ID"]],
            ),
            ("stage", source.stages[record["STAGE_ID"]], target.stages[twin["STAGE_ID"]]),
            (
                "kind",
                source.kinds.get(record["UF_CRM_KIND"]),
                target.kinds.get(twin["UF_CRM_KIND"]),
            ),
            ("company", record["COMPANY_ID"], origin("company", twin["COMPANY_ID"])),
            ("rows", await _rows(source.client, sid), await _rows(target.client, twin["ID"])),
        ]
        if "deal.UF_CRM_DOCS" not in unmapped:
            facts.append(
                (
                    "documents",
                    await _field_files(source.client, record.get("UF_CRM_DOCS")),
                    await _field_files(target.client, twin.get("UF_CRM_DOCS")),
                )
            )
        mine = await _links(source.client, "crm.deal.contact.items.get", sid, "CONTACT_ID")
        theirs = await _links(target.client, "crm.deal.contact.items.get", twin["ID"], "CONTACT_ID")
        facts.append(("contacts", sorted(mine), sorted(origin("contact", t) for t in theirs)))
    if entity in ("company", "deal", "lead"):
        facts.append(
            (
                "comments",
                await _comments(source.client, entity, sid),
                [
                    c
                    for c in await _comments(target.client, entity, twin["ID"])
                    if not c[0].startswith(("Дата создания", "Created", *_TASK_FILES))
                ],
            )
        )
    return [f"{entity} {sid} {name}: {a!r} → {b!r}" for name, a, b in facts if a != b]


_TASK_FILES = ("Файлы задачи «", "Files of the task “")
"""How the comment carrying a task's files begins (``task.files_text`` of the plan)."""
_KIND = {"1": "lead", "2": "deal", "3": "contact", "4": "company"}
_PREFIX = {"L": "lead", "D": "deal", "C": "contact", "CO": "company"}


async def _activity_list(client: Bitrix24Client) -> list[dict[str, Any]]:
    return await client.list_all("crm.activity.list", select=["*", "FILES"])


async def _files(client: Bitrix24Client, files: Any) -> list[tuple[Any, ...]]:
    """An activity's files as (name, size, SHA-256), downloaded."""
    out = []
    for item in files or []:
        data, name = await client.download(str(item["url"]))
        out.append((name, len(data), hashlib.sha256(data).hexdigest()))
    return sorted(out)


async def _field_files(client: Bitrix24Client, value: Any) -> list[tuple[Any, ...]]:
    """A file field's files (``{"id", "showUrl", "downloadUrl"}``, a list when multiple)."""
    files = value if isinstance(value, list) else [value] if value else []
    if not all(isinstance(f, dict) for f in files):  # not a file field here: shown as it is
        return [("not a file", str(value))]
    return await _files(client, [{"url": f["downloadUrl"]} for f in files])


def _instant(value: Any) -> str | None:
    """A date-time as the UTC instant it names (portals answer in their own offset)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment.astimezone().isoformat() if moment.tzinfo else moment.isoformat()


async def _activity_differences(source: _Side, target: _Side) -> list[str]:
    theirs = {a.get("ORIGIN_ID"): a for a in await _activity_list(target.client)}
    out = []
    for mine in await _activity_list(source.client):
        sid, twin = mine["ID"], theirs.get(mine["ID"])
        kind = _KIND.get(str(mine["OWNER_TYPE_ID"]))
        if kind is None:
            continue
        if twin is None:
            out.append(f"activity {sid}: not in the target")
            continue
        owner = target.records[_KIND[str(twin["OWNER_TYPE_ID"])]].get(str(twin["OWNER_ID"]), {})
        facts = [
            (
                "owner",
                (kind, str(mine["OWNER_ID"])),
                (_KIND[str(twin["OWNER_TYPE_ID"])], owner.get("ORIGIN_ID")),
            ),
            ("type", str(mine["TYPE_ID"]), str(twin["TYPE_ID"])),
            ("direction", mine.get("DIRECTION"), twin.get("DIRECTION")),
            ("subject", mine.get("SUBJECT"), twin.get("SUBJECT")),
            ("text", _body(mine.get("DESCRIPTION") or ""), _body(twin.get("DESCRIPTION") or "")),
            ("start", _instant(mine.get("START_TIME")), _instant(twin.get("START_TIME"))),
            ("end", _instant(mine.get("END_TIME")), _instant(twin.get("END_TIME"))),
            ("completed", mine.get("COMPLETED"), twin.get("COMPLETED")),
            (
                "responsible",
                source.users.get(str(mine["RESPONSIBLE_ID"])),
                target.users.get(str(twin["RESPONSIBLE_ID"])),
            ),
            (
                "files",
                await _files(source.client, mine.get("FILES")),
                await _files(target.client, twin.get("FILES")),
            ),
        ]
        out += [f"activity {sid} {name}: {a!r} → {b!r}" for name, a, b in facts if a != b]
    return out


async def _task_list(client: Bitrix24Client) -> list[dict[str, Any]]:
    select = ["ID", "TITLE", "DESCRIPTION", "STATUS", "DEADLINE", "RESPONSIBLE_ID", "XML_ID",
              "UF_CRM_TASK"]  # fmt: skip
    rows, start = [], 0
    while True:
        page = await client.call("tasks.task.list", {"select": select, "start": start})
        rows += page.result["tasks"]
        if not page.next:
            return rows
        start = page.next


def _binding(value: str) -> tuple[str, str]:
    prefix, _, rid = value.partition("_")
    return _PREFIX.get(prefix, prefix), rid


async def _task_differences(source: _Side, target: _Side) -> list[str]:
    theirs = {str(t.get("xmlId") or "").rsplit("/", 1)[-1]: t for t in await _task_list(
        target.client) if t.get("xmlId")}  # fmt: skip
    out = []
    for mine in await _task_list(source.client):
        sid, bindings = mine["id"], mine.get("ufCrmTask") or []
        if not bindings:
            continue  # not a CRM task: not migrated
        twin = theirs.get(sid)
        if twin is None:
            out.append(f"task {sid}: not in the target")
            continue
        kind, rid = _binding(bindings[0])
        their_kind, their_id = _binding((twin.get("ufCrmTask") or ["?_"])[0])
        origin = target.records.get(their_kind, {}).get(their_id, {}).get("ORIGIN_ID")
        facts = [
            ("binding", (kind, rid), (their_kind, origin)),
            ("title", mine["title"], twin["title"]),
            ("status", mine["status"], twin["status"]),
            ("deadline", _instant(mine.get("deadline")), _instant(twin.get("deadline"))),
            (
                "responsible",
                source.users.get(str(mine["responsibleId"])),
                target.users.get(str(twin["responsibleId"])),
            ),
            ("text", _body(mine.get("description") or ""), _body(twin.get("description") or "")),
            (
                "files",
                await _task_files(source.client, mine),
                await _task_files(target.client, twin)
                or await _task_files_comment(target.client, their_kind, their_id, twin["title"]),
            ),
        ]
        out += [f"task {sid} {name}: {a!r} → {b!r}" for name, a, b in facts if a != b]
    return out


async def _task_files(client: Bitrix24Client, task: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A task's Drive files (``ufTaskWebdavFiles``: attachment ids, described by
    disk.attachedObject.get) as (name, size, SHA-256), downloaded."""
    links = []
    for attached in task.get("ufTaskWebdavFiles") or []:
        described = (await client.call("disk.attachedObject.get", {"id": attached})).result
        links.append({"url": described["DOWNLOAD_URL"]})
    return sorted(await _files(client, links))


async def _task_files_comment(
    client: Bitrix24Client, kind: str, rid: str, title: str
) -> list[tuple[Any, ...]]:
    """The files a load carried on a comment «Файлы задачи «…»» of the task's record (its
    documented way when a task's files do not go to the task itself)."""
    if kind not in _PREFIX.values() or not rid:
        return []
    names = {f"{_TASK_FILES[0]}{title}»", f"{_TASK_FILES[1]}{title}”"}
    found = [f for body, files in await _comments(client, kind, rid) if body in names
             for f in files]  # fmt: skip
    return sorted(found)


async def _smart_side(client: Bitrix24Client) -> dict[str, tuple[int, dict[str, str]]]:
    """Each smart process by title: its entityTypeId and its stage ids → «pipeline / stage»."""
    out = {}
    for kind in (await client.call("crm.type.list")).result["types"]:
        type_id = int(kind["entityTypeId"])
        cats = (await client.call("crm.category.list", {"entityTypeId": type_id})).result
        names = {str(c["id"]): c["name"] for c in cats["categories"]}
        stages = {
            s["STATUS_ID"]: f"{names.get(str(s.get('CATEGORY_ID')), '?')} / {s['NAME']}"
            for s in await client.list_all("crm.status.list")
            if str(s["ENTITY_ID"]).startswith(f"DYNAMIC_{type_id}_STAGE_")
        }
        out[str(kind["title"])] = (type_id, stages)
    return out


async def _smart_differences(source: _Side, target: _Side) -> list[str]:
    theirs_types = await _smart_side(target.client)
    out = []
    for title, (type_id, stages) in (await _smart_side(source.client)).items():
        if title not in theirs_types:
            continue  # a smart process the target lacks is not migrated (docs/sandbox.md)
        their_type, their_stages = theirs_types[title]
        params = {"entityTypeId": type_id}
        mine_items = await source.client.list_all("crm.item.list", select=["*"], params=params)
        theirs = {  # xmlId: `<migration>/<source id>`
            str(i.get("xmlId")).rsplit("/", 1)[-1]: i
            for i in await target.client.list_all(
                "crm.item.list", select=["*"], params={"entityTypeId": their_type}
            )
        }

        def origin(kind: str, tid: Any) -> str | None:
            return target.records[kind].get(str(tid), {}).get("ORIGIN_ID") if tid else None

        for mine in mine_items:
            sid, twin = str(mine["id"]), theirs.get(str(mine["id"]))
            if twin is None:
                out.append(f"{title} {sid}: not in the target")
                continue
            facts = [
                ("title", mine["title"], twin["title"]),
                ("stage", stages.get(mine["stageId"]), their_stages.get(twin["stageId"])),
                ("amount", float(mine["opportunity"] or 0), float(twin["opportunity"] or 0)),
                ("responsible", source.users.get(str(mine["assignedById"])),
                 target.users.get(str(twin["assignedById"]))),
                ("company", str(mine["companyId"] or "") or None,
                 origin("company", twin["companyId"])),
                ("contacts", sorted(str(c) for c in mine.get("contactIds") or []),
                 sorted(str(origin("contact", c)) for c in twin.get("contactIds") or [])),
                ("deal", str(mine.get("parentId2") or "") or None,
                 origin("deal", twin.get("parentId2"))),
            ]  # fmt: skip
            out += [f"{title} {sid} {name}: {a!r} → {b!r}" for name, a, b in facts if a != b]
    return out
