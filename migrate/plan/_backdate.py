"""Back-dating: which new records keep their original creation date, decided before any write.

The portal takes a creation date only on an import, and refuses one earlier than the newest
record of that type it holds, or one in the future (the rule and its sources:
:mod:`migrate.portal.dates`). Most migrations go into a portal already in use, so the plan reads
the newest creation date per entity type and decides:

* a date at or after it (and not in the future) is kept: the load sends these in ascending
  order, and new records without a kept date after them (the portal dates those "now");
* an older one (or one the route cannot set at all: deals and leads on the `add` route)
  follows ``load.backdate`` in `migration.yaml`: ``comment`` (the default) — created today,
  the original date appended to `COMMENTS`; ``UF_CRM_…`` — the original date goes into that
  field; ``ask`` — the record waits (a blocking plan issue) until the user chooses.

`reports/plan.xlsx` lists every record that cannot keep its date; `load` checks at its start
that no newer record appeared in the portal since the plan (:mod:`migrate.load._dates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from loaders.client import Bitrix24Client
from mappings.entities import where
from migrate.errors import ConfigError
from migrate.ledger import UNDATED, Op, PlanIssue, PlannedRecord
from migrate.portal.dates import dated_entities, portal_datetime, read_newest_dates, route_sets_date
from migrate.workspace.config import MigrationConfig

__all__ = [
    "BACKDATE_BLOCKING",
    "Backdating",
    "DateDecision",
    "decide_backdating",
    "plan_backdating",
]

SOURCE_HASH = "_SOURCE_HASH"  # the unadjusted record's hash: a later plan sees it unchanged
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


async def plan_backdating(
    client: Bitrix24Client,
    records: Sequence[PlannedRecord],
    config: MigrationConfig,
    portal_fields: Mapping[str, Iterable[str]],
    route: str,
) -> Backdating:
    """Read the portal's newest creation dates and decide the records' (``config.load``; the
    ``route`` the plan chose: `add` or `import`)."""
    newest = await read_newest_dates(client, dated_entities(route))
    return decide_backdating(records, newest, route=route,
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


class _Decider:
    def __init__(self, newest: Mapping[str, str | None], route: str, policy: str,
                 now: datetime, zone: tzinfo, text: Mapping[str, str]) -> None:  # fmt: skip
        self.route, self.policy, self.now, self.zone, self.text = route, policy, now, zone, text
        self.newest = {e: portal_datetime(v, zone) for e, v in newest.items()}
        self.raw_newest = newest
        self.crm = where(crm=True)
        self.kept: dict[str, int] = {}
        self.moved: list[DateDecision] = []
        self.issues: list[PlanIssue] = []

    def decide(self, record: PlannedRecord) -> PlannedRecord | None:
        if record.op is not Op.CREATE or record.b24_id is not None:
            return record
        if record.entity not in self.crm:
            return record
        value = record.fields.get(_DATED)
        moment = portal_datetime(value, self.zone)
        if moment is None:
            return replace(record, sort_key=UNDATED)
        reason = self._reason(record.entity, str(value), moment)
        if reason is None:
            self.kept[record.entity] = self.kept.get(record.entity, 0) + 1
            return replace(record, sort_key=moment.astimezone(UTC).isoformat())
        return self._move(record, str(value), moment, reason)

    def _reason(self, entity: str, value: str, moment: datetime) -> str | None:
        if not route_sets_date(entity, self.route):
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
        return replace(record, fields=self._moved_fields(record, moment), sort_key=UNDATED)

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


def _shown(moment: datetime) -> str:
    text = moment.strftime("%d.%m.%Y %H:%M")
    return text.removesuffix(" 00:00")
