"""Compare a source portal with the target it was migrated into, record by record.

Used by the portal-to-portal tests (tests/migrate/portal_source/) and `b24migrate demo
--from-portal`; both portals are opened read-only.

Every target record is found by ``ORIGIN_ID`` (the source's id). Values are compared by
meaning: list items by label (every user field the source defines, a multiple one as the set
of its values), pipelines and stages by name, links and owners by the source
ids / e-mails they stand for. Documented differences (not compared): ids, creation dates
(the `add` route cannot set them: the plan's `date.moved` puts them in a comment), the
comment's own creation time and author (the target writes the comment now, by the webhook's
user), requisites' bank details and addresses (not read yet).
"""

from __future__ import annotations

from collections.abc import Collection
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
            self.user_fields[entity] = {
                f["FIELD_NAME"]: {i["ID"]: i["VALUE"] for i in f.get("LIST") or []} for f in rows
            }
        self.records = {
            e: {r["ID"]: r for r in await self.client.list_all(f"crm.{e}.list", select=_SELECT)}
            for e in _FIELDS
        }

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


async def _requisite(client: Bitrix24Client, company: str) -> list[tuple[Any, ...]]:
    """A company's requisites by what they say (INN, KPP, names), not by their ids."""
    rows = await client.list_all(
        "crm.requisite.list",
        {"ENTITY_TYPE_ID": 4, "ENTITY_ID": company},
        ["RQ_INN", "RQ_KPP", "RQ_COMPANY_NAME", "RQ_DIRECTOR"],
    )
    return sorted(
        (
            r.get("RQ_INN"),
            r.get("RQ_KPP"),
            r.get("RQ_COMPANY_NAME") or None,
            r.get("RQ_DIRECTOR") or None,
        )
        for r in rows
    )


async def _links(client: Bitrix24Client, method: str, rid: str, key: str) -> list[str]:
    return [str(r[key]) for r in (await client.call(method, {"id": rid})).result]


async def _comments(client: Bitrix24Client, owner: str, rid: str) -> list[str]:
    found = await client.call(
        "crm.timeline.comment.list", {"filter": {"ENTITY_ID": rid, "ENTITY_TYPE": owner}}
    )
    return sorted(_body(c["COMMENT"]) for c in found.result or [])


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
        return await _differences(source, target, frozenset(unmapped))


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
            out += await _specifics(entity, sid, record, twin, source, target)
    return out


async def _specifics(
    entity: str,
    sid: str,
    record: dict[str, Any],
    twin: dict[str, Any],
    source: _Side,
    target: _Side,
) -> list[str]:
    """Links, list values by meaning, product rows, phones and comments of one record."""

    def origin(kind: str, tid: str) -> str | None:
        return target.records[kind].get(str(tid), {}).get("ORIGIN_ID")

    facts: list[tuple[str, Any, Any]] = []
    if entity in ("company", "contact", "lead"):
        facts.append(("PHONE", _digits(record), _digits(twin)))
    if entity == "company":
        facts.append(
            (
                "requisite",
                await _requisite(source.client, sid),
                await _requisite(target.client, twin["ID"]),
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
                    if not c.startswith(("Дата создания", "Created"))
                ],
            )
        )
    return [f"{entity} {sid} {name}: {a!r} → {b!r}" for name, a, b in facts if a != b]
