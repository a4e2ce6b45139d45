"""History rows as portal records: activities (calls, e-mails, meetings) and tasks.

Pure: one clean row's values in, the record's fields (or the reason it cannot load) out.

* an ``activity`` row becomes a ``crm.activity.add`` record: ``TYPE`` ``call`` / ``email`` /
  ``meeting`` (or ``call_in``, ``call_out``, ``email_in``, ``email_out``) → ``TYPE_ID`` 2 / 4 /
  1 and ``DIRECTION`` 1 (incoming) / 2 (outgoing) for calls and e-mails (crm-activity-add.md:
  not used for meetings); ``START_TIME`` the original start (else the row's ``CREATED``),
  ``END_TIME`` the original end, else start + ``DURATION`` minutes, else the start;
  ``COMPLETED`` ``Y`` unless the row says no; a ``SUBJECT`` (required by the portal) from the
  type when the row has none;
* a ``task`` row becomes a ``tasks.task.add`` record: ``TITLE`` (required), ``STATUS`` 2–6
  (fields.md: 2 waiting, 3 in progress, 4 awaiting control, 5 completed, 6 deferred; or their
  names), ``DEADLINE``, ``RESPONSIBLE_ID`` (required: an owner the plan could not resolve and no
  default refuses the row), ``CREATED_BY``.

What the portal cannot back-date (:data:`HISTORY_DATES`) goes into the text as
``[i]date · author[/i]`` (``_DATE`` / ``_AUTHOR`` hints).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "HISTORY_DATES",
    "HistoryDate",
    "Refusal",
    "activity_fields",
    "history_dates",
    "task_fields",
]


@dataclass(frozen=True, slots=True)
class HistoryDate:
    """One date of a history record: whether the portal keeps the original, and how."""

    entity: str
    field: str
    kept: bool
    how_ru: str
    how_en: str

    def how(self, language: str = "ru") -> str:
        return self.how_en if language == "en" else self.how_ru


_IN_TEXT_RU = "поле только для чтения: исходная дата и автор — первой строкой текста"
_IN_TEXT_EN = "read-only: the original date and author open the text"
HISTORY_DATES = (
    HistoryDate("comment", "CREATED", False, _IN_TEXT_RU, _IN_TEXT_EN),
    HistoryDate("activity", "START_TIME", True, "исходное время", "the original time"),
    HistoryDate("activity", "END_TIME", True, "исходное время (или начало + длительность)",
                "the original time (or start + duration)"),
    HistoryDate("activity", "CREATED", False, _IN_TEXT_RU, _IN_TEXT_EN),
    HistoryDate("task", "DEADLINE", True, "исходный срок", "the original deadline"),
    HistoryDate("task", "CREATED_DATE", False, _IN_TEXT_RU, _IN_TEXT_EN),
)  # fmt: skip
"""Which dates of migrated history the portal takes as they were and which it sets itself
(crm-timeline-comment-fields: ``CREATED`` read-only; crm-activity-add.md: ``START_TIME`` /
``END_TIME`` writable, ``CREATED`` not a field of the add; tasks fields.md: ``createdDate``
set by the portal)."""


def history_dates(entities: set[str]) -> tuple[HistoryDate, ...]:
    """The :data:`HISTORY_DATES` rows of the history entities a plan holds."""
    return tuple(d for d in HISTORY_DATES if d.entity in entities)


_TYPES = {"call": (2, None), "call_in": (2, 1), "call_out": (2, 2), "email": (4, None),
          "email_in": (4, 1), "email_out": (4, 2), "meeting": (1, None)}  # fmt: skip
_DIRECTIONS = {"in": 1, "incoming": 1, "1": 1, "out": 2, "outgoing": 2, "2": 2}
_SUBJECTS = {
    (2, 1): ("Входящий звонок", "Incoming call"),
    (2, 2): ("Исходящий звонок", "Outgoing call"),
    (4, 1): ("Входящее письмо", "Incoming e-mail"),
    (4, 2): ("Исходящее письмо", "Outgoing e-mail"),
    (1, None): ("Встреча", "Meeting"),
}
_NO = {"n", "no", "нет", "0", "false", "не выполнено", "запланировано"}
_STATUSES = {"2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "new": 2, "pending": 2, "waiting": 2,
             "in_progress": 3, "supposedly_completed": 4, "completed": 5, "done": 5,
             "deferred": 6}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a history row cannot load: the rule, the field and the value."""

    rule: str
    field: str
    value: str


def activity_fields(values: Mapping[str, Any], language: str = "ru") -> dict[str, Any] | Refusal:
    """The ``crm.activity.add`` fields of an activity row (owner and responsible apart)."""
    kind = str(values.get("TYPE") or "").strip().lower()
    if kind not in _TYPES:
        return Refusal("activity.type", "TYPE", kind)
    type_id, direction = _TYPES[kind]
    if type_id != 1 and direction is None:
        direction = _DIRECTIONS.get(str(values.get("DIRECTION") or "").strip().lower(), 2)
    start = values.get("START_TIME") or values.get("CREATED")
    if not start:
        return Refusal("activity.time", "START_TIME", "")
    subject = str(values.get("SUBJECT") or "").strip()
    if not subject:
        ru, en = _SUBJECTS.get((type_id, direction if type_id != 1 else None), ("Дело", "Activity"))
        subject = en if language == "en" else ru
    fields: dict[str, Any] = {
        "TYPE_ID": type_id,
        "SUBJECT": subject,
        "START_TIME": str(start),
        "END_TIME": _end(start, values.get("END_TIME"), values.get("DURATION")),
        "COMPLETED": "N" if str(values.get("COMPLETED") or "").strip().lower() in _NO else "Y",
        "DESCRIPTION": values.get("DESCRIPTION"),
        "PRIORITY": values.get("PRIORITY"),
        "_COMM": values.get("COMMUNICATION"),
    }
    if direction is not None and type_id != 1:
        fields["DIRECTION"] = direction
    return {k: v for k, v in fields.items() if v not in (None, "")}


def task_fields(values: Mapping[str, Any]) -> dict[str, Any] | Refusal:
    """The ``tasks.task.add`` fields of a task row (owner, responsible and creator apart)."""
    title = str(values.get("TITLE") or "").strip()
    if not title:
        return Refusal("task.title", "TITLE", "")
    raw = str(values.get("STATUS") or "2").strip().lower().replace(" ", "_")
    status = _STATUSES.get(raw.removesuffix(".0"))
    if status is None:
        return Refusal("task.status", "STATUS", raw)
    fields = {"TITLE": title, "STATUS": status, "DEADLINE": values.get("DEADLINE"),
              "DESCRIPTION": values.get("DESCRIPTION"),
              "PRIORITY": values.get("PRIORITY")}  # fmt: skip
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _end(start: Any, end: Any, minutes: Any) -> str:
    if end:
        return str(end)
    try:
        moment = datetime.fromisoformat(str(start))
        return (moment + timedelta(minutes=float(str(minutes)))).isoformat()
    except (TypeError, ValueError):
        return str(start)
