"""Back-dating: which new records keep their original creation date, decided before any write.

Bitrix24 sets a record's creation date only on an import: `params[IMPORT]=Y` on
`crm.contact.add` / `crm.company.add` (the `add` route), `createdTime` on `crm.item.batchImport`
(the `import` route: companies, contacts, deals, leads). And it refuses a date earlier than
those of the records of that type it already holds, or one in the future
(b24restdocs `api-reference/crm/contacts/crm-contact-add.md`: "cannot be earlier than the
creation date of the last created contact"; `api-reference/crm/universal/import/index.md`:
"createdTime must increase monotonically: no record dated earlier than any existing one"
and "createdTime and updatedTime cannot be in the future"). Most migrations go into a portal
already in use, so the plan reads the newest creation date per entity type and decides:

* a date at or after it (and not in the future) is kept: the load sends these in ascending
  order, and new records without a date after them (they are dated "now" by the portal);
* an older one (or one the route cannot set at all: deals and leads on the `add` route)
  follows ``load.backdate`` in `migration.yaml`: ``comment`` (the default) — created today,
  the original date appended to `COMMENTS`; ``UF_CRM_…`` — the original date goes into that
  field; ``ask`` — the record waits (a blocking plan issue) until the user chooses.

`reports/plan.xlsx` lists every record that cannot keep its date, and `load` checks again at
its start that no newer record appeared in the portal since the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from loaders.client import Bitrix24Client
from loaders.entities import spec_for
from migrate.config import MigrationConfig
from migrate.errors import CheckpointError, ConfigError
from migrate.ledger import Ledger, Op, PlanIssue, PlannedRecord

__all__ = [
    "BACKDATE_BLOCKING",
    "LAST",
    "Backdating",
    "DateDecision",
    "check_dates_hold",
    "dated_entities",
    "decide_backdating",
    "plan_backdating",
    "read_newest_dates",
]

SOURCE_HASH = "_SOURCE_HASH"  # the unadjusted record's hash: a later plan sees it unchanged
LAST = "~"  # sort key of creates without a kept date: after every ISO date, so sent last
BACKDATE_BLOCKING = "date.before_portal"
_DATED = "DATE_CREATE"
_TEXT = {
    "ru": {
        "older": "дата создания {date} раньше самой новой записи этого типа на портале ({newest})",
        "future": "дата создания {date} ещё не наступила",
        "route": "маршрут `add` не переносит дату создания этой сущности",
        "comment": "запись будет создана с сегодняшней датой, исходная дата — в комментарии",
        "field": "запись будет создана с сегодняшней датой, исходная дата — в поле {field}",
        "ask": "запись ждёт вашего решения: `load.backdate` в migration.yaml (comment или "
        "поле UF_CRM_…) или `plan --skip-refused`",
        "note": "Дата создания в исходной системе: {date}",
    },
    "en": {
        "older": "created {date}, earlier than the newest record of this type in the portal "
        "({newest})",
        "future": "created {date}, which is in the future",
        "route": "the `add` route cannot set this entity's creation date",
        "comment": "created with today's date; the original date goes into the comment",
        "field": "created with today's date; the original date goes into {field}",
        "ask": "waits for your choice: `load.backdate` in migration.yaml (comment or a "
        "UF_CRM_… field) or `plan --skip-refused`",
        "note": "Created in the source system: {date}",
    },
}


@dataclass(frozen=True, slots=True)
class DateDecision:
    """A new record that cannot keep its original creation date, and what happens instead."""

    entity: str
    source_key: str
    date: str
    reason: str
    action: str
    source: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Backdating:
    """The plan's back-dating decisions.

    Attributes:
        newest: entity → the newest creation date the portal holds (``None``: no record yet).
        kept: entity → new records that keep their original date.
        moved: every new record that cannot keep it (reason and action in plain words).
        records: the plan's records with those decisions applied (dates moved, order set).
        issues: a warning per moved record, or a blocking error each with ``backdate: ask``.
    """

    newest: Mapping[str, str | None] = field(default_factory=dict)
    kept: Mapping[str, int] = field(default_factory=dict)
    moved: tuple[DateDecision, ...] = ()
    records: tuple[PlannedRecord, ...] = ()
    issues: tuple[PlanIssue, ...] = ()


def dated_entities(route: str) -> tuple[str, ...]:
    """The entities whose creation date the ``route`` can set (`add`: IMPORT=Y ones)."""
    return tuple(e for e in ("company", "contact", "deal", "lead") if _sets_date(e, route))


async def read_newest_dates(
    client: Bitrix24Client, entities: Iterable[str]
) -> dict[str, str | None]:
    """entity → the newest `DATE_CREATE` among the portal's records of that type."""
    newest: dict[str, str | None] = {}
    for entity in entities:
        params = {"order": {_DATED: "DESC"}, "select": ["ID", _DATED], "start": 0}
        rows = (await client.call(f"crm.{entity}.list", params)).result or []
        newest[entity] = str(rows[0].get(_DATED) or "") or None if rows else None
    return newest


async def plan_backdating(
    client: Bitrix24Client,
    records: Sequence[PlannedRecord],
    config: MigrationConfig,
    portal_fields: Mapping[str, Iterable[str]],
) -> Backdating:
    """Read the portal's newest creation dates and decide the records' (``config.load``)."""
    newest = await read_newest_dates(client, dated_entities(config.load.route))
    return decide_backdating(records, newest, route=config.load.route,
                             policy=config.load.backdate, timezone=config.timezone,
                             language=config.language, portal_fields=portal_fields)  # fmt: skip


def decide_backdating(
    records: Sequence[PlannedRecord],
    newest: Mapping[str, str | None],
    *,
    route: str,
    policy: str = "comment",
    now: datetime | None = None,
    timezone: str = "Europe/Moscow",
    language: str = "ru",
    portal_fields: Mapping[str, Iterable[str]] | None = None,
) -> Backdating:
    """Apply the back-dating rule to the plan's new records (see the module docstring).

    Args:
        newest: :func:`read_newest_dates` of the portal.
        route: ``add`` or ``import`` (which entities can be back-dated at all).
        policy: ``load.backdate``: ``comment``, ``ask`` or a ``UF_CRM_…`` field name.
        now: the portal's "future" starts here (default: the clock).
        timezone: the zone of dates written without an offset.
        portal_fields: field names per entity; a ``UF_CRM_…`` policy must be one of them.

    Raises:
        ConfigError: ``policy`` names a field the portal does not have for a moved record.
    """
    decider = _Decider(newest, route, policy, now or datetime.now(UTC), ZoneInfo(timezone),
                       _TEXT["en" if language == "en" else "ru"])  # fmt: skip
    out = [decider.decide(r) for r in records]
    _check_policy_field(policy, decider.moved, portal_fields)
    return Backdating(dict(newest), dict(decider.kept), tuple(decider.moved),
                      tuple(r for r in out if r is not None), tuple(decider.issues))  # fmt: skip


async def check_dates_hold(ledger: Ledger, client: Bitrix24Client, route: str) -> None:
    """Refuse to load when the portal got a record newer than a date the plan kept.

    The plan decided against the portal as it was; a colleague who adds a contact between
    `plan` and `load` makes every older kept date fail, so the plan is made again first.
    """
    entities = dated_entities(route)
    newest = await read_newest_dates(client, entities)
    for entity in entities:
        earliest = _parse(ledger.earliest_sort_key(entity, ignore=("", LAST)), UTC)
        portal = _parse(newest.get(entity), UTC)
        if earliest is not None and portal is not None and earliest < portal:
            raise CheckpointError(
                f"the portal now holds a {entity} created {newest[entity]}, later than "
                f"creation dates the plan kept (from {earliest.isoformat()}): the portal would "
                "refuse them",
                next_step="run `b24migrate plan` again (it moves those dates into the comment "
                "or waits for your choice, see `load.backdate`), then `b24migrate load`",
            )


class _Decider:
    def __init__(self, newest: Mapping[str, str | None], route: str, policy: str,
                 now: datetime, zone: tzinfo, text: Mapping[str, str]) -> None:  # fmt: skip
        self.route, self.policy, self.now, self.zone, self.text = route, policy, now, zone, text
        self.newest = {e: _parse(v, zone) for e, v in newest.items()}
        self.raw_newest = newest
        self.kept: dict[str, int] = {}
        self.moved: list[DateDecision] = []
        self.issues: list[PlanIssue] = []

    def decide(self, record: PlannedRecord) -> PlannedRecord | None:
        if record.op is not Op.CREATE or record.b24_id is not None:
            return record
        if record.entity not in ("company", "contact", "deal", "lead"):
            return record
        value = record.fields.get(_DATED)
        moment = _parse(value, self.zone)
        if moment is None:
            return replace(record, sort_key=LAST)
        reason = self._reason(record.entity, str(value), moment)
        if reason is None:
            self.kept[record.entity] = self.kept.get(record.entity, 0) + 1
            return replace(record, sort_key=moment.astimezone(UTC).isoformat())
        return self._move(record, str(value), moment, reason)

    def _reason(self, entity: str, value: str, moment: datetime) -> str | None:
        if not _sets_date(entity, self.route):
            return self.text["route"]
        if moment > self.now:
            return self.text["future"].format(date=value)
        newest = self.newest.get(entity)
        if newest is not None and moment < newest:
            return self.text["older"].format(date=value, newest=self.raw_newest[entity])
        return None

    def _move(self, record: PlannedRecord, value: str, moment: datetime,
              reason: str) -> PlannedRecord | None:  # fmt: skip
        ask = self.policy == "ask"
        action = self.text[
            "ask" if ask else "comment" if self.policy == "comment" else "field"
        ].format(field=self.policy)
        source, row = str(record.fields.get("_source") or ""), record.fields.get("_row")
        self.moved.append(DateDecision(record.entity, record.source_key, value, reason, action,
                                       source, row if isinstance(row, int) else None))  # fmt: skip
        self.issues.append(PlanIssue(
            record.entity, record.source_key, BACKDATE_BLOCKING if ask else "date.moved",
            f"{reason}: {action}", "error" if ask else "warning", _DATED, value, source,
            str(record.fields.get("_sheet") or ""), row if isinstance(row, int) else None,
        ))  # fmt: skip
        if ask:
            return None
        return replace(record, fields=self._moved_fields(record, moment), sort_key=LAST)

    def _moved_fields(self, record: PlannedRecord, moment: datetime) -> dict[str, Any]:
        # a modification date before the new creation date would be refused as well
        fields = {k: v for k, v in record.fields.items() if k not in (_DATED, "DATE_MODIFY")}
        fields.setdefault(SOURCE_HASH, record.content_hash)
        if self.policy == "comment":
            note = self.text["note"].format(date=_shown(moment))
            fields["COMMENTS"] = "\n".join(p for p in (fields.get("COMMENTS"), note) if p)
        else:
            fields[self.policy] = moment.isoformat()
        return fields


def _check_policy_field(
    policy: str, moved: Sequence[DateDecision], portal_fields: Mapping[str, Iterable[str]] | None
) -> None:
    if policy in ("comment", "ask") or portal_fields is None:
        return
    for entity in sorted({m.entity for m in moved}):
        if policy not in set(portal_fields.get(entity, ())):
            raise ConfigError(
                f"`load.backdate: {policy}` in `migration.yaml`: the portal has no {entity} "
                f"field `{policy}` for the original creation dates",
                next_step=f"create the field for {entity} in the portal, or set "
                "`load.backdate: comment`",
            )


def _sets_date(entity: str, route: str) -> bool:
    spec = spec_for(entity)
    return spec.entity_type_id is not None if route == "import" else spec.history_import


def _parse(value: Any, zone: tzinfo) -> datetime | None:
    """An aware datetime from ISO text (a date alone is midnight); naive ones are in ``zone``."""
    if value in (None, "") or str(value) == LAST:
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _shown(moment: datetime) -> str:
    text = moment.strftime("%d.%m.%Y %H:%M")
    return text.removesuffix(" 00:00")
